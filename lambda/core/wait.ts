/**
 * How long to wait before the next poll. Two modes, both bounded the same way: never below the minimum
 * wait or AppFabric's Retry-After, never beyond the maximum wait or the deadline.
 *
 * Planned (when the run carries a finish profile from earlier runs, see wait-plan.ts): the next poll goes
 * where the profile says finishes are due, by a small dynamic programme trading a poll's cost against the
 * delay of the tasks it would see, and pricing each task left later than 0.95 of an even wait (so that a
 * thin tail's polls are not so sparse that p95 exceeds what even waits give). The profile is dropped, for
 * good, once this run strays from it (the share finished so far is off by more than
 * {@link PROFILE_TOLERANCE}) or outlives it. A plan that leaps far past the rate wait right after a busy
 * cycle polls once at the rate wait first ({@link CONFIRM_FACTOR}).
 *
 * Rate (no profile, the cold start): the wait follows the rate at which tasks finish. A poll costs about
 * the same whether it finds one result or fifty, and every second a finished task waits for the next
 * poll delays its record. With tasks finishing at λ a second and a poll worth as much as C task-seconds
 * of delay, waiting w costs C/w + λw/2 a second, least at w = √(2C/λ): short while results pour in,
 * long in a quiet tail.
 *
 * λ is estimated from what the cycles saw, smoothed, with the previous wait as the only memory: the
 * previous wait w₀ stands for the rate it was chosen for (2C/w₀²), and this cycle's finishes over w₀ are
 * blended in with weight {@link RATE_WEIGHT}. That gives
 *
 *   w = w₀ / √(1 − α + α·f·w₀ / 2C)
 *
 * so: as many finished as expected → same wait; more → shorter; none → longer by 1/√(1 − α) (×1.2).
 *
 * C is {@link POLL_COST_PER_TASK} times the run's tasks in both modes, so a run's schedule depends on the
 * share of its tasks that finish, not on how many there are. Deterministic: the same observations give
 * the same waits. What it keeps between cycles ({@link WaitMemory}) is the profile and its time zero
 * (about 300 bytes, no personal data), and nothing once there is no profile.
 */
import { isFinishProfile, plannedWaitSeconds, profileShareAt } from './wait-plan';

export interface WaitInput {
  previousWaitSeconds: number;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  /** Tasks that reached a terminal status in this cycle. */
  finishedThisCycle: number;
  /** The largest Retry-After AppFabric sent in this cycle. */
  retryAfterSeconds?: number;
  /** Seconds left until the deadline. */
  secondsToDeadline: number;
  /** Tasks in the run (`counts.total`); {@link ASSUMED_RUN_TASKS} when not given. */
  totalTasks?: number;
}

/** Weight α of this cycle's observation in the smoothed finish rate. */
export const RATE_WEIGHT = 0.3;

/** What one poll is worth, in seconds of delay per task of the run. */
export const POLL_COST_PER_TASK = 0.35;

/** Run size assumed when the caller does not say (`totalTasks`). */
export const ASSUMED_RUN_TASKS = 500;

export function nextWaitSeconds(w: WaitInput): number {
  const previous = Math.max(w.minWaitSeconds, w.previousWaitSeconds);
  const pollCost = pollCostOf(w);
  const finished = Math.max(0, w.finishedThisCycle);
  const shrink = Math.sqrt(1 - RATE_WEIGHT + (RATE_WEIGHT * finished * previous) / (2 * pollCost));
  return bounded(Math.round(previous / shrink), w);
}

/** Share of the run by which the tasks finished so far may differ from the profile before it is dropped. */
export const PROFILE_TOLERANCE = 0.3;

/**
 * How far the planned wait may exceed the rate wait right after a cycle that saw finishes. Beyond it the
 * poller takes the rate wait once, to confirm a wave has ended: a profile that ends a wave a second early
 * would otherwise leave its last tasks a maximum wait behind (and the next runs learn that gap as finishes).
 */
export const CONFIRM_FACTOR = 4;

/** What the policy keeps between cycles (in the run state and the loop state). */
export interface WaitMemory {
  /** Epoch ms of the profile's time zero: set by whoever gives the profile, else at the first poll with it. */
  firstPollAt?: number;
  /** Finish profile from earlier runs (wait-plan.ts); gone once this run strays from it. */
  profile?: number[];
}

export interface PolicyInput extends WaitInput {
  /** When this cycle polled. */
  polledAt: Date;
  /** Tasks still pending after this cycle. */
  pendingTasks: number;
  memory?: WaitMemory;
}

/** The next wait, and what to remember for the cycle after it. */
export function chooseWait(input: PolicyInput): { waitSeconds: number; memory?: WaitMemory } {
  const firstPollAt = input.memory?.firstPollAt ?? input.polledAt.getTime();
  const elapsedSeconds = Math.max(0, (input.polledAt.getTime() - firstPollAt) / 1000);
  const profile = usableProfile(input, elapsedSeconds);
  if (profile) {
    const planned = plannedWaitSeconds({
      profile,
      elapsedSeconds,
      pendingTasks: input.pendingTasks,
      finishedShare: (runTasks(input) - input.pendingTasks) / runTasks(input),
      minWaitSeconds: input.minWaitSeconds,
      maxWaitSeconds: input.maxWaitSeconds,
      pollCost: pollCostOf(input),
    });
    if (planned !== undefined) {
      // A leap right after a busy cycle trusts the profile's edge; a poll at the rate wait checks it first.
      const rate = nextWaitSeconds(input);
      const leap = input.finishedThisCycle > 0 && planned > CONFIRM_FACTOR * rate;
      return { waitSeconds: bounded(leap ? rate : planned, input), memory: { firstPollAt, profile } };
    }
  }
  // Without a profile nothing is kept: the rate mode's only memory is the previous wait.
  return { waitSeconds: nextWaitSeconds(input) };
}

/** The profile, while the share of tasks finished so far agrees with it. */
function usableProfile(input: PolicyInput, elapsedSeconds: number): number[] | undefined {
  const profile = input.memory?.profile;
  const total = input.totalTasks ?? 0;
  if (!isFinishProfile(profile) || total <= 0) return undefined;
  const finishedShare = (total - input.pendingTasks) / total;
  const expected = profileShareAt(profile, elapsedSeconds);
  return Math.abs(finishedShare - expected) <= PROFILE_TOLERANCE ? profile : undefined;
}

const runTasks = (w: WaitInput) =>
  w.totalTasks !== undefined && w.totalTasks > 0 ? w.totalTasks : ASSUMED_RUN_TASKS;

const pollCostOf = (w: WaitInput) => POLL_COST_PER_TASK * runTasks(w);

/** The bounds every wait keeps: [min, max], at least Retry-After, and not past the deadline. */
function bounded(seconds: number, w: WaitInput): number {
  let wait = Math.min(w.maxWaitSeconds, Math.max(w.minWaitSeconds, Math.round(seconds)));
  if (w.retryAfterSeconds !== undefined && Number.isFinite(w.retryAfterSeconds)) {
    wait = Math.max(wait, Math.ceil(w.retryAfterSeconds));
  }
  // Wake up at the deadline rather than after it, so late tasks are timed out promptly.
  return Math.max(1, Math.min(wait, Math.ceil(w.secondsToDeadline)));
}
