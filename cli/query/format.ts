/**
 * Output of `npm run query`: an aligned table for people (by person, then app), CSV (the one formula-safe
 * writer) and JSON for tools. Pure functions: records in, text out.
 */
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import type { StartRecord } from '../../lambda/core/ports';
import { type CsvCell, toCsv } from '../csv';
import type { RunView } from '../results-reader';
import { plural, type TableCell, toTable } from '../text-table';
import type { OutputFormat, QueryArgs } from './args';

export { csvField } from '../csv';

/** A start record's refusal as a row next to task records: the address AppFabric would not start tasks for. */
export interface RejectedRow {
  runId: string;
  email: string;
  resultStatus: 'REJECTED';
  app?: string;
  tenantId?: string;
  taskError?: { errorCode?: string; errorMessage?: string };
  recordedAt: string;
}

/** One row per app (or one with no app) of each REJECTED start record. */
export const rejectedRows = (starts: readonly StartRecord[]): RejectedRow[] =>
  starts
    .filter((s) => s.state === 'REJECTED')
    .flatMap((s) =>
      (s.errors.length > 0 ? s.errors : [{}]).map((e: StartRecord['errors'][number]) => ({
        runId: s.runId,
        email: s.email,
        resultStatus: 'REJECTED' as const,
        ...(e.app ? { app: e.app } : {}),
        ...(e.tenantId ? { tenantId: e.tenantId } : {}),
        ...(e.errorCode || e.errorMessage
          ? {
              taskError: {
                ...(e.errorCode ? { errorCode: e.errorCode } : {}),
                ...(e.errorMessage ? { errorMessage: e.errorMessage } : {}),
              },
            }
          : {}),
        recordedAt: s.at,
      })),
    );

type Row = TaskRecord | RejectedRow;

const errorText = (error: TaskRecord['taskError']): string | undefined => {
  if (!error) return undefined;
  const parts = [error.errorCode, error.errorMessage].filter((p) => p !== undefined && p !== '');
  return parts.length > 0 ? parts.join(': ') : undefined;
};

const userText = (r: Partial<TaskRecord>): string | undefined => {
  const name = r.userFullName ?? ([r.userFirstName, r.userLastName].filter(Boolean).join(' ') || undefined);
  return name ?? r.userId;
};

const tenantText = (r: Partial<TaskRecord>) =>
  r.tenantDisplayName && r.tenantId
    ? `${r.tenantDisplayName} (${r.tenantId})`
    : (r.tenantId ?? r.tenantDisplayName);

/** People first (case-insensitive address; rows without one last), then app, tenant, newest first. */
const byPersonThenApp = (a: Row, b: Row): number => {
  const ea = a.email?.toLowerCase();
  const eb = b.email?.toLowerCase();
  if (ea !== eb) return ea === undefined ? 1 : eb === undefined ? -1 : ea.localeCompare(eb);
  const aa = a.app?.toLowerCase() ?? '\uffff';
  const ab = b.app?.toLowerCase() ?? '\uffff';
  if (aa !== ab) return aa.localeCompare(ab);
  return (a.tenantId ?? '').localeCompare(b.tenantId ?? '') || b.recordedAt.localeCompare(a.recordedAt);
};

const TASK_TABLE = [
  'email',
  'app',
  'tenant',
  'status',
  'userStatus',
  'user',
  'taskId',
  'recordedAt',
  'error',
];
const taskTableRow = (r: Row): TableCell[] => {
  const t = r as Partial<TaskRecord>;
  return [
    r.email,
    r.app,
    tenantText(t),
    r.resultStatus,
    t.userStatus,
    userText(t),
    t.taskId,
    r.recordedAt,
    errorText(r.taskError),
  ];
};

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
const taskCsvRow = (row: Row): CsvCell[] => {
  const r = row as Partial<TaskRecord>;
  return [
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
};

const COUNTS = ['total', 'pending', 'COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'] as const;
const runError = (r: RunRecord) => [r.errorName, r.errorCause].filter(Boolean).join(': ') || undefined;

const RUN_TABLE = ['runId', 'outcome', 'startedAt', 'endedAt', ...COUNTS, 'error'];
const runTableRow = (r: RunRecord): TableCell[] => [
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
const runCsvRow = (r: RunRecord): CsvCell[] => [
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

/**
 * The records (and rejected addresses) in a format. The table sorts by person then app; json and csv
 * keep the read order. `total` (when more than given) says in the table how many there are in all.
 */
export function formatTasks(records: readonly Row[], format: OutputFormat, total = records.length): string {
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
      return `${toTable(TASK_TABLE, [...records].sort(byPersonThenApp).map(taskTableRow))}${count}\n`;
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
export function formatRunSummary(run: RunView | undefined, starts: readonly StartRecord[]): string {
  if (!run) return '';
  const counts = COUNTS.filter((c) => c !== 'total' && (run.counts?.[c] ?? 0) > 0)
    .map((c) => `${c} ${run.counts[c]}`)
    .join(', ');
  const lines = [
    `Run ${run.runId}: ${run.outcome}${run.errorName ? ` (${runError(run)})` : ''}`,
    `  app bundle ${run.appBundleIdentifier}, input ${run.inputKind}, started ${run.startedAt}` +
      (run.endedAt ? `, ended ${run.endedAt}` : '') +
      (run.lastPolledAt ? `, last polled ${run.lastPolledAt}` : ''),
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
    query.outcome === undefined ? undefined : `outcome ${query.outcome}`,
    query.since === undefined ? undefined : `since ${query.since}`,
  ].filter(Boolean);
  return filters.length > 0 ? `${what} (${filters.join(', ')})` : what;
}
