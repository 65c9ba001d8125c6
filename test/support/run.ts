/**
 * Helpers to drive a run and look at what happened: the poll loop as the state machine runs it, the
 * stand-in's calls by operation, rejections, environment variables.
 */
import type { PollerDeps } from '../../lambda/core/deps';
import type { LoopState } from '../../lambda/core/model';
import { type CycleReport, pollCycle } from '../../lambda/core/poll';
import type { AppFabricStandIn, Operation, RecordedCall } from '../../local/appfabric-standin';
import type { TestClock } from './clock';

let runCount = 0;
/** A run ID no other test of the process uses. */
export const nextRunId = (prefix = 'run'): string => `${prefix}-${++runCount}`;

/** The rejection of a promise that must reject (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

export interface DrivenRun {
  /** The state of the last cycle (status DONE or TIMED_OUT). */
  final: LoopState;
  /** The state each cycle returned, in order. */
  states: LoopState[];
  reports: CycleReport[];
}

/**
 * Runs the poll loop like the state machine: wait `waitSeconds` (moving the clock), poll, until the status
 * is no longer PENDING. Throws after `maxCycles` cycles.
 */
export async function driveRun(
  deps: PollerDeps,
  clock: TestClock,
  start: LoopState,
  maxCycles = 50,
): Promise<DrivenRun> {
  const states: LoopState[] = [];
  const reports: CycleReport[] = [];
  let state = start;
  while (state.status === 'PENDING') {
    if (states.length >= maxCycles) {
      throw new Error(`run ${state.runId} still PENDING after ${maxCycles} cycles`);
    }
    clock.advanceSeconds(state.waitSeconds);
    const cycle = await pollCycle(state, deps);
    states.push(cycle.state);
    reports.push(cycle.report);
    state = cycle.state;
  }
  return { final: state, states, reports };
}

/** The stand-in's calls of one operation. */
export const callsOf = (standIn: AppFabricStandIn, operation: Operation): RecordedCall[] =>
  standIn.calls.filter((c) => c.operation === operation);

/** The task ID lists of the BatchGetUserAccessTasks calls so far, in arrival order. */
export const batchGetIdLists = (standIn: AppFabricStandIn): string[][] =>
  callsOf(standIn, 'BatchGetUserAccessTasks').map(
    (c) => (c.requestBody as { taskIdList: string[] }).taskIdList,
  );

/** The addresses of the StartUserAccessTasks calls so far (optionally only those answered with `status`). */
export const startedEmails = (standIn: AppFabricStandIn, status?: number): string[] =>
  callsOf(standIn, 'StartUserAccessTasks')
    .filter((c) => status === undefined || c.status === status)
    .map((c) => (c.requestBody as { email: string }).email);

/**
 * Sets environment variables (undefined deletes one) and returns a function that puts back what was there.
 */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(previous);
}

/** Sorted copy, for comparing ID sets. */
export const sorted = <T>(items: Iterable<T>): T[] => [...items].sort();

/** Counts with every status, so `toEqual` checks all seven. */
export const counts = (c: Partial<LoopState['counts']> & { total: number }): LoopState['counts'] => ({
  pending: 0,
  COMPLETED: 0,
  FAILED: 0,
  EXPIRED: 0,
  NOT_FOUND: 0,
  TIMED_OUT: 0,
  ...c,
});
