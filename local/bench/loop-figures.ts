/** The real-loop figures: calls, writes, transitions, the wait against a fixed 30 s, the bundle. */
import { Limits } from '../../lambda/contract/limits';
import { StateNames } from '../../lib/poll-workflow';
import type { BundleFigures } from './bundle';
import { type Figure, fixed, int, kb, median, sum } from './format';
import { type inputCapacity, type MeasuredRun, STATE_PAYLOAD_LIMIT_BYTES, type TimedRun } from './runs';

/** DynamoDB's item limit; the run state item holds 17 bytes per pending ID. */
const ITEM_LIMIT_BYTES = 400 * 1024;
const RUN_STATE_BYTES_PER_ID = 17; // 16 of the ID, 1 of its miss count

/** BatchGet calls made, and ceil(pending/50) summed over the cycles. */
const callCounts = (run: MeasuredRun) => ({
  calls: sum(run.report.cycles.map((c) => c.batchGetCalls)),
  needed: sum(run.report.cycles.map((c) => Math.ceil(c.pendingBefore / Limits.batchGetMaxIds))),
  cycles: run.report.cycles.length,
});

/** BatchWriteItem requests sent by Poll, and ceil(newly terminal/25) summed over the cycles. */
const writeCounts = (run: MeasuredRun) => ({
  writes: run.counter[StateNames.Poll]?.BatchWriteCommand ?? 0,
  needed: sum(
    run.report.cycles.map((c) =>
      Math.ceil((c.pendingBefore - c.state.counts.pending) / Limits.batchWriteMaxItems),
    ),
  ),
});

export function callsFigure(mixed: MeasuredRun, timed: MeasuredRun): Figure {
  const [a, b] = [callCounts(mixed), callCounts(timed)];
  const value = (a.calls + b.calls) / (a.needed + b.needed);
  return {
    id: '1',
    label: 'BatchGet calls / ceil(pending/50)',
    value,
    unit: 'ratio',
    detail: `${fixed(value)} (${a.calls}/${a.needed} mixed ${a.cycles} cyc; ${b.calls}/${b.needed} timed ${b.cycles} cyc)`,
    goal: '1.00',
    met: Math.abs(value - 1) < 0.005,
  };
}

export function writeFigures(mixed: MeasuredRun, timed: MeasuredRun): Figure[] {
  const [a, b] = [writeCounts(mixed), writeCounts(timed)];
  const value = (a.writes + b.writes) / Math.max(1, a.needed + b.needed);
  const runs = [mixed, timed];
  const cycles = sum(runs.map((r) => r.report.cycles.length));
  const per = (command: string) =>
    fixed(sum(runs.map((r) => r.counter[StateNames.Poll]?.[command] ?? 0)) / cycles);
  const others = sum(
    runs.flatMap((r) =>
      Object.entries(r.counter[StateNames.Poll] ?? {}).map(([k, v]) => (k === 'BatchWriteCommand' ? 0 : v)),
    ),
  );
  const start = mixed.counter[StateNames.Start] ?? {};
  const startText = Object.entries(start)
    .map(([k, v]) => `${k.replace('Command', '')} ${v}`)
    .join(', ');
  return [
    {
      id: '2',
      label: 'BatchWrite requests / ceil(new/25)',
      value,
      unit: 'ratio',
      detail: `${fixed(value)} (${a.writes}/${a.needed} mixed; ${b.writes}/${b.needed} timed; no throttling)`,
      goal: '<= 1.05',
      met: value <= 1.05,
    },
    {
      id: '2b',
      label: '  other DynamoDB requests per cycle',
      value: others / cycles,
      unit: 'requests/cycle',
      detail: `Get ${per('GetCommand')}, Put ${per('PutCommand')}, BatchGet ${per('BatchGetCommand')} (both runs)`,
      goal: '-',
      met: null,
    },
    {
      id: '2c',
      label: '  DynamoDB requests of Start',
      value: sum(Object.values(start)),
      unit: 'requests/execution',
      detail: `${startText || 'none'} per execution`,
      goal: '-',
      met: null,
    },
  ];
}

/** States entered in the loop (Poll, Done?, Wait) per cycle, and in the whole execution. */
const transitionCounts = (run: MeasuredRun) => {
  const { entered, transitions } = run.report;
  const loop =
    (entered[StateNames.Poll] ?? 0) + (entered[StateNames.Done] ?? 0) + (entered[StateNames.Wait] ?? 0);
  return { loop, transitions, cycles: run.report.cycles.length };
};

export function transitionFigures(mixed: MeasuredRun, timed: MeasuredRun): Figure[] {
  const [a, b] = [transitionCounts(mixed), transitionCounts(timed)];
  const value = Math.max(a.loop / a.cycles, b.loop / b.cycles);
  const perCycle = (c: typeof a) => `${fixed(c.loop / c.cycles)} (${c.loop}/${c.cycles})`;
  // Poll + Done? + Wait per cycle; the last cycle has no Wait.
  return [
    {
      id: '3',
      label: 'State transitions per poll cycle',
      value,
      unit: 'transitions/cycle',
      detail: `${perCycle(a)} mixed, ${perCycle(b)} timed`,
      goal: '<= 3',
      met: value <= 3,
    },
    {
      id: '3b',
      label: '  per execution',
      value: a.transitions,
      unit: 'transitions',
      detail: `${a.transitions} mixed, ${b.transitions} timed (3 x cycles + 3: Start, Summarize, the completion event)`,
      goal: '-',
      met: null,
    },
  ];
}

export function waitFigures(adaptive: TimedRun, fixed30: TimedRun): Figure[] {
  const ratio = adaptive.cycles / fixed30.cycles;
  const s = (n: number) => `${fixed(n, 1)} s`;
  /** One overshoot measure, adaptive against the fixed wait: no worse is the goal. */
  const overshootRow = (
    id: string,
    label: string,
    key: 'meanOvershoot' | 'maxOvershoot' | 'lastOvershoot',
  ): Figure => ({
    id,
    label,
    value: adaptive[key],
    unit: 's',
    detail: `${s(adaptive[key])} vs ${s(fixed30[key])}`,
    goal: '<= fixed',
    met: adaptive[key] <= fixed30[key],
  });
  return [
    {
      id: '4',
      label: 'Poll cycles adaptive / fixed 30 s',
      value: ratio,
      unit: 'ratio',
      detail: `${fixed(ratio)} (${adaptive.cycles} / ${fixed30.cycles})`,
      goal: '<= 0.50',
      met: ratio <= 0.5,
    },
    overshootRow('4b', '  mean overshoot adaptive vs fixed', 'meanOvershoot'),
    overshootRow('4c', '  max overshoot adaptive vs fixed', 'maxOvershoot'),
    overshootRow('4d', '  last task (completion) overshoot', 'lastOvershoot'),
  ];
}

export function bundleFigures(b: BundleFigures): Figure[] {
  const requireRatio = b.requireMs / b.emptyRequireMs;
  return [
    {
      id: '5',
      label: `Lambda bundle (minified, ${b.target})`,
      value: b.bytes / 1024,
      unit: 'KB',
      detail: `${kb(b.bytes)} (+ source map ${kb(b.mapBytes)})`,
      goal: '< 400 KB',
      met: b.bytes < 400 * 1024,
    },
    {
      id: '5b',
      label: '  cold init: require bundle / empty',
      value: requireRatio,
      unit: 'ratio',
      detail: `${fixed(requireRatio, 1)}x (${fixed(b.requireMs, 1)} / ${fixed(b.emptyRequireMs, 1)} ms)`,
      goal: '-',
      met: null,
    },
    {
      id: '5c',
      label: '  whole process: bundle / empty',
      value: b.processMs / b.emptyProcessMs,
      unit: 'ratio',
      detail:
        `${fixed(b.processMs / b.emptyProcessMs, 1)}x (${fixed(b.processMs, 0)} / ${fixed(b.emptyProcessMs, 0)} ms); ` +
        `source maps on: require ${fixed(b.requireWithSourceMapsMs, 1)} ms`,
      goal: '-',
      met: null,
    },
  ];
}

/** Figure 6: state payloads, and how many task IDs one execution input can carry. */
export function stateFigures(
  runs: { small: MeasuredRun; mixed: MeasuredRun; large: MeasuredRun; biggest: MeasuredRun },
  capacity: ReturnType<typeof inputCapacity>,
  verifyCount: number,
): { figures: Figure[]; notes: string[] } {
  const sizes = [runs.small, runs.mixed, runs.large].map((r) => r.report.maxStateBytes);
  const most = Math.min(capacity.max, Limits.maxTaskIdsInInput);
  const binding = capacity.max < Limits.maxTaskIdsInInput ? '256 KiB input binds' : 'input check binds';
  const { biggest } = runs;
  const notes: string[] = [];
  if (capacity.max < Limits.maxTaskIdsInInput) {
    notes.push(
      `Limits.maxTaskIdsInInput (${int(Limits.maxTaskIdsInInput)}) is more than fits: inputs of ${int(capacity.max + 1)}` +
        `-${int(Limits.maxTaskIdsInInput)} IDs pass the input check but exceed Step Functions' 256 KiB`,
    );
  }
  notes.push(
    `input: ${capacity.perId} B per task ID + ${capacity.overhead} B fixed (Start payload, 80-char run ID); ` +
      `${int(Limits.maxTaskIdsInInput)} IDs = ${kb(capacity.bytesAt)}; run state item fits ${int(Math.floor(ITEM_LIMIT_BYTES / RUN_STATE_BYTES_PER_ID))}`,
  );
  const figures: Figure[] = [
    {
      id: '6',
      label: 'Largest state, 50 / 500 / 5,000 tasks',
      value: sizes[2],
      unit: 'bytes (5,000 tasks)',
      detail: sizes.map(kb).join(' / '),
      goal: '< 256 KiB',
      met: sizes.every((b) => b <= STATE_PAYLOAD_LIMIT_BYTES),
    },
    {
      id: '6b',
      label: '  most tasks in one execution',
      value: most,
      unit: 'tasks',
      detail: `${int(most)} (${binding}; check allows ${int(Limits.maxTaskIdsInInput)})`,
      goal: '-',
      met: null,
    },
    {
      id: '6c',
      label: `  verified: ${int(verifyCount)} tasks`,
      value: biggest.report.maxStateBytes,
      unit: 'bytes',
      detail: `${biggest.report.status}, largest state ${int(biggest.report.maxStateBytes)} B`,
      goal: '< 256 KiB',
      met: biggest.report.status === 'SUCCEEDED' && biggest.report.maxStateBytes <= STATE_PAYLOAD_LIMIT_BYTES,
    },
  ];
  return { figures, notes };
}

/**
 * Figure 7: real ms of the Poll handler per 50 pending tasks. Cycles with fewer than 50 pending are left
 * out: there the handler's fixed cost swamps the per-task cost.
 */
export function timingFigures(of500: MeasuredRun[], of5000: MeasuredRun, floorRun: MeasuredRun): Figure[] {
  const perFifty = (...runs: MeasuredRun[]) => {
    const cycles = runs.flatMap((r) => r.pollMs).filter((p) => p.pending >= Limits.batchGetMaxIds);
    return { ms: median(cycles.map((p) => p.ms / (p.pending / Limits.batchGetMaxIds))), n: cycles.length };
  };
  const [a, b] = [perFifty(...of500), perFifty(of5000)];
  const floor = median(floorRun.pollMs.filter((p) => p.pending < 10).map((p) => p.ms));
  return [
    {
      id: '7',
      label: 'Lambda ms per poll cycle per 50 tasks',
      value: a.ms,
      unit: 'ms',
      detail: `${fixed(a.ms, 1)} (500 tasks, ${a.n} cyc), ${fixed(b.ms, 1)} (5,000, ${b.n} cyc) median`,
      goal: '-',
      met: null,
    },
    {
      id: '7b',
      label: '  same, whole cycle with < 10 pending',
      value: floor,
      unit: 'ms',
      detail: `${fixed(floor, 1)} ms median (the fixed cost of a cycle)`,
      goal: '-',
      met: null,
    },
  ];
}
