/**
 * The policy's history: earlier runs of a mix (its training seeds), each polled by the policy with the
 * profile the runs before it left, as a deployed poller would learn run after run. A profile is built
 * only from what the records tell (the time from a run's first poll to each record), never from the
 * true finish times the oracle is given.
 */
import { buildFinishProfile, finishTimesFromRecords } from '../../../lambda/core/wait-plan';
import { adaptiveWait, type LoopSettings, simulate } from './model';

export function learnProfile(runs: readonly number[][], settings: LoopSettings): number[] | undefined {
  const finishes: number[] = [];
  let profile: number[] | undefined;
  for (const durations of runs) {
    const run = simulate(durations, adaptiveWait(settings, profile), settings);
    const recorded = run.pollTimes.flatMap((t, i) => new Array<number>(run.recorded[i]).fill(t));
    finishes.push(...finishTimesFromRecords(recorded, settings.maxWaitSeconds));
    profile = buildFinishProfile(finishes);
  }
  return profile;
}
