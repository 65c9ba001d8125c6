/**
 * `npm run bench [-- --json [file]] [--seed N]`: figures of cost and timeliness measured in one run on the
 * local stand-ins (the deployed state machine definition, the real handler, the AppFabric stand-in and
 * dynalite; virtual time), printed as a table: figure, value, goal, met. `--json` also writes them
 * (default file bench-results.json). The figures are measurements, never test assertions: timings
 * depend on the machine, and nothing here crosses a network.
 */
import { runCli } from '../cli/run-cli';
import './local-env';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Limits } from '../lambda/contract/limits';
import { POLL_COST_PER_TASK, RATE_WEIGHT } from '../lambda/core/wait';
import { StateNames } from '../lib/poll-workflow';
import { type BundleFigures, measureBundle } from './bench/bundle';
import { RequestCounter } from './bench/counting';
import { MIX_DESCRIPTION, taskMix } from './bench/mix';
import { type ExecutionReport, type LocalPoller, startLocalPoller } from './harness';
import { addTasks, DEMO_APPS, DEMO_BUNDLE_ARN, type Scenario, seededRandom } from './scenarios';

/** Step Functions' payload quota (execution input, state input and output): 256 KiB. */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;
/** DynamoDB's item limit; the run state item holds 16 bytes per pending ID. */
const ITEM_LIMIT_BYTES = 400 * 1024;
const RUN_STATE_BYTES_PER_ID = 17; // 16 of the ID, 1 of its miss count
/** Execution names are at most 80 characters: the longest Start payload carries one that long. */
const LONGEST_RUN_ID = 'x'.repeat(80);

const USAGE = `Usage: npm run bench [-- --json [file]] [--seed N]

Measures cost and timeliness figures on the local stand-ins and prints them as a table.
  --json [file]  also write the figures as JSON (default bench-results.json)
  --seed N       seed of the task mixes (default 1)
`;

interface BenchArgs {
  json?: string;
  seed: number;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs | 'help' {
  const args: BenchArgs = { seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--json') {
      const next = argv[i + 1];
      args.json = next !== undefined && !next.startsWith('-') ? next : 'bench-results.json';
      if (args.json === next) i++;
    } else if (a === '--seed') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--seed must be a whole number, got "${argv[i]}"`);
      args.seed = n;
    } else {
      throw new Error(`unknown option "${a}"`);
    }
  }
  return args;
}

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
const median = (xs: readonly number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

// ---- runs ----------------------------------------------------------------------------------------

interface MeasuredRun {
  tasks: number;
  report: ExecutionReport;
  counter: Record<string, Record<string, number>>;
  /** Real ms of each Poll invocation, with the tasks pending before it. */
  pollMs: { ms: number; pending: number }[];
}

/** Runs one execution, counting DynamoDB requests per state and timing each Poll invocation. */
async function measuredRun(
  poller: LocalPoller,
  counter: RequestCounter,
  input: { appBundleIdentifier: string; taskIdList: string[] },
): Promise<MeasuredRun> {
  counter.reset();
  const pollMs: MeasuredRun['pollMs'] = [];
  let t0 = 0;
  const report = await poller.execute(input, {
    beforeInvoke: (stateName) => {
      counter.state = stateName;
      t0 = performance.now();
    },
    onCycle: (cycle) => {
      pollMs.push({ ms: performance.now() - t0, pending: cycle.pendingBefore });
    },
  });
  counter.state = 'none';
  const byState = Object.fromEntries(
    [StateNames.Start, StateNames.Poll, StateNames.RecordFailure].map((s) => [s, counter.byCommand(s)]),
  );
  return { tasks: input.taskIdList.length, report, counter: byState, pollMs };
}

function scenarioInput(poller: LocalPoller, scenario: Scenario, count: number, seed: number) {
  const taskIdList = addTasks(poller.appFabric, DEMO_BUNDLE_ARN, scenario, seededRandom(seed), { count });
  return { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList };
}

interface TimedRun {
  label: string;
  run: MeasuredRun;
  cycles: number;
  status: string;
  virtualSeconds: number;
  meanOvershoot: number;
  maxOvershoot: number;
  lastOvershoot: number;
  /** Records that are not the task's own outcome (TIMED_OUT, NOT_FOUND): no overshoot for them. */
  unmatched: number;
}

/** The seeded duration mix, polled by virtual time under `context`'s wait settings. */
async function timedRun(label: string, context: Record<string, unknown>, seed: number): Promise<TimedRun> {
  const counter = new RequestCounter();
  const poller = await startLocalPoller({
    context,
    seed,
    virtualStandInClock: true,
    clockMovesOnlyWithWaits: true,
    wrapDocumentClient: counter.wrap,
  });
  try {
    poller.appFabric.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
    const taskIdList = taskMix(500, seed).map((task, i) =>
      poller.appFabric.addTask(DEMO_BUNDLE_ARN, {
        ...DEMO_APPS[i % DEMO_APPS.length],
        email: `person${i}@example.com`,
        outcome: task.outcome,
        inProgressMs: task.durationSeconds * 1000,
      }),
    );
    const run = await measuredRun(poller, counter, { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList });
    const { report } = run;
    const records = await poller.reader.byRun(report.runId);
    const overshoots: { finish: number; overshoot: number }[] = [];
    let unmatched = 0;
    for (const record of records) {
      const task = poller.appFabric.getTask(record.taskId);
      if (!task || record.resultStatus !== (task.behaviour.outcome ?? 'COMPLETED')) {
        unmatched += 1;
        continue;
      }
      const finish = task.createdAt + (task.behaviour.inProgressMs ?? 0);
      overshoots.push({ finish, overshoot: (Date.parse(record.recordedAt) - finish) / 1000 });
    }
    const last = overshoots.reduce((a, b) => (b.finish > a.finish ? b : a), overshoots[0]);
    return {
      label,
      run,
      cycles: report.cycles.length,
      status: report.status,
      virtualSeconds: report.virtualSeconds,
      meanOvershoot: sum(overshoots.map((o) => o.overshoot)) / Math.max(1, overshoots.length),
      maxOvershoot: Math.max(...overshoots.map((o) => o.overshoot)),
      lastOvershoot: last?.overshoot ?? Number.NaN,
      unmatched: unmatched + (taskIdList.length - records.length),
    };
  } finally {
    await poller.close();
  }
}

/** The largest execution input, and Start payload, for `count` task IDs; the most IDs within the quota. */
function inputCapacity(count: number) {
  const id = '00000000-0000-4000-8000-000000000000';
  const input = (n: number) => ({
    appBundleIdentifier: DEMO_BUNDLE_ARN,
    taskIdList: new Array<string>(n).fill(id),
  });
  const startPayload = (n: number) => ({
    action: 'start',
    runId: LONGEST_RUN_ID,
    startedAt: '2024-05-01T10:00:00.000Z',
    input: input(n),
  });
  const bytes = (n: number) =>
    Math.max(Buffer.byteLength(JSON.stringify(input(n))), Buffer.byteLength(JSON.stringify(startPayload(n))));
  const perId = bytes(2) - bytes(1);
  const overhead = bytes(1) - perId;
  let max = Math.floor((STATE_PAYLOAD_LIMIT_BYTES - overhead) / perId);
  while (bytes(max + 1) <= STATE_PAYLOAD_LIMIT_BYTES) max++;
  while (bytes(max) > STATE_PAYLOAD_LIMIT_BYTES) max--;
  return { perId, overhead, max, bytesAt: bytes(count), bytesAtMax: bytes(max) };
}

// ---- figures ---------------------------------------------------------------------------------------

type Met = boolean | null;
interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  detail: string;
  goal: string;
  met: Met;
}

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

function callsFigure(mixed: MeasuredRun, timed: MeasuredRun): Figure {
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

function writeFigures(mixed: MeasuredRun, timed: MeasuredRun): Figure[] {
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

function transitionFigures(mixed: MeasuredRun, timed: MeasuredRun): Figure[] {
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
      detail: `${a.transitions} mixed, ${b.transitions} timed (3 x cycles + 2)`,
      goal: '-',
      met: null,
    },
  ];
}

function waitFigures(adaptive: TimedRun, fixed30: TimedRun): Figure[] {
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

function bundleFigures(b: BundleFigures): Figure[] {
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

// ---- output ------------------------------------------------------------------------------------------

const metText = (met: Met) => (met === null ? 'info' : met ? 'met' : 'MISSED');

export function formatTable(figures: readonly Figure[]): string {
  const w = { id: 3, label: 40, detail: 52, goal: 9 };
  const line = (id: string, label: string, detail: string, goal: string, met: string) =>
    `${id.padEnd(w.id)} ${label.padEnd(w.label)} ${detail.padEnd(w.detail)} ${goal.padEnd(w.goal)} ${met}`.trimEnd();
  const rows = figures.map((f) =>
    line(/[a-z]$/.test(f.id) ? '' : f.id, f.label, f.detail, f.goal, metText(f.met)),
  );
  const header = line('#', 'figure', 'value', 'goal', 'met?');
  return [header, '-'.repeat(header.length + 4), ...rows].join('\n');
}

export async function main(argv: readonly string[], out = process.stdout): Promise<number> {
  let args: BenchArgs | 'help';
  try {
    args = parseBenchArgs(argv);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    out.write(USAGE);
    return 0;
  }
  const { seed } = args;
  const startedAt = Date.now();
  const figures: Figure[] = [];
  const notes: string[] = [];
  const raw: Record<string, unknown> = {};
  let failed = false;

  // Default settings, tasks finishing after a number of polls (figures 1-3, 6, 7).
  progress('runs of 500 (mixed), 50 and 5,000 tasks, and the largest input');
  const counter = new RequestCounter();
  const poller = await startLocalPoller({ seed, wrapDocumentClient: counter.wrap });
  let mixed: MeasuredRun;
  let small: MeasuredRun;
  let large: MeasuredRun;
  let biggest: MeasuredRun;
  const capacity = inputCapacity(Limits.maxTaskIdsInInput);
  const verifyCount = Math.min(capacity.max, Limits.maxTaskIdsInInput);
  try {
    poller.appFabric.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
    mixed = await measuredRun(poller, counter, scenarioInput(poller, 'mixed', 500, seed));
    small = await measuredRun(poller, counter, scenarioInput(poller, 'all-complete', 50, seed));
    large = await measuredRun(poller, counter, scenarioInput(poller, 'all-complete', 5_000, seed));
    const ids = Array.from({ length: verifyCount }, () => poller.appFabric.addTask(DEMO_BUNDLE_ARN, {}));
    biggest = await measuredRun(poller, counter, { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList: ids });
  } finally {
    await poller.close();
  }
  for (const [name, run] of Object.entries({ mixed, small, large, biggest })) {
    if (run.report.status !== 'SUCCEEDED') {
      failed = true;
      notes.push(`run "${name}" ${run.report.status}: ${run.report.error?.Cause}`);
    }
  }

  // The seeded duration mix by virtual time, adaptive against a fixed 30 s wait (figure 4; 1-3, 7 too).
  progress(`adaptive wait against a fixed 30 s wait (500 tasks: ${MIX_DESCRIPTION})`);
  const deadline = { deadlineMinutes: 240 };
  const adaptive = await timedRun('adaptive', deadline, seed);
  const fixed30 = await timedRun('fixed 30 s', { ...deadline, minWaitSeconds: 30, maxWaitSeconds: 30 }, seed);
  for (const run of [adaptive, fixed30]) {
    if (run.status !== 'SUCCEEDED' || run.unmatched > 0) {
      failed = true;
      notes.push(`run "${run.label}" ${run.status}, ${run.unmatched} tasks without their own outcome`);
    }
  }
  figures.unshift(
    callsFigure(mixed, adaptive.run),
    ...writeFigures(mixed, adaptive.run),
    ...transitionFigures(mixed, adaptive.run),
  );
  figures.push(...waitFigures(adaptive, fixed30));
  if (adaptive.maxOvershoot > fixed30.maxOvershoot) {
    notes.push(
      'max/last overshoot: half the polls means waits > 30 s in the tail, and a task finishing early in ' +
        'one waits it out;\n  only waiting <= 30 s wherever a task may finish (the fixed wait) bounds them',
    );
  }

  progress('bundle and cold init');
  const bundle = await measureBundle();
  figures.push(...bundleFigures(bundle));

  // Figure 6: state payloads, and how many task IDs one execution input can carry.
  const sizes = [small, mixed, large].map((r) => r.report.maxStateBytes);
  figures.push({
    id: '6',
    label: 'Largest state, 50 / 500 / 5,000 tasks',
    value: sizes[2],
    unit: 'bytes (5,000 tasks)',
    detail: sizes.map(kb).join(' / '),
    goal: '< 256 KiB',
    met: sizes.every((b) => b <= STATE_PAYLOAD_LIMIT_BYTES),
  });
  const itemMax = Math.floor(ITEM_LIMIT_BYTES / RUN_STATE_BYTES_PER_ID);
  const binding = capacity.max < Limits.maxTaskIdsInInput ? '256 KiB input binds' : 'input check binds';
  figures.push({
    id: '6b',
    label: '  most tasks in one execution',
    value: Math.min(capacity.max, Limits.maxTaskIdsInInput),
    unit: 'tasks',
    detail: `${int(Math.min(capacity.max, Limits.maxTaskIdsInInput))} (${binding}; check allows ${int(Limits.maxTaskIdsInInput)})`,
    goal: '-',
    met: null,
  });
  figures.push({
    id: '6c',
    label: `  verified: ${int(verifyCount)} tasks`,
    value: biggest.report.maxStateBytes,
    unit: 'bytes',
    detail: `${biggest.report.status}, largest state ${int(biggest.report.maxStateBytes)} B`,
    goal: '< 256 KiB',
    met: biggest.report.status === 'SUCCEEDED' && biggest.report.maxStateBytes <= STATE_PAYLOAD_LIMIT_BYTES,
  });
  if (capacity.max < Limits.maxTaskIdsInInput) {
    notes.push(
      `Limits.maxTaskIdsInInput (${int(Limits.maxTaskIdsInInput)}) is more than fits: inputs of ${int(capacity.max + 1)}` +
        `-${int(Limits.maxTaskIdsInInput)} IDs pass the input check but exceed Step Functions' 256 KiB`,
    );
  }
  notes.push(
    `input: ${capacity.perId} B per task ID + ${capacity.overhead} B fixed (Start payload, 80-char run ID); ` +
      `${int(Limits.maxTaskIdsInInput)} IDs = ${kb(capacity.bytesAt)}; run state item fits ${int(itemMax)}`,
  );

  // Figure 7: real ms of the Poll handler per 50 pending tasks.
  // Cycles with fewer than 50 pending are left out: there the handler's fixed cost swamps the per-task cost.
  const perFifty = (...runs: MeasuredRun[]) => {
    const cycles = runs.flatMap((r) => r.pollMs).filter((p) => p.pending >= Limits.batchGetMaxIds);
    return { ms: median(cycles.map((p) => p.ms / (p.pending / Limits.batchGetMaxIds))), n: cycles.length };
  };
  const [of500, of5000] = [perFifty(mixed, adaptive.run), perFifty(large)];
  figures.push({
    id: '7',
    label: 'Lambda ms per poll cycle per 50 tasks',
    value: of500.ms,
    unit: 'ms',
    detail: `${fixed(of500.ms, 1)} (500 tasks, ${of500.n} cyc), ${fixed(of5000.ms, 1)} (5,000, ${of5000.n} cyc) median`,
    goal: '-',
    met: null,
  });
  const floor = median(adaptive.run.pollMs.filter((p) => p.pending < 10).map((p) => p.ms));
  figures.push({
    id: '7b',
    label: '  same, whole cycle with < 10 pending',
    value: floor,
    unit: 'ms',
    detail: `${fixed(floor, 1)} ms median (the fixed cost of a cycle)`,
    goal: '-',
    met: null,
  });

  const seconds = (Date.now() - startedAt) / 1000;
  notes.push(
    `wait policy: rate weight ${RATE_WEIGHT}, poll cost ${POLL_COST_PER_TASK} s/task; both runs deadline 240 min, ` +
      `virtual ${int(adaptive.virtualSeconds)} s vs ${int(fixed30.virtualSeconds)} s`,
    'timings are real ms on this machine with the stand-ins in the same process: no network latency included',
    `Node ${process.version}, ${cpus().length} cores, load ${loadavg()
      .map((l) => fixed(l, 1))
      .join(' ')}, seed ${seed}, bench took ${fixed(seconds, 1)} s`,
  );

  out.write(`${formatTable(figures)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n`);
  raw.mixed = summarize(mixed);
  raw.small = summarize(small);
  raw.large = summarize(large);
  raw.biggest = summarize(biggest);
  raw.adaptive = { ...adaptive, run: summarize(adaptive.run) };
  raw.fixed30 = { ...fixed30, run: summarize(fixed30.run) };
  raw.bundle = bundle;
  raw.capacity = capacity;
  if (args.json) {
    const doc = {
      generatedAt: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      seed,
      seconds,
      figures,
      notes,
      raw,
    };
    await writeFile(args.json, `${JSON.stringify(doc, null, 2)}\n`);
    out.write(`figures written to ${args.json}\n`);
  }
  return failed ? 1 : 0;
}

function summarize(run: MeasuredRun) {
  const { report } = run;
  return {
    tasks: run.tasks,
    status: report.status,
    cycles: report.cycles.length,
    transitions: report.transitions,
    entered: report.entered,
    retries: report.retries,
    maxStateBytes: report.maxStateBytes,
    virtualSeconds: report.virtualSeconds,
    realMs: report.realMs,
    batchGetCalls: report.cycles.map((c) => c.batchGetCalls),
    pendingBefore: report.cycles.map((c) => c.pendingBefore),
    waitSeconds: report.cycles.map((c) => c.state.waitSeconds),
    dynamoRequests: run.counter,
    pollMs: run.pollMs.map((p) => Math.round(p.ms * 100) / 100),
  };
}

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)));
}
