/**
 * The seeded mix of task durations the benchmark polls by virtual time, and a small model of a polling
 * loop over it (what the state machine does, without the machinery) that the wait policy's tests use.
 *
 * The mix: most apps answer in 1 to 5 minutes (85 %: lognormal around 2.5 minutes, spread ×1.6, kept
 * within 45 s and 10 minutes), a tail answers in 5 to 60 minutes (15 %: log-uniform). Outcomes: 90 %
 * COMPLETED, 7 % FAILED, 3 % EXPIRED (the outcome does not change when a task finishes).
 */
import type { Outcome } from '../appfabric-standin';
import { seededRandom } from '../scenarios';

export interface TimedTask {
  /** Seconds from its creation to its terminal answer. */
  durationSeconds: number;
  outcome: Outcome;
}

export const MIX_DESCRIPTION = '85% ~2.5 min (1-5 min), 15% tail 5-60 min';

export function taskMix(count: number, seed: number): TimedTask[] {
  const random = seededRandom(seed);
  const normal = () => {
    const u = 1 - random();
    const v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return Array.from({ length: count }, () => {
    const durationSeconds =
      random() < 0.85
        ? Math.min(600, Math.max(45, 150 * Math.exp(0.45 * normal())))
        : 300 * Math.exp(random() * Math.log(12));
    const roll = random();
    const outcome: Outcome = roll < 0.9 ? 'COMPLETED' : roll < 0.97 ? 'FAILED' : 'EXPIRED';
    return { durationSeconds: Math.round(durationSeconds * 1000) / 1000, outcome };
  });
}

/** What a wait policy is asked each cycle (the subset of `WaitInput` the model supplies). */
export interface PolicyInput {
  previousWaitSeconds: number;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  finishedThisCycle: number;
  secondsToDeadline: number;
  totalTasks: number;
}

export interface PollModelResult {
  cycles: number;
  /** Per task: seconds from finishing to the poll that saw it. */
  overshoots: number[];
  meanOvershoot: number;
  maxOvershoot: number;
  /** Overshoot of the task that finished last. */
  lastOvershoot: number;
}

/**
 * Polls at 0 (the first Poll follows Start at once), then after each wait the policy chooses, until every
 * task has been seen finished: a model of the loop without deadline, retries or errors.
 */
export function modelPolling(
  durations: readonly number[],
  policy: (input: PolicyInput) => number,
  settings: { minWaitSeconds: number; maxWaitSeconds: number; deadlineSeconds: number },
): PollModelResult {
  const order = durations.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d);
  const overshoots = new Array<number>(durations.length);
  let t = 0;
  let wait = 0;
  let cycles = 0;
  let next = 0;
  while (next < order.length) {
    t += wait;
    cycles += 1;
    let finished = 0;
    while (next < order.length && order[next].d <= t) {
      overshoots[order[next].i] = t - order[next].d;
      next += 1;
      finished += 1;
    }
    if (next >= order.length) break;
    wait = policy({
      previousWaitSeconds: wait,
      minWaitSeconds: settings.minWaitSeconds,
      maxWaitSeconds: settings.maxWaitSeconds,
      finishedThisCycle: finished,
      secondsToDeadline: settings.deadlineSeconds - t,
      totalTasks: durations.length,
    });
  }
  const last = order[order.length - 1];
  return {
    cycles,
    overshoots,
    meanOvershoot: overshoots.reduce((a, b) => a + b, 0) / Math.max(1, overshoots.length),
    maxOvershoot: Math.max(0, ...overshoots),
    lastOvershoot: last === undefined ? 0 : overshoots[last.i],
  };
}
