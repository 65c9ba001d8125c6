/**
 * How long to wait before the next poll. Adaptive: short while tasks are finishing, doubling while
 * nothing changes, never beyond the maximum or the deadline, and never below what AppFabric asked
 * for with Retry-After.
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
}

export function nextWaitSeconds(w: WaitInput): number {
  const previous = Math.max(w.minWaitSeconds, w.previousWaitSeconds);
  // Progress means results are arriving: look again soon. Quiet means back off.
  let wait = w.finishedThisCycle > 0 ? Math.floor(previous / 2) : previous * 2;
  wait = Math.min(w.maxWaitSeconds, Math.max(w.minWaitSeconds, wait));
  if (w.retryAfterSeconds !== undefined) wait = Math.max(wait, Math.ceil(w.retryAfterSeconds));
  // Wake up at the deadline rather than after it, so late tasks are timed out promptly.
  return Math.max(1, Math.min(wait, Math.ceil(w.secondsToDeadline)));
}
