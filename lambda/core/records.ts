/** Building blocks of records and counts, shared by the use cases. Pure. */
import type { TerminalStatus } from '../contract/statuses';
import { redactEmails } from '../shared/redact';
import type { AppRef, LoopState, StatusCounts, TaskContext, TaskRecord, UserAccessResult } from './model';
import type { RunState } from './ports';

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

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

/**
 * A task record from an answer item (all its fields) and what the run knew about the task (app, tenant,
 * address), which fills what the answer leaves out: a FAILED, EXPIRED, NOT_FOUND or TIMED_OUT record
 * still names its person and app. AppFabric's error text is about the person: it is stored redacted.
 */
export function taskRecord(
  run: { runId: string; appBundleIdentifier: string },
  taskId: string,
  status: TerminalStatus,
  recordedAt: Date,
  retentionDays: number,
  answer?: UserAccessResult,
  context: TaskContext = {},
): TaskRecord {
  const { taskId: _ignoredId, resultStatus: _ignoredStatus, taskError, ...fields } = answer ?? {};
  return {
    ...defined(context),
    ...defined(fields),
    ...(taskError
      ? {
          taskError: defined({
            errorCode: taskError.errorCode,
            errorMessage:
              taskError.errorMessage === undefined ? undefined : redactEmails(taskError.errorMessage),
          }),
        }
      : {}),
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

/** What the state machine carries: the run state without its task lists and personal data. */
export function loopStateOf(state: RunState): LoopState {
  const {
    pendingTaskIds: _ids,
    misses: _misses,
    appIndex: _appIndex,
    personIndex: _personIndex,
    apps: _apps,
    people: _people,
    expiresAt: _expires,
    ...loop
  } = state;
  return loop;
}

/** What the run knows about its `i`-th pending task. */
export function contextOf(state: RunState, i: number): TaskContext {
  const app = state.apps?.[state.appIndex?.[i] ?? -1];
  const email = state.people?.[state.personIndex?.[i] ?? -1];
  return { ...(app ? defined({ app: app.app, tenantId: app.tenantId }) : {}), ...(email ? { email } : {}) };
}

/**
 * Index of an app/tenant pair in the run's table, added when new and there is room (else -1: the pair
 * is not remembered, the task's record then carries what its own answer says).
 */
const MAX_REF_LENGTH = 256;

export function appIndexOf(apps: AppRef[], ref: AppRef, max: number): number {
  if (ref.app === undefined && ref.tenantId === undefined) return -1;
  // A pair longer than any real app or tenant name is not worth the item's room.
  if ((ref.app?.length ?? 0) > MAX_REF_LENGTH || (ref.tenantId?.length ?? 0) > MAX_REF_LENGTH) return -1;
  const found = apps.findIndex((a) => a.app === ref.app && a.tenantId === ref.tenantId);
  if (found >= 0 || apps.length >= max) return found;
  apps.push(defined({ app: ref.app, tenantId: ref.tenantId }));
  return apps.length - 1;
}
