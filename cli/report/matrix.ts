/**
 * The access matrix of a run: one row per person, one column per app (and tenant, when an app has several),
 * each cell in the reviewer's words. Pure: records in, matrix out.
 *
 * Cell rules (README, "Review access"):
 * - COMPLETED → has access (with the app's `userStatus`)
 * - FAILED whose error code says the app does not know the user (USER_NOT_FOUND, UserNotFound,
 *   USER_DOES_NOT_EXIST, NO_SUCH_USER … compared ignoring case and separators) → no account
 * - any other FAILED → failed (with the error code)
 * - EXPIRED, NOT_FOUND, TIMED_OUT → expired, not found, timed out
 * - a started task with no record yet → pending; an address AppFabric refused to start → refused
 * Several records in one cell (the same person and app asked twice): has access wins, else the newest.
 */
import type { TaskRecord } from '../../lambda/core/model';
import type { StartRecord } from '../../lambda/core/ports';
import type { RunView } from '../results-reader';

export const CELL_KINDS = [
  'access',
  'no-account',
  'failed',
  'expired',
  'not-found',
  'timed-out',
  'pending',
  'refused',
] as const;
export type CellKind = (typeof CELL_KINDS)[number];

/** The reviewer's words for each kind. */
export const KIND_WORDS: Record<CellKind, string> = {
  access: 'has access',
  'no-account': 'no account',
  failed: 'failed',
  expired: 'expired',
  'not-found': 'not found',
  'timed-out': 'timed out',
  pending: 'pending',
  refused: 'refused',
};

/** Kinds that say nothing about access: the app was not (yet) asked successfully. */
export const UNKNOWN_KINDS: readonly CellKind[] = [
  'failed',
  'expired',
  'not-found',
  'timed-out',
  'pending',
  'refused',
];

export interface Cell {
  kind: CellKind;
  /** Words for the cell: `has access (ACTIVE)`, `failed (RATE_LIMIT)`, `pending (2)`. */
  text: string;
  userStatus?: string;
  errorCode?: string;
  taskId?: string;
  recordedAt?: string;
  /** Pending cells: how many started tasks wait for an answer. */
  count?: number;
}

interface Column {
  key: string;
  app: string;
  tenantId?: string;
  /** The app, with the tenant when the app has several in the run. */
  label: string;
}

interface Row {
  key: string;
  /** The address, or `(unknown person)` for a task AppFabric named no address for. */
  person: string;
  /** For unknown persons: the task the row is about. */
  taskId?: string;
  cells: Record<string, Cell>;
  totals: Record<CellKind, number>;
}

export interface Matrix {
  runId: string;
  run?: RunView;
  columns: Column[];
  rows: Row[];
  /** Per column key, per kind. */
  appTotals: Record<string, Record<CellKind, number>>;
  totals: Record<CellKind, number>;
}

export const UNKNOWN_PERSON = '(unknown person)';
/** Column of what names no app: started tasks with no answer yet, an address refused for every app. */
const NO_APP_COLUMN = '(no app named)';

/** Columns of real apps (and tenants): the "(no app named)" column of pending addresses is not an app. */
export const appColumnCount = (m: Pick<Matrix, 'columns'>): number =>
  m.columns.filter((c) => c.app !== NO_APP_COLUMN).length;

const NO_ACCOUNT_CODES = new Set([
  'USERNOTFOUND',
  'USERDOESNOTEXIST',
  'USERNOTEXIST',
  'NOSUCHUSER',
  'UNKNOWNUSER',
]);

/** Whether an error code says the app does not know the person. */
export const isNoAccount = (errorCode: string | undefined): boolean =>
  errorCode !== undefined && NO_ACCOUNT_CODES.has(errorCode.toUpperCase().replace(/[^A-Z]/g, ''));

const zeroTotals = (): Record<CellKind, number> =>
  Object.fromEntries(CELL_KINDS.map((k) => [k, 0])) as Record<CellKind, number>;

/** The cell one record makes. */
export function cellOf(record: TaskRecord): Cell {
  const base = { taskId: record.taskId, recordedAt: record.recordedAt };
  const code = record.taskError?.errorCode;
  switch (record.resultStatus) {
    case 'COMPLETED':
      return {
        ...base,
        kind: 'access',
        text: record.userStatus ? `has access (${record.userStatus})` : 'has access',
        ...(record.userStatus ? { userStatus: record.userStatus } : {}),
      };
    case 'FAILED':
      if (isNoAccount(code)) return { ...base, kind: 'no-account', text: 'no account', errorCode: code! };
      return {
        ...base,
        kind: 'failed',
        text: code ? `failed (${code})` : 'failed',
        ...(code ? { errorCode: code } : {}),
      };
    case 'EXPIRED':
      return { ...base, kind: 'expired', text: 'expired' };
    case 'NOT_FOUND':
      return { ...base, kind: 'not-found', text: 'not found' };
    default:
      return { ...base, kind: 'timed-out', text: 'timed out' };
  }
}

/** Which of two cells of the same place stays: has access wins, else the newer. */
const better = (a: Cell, b: Cell): Cell => {
  if ((a.kind === 'access') !== (b.kind === 'access')) return a.kind === 'access' ? a : b;
  return (b.recordedAt ?? '') > (a.recordedAt ?? '') ? b : a;
};

const personKey = (
  email: string | undefined,
  taskId: string,
): { key: string; person: string; taskId?: string } =>
  email?.trim()
    ? { key: email.trim().toLowerCase(), person: email.trim() }
    : { key: `task:${taskId}`, person: UNKNOWN_PERSON, taskId };

/** A person's, an app's and a tenant's identity in the matrix (shared with the diff). */
export const columnKey = (app: string, tenantId: string | undefined) =>
  `${app.toLowerCase()}\u0000${tenantId ?? ''}`;

export function buildMatrix(
  runId: string,
  records: readonly TaskRecord[],
  starts: readonly StartRecord[] = [],
  run?: RunView,
): Matrix {
  const rows = new Map<string, Row>();
  const columns = new Map<string, Column>();
  const rowFor = (email: string | undefined, taskId: string): Row => {
    const who = personKey(email, taskId);
    let row = rows.get(who.key);
    if (!row) {
      row = {
        key: who.key,
        person: who.person,
        ...(who.taskId ? { taskId: who.taskId } : {}),
        cells: {},
        totals: zeroTotals(),
      };
      rows.set(who.key, row);
    }
    return row;
  };
  const columnFor = (app: string | undefined, tenantId: string | undefined): Column => {
    const name = app?.trim() || NO_APP_COLUMN;
    const key = columnKey(name, app?.trim() ? tenantId : undefined);
    let column = columns.get(key);
    if (!column) {
      column = { key, app: name, ...(tenantId && app?.trim() ? { tenantId } : {}), label: name };
      columns.set(key, column);
    }
    return column;
  };
  const put = (row: Row, column: Column, cell: Cell) => {
    const had = row.cells[column.key];
    row.cells[column.key] = had ? better(had, cell) : cell;
  };

  const recorded = new Set<string>();
  for (const record of records) {
    recorded.add(record.taskId);
    put(rowFor(record.email, record.taskId), columnFor(record.app, record.tenantId), cellOf(record));
  }
  for (const start of starts) {
    if (start.state === 'REJECTED') {
      for (const error of start.errors.length > 0 ? start.errors : [{}]) {
        const e = error as StartRecord['errors'][number];
        const code = e.errorCode;
        put(rowFor(start.email, ''), columnFor(e.app, e.tenantId), {
          kind: 'refused',
          text: code ? `refused (${code})` : 'refused',
          ...(code ? { errorCode: code } : {}),
          recordedAt: start.at,
        });
      }
      continue;
    }
    const waiting = start.taskIds.filter((id) => !recorded.has(id));
    if (waiting.length === 0) continue;
    const row = rowFor(start.email, '');
    const column = columnFor(undefined, undefined);
    const had = row.cells[column.key];
    const n = (had?.kind === 'pending' ? (had.count ?? 0) : 0) + waiting.length;
    row.cells[column.key] = { kind: 'pending', text: `pending (${n})`, count: n };
  }

  // An app with several tenants in the run gets a column per tenant, labelled with it.
  const tenantsOf = new Map<string, number>();
  for (const c of columns.values())
    tenantsOf.set(c.app.toLowerCase(), (tenantsOf.get(c.app.toLowerCase()) ?? 0) + 1);
  for (const c of columns.values()) {
    if ((tenantsOf.get(c.app.toLowerCase()) ?? 0) > 1) c.label = `${c.app} (${c.tenantId ?? 'no tenant'})`;
  }

  const sortedColumns = [...columns.values()].sort((a, b) =>
    a.app === NO_APP_COLUMN
      ? 1
      : b.app === NO_APP_COLUMN
        ? -1
        : a.label.toLowerCase().localeCompare(b.label.toLowerCase()),
  );
  const sortedRows = [...rows.values()].sort((a, b) =>
    a.person === UNKNOWN_PERSON && b.person !== UNKNOWN_PERSON
      ? 1
      : b.person === UNKNOWN_PERSON && a.person !== UNKNOWN_PERSON
        ? -1
        : a.key.localeCompare(b.key),
  );
  const appTotals: Matrix['appTotals'] = Object.fromEntries(sortedColumns.map((c) => [c.key, zeroTotals()]));
  const totals = zeroTotals();
  for (const row of sortedRows) {
    for (const [key, cell] of Object.entries(row.cells)) {
      const weight = cell.count ?? 1;
      row.totals[cell.kind] += weight;
      appTotals[key]![cell.kind] += weight;
      totals[cell.kind] += weight;
    }
  }
  return { runId, ...(run ? { run } : {}), columns: sortedColumns, rows: sortedRows, appTotals, totals };
}
