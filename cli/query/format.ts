/**
 * Output of `npm run query`: an aligned table for people, CSV (RFC 4180 quoting) and JSON for tools.
 * Pure functions: records in, text out.
 */
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import type { StartRecord } from '../../lambda/core/ports';
import type { OutputFormat, QueryArgs } from './args';

type Cell = string | number | undefined;

/** Widest a table cell gets before it is cut with an ellipsis (error messages run long). */
const MAX_CELL = 60;

const errorText = (error: TaskRecord['taskError']): string | undefined => {
  if (!error) return undefined;
  const parts = [error.errorCode, error.errorMessage].filter((p) => p !== undefined && p !== '');
  return parts.length > 0 ? parts.join(': ') : undefined;
};

const userText = (r: TaskRecord): string | undefined => {
  const name = r.userFullName ?? ([r.userFirstName, r.userLastName].filter(Boolean).join(' ') || undefined);
  return name ?? r.userId;
};

/** One CSV field: quoted when it holds a comma, quote, line break or edge spaces; quotes doubled. */
export const csvField = (value: Cell): string => {
  const s = value === undefined ? '' : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

export const toCsv = (header: readonly string[], rows: readonly Cell[][]): string =>
  `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\n')}\n`;

/** A table cell: control characters (from remote data) become spaces, long text is cut. */
const tableCell = (value: Cell): string => {
  const s = value === undefined ? '' : String(value).replace(/\p{Cc}/gu, ' ');
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
};

export const toTable = (header: readonly string[], rows: readonly Cell[][]): string => {
  const cells = rows.map((row) => row.map(tableCell));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
};

const TASK_TABLE = ['taskId', 'status', 'app', 'tenant', 'email', 'user', 'recordedAt', 'error'];
const taskTableRow = (r: TaskRecord): Cell[] => [
  r.taskId,
  r.resultStatus,
  r.app,
  r.tenantDisplayName && r.tenantId
    ? `${r.tenantDisplayName} (${r.tenantId})`
    : (r.tenantId ?? r.tenantDisplayName),
  r.email,
  userText(r),
  r.recordedAt,
  errorText(r.taskError),
];

const TASK_CSV = [
  'runId',
  'taskId',
  'resultStatus',
  'app',
  'tenantId',
  'tenantDisplayName',
  'email',
  'userId',
  'userFullName',
  'userFirstName',
  'userLastName',
  'userStatus',
  'errorCode',
  'errorMessage',
  'appBundleIdentifier',
  'recordedAt',
  'expiresAt',
];
const taskCsvRow = (r: TaskRecord): Cell[] => [
  r.runId,
  r.taskId,
  r.resultStatus,
  r.app,
  r.tenantId,
  r.tenantDisplayName,
  r.email,
  r.userId,
  r.userFullName,
  r.userFirstName,
  r.userLastName,
  r.userStatus,
  r.taskError?.errorCode,
  r.taskError?.errorMessage,
  r.appBundleIdentifier,
  r.recordedAt,
  r.expiresAt,
];

const COUNTS = ['total', 'pending', 'COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'] as const;
const runError = (r: RunRecord) => [r.errorName, r.errorCause].filter(Boolean).join(': ') || undefined;

const RUN_TABLE = ['runId', 'outcome', 'startedAt', 'endedAt', ...COUNTS, 'error'];
const runTableRow = (r: RunRecord): Cell[] => [
  r.runId,
  r.outcome,
  r.startedAt,
  r.endedAt,
  ...COUNTS.map((c) => r.counts?.[c]),
  runError(r),
];

const RUN_CSV = [
  'runId',
  'appBundleIdentifier',
  'inputKind',
  'outcome',
  'startedAt',
  'endedAt',
  ...COUNTS,
  'errorName',
  'errorCause',
  'expiresAt',
];
const runCsvRow = (r: RunRecord): Cell[] => [
  r.runId,
  r.appBundleIdentifier,
  r.inputKind,
  r.outcome,
  r.startedAt,
  r.endedAt,
  ...COUNTS.map((c) => r.counts?.[c]),
  r.errorName,
  r.errorCause,
  r.expiresAt,
];

const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** The records in a format; in a table, `total` (when more than shown) says how many there are in all. */
export function formatTasks(
  records: readonly TaskRecord[],
  format: OutputFormat,
  total = records.length,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(records, null, 2)}\n`;
    case 'csv':
      return toCsv(TASK_CSV, records.map(taskCsvRow));
    default: {
      const count =
        total > records.length
          ? `${records.length} of ${plural(total, 'record')}`
          : plural(records.length, 'record');
      return `${toTable(TASK_TABLE, records.map(taskTableRow))}${count}\n`;
    }
  }
}

export function formatRuns(runs: readonly RunRecord[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(runs, null, 2)}\n`;
    case 'csv':
      return toCsv(RUN_CSV, runs.map(runCsvRow));
    default:
      return `${toTable(RUN_TABLE, runs.map(runTableRow))}${plural(runs.length, 'run')}\n`;
  }
}

/** The lines above a run's task records in table format: the run record and its addresses. */
export function formatRunSummary(run: RunRecord | undefined, starts: readonly StartRecord[]): string {
  if (!run) return '';
  const counts = COUNTS.filter((c) => c !== 'total' && (run.counts?.[c] ?? 0) > 0)
    .map((c) => `${c} ${run.counts[c]}`)
    .join(', ');
  const lines = [
    `Run ${run.runId}: ${run.outcome}${run.errorName ? ` (${runError(run)})` : ''}`,
    `  app bundle ${run.appBundleIdentifier}, input ${run.inputKind}, started ${run.startedAt}` +
      (run.endedAt ? `, ended ${run.endedAt}` : ''),
    `  ${plural(run.counts?.total ?? 0, 'task')}${counts ? `: ${counts}` : ''}`,
  ];
  for (const start of starts) {
    const errors = start.errors.map((e) => [e.app, e.errorCode].filter(Boolean).join(' ')).join(', ');
    lines.push(
      `  address ${start.email}: ${start.state}, ${plural(start.taskIds.length, 'task')}${errors ? ` (${errors})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}

/** What was asked, for "No records found for ...". */
export function describeQuery(query: QueryArgs): string {
  const s = query.selector;
  const what =
    s.kind === 'task'
      ? `task ${s.taskId}`
      : s.kind === 'email'
        ? `email ${s.email}`
        : s.kind === 'app'
          ? `app ${s.app}${s.tenantId === undefined ? '' : ` tenant ${s.tenantId}`}`
          : s.kind === 'run'
            ? `run ${s.runId}`
            : 'runs';
  const filters = [
    query.status === undefined ? undefined : `status ${query.status}`,
    query.since === undefined ? undefined : `since ${query.since}`,
  ].filter(Boolean);
  return filters.length > 0 ? `${what} (${filters.join(', ')})` : what;
}
