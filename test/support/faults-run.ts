/**
 * Shared setup of the fault suites: the LocalPoller they run (the handler's DynamoDB client wrapped so faults
 * can be planned), the task scripts and the checks that every input ID ends with one correct record.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import type { TerminalStatus } from '../../lambda/contract/statuses';
import type { StatusCounts, TaskRecord } from '../../lambda/core/model';
import { StateNames } from '../../lib/poll-workflow';
import type { Outcome, TaskScript } from '../../local/appfabric-standin';
import {
  type ExecutionReport,
  type LocalOptions,
  type LocalPoller,
  type RunOptions,
  startLocalPoller,
} from '../../local/harness';
import { partitionItems } from './dynamo';
import { type DynamoCall, faultyDynamo } from './dynamo-faults';
import { counts } from './run';

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const APPS = [
  { app: 'SLACK', tenantId: 'T0FAULT', tenantDisplayName: 'Fault workspace' },
  { app: 'OKTA', tenantId: 'fault.okta.com' },
];
/** Answers in a row that leave an ID out before it is NOT_FOUND (CDK context of the rendered definition). */
export const NOT_FOUND_AFTER = 3;
/** Per-request timeout of the handler's AppFabric calls. */
// Long enough that a busy CI machine does not time out healthy calls; the slow cases answer in 3x this.
export const REQUEST_TIMEOUT_MS = 1_000;
export const THROTTLED = 'ProvisionedThroughputExceededException';

export let poller: LocalPoller;
let doc: DynamoDBDocumentClient;
export const dynamo = faultyDynamo();

/** One attempt per AppFabric call, so every fault is a state machine retry; DynamoDB calls pass `dynamo`. */
const ONE_ATTEMPT: LocalOptions = {
  context: { notFoundAfterMisses: NOT_FOUND_AFTER },
  seed: 29,
  realWaitMs: 1,
  realRetryMs: 1,
  appFabricMaxAttempts: 1,
  appFabricRequestTimeoutMs: REQUEST_TIMEOUT_MS,
  wrapDocumentClient: dynamo.wrap,
};

/** The SDK's 3 attempts per AppFabric call: retries inside the invocation, then the state machine. */
export const THREE_ATTEMPTS: LocalOptions = {
  context: { notFoundAfterMisses: NOT_FOUND_AFTER },
  seed: 31,
  realWaitMs: 1,
  realRetryMs: 1,
  appFabricMaxAttempts: 3,
};

/**
 * Starts one LocalPoller for the suite (every test has its own tasks and run ID); after each test clears the
 * stand-in's faults and calls and the planned DynamoDB faults.
 */
export function useFaultsPoller(options: LocalOptions = ONE_ATTEMPT): void {
  beforeAll(async () => {
    poller = await startLocalPoller(options);
    poller.appFabric.addBundle(BUNDLE_ARN, APPS);
    doc = createDocumentClient({
      endpoint: poller.dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAULTS', secretAccessKey: 'faults-secret' },
    });
  });

  afterAll(async () => {
    doc?.destroy();
    await poller?.close();
  });

  afterEach(() => {
    const planErrors = [...dynamo.planErrors];
    poller.appFabric.clearFaults();
    poller.appFabric.resetCalls();
    dynamo.reset();
    jest.restoreAllMocks();
    // A plan that threw is a broken test, not a DynamoDB fault.
    expect(planErrors).toEqual([]);
  });
}

/** A task of the input and what its one record must say. */
export interface Planned {
  id: string;
  expect: TerminalStatus;
  /** The address the stand-in answers for it (COMPLETED records carry it). */
  email?: string;
}

let taskCount = 0;
let runCount = 0;
export const nextRunId = (label: string) => `faults-${label}-${++runCount}`;

/** Adds `n` tasks to the stand-in, the i-th scripted by `script(i)`. */
export function addTasks(n: number, script: (i: number) => TaskScript = () => ({})): Planned[] {
  return Array.from({ length: n }, (_, i) => {
    const s = script(i);
    const email = `person.${++taskCount}@example.com`;
    const id = poller.appFabric.addTask(BUNDLE_ARN, { email, ...s });
    const status: TerminalStatus = s.missing === true ? 'NOT_FOUND' : (s.outcome ?? 'COMPLETED');
    return { id, expect: status, email };
  });
}

/** A mix of outcomes and of IN_PROGRESS answers before them (0 to `slowest`). */
export const mixed =
  (slowest = 2) =>
  (i: number): TaskScript => {
    const outcome: Outcome = i % 7 === 3 ? 'FAILED' : i % 11 === 5 ? 'EXPIRED' : 'COMPLETED';
    return { outcome, inProgressPolls: i % (slowest + 1) };
  };

/** IDs AppFabric never heard of: left out of every answer, so NOT_FOUND. */
export const unknownIds = (n: number): Planned[] =>
  Array.from({ length: n }, () => ({ id: randomUUID(), expect: 'NOT_FOUND' as const }));

export const execute = (planned: readonly Planned[], runId: string, options: RunOptions = {}) =>
  poller.execute(
    { appBundleIdentifier: BUNDLE_ARN, taskIdList: planned.map((p) => p.id) },
    { runId, ...options },
  );

/** Counts a run with these planned outcomes must end with. */
function countsOf(planned: readonly Planned[]): StatusCounts {
  const c = counts({ total: planned.length });
  for (const p of planned) c[p.expect] += 1;
  return c;
}

/** A beforeInvoke that calls `fn` with the number of each Poll invocation (attempts included), from 1. */
export function onPollInvocation(fn: (invocation: number) => void): NonNullable<RunOptions['beforeInvoke']> {
  let invocation = 0;
  return (stateName) => {
    if (stateName === StateNames.Poll) fn(++invocation);
  };
}

export const batchGets = () =>
  poller.appFabric.calls.filter((c) => c.operation === 'BatchGetUserAccessTasks');

// ---- checks --------------------------------------------------------------------------------------------

export function expectSucceeded(report: ExecutionReport): void {
  expect({ status: report.status, error: report.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
}

/** Checks one record's content against the stand-in's script. */
function expectRecordMatches(record: TaskRecord, planned: Planned, runId: string): void {
  expect({ taskId: record.taskId, resultStatus: record.resultStatus, runId: record.runId }).toEqual({
    taskId: planned.id,
    resultStatus: planned.expect,
    runId,
  });
  expect(record.appBundleIdentifier).toBe(BUNDLE_ARN);
  switch (planned.expect) {
    case 'COMPLETED':
      expect(record).toMatchObject({ email: planned.email, app: 'SLACK', userStatus: 'ACTIVE' });
      break;
    case 'FAILED':
      expect(record).toMatchObject({ app: 'SLACK', taskError: { errorCode: 'USER_NOT_FOUND' } });
      expect(record.email).toBeUndefined();
      break;
    case 'EXPIRED':
      expect(record).toMatchObject({ app: 'SLACK' });
      expect(record.email).toBeUndefined();
      break;
    default:
      // NOT_FOUND / TIMED_OUT: made from the ID alone.
      expect(record.app).toBeUndefined();
      expect(record.email).toBeUndefined();
  }
}

/**
 * Every planned ID has exactly one record in the run (and in the whole table: no copy under another run),
 * each matching its script; the run's partition holds nothing else but the run record and the state.
 */
export async function expectOneCorrectRecordEach(
  runId: string,
  planned: readonly Planned[],
): Promise<TaskRecord[]> {
  const records = await poller.reader.byRun(runId);
  expect(records.map((r) => r.taskId).sort()).toEqual(planned.map((p) => p.id).sort());
  const byId = new Map(planned.map((p) => [p.id, p]));
  for (const record of records) expectRecordMatches(record, byId.get(record.taskId)!, runId);
  const perTask = await Promise.all(planned.map((p) => poller.reader.byTask(p.id)));
  expect(perTask.map((r) => r.length)).toEqual(planned.map(() => 1));
  const items = await partitionItems(doc, poller.tableName, runId);
  expect(items.map((i) => String(i.sk)).filter((sk) => !sk.startsWith('TASK#'))).toEqual(['RUN', 'STATE']);
  return records;
}

export async function expectRunRecord(runId: string, planned: readonly Planned[]): Promise<void> {
  const run = await poller.reader.getRun(runId);
  expect(run).toMatchObject({ runId, outcome: 'SUCCEEDED', counts: countsOf(planned) });
}

/** The raw items of the run's task records, by sort key. */
export async function taskItems(runId: string): Promise<Map<string, Record<string, unknown>>> {
  const items = await partitionItems(doc, poller.tableName, runId);
  return new Map(items.filter((i) => String(i.sk).startsWith('TASK#')).map((i) => [String(i.sk), i]));
}

/** The items a BatchWriteItem call carried. */
export const batchWriteItems = (call: DynamoCall): Record<string, unknown>[] =>
  Object.values(
    call.input.RequestItems as Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>,
  )
    .flat()
    .map((r) => r.PutRequest.Item);

// ---- AppFabric faults ----------------------------------------------------------------------------------
