/**
 * The pure steps of one poll cycle, in order: reconcile the answers of the chunks asked, advance the
 * pending list (records, misses, what is known of each task), and choose the next wait. No I/O here:
 * `poll.ts` asks AppFabric before and writes after.
 */
import { Limits } from '../contract/limits';
import { isAppFabricTerminal, type TerminalStatus } from '../contract/statuses';
import { AppFabricInvalidResponseError, RetryAfterError } from '../shared/errors';
import type { AppRef, TaskRecord, UserAccessResult } from './model';
import type { RunState } from './ports';
import { appIndexOf, contextOf, taskRecord } from './records';
import { chooseWait, type WaitMemory } from './wait';

/** What became of one chunk of pending IDs this cycle. */
export type ChunkOutcome =
  | { kind: 'answered'; ids: readonly string[]; answers: UserAccessResult[] }
  /** A transient failure: its tasks stay pending, their misses unchanged. */
  | { kind: 'failed'; ids: readonly string[]; error: unknown }
  /** Not asked: the invocation's remaining time would not fit the call. Stays pending for the next cycle. */
  | { kind: 'unasked'; ids: readonly string[] };

export interface Reconciled {
  /** The answer that counts for each asked ID (a terminal answer beats IN_PROGRESS). */
  answered: Map<string, UserAccessResult>;
  /** IDs of the chunks that got an answer: only these can miss. */
  polled: Set<string>;
  /** Answers about IDs the call did not ask for: ignored. */
  unexpectedAnswers: number;
}

export function reconcileAnswers(outcomes: readonly ChunkOutcome[]): Reconciled {
  const answered = new Map<string, UserAccessResult>();
  const polled = new Set<string>();
  let unexpectedAnswers = 0;
  for (const outcome of outcomes) {
    if (outcome.kind !== 'answered') continue;
    const asked = new Set(outcome.ids);
    for (const id of asked) polled.add(id);
    outcome.answers.forEach((answer, i) => {
      const taskId = typeof answer.taskId === 'string' ? answer.taskId.toLowerCase() : undefined;
      // Only an answer about an ID this call asked for counts.
      if (!taskId || !asked.has(taskId)) {
        unexpectedAnswers += 1;
        return;
      }
      if (answer.resultStatus !== 'IN_PROGRESS' && !isAppFabricTerminal(answer.resultStatus)) {
        // The value itself is not shown: it came from outside and could be anything.
        throw new AppFabricInvalidResponseError(
          `userAccessResultsList[${i}].resultStatus: is not one of IN_PROGRESS, COMPLETED, FAILED, EXPIRED (task ${taskId})`,
        );
      }
      const previous = answered.get(taskId);
      if (!previous || previous.resultStatus === 'IN_PROGRESS') answered.set(taskId, answer);
    });
  }
  return { answered, polled, unexpectedAnswers };
}

export interface Advanced {
  /** Records of the tasks that finished (or went missing too often) this cycle. */
  records: TaskRecord[];
  /** The run state's pending lists after this cycle. */
  pending: Pick<RunState, 'pendingTaskIds' | 'misses' | 'appIndex' | 'personIndex' | 'apps'>;
  /** Asked IDs the answers left out this cycle. */
  missing: number;
}

/** Splits the pending tasks into records and still pending; learns app and tenant from IN_PROGRESS answers. */
export function advancePending(
  stored: RunState,
  reconciled: Reconciled,
  at: Date,
  settings: { notFoundAfterMisses: number; retentionDays: number },
): Advanced {
  const apps: AppRef[] = [...(stored.apps ?? [])];
  const records: TaskRecord[] = [];
  const pending: Advanced['pending'] = {
    pendingTaskIds: [],
    misses: [],
    appIndex: [],
    personIndex: [],
    apps,
  };
  let missing = 0;
  const record = (taskId: string, status: TerminalStatus, i: number, answer?: UserAccessResult) =>
    records.push(
      taskRecord(stored, taskId, status, at, settings.retentionDays, answer, contextOf(stored, i)),
    );
  stored.pendingTaskIds.forEach((taskId, i) => {
    const answer = reconciled.answered.get(taskId);
    if (answer && isAppFabricTerminal(answer.resultStatus)) {
      record(taskId, answer.resultStatus, i, answer);
      return;
    }
    let missCount = stored.misses[i] ?? 0;
    let appIndex = stored.appIndex?.[i] ?? -1;
    if (answer) {
      missCount = 0;
      // The latest IN_PROGRESS answer says where the task runs: its record needs it if it never finishes.
      const learnt = appIndexOf(
        apps,
        { app: answer.app, tenantId: answer.tenantId },
        Limits.maxAppRefsPerRun,
      );
      if (learnt >= 0) appIndex = learnt;
    } else if (reconciled.polled.has(taskId)) {
      missCount += 1;
      missing += 1;
    }
    if (missCount >= settings.notFoundAfterMisses) {
      record(taskId, 'NOT_FOUND', i);
      return;
    }
    pending.pendingTaskIds.push(taskId);
    pending.misses.push(missCount);
    pending.appIndex?.push(appIndex);
    pending.personIndex?.push(stored.personIndex?.[i] ?? -1);
  });
  return { records, pending, missing };
}

/** The wait before the next poll: the adaptive policy, at least the largest Retry-After of the cycle. */
export function nextWait(
  stored: RunState,
  outcomes: readonly ChunkOutcome[],
  finishedThisCycle: number,
  secondsToDeadline: number,
  pendingTasks: number,
  polledAt: Date,
): { waitSeconds: number; memory?: WaitMemory } {
  const retryAfter = outcomes
    .map((o) =>
      o.kind === 'failed' && o.error instanceof RetryAfterError ? o.error.retryAfterSeconds : undefined,
    )
    .filter((s): s is number => s !== undefined);
  return chooseWait({
    previousWaitSeconds: stored.waitSeconds,
    minWaitSeconds: stored.minWaitSeconds,
    maxWaitSeconds: stored.maxWaitSeconds,
    finishedThisCycle,
    retryAfterSeconds: retryAfter.length ? Math.max(...retryAfter) : undefined,
    secondsToDeadline,
    totalTasks: stored.counts.total,
    pendingTasks,
    polledAt,
    memory: stored.waitPolicy,
  });
}
