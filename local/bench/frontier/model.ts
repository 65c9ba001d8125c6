/**
 * The fast model of the poll loop: the mix's finish times polled cycle by cycle, each wait chosen by the
 * real policy code (lambda/core/wait.ts) or by a fixed wait or a given schedule. No HTTP, no state
 * machine: what the loop does to time, calls and transitions, without the machinery. A poll sees every
 * task that finished at or before it (the record's time is the poll's); the first poll is at 0, as Poll
 * follows Start at once.
 */
import { Limits } from '../../../lambda/contract/limits';
import { chooseWait, type WaitMemory } from '../../../lambda/core/wait';

export interface LoopSettings {
  minWaitSeconds: number;
  maxWaitSeconds: number;
  deadlineSeconds: number;
}

export interface ModelRun {
  polls: number;
  /** BatchGet calls: ceil(pending / 50) per poll. */
  calls: number;
  /** Start, then Poll, Done? and Wait per cycle, and the end: 3 x polls + 2 (as the real loop counts). */
  transitions: number;
  /** Per task, seconds from finishing to the poll that saw it. */
  delays: number[];
  /** Seconds of each poll from the first. */
  pollTimes: number[];
  /** Tasks each poll recorded. */
  recorded: number[];
  /** Tasks pending before each poll. */
  pendingBefore: number[];
}

/** What a wait chooser sees after a poll. */
interface Observation {
  cycle: number;
  atSeconds: number;
  previousWaitSeconds: number;
  finishedThisCycle: number;
  pendingTasks: number;
  totalTasks: number;
}

export type WaitChooser = (o: Observation) => number;

const EPOCH = Date.UTC(2026, 0, 1);

export function simulate(
  durations: readonly number[],
  choose: WaitChooser,
  settings: LoopSettings,
): ModelRun {
  const order = [...durations].sort((a, b) => a - b);
  const delays: number[] = [];
  const pollTimes: number[] = [];
  const recorded: number[] = [];
  const pendingBefore: number[] = [];
  let t = 0;
  let wait = 0;
  let calls = 0;
  let next = 0;
  for (let cycle = 1; next < order.length; cycle++) {
    t += wait;
    calls += Math.ceil((order.length - next) / Limits.batchGetMaxIds);
    const before = next;
    pendingBefore.push(order.length - next);
    while (next < order.length && order[next] <= t) delays.push(t - order[next++]);
    pollTimes.push(t);
    recorded.push(next - before);
    if (next >= order.length || t >= settings.deadlineSeconds) break;
    wait = choose({
      cycle,
      atSeconds: t,
      previousWaitSeconds: wait,
      finishedThisCycle: next - before,
      pendingTasks: order.length - next,
      totalTasks: order.length,
    });
    if (!(wait > 0)) throw new Error(`wait chooser gave ${wait} at ${t} s`);
  }
  const polls = pollTimes.length;
  return { polls, calls, transitions: 3 * polls + 2, delays, pollTimes, recorded, pendingBefore };
}

export const fixedWait =
  (seconds: number): WaitChooser =>
  () =>
    seconds;

/** The deployed policy, with its memory carried from cycle to cycle as the run state carries it. */
export function adaptiveWait(settings: LoopSettings, profile?: number[]): WaitChooser {
  let memory: WaitMemory | undefined = profile ? { profile } : undefined;
  return (o) => {
    const { waitSeconds, memory: kept } = chooseWait({
      previousWaitSeconds: o.previousWaitSeconds,
      minWaitSeconds: settings.minWaitSeconds,
      maxWaitSeconds: settings.maxWaitSeconds,
      finishedThisCycle: o.finishedThisCycle,
      secondsToDeadline: settings.deadlineSeconds - o.atSeconds,
      totalTasks: o.totalTasks,
      pendingTasks: o.pendingTasks,
      polledAt: new Date(EPOCH + o.atSeconds * 1000),
      memory,
    });
    memory = kept;
    return waitSeconds;
  };
}

/** Polls at the given times (seconds from the first poll), then every `thenEvery` seconds until done. */
export function scheduledWait(times: readonly number[], thenEvery: number): WaitChooser {
  return (o) => {
    const due = times.find((p) => p > o.atSeconds);
    return due === undefined ? thenEvery : due - o.atSeconds;
  };
}

export interface DelayStats {
  meanDelaySeconds: number;
  p95DelaySeconds: number;
  maxDelaySeconds: number;
}

export function delayStats(delays: readonly number[]): DelayStats {
  const s = [...delays].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  const p95 = s.length ? s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)] : 0;
  return { meanDelaySeconds: mean, p95DelaySeconds: p95, maxDelaySeconds: s.length ? s[s.length - 1] : 0 };
}
