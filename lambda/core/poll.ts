/**
 * One poll cycle: ask AppFabric about every pending task, record the ones that finished, and tell the
 * state machine whether to wait and how long.
 *
 * Safe to run again for the same cycle (a Lambda retry): records already stored are left as they are,
 * and a cycle that an earlier attempt completed is answered from the stored run state.
 */

import { Limits } from '../contract/limits';
import type { TerminalStatus } from '../contract/statuses';
import {
  AppFabricInvalidResponseError,
  InvalidInputError,
  isPollerError,
  RetryAfterError,
} from '../shared/errors';
import { chunk, mapWithConcurrency } from './concurrency';
import type { PollerDeps } from './deps';
import type { LoopState, RunRecord, TaskRecord, UserAccessResult } from './model';
import type { RunState } from './ports';
import { AWS_TERMINAL, addCounts, loopStateOf, taskRecord } from './records';
import { chooseWait } from './wait';

/** What one cycle did, for logs and the local runner; holds no personal data. */
export interface CycleReport {
  calls: number;
  failedCalls: number;
  finished: Partial<Record<TerminalStatus, number>>;
  missing: number;
  unasked: number;
  writeRequests: number;
  skippedWrites: number;
}

type ChunkOutcome = { ok: true; answers: UserAccessResult[] } | { ok: false; error: unknown };

export async function pollCycle(
  state: LoopState,
  deps: PollerDeps,
): Promise<{ state: LoopState; report: CycleReport }> {
  const { settings, now } = deps;
  const report: CycleReport = {
    calls: 0,
    failedCalls: 0,
    finished: {},
    missing: 0,
    unasked: 0,
    writeRequests: 0,
    skippedWrites: 0,
  };
  const stored = await deps.runState.load(state.runId);
  if (!stored) throw new InvalidInputError('state.runId', `no run state is stored for run "${state.runId}"`);
  // An earlier attempt of this cycle finished, or the run is over: answer from what is stored.
  if (stored.cycle > state.cycle || stored.status !== 'PENDING') {
    // The attempt that ended the run may have died before its run record said so.
    if (stored.status !== 'PENDING')
      await finishRun(stored, stored.status === 'DONE' ? 'SUCCEEDED' : 'TIMED_OUT', deps);
    return { state: loopStateOf(stored), report };
  }
  if (stored.cycle < state.cycle) {
    throw new InvalidInputError(
      'state.cycle',
      `is ${state.cycle} but the stored run is at cycle ${stored.cycle}`,
    );
  }

  const started = now();
  const secondsToDeadline = (Date.parse(stored.deadlineAt) - started.getTime()) / 1000;
  if (secondsToDeadline <= 0 || stored.cycle >= settings.maxCycles) {
    return { state: await timeOut(stored, deps, report), report };
  }

  const chunks = chunk(stored.pendingTaskIds, Limits.batchGetMaxIds);
  const outcomes = await mapWithConcurrency<string[], ChunkOutcome>(
    chunks,
    settings.batchGetConcurrency,
    async (ids) => {
      report.calls += 1;
      try {
        return { ok: true, answers: await deps.gateway.batchGet(stored.appBundleIdentifier, ids) };
      } catch (error) {
        // A transient failure of one chunk keeps its tasks pending; anything else ends the cycle.
        if (isPollerError(error) && error.retryable) {
          report.failedCalls += 1;
          return { ok: false, error };
        }
        throw error;
      }
    },
  );
  const failures = outcomes.filter((o): o is { ok: false; error: unknown } => !o.ok);
  // Nothing got through: let the state machine's Retry (which sees the error's name) take over.
  if (failures.length === outcomes.length && failures.length > 0) throw failures[0].error;

  const answered = new Map<string, UserAccessResult>();
  /** IDs of the chunks that got an answer: only these can miss. */
  const polled = new Set<string>();
  outcomes.forEach((outcome, chunkIndex) => {
    if (!outcome.ok) return;
    const asked = new Set(chunks[chunkIndex]);
    for (const id of asked) polled.add(id);
    outcome.answers.forEach((answer, i) => {
      const taskId = typeof answer.taskId === 'string' ? answer.taskId.toLowerCase() : undefined;
      // Only an answer about an ID this call asked for counts.
      if (!taskId || !asked.has(taskId)) {
        report.unasked += 1;
        return;
      }
      if (answer.resultStatus !== 'IN_PROGRESS' && !AWS_TERMINAL.has(String(answer.resultStatus))) {
        throw new AppFabricInvalidResponseError(
          `userAccessResultsList[${i}].resultStatus: unknown value ${JSON.stringify(answer.resultStatus)?.slice(0, 40)} for task ${taskId}`,
        );
      }
      // Of two answers for one task, a terminal one wins.
      const previous = answered.get(taskId);
      if (!previous || previous.resultStatus === 'IN_PROGRESS') answered.set(taskId, answer);
    });
  });

  const records: TaskRecord[] = [];
  const pendingTaskIds: string[] = [];
  const misses: number[] = [];
  stored.pendingTaskIds.forEach((taskId, i) => {
    const answer = answered.get(taskId);
    if (answer && AWS_TERMINAL.has(String(answer.resultStatus))) {
      records.push(
        taskRecord(
          stored,
          taskId,
          answer.resultStatus as TerminalStatus,
          started,
          settings.retentionDays,
          answer,
        ),
      );
      return;
    }
    let missCount = stored.misses[i] ?? 0;
    if (answer) missCount = 0;
    else if (polled.has(taskId)) {
      missCount += 1;
      report.missing += 1;
    }
    if (missCount >= settings.notFoundAfterMisses) {
      records.push(taskRecord(stored, taskId, 'NOT_FOUND', started, settings.retentionDays));
      return;
    }
    pendingTaskIds.push(taskId);
    misses.push(missCount);
  });

  const written = await writeRecords(records, deps, report);

  const retryAfter = failures
    .map((f) => (f.error instanceof RetryAfterError ? f.error.retryAfterSeconds : undefined))
    .filter((s): s is number => s !== undefined);
  const counts = addCounts(stored.counts, written, pendingTaskIds.length);
  const done = pendingTaskIds.length === 0;
  const wait = chooseWait({
    previousWaitSeconds: stored.waitSeconds,
    minWaitSeconds: stored.minWaitSeconds,
    maxWaitSeconds: stored.maxWaitSeconds,
    finishedThisCycle: written.length,
    retryAfterSeconds: retryAfter.length ? Math.max(...retryAfter) : undefined,
    secondsToDeadline,
    totalTasks: stored.counts.total,
    pendingTasks: pendingTaskIds.length,
    polledAt: started,
    memory: stored.waitPolicy,
  });
  const next: RunState = {
    ...stored,
    status: done ? 'DONE' : 'PENDING',
    cycle: stored.cycle + 1,
    waitSeconds: done ? 0 : wait.waitSeconds,
    waitPolicy: wait.memory,
    counts,
    pendingTaskIds,
    misses,
  };
  await deps.runState.save(next, stored.cycle);
  if (done) await finishRun(next, 'SUCCEEDED', deps);
  deps.log.info('poll cycle', {
    runId: next.runId,
    cycle: next.cycle,
    counts,
    waitSeconds: next.waitSeconds,
    ...report,
  });
  return { state: loopStateOf(next), report };
}

/** The deadline (or the cycle budget) is spent: every pending task is recorded as TIMED_OUT. */
async function timeOut(stored: RunState, deps: PollerDeps, report: CycleReport): Promise<LoopState> {
  const at = deps.now();
  const records = await writeRecords(
    stored.pendingTaskIds.map((id) => taskRecord(stored, id, 'TIMED_OUT', at, deps.settings.retentionDays)),
    deps,
    report,
  );
  const next: RunState = {
    ...stored,
    status: 'TIMED_OUT',
    cycle: stored.cycle + 1,
    waitSeconds: 0,
    counts: addCounts(stored.counts, records, 0),
    pendingTaskIds: [],
    misses: [],
  };
  await deps.runState.save(next, stored.cycle);
  await finishRun(next, 'TIMED_OUT', deps);
  deps.log.warn('deadline passed', { runId: next.runId, cycle: next.cycle, counts: next.counts });
  return loopStateOf(next);
}

/**
 * Writes the records and returns them as stored: where an earlier attempt already stored AppFabric's
 * result, that status stands (and is what the counts take), not this attempt's NOT_FOUND or TIMED_OUT.
 */
async function writeRecords(
  records: TaskRecord[],
  deps: PollerDeps,
  report: CycleReport,
): Promise<TaskRecord[]> {
  const write = await deps.results.putTaskRecords(records);
  report.writeRequests += write.writeRequests;
  report.skippedWrites += write.skipped;
  const kept = new Map(write.kept.map((k) => [k.taskId, k.resultStatus]));
  const final = records.map((r) => {
    const status = kept.get(r.taskId);
    return status ? { ...r, resultStatus: status } : r;
  });
  for (const r of final) report.finished[r.resultStatus] = (report.finished[r.resultStatus] ?? 0) + 1;
  return final;
}

/** Writes the run's outcome once: a repeat of the last cycle finds it written and leaves it. */
async function finishRun(state: RunState, outcome: RunRecord['outcome'], deps: PollerDeps): Promise<void> {
  const run = await deps.results.getRunRecord(state.runId);
  if (!run || (run.outcome === outcome && run.endedAt !== undefined)) return;
  // A re-driven run that now ends well no longer carries the error of its failed attempt.
  const { errorName: _name, errorCause: _cause, ...rest } = run;
  await deps.results.putRunRecord({
    ...rest,
    outcome,
    counts: state.counts,
    endedAt: deps.now().toISOString(),
  });
}
