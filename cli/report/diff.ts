/**
 * What changed between two matrices, per person and app (README, "Review access"):
 * - access gained: the new cell has access, the old one did not (no account, or no record)
 * - access removed: the old cell had access, the new one says no account
 * - userStatus changed: access on both sides, another `userStatus`
 * - now unknown: the old cell was known (access or no account), the new one failed, expired, timed out,
 *   was not found, is pending or is missing
 * A cell unknown on the old side and no account on the new one, or unknown on both, is no change.
 * People are matched by address (any case); tasks without an address by task ID (and left out when the
 * other side has no such task).
 */
import { type Cell, type Matrix, UNKNOWN_KINDS } from './matrix';

export const CHANGE_KINDS = ['access gained', 'access removed', 'userStatus changed', 'now unknown'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

interface Change {
  person: string;
  app: string;
  tenantId?: string;
  change: ChangeKind;
  /** The reviewer's words for each side; `(no record)` when a side has none. */
  before: string;
  after: string;
}

export interface Diff {
  /** The two sides, e.g. two run IDs, or `before 2026-11-01` and a run ID. */
  old: string;
  new: string;
  changes: Change[];
  counts: Record<ChangeKind, number>;
}

const NO_RECORD = '(no record)';
const known = (cell: Cell | undefined) => cell !== undefined && !UNKNOWN_KINDS.includes(cell.kind);

/** The change between two cells of one place, if any (exported for tests). */
export function changeOf(before: Cell | undefined, after: Cell | undefined): ChangeKind | undefined {
  const was = before?.kind;
  const is = after?.kind;
  if (is === 'access' && was !== 'access') return 'access gained';
  if (was === 'access' && is === 'access') {
    return (before?.userStatus ?? '') !== (after?.userStatus ?? '') ? 'userStatus changed' : undefined;
  }
  if (was === 'access' && is === 'no-account') return 'access removed';
  if (known(before) && !known(after)) return 'now unknown';
  return undefined;
}

export function diffMatrices(oldSide: Matrix, newSide: Matrix, labels?: { old: string; new: string }): Diff {
  const changes: Change[] = [];
  const oldRows = new Map(oldSide.rows.map((r) => [r.key, r]));
  const newRows = new Map(newSide.rows.map((r) => [r.key, r]));
  const columns = new Map([...oldSide.columns, ...newSide.columns].map((c) => [c.key, c]));
  const people = [...new Set([...oldRows.keys(), ...newRows.keys()])].sort();
  for (const key of people) {
    const before = oldRows.get(key);
    const after = newRows.get(key);
    // A task without an address is matched by task ID: on one side only, it has no counterpart to compare.
    if ((before?.taskId || after?.taskId) && (!before || !after)) continue;
    const person = after?.person ?? before?.person ?? key;
    const places = [...new Set([...Object.keys(before?.cells ?? {}), ...Object.keys(after?.cells ?? {})])];
    for (const place of places) {
      const b = before?.cells[place];
      const a = after?.cells[place];
      const change = changeOf(b, a);
      if (!change) continue;
      const column = columns.get(place);
      changes.push({
        person,
        app: column?.app ?? place,
        ...(column?.tenantId ? { tenantId: column.tenantId } : {}),
        change,
        before: b?.text ?? NO_RECORD,
        after: a?.text ?? NO_RECORD,
      });
    }
  }
  changes.sort(
    (x, y) =>
      x.person.toLowerCase().localeCompare(y.person.toLowerCase()) ||
      x.app.toLowerCase().localeCompare(y.app.toLowerCase()) ||
      (x.tenantId ?? '').localeCompare(y.tenantId ?? ''),
  );
  const counts = Object.fromEntries(CHANGE_KINDS.map((k) => [k, 0])) as Record<ChangeKind, number>;
  for (const c of changes) counts[c.change] += 1;
  return { old: labels?.old ?? oldSide.runId, new: labels?.new ?? newSide.runId, changes, counts };
}
