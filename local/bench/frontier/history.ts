/**
 * The policy's history: earlier runs of a mix (its training seeds), each polled by the policy with the
 * profile the runs before it left, as a deployed poller would learn run after run. Each profile is what
 * Start would learn (lambda/core/history.ts): the newest runs' record times within the limits Start reads
 * (HISTORY_RUNS runs, HISTORY_MAX_RECORDS records), never the true finish times the oracle is given.
 */
import { HISTORY_MAX_RECORDS, HISTORY_RUNS, profileFromRuns } from '../../../lambda/core/history';
import { adaptiveWait, type LoopSettings, simulate } from './model';

export function learnProfile(runs: readonly number[][], settings: LoopSettings): number[] | undefined {
  const newestFirst: number[][] = [];
  let profile: number[] | undefined;
  for (const durations of runs) {
    const run = simulate(durations, adaptiveWait(settings, profile), settings);
    newestFirst.unshift(run.pollTimes.flatMap((t, i) => new Array<number>(run.recorded[i]).fill(t)));
    profile = profileFromRuns(withinReadLimits(newestFirst), settings.maxWaitSeconds);
  }
  return profile;
}

/**
 * What Start reads of those runs: the newest HISTORY_RUNS, until HISTORY_MAX_RECORDS records. The last
 * run read is cut short in task-ID order, which has nothing to do with time: every k-th record here.
 */
export function withinReadLimits(newestFirst: readonly number[][]): number[][] {
  const out: number[][] = [];
  let budget = HISTORY_MAX_RECORDS;
  for (const run of newestFirst.slice(0, HISTORY_RUNS)) {
    if (budget <= 0) break;
    const stride = run.length / Math.min(run.length, budget);
    out.push(
      run.length <= budget ? [...run] : Array.from({ length: budget }, (_, i) => run[Math.floor(i * stride)]),
    );
    budget -= run.length;
  }
  return out;
}
