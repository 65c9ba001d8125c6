/** The matrix and the diff as text: an aligned table, CSV (the one formula-safe writer), JSON. Pure. */
import { type CsvCell, toCsv } from '../csv';
import { plural, toTable } from '../text-table';
import type { Diff } from './diff';
import { CHANGE_KINDS } from './diff';
import { appColumnCount, CELL_KINDS, KIND_WORDS, type Matrix } from './matrix';

const personLabel = (row: Matrix['rows'][number]) =>
  row.taskId ? `${row.person} ${row.taskId}` : row.person;

const totalsText = (totals: Record<string, number>) =>
  CELL_KINDS.filter((k) => totals[k]! > 0)
    .map((k) => `${KIND_WORDS[k]} ${totals[k]}`)
    .join(', ');

const runLine = (m: Matrix): string => {
  const run = m.run;
  if (!run) return `Run ${m.runId}: no run record`;
  return (
    `Run ${m.runId}: ${run.outcome}, started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}` +
    (run.outcome === 'RUNNING' ? ' (still running: some cells may be pending)' : '')
  );
};

export function matrixTable(m: Matrix): string {
  const header = ['person', ...m.columns.map((c) => c.label), 'totals'];
  const rows = m.rows.map((r) => [
    personLabel(r),
    ...m.columns.map((c) => r.cells[c.key]?.text ?? ''),
    totalsText(r.totals),
  ]);
  const totalRows = CELL_KINDS.filter((k) => m.totals[k] > 0).map((k) => [
    `total ${KIND_WORDS[k]}`,
    ...m.columns.map((c) => String(m.appTotals[c.key]![k])),
    String(m.totals[k]),
  ]);
  const lines = [
    runLine(m),
    `${m.rows.length === 1 ? '1 person' : `${m.rows.length} people`} × ${plural(appColumnCount(m), 'app')}: ${totalsText(m.totals) || 'no records'}`,
    '',
  ];
  return `${lines.join('\n')}\n${toTable(header, [...rows, ...totalRows])}`;
}

export function matrixCsv(m: Matrix): string {
  const header = [
    'person',
    'taskId',
    ...m.columns.map((c) => c.label),
    ...CELL_KINDS.map((k) => KIND_WORDS[k]),
  ];
  const rows: CsvCell[][] = m.rows.map((r) => [
    r.person,
    r.taskId,
    ...m.columns.map((c) => r.cells[c.key]?.text),
    ...CELL_KINDS.map((k) => r.totals[k]),
  ]);
  for (const k of CELL_KINDS) {
    rows.push([
      `total ${KIND_WORDS[k]}`,
      undefined,
      ...m.columns.map((c) => m.appTotals[c.key]![k]),
      ...CELL_KINDS.map((x) => (x === k ? m.totals[k] : undefined)),
    ]);
  }
  return toCsv(header, rows);
}

export const matrixJson = (m: Matrix): string =>
  `${JSON.stringify(
    {
      runId: m.runId,
      run: m.run ?? null,
      columns: m.columns.map(({ key: _key, ...c }) => c),
      rows: m.rows.map((r) => ({
        person: r.person,
        ...(r.taskId ? { taskId: r.taskId } : {}),
        cells: Object.fromEntries(
          m.columns.filter((c) => r.cells[c.key]).map((c) => [c.label, r.cells[c.key]]),
        ),
        totals: r.totals,
      })),
      appTotals: Object.fromEntries(m.columns.map((c) => [c.label, m.appTotals[c.key]])),
      totals: m.totals,
    },
    null,
    2,
  )}\n`;

const place = (c: Diff['changes'][number]) => (c.tenantId ? `${c.app} (${c.tenantId})` : c.app);

export function diffTable(d: Diff): string {
  const summary = CHANGE_KINDS.map((k) => `${k} ${d.counts[k]}`).join(', ');
  const head = `Changes from ${d.old} to ${d.new}: ${plural(d.changes.length, 'cell')} (${summary})\n`;
  if (d.changes.length === 0) return `${head}No access changed.\n`;
  return `${head}\n${toTable(
    ['person', 'app', 'change', 'before', 'after'],
    d.changes.map((c) => [c.person, place(c), c.change, c.before, c.after]),
  )}`;
}

export const diffCsv = (d: Diff): string =>
  toCsv(
    ['person', 'app', 'tenantId', 'change', 'before', 'after'],
    d.changes.map((c) => [c.person, c.app, c.tenantId, c.change, c.before, c.after]),
  );

export const diffJson = (d: Diff): string => `${JSON.stringify(d, null, 2)}\n`;
