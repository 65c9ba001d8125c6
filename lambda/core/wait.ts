/**
 * How long to wait before the next poll. Adaptive: the wait follows the rate at which tasks finish,
 * never goes beyond the maximum or the deadline, and never below what AppFabric asked for with Retry-After.
 *
 * Why this shape: a poll costs about the same whether it finds one result or fifty, and every second a
 * finished task waits for the next poll delays its record. With tasks finishing at λ a second and a poll
 * worth as much as C task-seconds of delay, waiting w costs C/w + λw/2 a second, least at w = √(2C/λ):
 * short while results pour in, long in a quiet tail.
 *
 * λ is estimated from what the cycles saw, smoothed, with the previous wait as the only memory: the
 * previous wait w₀ stands for the rate it was chosen for (2C/w₀²), and this cycle's finishes over w₀ are
 * blended in with weight {@link RATE_WEIGHT}. That gives
 *
 *   w = w₀ / √(1 − α + α·f·w₀ / 2C)
 *
 * so: as many finished as expected → same wait; more → shorter; none → longer by 1/√(1 − α) (×1.2).
 *
 * C is {@link POLL_COST_PER_TASK} times the run's tasks, so a run's schedule depends on the share of its
 * tasks that finish, not on how many there are (a poll of a big run costs more calls, and saves more waiting).
 */
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
  const tasks = w.totalTasks !== undefined && w.totalTasks > 0 ? w.totalTasks : ASSUMED_RUN_TASKS;
  const pollCost = POLL_COST_PER_TASK * tasks;
  const finished = Math.max(0, w.finishedThisCycle);
  const shrink = Math.sqrt(1 - RATE_WEIGHT + (RATE_WEIGHT * finished * previous) / (2 * pollCost));
  let wait = Math.round(previous / shrink);
  wait = Math.min(w.maxWaitSeconds, Math.max(w.minWaitSeconds, wait));
  if (w.retryAfterSeconds !== undefined && Number.isFinite(w.retryAfterSeconds)) {
    wait = Math.max(wait, Math.ceil(w.retryAfterSeconds));
  }
  // Wake up at the deadline rather than after it, so late tasks are timed out promptly.
  return Math.max(1, Math.min(wait, Math.ceil(w.secondsToDeadline)));
}
