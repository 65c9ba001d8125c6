/**
 * One poll cycle: ask AppFabric about every pending task, record the ones that finished, and tell the
 * state machine whether to wait and how long. The I/O is here, at the edges: load the run state, ask
 * AppFabric, write the records, save the state and the run's progress; the steps between are pure
 * (`cycle.ts`).
 *
 * Safe to run again for the same cycle (a Lambda retry): records already stored are left as they are,
 * and a cycle that an earlier attempt completed is answered from the stored run state.
 *
 * Every invocation ends in time: with `remainingTimeMs` (Lambda's `getRemainingTimeInMillis`), no new
 * BatchGet call starts once the rest of the invocation would not fit the longest call seen so far plus a
 * margin for writing records and the state. The chunks not asked stay pending, as they were.
 */
import { performance } from 'node:perf_hooks';
import { Limits } from '../contract/limits';
import type { TerminalStatus } from '../contract/statuses';
import { InvalidInputError, isPollerError } from '../shared/errors';
import { chunk, mapWithConcurrency } from './concurrency';
import { advancePending, type ChunkOutcome, nextWait, reconcileAnswers } from './cycle';
import type { PollerDeps } from './deps';
import type { LoopState, RunRecord, TaskRecord } from './model';
import type { RunState } from './ports';
import { addCounts, contextOf, loopStateOf, taskRecord } from './records';

/** What one cycle did, for logs, metrics and the local runner; holds no personal data. */
export interface CycleReport {
  calls: number;
  failedCalls: number;
  finished: Partial<Record<TerminalStatus, number>>;
  missing: number;
  /** Answers about IDs a call did not ask for (ignored). */
  unexpectedAnswers: number;
  /** Chunks of 50 IDs not asked because the invocation's remaining time would not fit the call. */
  unaskedChunks: number;
  writeRequests: number;
  skippedWrites: number;
}

/** Time kept free at the end of an invocation for writing the records, the run state and the run record. */
export const CYCLE_END_MARGIN_MS = 5_000;

export interface CycleOptions {
  /** Milliseconds the invocation has left (Lambda's `context.getRemainingTimeInMillis`); none: no limit. */
  remainingTimeMs?: () => number;
}

const emptyReport = (): CycleReport => ({
  calls: 0,
  failedCalls: 0,
  finished: {},
  missing: 0,
  unexpectedAnswers: 0,
  unaskedChunks: 0,
  writeRequests: 0,
  skippedWrites: 0,
});

export async function pollCycle(
  state: LoopState,
  deps: PollerDeps,
  options: CycleOptions = {},
): Promise<{ state: LoopState; report: CycleReport }> {
  const { settings, now } = deps;
  const report = emptyReport();
  const stored = await deps.runState.load(state.runId);
  if (!stored) throw new InvalidInputError('state.runId', 'names a run that has no stored run state');
  // An earlier attempt of this cycle finished, or the run is over: answer from what is stored.
  if (stored.cycle > state.cycle || stored.status !== 'PENDING') {
    // The attempt that ended the run (or saved the cycle) may have died before its run record said so.
    if (stored.status !== 'PENDING')
      await finishRun(stored, stored.status === 'DONE' ? 'SUCCEEDED' : 'TIMED_OUT', deps);
    else await writeProgress(stored, deps);
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

  const outcomes = await askAppFabric(stored, deps, report, options);
  const asked = outcomes.filter((o) => o.kind !== 'unasked');
  const failures = outcomes.filter((o) => o.kind === 'failed');
  // Nothing asked got through: let the state machine's Retry (which sees the error's name) take over.
  if (failures.length > 0 && failures.length === asked.length) throw failures[0].error;

  const reconciled = reconcileAnswers(outcomes);
  report.unexpectedAnswers = reconciled.unexpectedAnswers;
  const advanced = advancePending(stored, reconciled, started, settings);
  report.missing = advanced.missing;
  const written = await writeRecords(advanced.records, deps, report);

  const pending = advanced.pending.pendingTaskIds.length;
  const counts = addCounts(stored.counts, written, pending);
  const done = pending === 0;
  const wait = nextWait(stored, outcomes, written.length, secondsToDeadline, pending, started);
  const next: RunState = {
    ...stored,
    ...advanced.pending,
    status: done ? 'DONE' : 'PENDING',
    cycle: stored.cycle + 1,
    waitSeconds: done ? 0 : wait.waitSeconds,
    waitPolicy: wait.memory,
    counts,
  };
  await deps.runState.save(next, stored.cycle);
  if (done) await finishRun(next, 'SUCCEEDED', deps);
  else await writeProgress(next, deps);
  deps.log.info('poll cycle', {
    runId: next.runId,
    cycle: next.cycle,
    counts,
    waitSeconds: next.waitSeconds,
    ...report,
  });
  return { state: loopStateOf(next), report };
}

/** The BatchGet calls of the cycle, 50 IDs each, a few at once, while the invocation has time for them. */
async function askAppFabric(
  stored: RunState,
  deps: PollerDeps,
  report: CycleReport,
  options: CycleOptions,
): Promise<ChunkOutcome[]> {
  const remaining = options.remainingTimeMs;
  let longestCallMs = 0;
  const noTimeLeft = () => remaining !== undefined && remaining() < longestCallMs + CYCLE_END_MARGIN_MS;
  const outcomes = await mapWithConcurrency<readonly string[], ChunkOutcome>(
    chunk(stored.pendingTaskIds, Limits.batchGetMaxIds),
    deps.settings.batchGetConcurrency,
    async (ids) => {
      report.calls += 1;
      const t0 = performance.now();
      try {
        return {
          kind: 'answered',
          ids,
          answers: await deps.gateway.batchGet(stored.appBundleIdentifier, ids),
        };
      } catch (error) {
        // A transient failure of one chunk keeps its tasks pending; anything else ends the cycle.
        if (isPollerError(error) && error.retryable) {
          report.failedCalls += 1;
          return { kind: 'failed', ids, error };
        }
        throw error;
      } finally {
        longestCallMs = Math.max(longestCallMs, performance.now() - t0);
      }
    },
    noTimeLeft,
    (ids) => {
      report.unaskedChunks += 1;
      return { kind: 'unasked', ids };
    },
  );
  if (report.unaskedChunks > 0) {
    deps.log.warn('cycle out of time', {
      runId: stored.runId,
      unaskedChunks: report.unaskedChunks,
      longestCallMs,
    });
  }
  return outcomes;
}

/** The deadline (or the cycle budget) is spent: every pending task is recorded as TIMED_OUT. */
async function timeOut(stored: RunState, deps: PollerDeps, report: CycleReport): Promise<LoopState> {
  const at = deps.now();
  const records = await writeRecords(
    stored.pendingTaskIds.map((id, i) =>
      taskRecord(stored, id, 'TIMED_OUT', at, deps.settings.retentionDays, undefined, contextOf(stored, i)),
    ),
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
    appIndex: [],
    personIndex: [],
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

/** The run record's live counts: one conditional write a cycle. */
async function writeProgress(state: RunState, deps: PollerDeps): Promise<void> {
  await deps.results.putRunProgress({
    runId: state.runId,
    counts: state.counts,
    cycle: state.cycle,
    lastPolledAt: deps.now().toISOString(),
  });
}

/** Writes the run's outcome once: a repeat of the last cycle finds it written and leaves it. */
async function finishRun(state: RunState, outcome: RunRecord['outcome'], deps: PollerDeps): Promise<void> {
  const run = await deps.results.getRun(state.runId);
  if (!run || (run.outcome === outcome && run.endedAt !== undefined)) return;
  // A re-driven run that now ends well no longer carries the error of its failed attempt.
  const { errorName: _name, errorCause: _cause, ...rest } = run;
  const at = deps.now().toISOString();
  await deps.results.putRunRecord({
    ...rest,
    outcome,
    counts: state.counts,
    cycle: state.cycle,
    lastPolledAt: at,
    endedAt: at,
  });
}
