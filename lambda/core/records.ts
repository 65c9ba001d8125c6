import type { TerminalStatus } from '../contract/statuses';
import type { LoopState, StatusCounts, TaskRecord, UserAccessResult } from './model';
import type { RunState } from './ports';

export const AWS_TERMINAL = new Set(['COMPLETED', 'FAILED', 'EXPIRED']);

export const emptyCounts = (total: number): StatusCounts => ({
  total,
  pending: total,
  COMPLETED: 0,
  FAILED: 0,
  EXPIRED: 0,
  NOT_FOUND: 0,
  TIMED_OUT: 0,
});

export function expiresAt(now: Date, retentionDays: number): number | undefined {
  return retentionDays > 0 ? Math.floor(now.getTime() / 1000) + retentionDays * 86_400 : undefined;
}

/** A task record from an answer item (all its fields) or, for NOT_FOUND / TIMED_OUT, from the ID alone. */
export function taskRecord(
  run: { runId: string; appBundleIdentifier: string },
  taskId: string,
  status: TerminalStatus,
  recordedAt: Date,
  retentionDays: number,
  answer?: UserAccessResult,
): TaskRecord {
  const { taskId: _ignoredId, resultStatus: _ignoredStatus, ...fields } = answer ?? {};
  return {
    ...fields,
    taskId,
    resultStatus: status,
    runId: run.runId,
    appBundleIdentifier: run.appBundleIdentifier,
    recordedAt: recordedAt.toISOString(),
    expiresAt: expiresAt(recordedAt, retentionDays),
  };
}

export function addCounts(
  counts: StatusCounts,
  records: readonly TaskRecord[],
  pending: number,
): StatusCounts {
  const next = { ...counts, pending };
  for (const r of records) next[r.resultStatus] += 1;
  return next;
}

export function loopStateOf(state: RunState): LoopState {
  const { pendingTaskIds: _ids, misses: _misses, expiresAt: _expires, ...loop } = state;
  return loop;
}
