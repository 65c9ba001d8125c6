/**
 * `npm run bench [-- --json [file]] [--seed N] [--plots DIR]`: figures of cost and timeliness measured
 * in one run, printed as a table (figure, value, goal, met): the real loop on the local stand-ins (the
 * deployed state machine definition, the real handler, the AppFabric stand-in and dynalite; virtual
 * time), the frontier of wait policies on a fast model of the loop, the longest Poll invocation (real
 * time) and the cost per 10,000 tasks. The figures are measurements, never test assertions: timings
 * depend on the machine, and nothing here crosses a network.
 */
import { runCli } from '../cli/run-cli';
import './local-env';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Limits } from '../lambda/contract/limits';
import { HISTORY_MAX_RECORDS, HISTORY_RUNS } from '../lambda/core/history';
import { POLL_COST_PER_TASK, RATE_WEIGHT } from '../lambda/core/wait';
import { parseBenchArgs, USAGE } from './bench/args';
import { measureBundle } from './bench/bundle';
import { unitCosts } from './bench/cost';
import { costFigures } from './bench/cost-figures';
import { RequestCounter } from './bench/counting';
import { type Figure, fixed, formatTable, int, median, progress } from './bench/format';
import { FRONTIER_SETTINGS, frontier } from './bench/frontier/frontier';
import { frontierSvg } from './bench/frontier/plot';
import { formatFrontier, frontierFigures, frontierNote, spreadNote } from './bench/frontier/print';
import { frontierSpread, SPREAD_SEEDS } from './bench/frontier/seeds';
import { writeBenchJson } from './bench/json-output';
import { longestPollInvocation } from './bench/longest';
import { longestFigure } from './bench/longest-figure';
import {
  bundleFigures,
  callsFigure,
  stateFigures,
  timingFigures,
  transitionFigures,
  waitFigures,
  writeFigures,
} from './bench/loop-figures';
import { MIX_DESCRIPTION } from './bench/mix';
import {
  inputCapacity,
  type MeasuredRun,
  measuredRun,
  scenarioInput,
  summarize,
  timedRun,
} from './bench/runs';
import { startLocalPoller } from './harness';
import { DEMO_APPS, DEMO_BUNDLE_ARN } from './scenarios';

export async function main(argv: readonly string[], out = process.stdout): Promise<number> {
  let args: ReturnType<typeof parseBenchArgs>;
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
  const notes: string[] = [];
  const failures: string[] = [];

  // Default settings, tasks finishing after a number of polls (figures 1-3, 6, 7), then the longest Poll.
  progress('runs of 500 (mixed), 50 and 5,000 tasks, the largest input, the longest Poll invocation');
  const counter = new RequestCounter();
  const poller = await startLocalPoller({ seed, wrapDocumentClient: counter.wrap });
  const capacity = inputCapacity(Limits.maxTaskIdsInInput);
  const verifyCount = Math.min(capacity.max, Limits.maxTaskIdsInInput);
  const runs: Record<'mixed' | 'small' | 'large' | 'biggest', MeasuredRun> = {} as never;
  let longest: Awaited<ReturnType<typeof longestPollInvocation>>;
  try {
    poller.appFabric.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
    runs.mixed = await measuredRun(poller, counter, scenarioInput(poller, 'mixed', 500, seed));
    runs.small = await measuredRun(poller, counter, scenarioInput(poller, 'all-complete', 50, seed));
    runs.large = await measuredRun(poller, counter, scenarioInput(poller, 'all-complete', 5_000, seed));
    const ids = Array.from({ length: verifyCount }, () => poller.appFabric.addTask(DEMO_BUNDLE_ARN, {}));
    runs.biggest = await measuredRun(poller, counter, {
      appBundleIdentifier: DEMO_BUNDLE_ARN,
      taskIdList: ids,
    });
    longest = await longestPollInvocation(poller);
  } finally {
    await poller.abort();
    await poller.close();
  }
  for (const [name, run] of Object.entries(runs)) {
    if (run.report.status !== 'SUCCEEDED')
      failures.push(`run "${name}" ${run.report.status}: ${run.report.error?.Cause}`);
  }

  // The seeded duration mix by virtual time, adaptive against a fixed 30 s wait (figure 4; 1-3, 7, 10 too).
  progress(`adaptive wait against a fixed 30 s wait (500 tasks: ${MIX_DESCRIPTION})`);
  const deadline = { deadlineMinutes: 240 };
  const adaptive = await timedRun('adaptive', deadline, seed);
  const fixed30 = await timedRun('fixed 30 s', { ...deadline, minWaitSeconds: 30, maxWaitSeconds: 30 }, seed);
  for (const run of [adaptive, fixed30]) {
    if (run.status !== 'SUCCEEDED' || run.unmatched > 0) {
      failures.push(`run "${run.label}" ${run.status}, ${run.unmatched} tasks without their own outcome`);
    }
  }
  const figures: Figure[] = [
    callsFigure(runs.mixed, adaptive.run),
    ...writeFigures(runs.mixed, adaptive.run),
    ...transitionFigures(runs.mixed, adaptive.run),
    ...waitFigures(adaptive, fixed30),
  ];
  if (adaptive.maxOvershoot > fixed30.maxOvershoot) {
    notes.push(
      'max/last overshoot (real loop, cold start): half the polls means waits > 30 s in the tail, and a task ' +
        'finishing early in one waits it out;\n  only waiting <= 30 s wherever a task may finish bounds them',
    );
  }

  progress('bundle and cold init');
  const bundle = await measureBundle();
  figures.push(...bundleFigures(bundle));
  const state = stateFigures(runs, capacity, verifyCount);
  figures.push(...state.figures);
  notes.push(...state.notes);
  const timing = timingFigures([runs.mixed, adaptive.run], runs.large, adaptive.run);
  figures.push(...timing);

  progress('frontier of wait policies (fast model, 4 mixes)');
  const units = unitCosts(adaptive.run);
  const frontiers = frontier(seed, units);
  const spread = frontierSpread(units);
  figures.push(...frontierFigures(frontiers));
  await mkdir(args.plots, { recursive: true });
  const plots = frontiers.map((f) => join(args.plots, `bench-frontier-${f.mix.name}.svg`));
  await Promise.all(frontiers.map((f, i) => writeFile(plots[i], frontierSvg(f))));

  figures.push(longestFigure(longest));
  const cost = costFigures(adaptive.run, fixed30.run, timing[0].value);
  figures.push(...cost.figures);
  notes.push(...cost.notes);

  const seconds = (Date.now() - startedAt) / 1000;
  notes.push(
    `wait policy: cold start = rate weight ${RATE_WEIGHT}, poll cost ${POLL_COST_PER_TASK} s/task; real-loop runs ` +
      `deadline 240 min, virtual ${int(adaptive.virtualSeconds)} s vs ${int(fixed30.virtualSeconds)} s`,
    `frontier: settings wait ${FRONTIER_SETTINGS.minWaitSeconds}-${FRONTIER_SETTINGS.maxWaitSeconds} s (the deployed defaults); adaptive learns a finish profile from earlier runs (other seeds, polled ` +
      `by the policy, read as Start reads them: newest first, at most ${int(HISTORY_MAX_RECORDS)} records and ${HISTORY_RUNS} runs, ` +
      "record times only); oracle trained on the same seeds' true finish times; plots " +
      plots.join(', '),
    frontierNote(frontiers, FRONTIER_SETTINGS),
    spreadNote(spread, SPREAD_SEEDS),
    'timings are real ms on this machine with the stand-ins in the same process: no network latency included',
    `Node ${process.version}, ${cpus().length} cores, load ${loadavg()
      .map((l) => fixed(l, 1))
      .join(' ')}, seed ${seed}, bench took ${fixed(seconds, 1)} s`,
    ...failures,
  );
  out.write(
    `${formatTable(figures)}\n\n${notes.map((n) => `- ${n}`).join('\n')}\n\nFrontier (fast model, seed ${seed}):\n` +
      `${formatFrontier(frontiers)}\n`,
  );
  if (args.json) {
    const raw: Record<string, unknown> = {
      ...Object.fromEntries(Object.entries(runs).map(([k, r]) => [k, summarize(r)])),
      adaptive: { ...adaptive, run: summarize(adaptive.run) },
      fixed30: { ...fixed30, run: summarize(fixed30.run) },
      bundle,
      capacity,
      longest,
      cost: cost.raw,
      medianPollMs: median(adaptive.run.pollMs.map((p) => p.ms)),
    };
    await writeBenchJson(args.json, { seed, seconds, figures, notes, frontiers, spread, raw });
    out.write(`figures written to ${args.json}\n`);
  }
  return failures.length ? 1 : 0;
}

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)));
}
