/**
 * What a run costs, all in, from the counts the bench measures: Step Functions transitions, Lambda
 * requests and GB-seconds, DynamoDB write and read units, CloudWatch Logs bytes and X-Ray traces.
 * Prices are written once, here.
 */
import { Limits } from '../../lambda/contract/limits';
import type { MeteredItem } from './counting';
import { median } from './format';
import type { MeasuredRun } from './runs';

/** The prices used: us-east-1, on-demand, no free tier, as listed on 2026-12-01 (not fetched: no network here). */
export const PRICES = {
  date: '2026-12-01',
  region: 'us-east-1',
  /** Step Functions Standard, per state transition ($0.025 per 1,000). */
  transition: 0.025 / 1_000,
  /** Lambda, per request ($0.20 per 1M). */
  lambdaRequest: 0.2 / 1_000_000,
  /** Lambda arm64, per GB-second. */
  lambdaGbSecond: 0.0000133334,
  /** DynamoDB on-demand, per write request unit ($0.625 per 1M). */
  writeUnit: 0.625 / 1_000_000,
  /** DynamoDB on-demand, per read request unit ($0.125 per 1M). */
  readUnit: 0.125 / 1_000_000,
  /** CloudWatch Logs ingestion, per byte ($0.50 per GB). */
  logByte: 0.5 / 1024 ** 3,
  /** X-Ray, per trace recorded ($5 per 1M). */
  trace: 5 / 1_000_000,
} as const;

/**
 * The latency model: local calls cross no network, so each call's network time is added to the measured
 * handler time. AppFabric calls go 4 at a time (batchGetConcurrency), DynamoDB requests one after another.
 */
export const LATENCY = {
  appFabricCallMs: 120,
  dynamoRequestMs: 10,
  appFabricConcurrency: 4,
  /** Lambda's START, END and REPORT lines per invocation. */
  platformLogBytes: 300,
  /** The EMF metrics line of a Poll invocation (off locally). */
  metricsLogBytesPerPoll: 700,
} as const;

/** Tasks per execution when a run of many tasks is split (the large-run path's batch size). */
const TASKS_PER_EXECUTION = 5_000;

export interface Usage {
  executions: number;
  transitions: number;
  lambdaRequests: number;
  /** Billed ms, all invocations. */
  lambdaMs: number;
  writeUnits: number;
  readUnits: number;
  logBytes: number;
  traces: number;
}

export interface Priced {
  usage: Usage;
  memoryMb: number;
  parts: {
    stepFunctions: number;
    lambda: number;
    dynamoWrites: number;
    dynamoReads: number;
    logs: number;
    xray: number;
  };
  total: number;
}

export function price(usage: Usage, memoryMb: number): Priced {
  const gbSeconds = (usage.lambdaMs / 1000) * (memoryMb / 1024);
  const parts = {
    stepFunctions: usage.transitions * PRICES.transition,
    lambda: usage.lambdaRequests * PRICES.lambdaRequest + gbSeconds * PRICES.lambdaGbSecond,
    dynamoWrites: usage.writeUnits * PRICES.writeUnit,
    dynamoReads: usage.readUnits * PRICES.readUnit,
    logs: usage.logBytes * PRICES.logByte,
    xray: usage.traces * PRICES.trace,
  };
  return { usage, memoryMb, parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/** Bytes of the run state item per pending task (16 of the ID, 1 of its miss count). */
const STATE_BYTES_PER_PENDING = 17;

/** Capacity units of one metered item, with `factor` times the pending tasks the run state item held. */
function units(item: MeteredItem, factor: number): number {
  const bytes = item.bytes + (item.pending ?? 0) * STATE_BYTES_PER_PENDING * (factor - 1);
  if (item.kind === 'write') return Math.max(1, Math.ceil(bytes / 1024)) * (1 + item.indexes);
  return Math.max(1, Math.ceil(bytes / 4096)) * (item.readWeight ?? 1);
}

/**
 * The usage of `tasks` tasks polled like `run`: in executions of at most {@link TASKS_PER_EXECUTION},
 * each running the measured run's cycles (cycles follow time, not the number of tasks), with calls,
 * task records, their existence checks and the run state item's size growing with the tasks.
 */
export function usageOfRun(run: MeasuredRun, tasks: number): Usage {
  const executions = Math.ceil(tasks / TASKS_PER_EXECUTION);
  const factor = tasks / executions / run.tasks;
  const calls = run.report.cycles.reduce((n, c) => n + c.batchGetCalls, 0) * factor;
  const batched = run.items.filter((i) => i.batched);
  const single = run.items.filter((i) => !i.batched);
  const dynamoRequests = Object.values(run.counter).reduce(
    (n, byCommand) =>
      n +
      Object.entries(byCommand).reduce(
        (m, [command, count]) => m + (command.startsWith('Batch') ? count * factor : count),
        0,
      ),
    0,
  );
  const ioMs =
    (calls / LATENCY.appFabricConcurrency) * LATENCY.appFabricCallMs +
    dynamoRequests * LATENCY.dynamoRequestMs;
  // Handler time grows with the tasks a Poll handles; Start and the rest stay as measured.
  const pollMs = run.pollMs.reduce((n, p) => n + p.ms, 0);
  const otherMs = run.invocationMs.reduce((n, ms) => n + ms, 0) - pollMs;
  const polls = run.report.cycles.length;
  const perExecution: Usage = {
    executions: 1,
    transitions: run.report.transitions,
    lambdaRequests: run.invocationMs.length,
    lambdaMs: pollMs * factor + otherMs + ioMs,
    writeUnits:
      batched.filter((i) => i.kind === 'write').reduce((n, i) => n + units(i, 1), 0) * factor +
      single.filter((i) => i.kind === 'write').reduce((n, i) => n + units(i, factor), 0),
    readUnits:
      batched.filter((i) => i.kind === 'read').reduce((n, i) => n + units(i, 1), 0) * factor +
      single.filter((i) => i.kind === 'read').reduce((n, i) => n + units(i, factor), 0),
    logBytes:
      run.logBytes +
      run.invocationMs.length * LATENCY.platformLogBytes +
      polls * LATENCY.metricsLogBytesPerPoll,
    traces: 1,
  };
  return scale(perExecution, executions);
}

const scale = (u: Usage, k: number): Usage => ({
  executions: u.executions * k,
  transitions: u.transitions * k,
  lambdaRequests: u.lambdaRequests * k,
  lambdaMs: u.lambdaMs * k,
  writeUnits: u.writeUnits * k,
  readUnits: u.readUnits * k,
  logBytes: u.logBytes * k,
  traces: u.traces * k,
});

/** Per-unit figures of a measured run, to price the fast model's runs (which have only counts). */
export interface UnitCosts {
  writeUnitsPerRecord: number;
  readUnitsPerRecord: number;
  /** Run state item bytes with nothing pending. */
  stateBytes: number;
  /** DynamoDB requests of a cycle besides the batches. */
  requestsPerCycle: number;
  handlerMsPerCall: number;
  handlerMsPerCycle: number;
  logBytesPerCycle: number;
}

export function unitCosts(run: MeasuredRun): UnitCosts {
  const records = run.items.filter((i) => i.batched && i.kind === 'write');
  const checks = run.items.filter((i) => i.batched && i.kind === 'read');
  const state = run.items.filter((i) => i.pending !== undefined);
  const cycles = Math.max(1, run.report.cycles.length);
  const calls = run.report.cycles.reduce((n, c) => n + c.batchGetCalls, 0);
  const pollMs = run.pollMs.reduce((n, p) => n + p.ms, 0);
  const floor = median(run.pollMs.filter((p) => p.pending < 10).map((p) => p.ms)) || 0;
  const single = Object.values(run.counter).reduce(
    (n, byCommand) =>
      n + Object.entries(byCommand).reduce((m, [c, k]) => m + (c.startsWith('Batch') ? 0 : k), 0),
    0,
  );
  return {
    writeUnitsPerRecord: records.reduce((n, i) => n + units(i, 1), 0) / Math.max(1, records.length),
    readUnitsPerRecord: checks.reduce((n, i) => n + units(i, 1), 0) / Math.max(1, records.length),
    stateBytes: Math.min(...state.map((i) => i.bytes - (i.pending ?? 0) * STATE_BYTES_PER_PENDING)),
    requestsPerCycle: single / cycles,
    // The fixed cost of a cycle (median with < 10 pending) and the rest spread over the calls.
    handlerMsPerCycle: floor,
    handlerMsPerCall: Math.max(0, pollMs - floor * cycles) / Math.max(1, calls),
    logBytesPerCycle: run.logBytes / cycles + LATENCY.platformLogBytes + LATENCY.metricsLogBytesPerPoll,
  };
}

/** The usage of one fast-model run of `tasks` tasks: its polls, calls and the pending count before each poll. */
export function usageOfModel(
  model: { polls: number; calls: number; transitions: number; pendingBefore: number[] },
  tasks: number,
  u: UnitCosts,
): Usage {
  const stateWrites = model.pendingBefore.reduce(
    (n, p) => n + Math.ceil((u.stateBytes + p * STATE_BYTES_PER_PENDING) / 1024),
    0,
  );
  const stateReads = model.pendingBefore.reduce(
    (n, p) => n + Math.ceil((u.stateBytes + p * STATE_BYTES_PER_PENDING) / 4096),
    0,
  );
  const batches = model.calls + Math.ceil(tasks / Limits.batchWriteMaxItems) * 2;
  const ioMs =
    (model.calls / LATENCY.appFabricConcurrency) * LATENCY.appFabricCallMs +
    (model.polls * u.requestsPerCycle + batches) * LATENCY.dynamoRequestMs;
  return {
    executions: 1,
    transitions: model.transitions,
    lambdaRequests: model.polls + 1,
    lambdaMs: model.calls * u.handlerMsPerCall + model.polls * u.handlerMsPerCycle + ioMs,
    writeUnits: tasks * u.writeUnitsPerRecord + stateWrites,
    readUnits: tasks * u.readUnitsPerRecord + stateReads,
    logBytes: model.polls * u.logBytesPerCycle,
    traces: 1,
  };
}
