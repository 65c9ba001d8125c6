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

/** Task records read at Start across the newest runs: about 30 finishes for each of the profile's 64 quantiles. */
export const HISTORY_MAX_RECORDS = 2_000;

/**
 * Newest finished runs of the bundle read at Start, at most: the record budget binds first for runs of
 * 40 tasks or more; a small bundle (a dozen apps) needs this many runs for as many finishes, since
 * three runs of 60 tasks leave a profile too coarse to beat a fixed wait (the bench's frontier). One
 * Query a run, so a small bundle's Start makes up to 51 (with the index's).
 */
export const HISTORY_RUNS = 50;

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
  const profile = profileFromRuns(runs, run.maxWaitSeconds);
  return profile && { profile, firstPollAt: run.startedAt.getTime() };
}

/** The finish profile earlier runs' record times give, or undefined when they say too little. */
export function profileFromRuns(runs: readonly number[][], maxWaitSeconds: number): number[] | undefined {
  // Each run's records are spread over the waits before them (a record only bounds its finish).
  const finishes = runs.flatMap((seconds) => finishTimesFromRecords(seconds, maxWaitSeconds));
  if (finishes.length < MIN_HISTORY_FINISHES) return undefined;
  const profile = buildFinishProfile(finishes);
  return isFinishProfile(profile) ? profile : undefined;
}
