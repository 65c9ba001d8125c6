/**
 * The real-loop runs of the bench: the deployed state machine definition, the real handler, the AppFabric
 * stand-in and dynalite, on virtual time. Each run counts DynamoDB requests by state and times each Poll.
 */

import { performance } from 'node:perf_hooks';
import { Limits } from '../../lambda/contract/limits';
import { StateNames } from '../../lib/poll-workflow';
import { type ExecutionReport, type LocalPoller, startLocalPoller } from '../harness';
import { addTasks, DEMO_APPS, DEMO_BUNDLE_ARN, type Scenario, seededRandom } from '../scenarios';
import { type MeteredItem, RequestCounter } from './counting';
import { sum } from './format';
import { taskMix } from './mix';

/** Step Functions' payload quota (execution input, state input and output): 256 KiB. */
/** Step Functions' payload limit, from the contract. */
export const STATE_PAYLOAD_LIMIT_BYTES = Limits.stepFunctionsPayloadBytes;
/** Execution names are at most 80 characters: the longest Start payload carries one that long. */
const LONGEST_RUN_ID = 'x'.repeat(80);

export interface MeasuredRun {
  tasks: number;
  report: ExecutionReport;
  counter: Record<string, Record<string, number>>;
  /** Real ms of each Poll invocation, with the tasks pending before it. */
  pollMs: { ms: number; pending: number }[];
  /** Real ms of every invocation (Start, Poll, RecordFailure). */
  invocationMs: number[];
  /** Every DynamoDB item written or read, with its size (capacity units). */
  items: MeteredItem[];
  /** Bytes of the function's log lines (the messages and fields it logs). */
  logBytes: number;
}

/** Runs one execution, counting DynamoDB requests per state and timing each Poll invocation. */
export async function measuredRun(
  poller: LocalPoller,
  counter: RequestCounter,
  input: { appBundleIdentifier: string; taskIdList: string[] },
): Promise<MeasuredRun> {
  counter.reset();
  const pollMs: MeasuredRun['pollMs'] = [];
  const invocationMs: number[] = [];
  let t0 = 0;
  // Poll ends are seen (onCycle); other invocations are timed to the next one's start (an upper bound).
  const closeOther = () => {
    if (counter.state !== 'none' && counter.state !== StateNames.Poll)
      invocationMs.push(performance.now() - t0);
  };
  const report = await poller.execute(input, {
    beforeInvoke: (stateName) => {
      closeOther();
      counter.state = stateName;
      t0 = performance.now();
    },
    onCycle: (cycle) => {
      const ms = performance.now() - t0;
      pollMs.push({ ms, pending: cycle.pendingBefore });
      invocationMs.push(ms);
    },
  });
  closeOther();
  counter.state = 'none';
  const byState = Object.fromEntries(
    [StateNames.Start, StateNames.Poll, StateNames.RecordFailure].map((s) => [s, counter.byCommand(s)]),
  );
  return {
    tasks: input.taskIdList.length,
    report,
    counter: byState,
    pollMs,
    invocationMs,
    items: [...counter.items],
    logBytes: counter.logBytes,
  };
}

export function scenarioInput(poller: LocalPoller, scenario: Scenario, count: number, seed: number) {
  const taskIdList = addTasks(poller.appFabric, DEMO_BUNDLE_ARN, scenario, seededRandom(seed), { count });
  return { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList };
}

export interface TimedRun {
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
export async function timedRun(
  label: string,
  context: Record<string, unknown>,
  seed: number,
): Promise<TimedRun> {
  const counter = new RequestCounter();
  const poller = await startLocalPoller({
    context,
    seed,
    virtualStandInClock: true,
    clockMovesOnlyWithWaits: true,
    wrapDocumentClient: counter.wrap,
    log: counter.log,
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
export function inputCapacity(count: number) {
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

/** A run as the JSON output keeps it. */
export function summarize(run: MeasuredRun) {
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
