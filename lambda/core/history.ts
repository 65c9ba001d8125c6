/**
 * What a new run learns from earlier runs of its app bundle: a finish profile for the wait policy
 * (wait-plan.ts), so a deployed run need not cold-start. The profile's time zero is the run's start, as
 * the history's times are (seconds from each earlier run's start to its records).
 *
 * Reading the history is an optimisation, never a precondition: when it fails the run cold-starts
 * (the rate mode of wait.ts) with a warning that names only the error.
 */
import type { Log } from './deps';
import type { RunHistory } from './ports';
import type { WaitMemory } from './wait';
import { buildFinishProfile, finishTimesFromRecords, isFinishProfile } from './wait-plan';

/** Newest finished runs of the bundle read at Start. */
export const HISTORY_RUNS = 3;

/** Task records read at Start across those runs: a few Query pages at most. */
export const HISTORY_MAX_RECORDS = 2_000;

/** Fewer recorded finishes than this say too little about a bundle: the run cold-starts. */
const MIN_HISTORY_FINISHES = 8;

export async function learnedWaitPolicy(
  history: RunHistory | undefined,
  run: { runId: string; appBundleIdentifier: string; startedAt: Date; maxWaitSeconds: number },
  log: Log,
): Promise<WaitMemory | undefined> {
  if (!history) return undefined;
  let runs: number[][];
  try {
    runs = await history.recentFinishSeconds(run.appBundleIdentifier, {
      runs: HISTORY_RUNS,
      maxRecords: HISTORY_MAX_RECORDS,
    });
  } catch (error) {
    log.warn('run history unavailable: the run cold-starts', {
      runId: run.runId,
      errorName: error instanceof Error ? error.name : 'Error',
    });
    return undefined;
  }
  // Each run's records are spread over the waits before them (a record only bounds its finish).
  const finishes = runs.flatMap((seconds) => finishTimesFromRecords(seconds, run.maxWaitSeconds));
  if (finishes.length < MIN_HISTORY_FINISHES) return undefined;
  const profile = buildFinishProfile(finishes);
  if (!isFinishProfile(profile)) return undefined;
  return { profile, firstPollAt: run.startedAt.getTime() };
}
