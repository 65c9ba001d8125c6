/**
 * Faults through the real state machine: the definition rendered from the CDK code, run by
 * aws-local-stepfunctions with the real handler against the AppFabric stand-in and dynalite (local/harness).
 *
 * Each case scripts what AppFabric answers for every task, injects faults into AppFabric (throttling, 500s,
 * slow, malformed and truncated answers, IDs left out or never asked for) or into the handler's DynamoDB
 * client (unprocessed items, throttling, a Lambda dying mid-cycle), then checks that every input ID ends
 * with exactly one record whose status and fields match the script, and that the execution ends as it
 * should: SUCCEEDED, or FAILED with the right error name (and, re-driven, SUCCEEDED).
 *
 * One LocalPoller for the file (and one more for the cases with the SDK's 3 attempts per call, side by side:
 * the harness passes its environment to the runtime); every test has its own tasks and run ID.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import type { TerminalStatus } from '../../lambda/contract/statuses';
import { ErrorNames } from '../../lambda/contract/workflow';
import type { StatusCounts, TaskRecord } from '../../lambda/core/model';
import { StateNames } from '../../lib/poll-workflow';
import type { Outcome, TaskScript } from '../../local/appfabric-standin';
import {
  type ExecutionReport,
  type LocalPoller,
  type RunOptions,
  startLocalPoller,
} from '../../local/harness';
import { partitionItems } from '../support/dynamo';
import { type DynamoCall, faultyDynamo } from '../support/dynamo-faults';

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b';
const APPS = [
  { app: 'SLACK', tenantId: 'T0FAULT', tenantDisplayName: 'Fault workspace' },
  { app: 'OKTA', tenantId: 'fault.okta.com' },
];
/** Answers in a row that leave an ID out before it is NOT_FOUND (CDK context of the rendered definition). */
const NOT_FOUND_AFTER = 3;
/** Per-request timeout of the handler's AppFabric calls. */
// Long enough that a busy CI machine does not time out healthy calls; the slow cases answer in 3x this.
const REQUEST_TIMEOUT_MS = 1_000;
const THROTTLED = 'ProvisionedThroughputExceededException';

let poller: LocalPoller;
let doc: DynamoDBDocumentClient;
const dynamo = faultyDynamo();

beforeAll(async () => {
  poller = await startLocalPoller({
    context: { notFoundAfterMisses: NOT_FOUND_AFTER },
    seed: 29,
    realWaitMs: 1,
    realRetryMs: 1,
    appFabricMaxAttempts: 1,
    appFabricRequestTimeoutMs: REQUEST_TIMEOUT_MS,
    wrapDocumentClient: dynamo.wrap,
  });
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

// ---- scripting -----------------------------------------------------------------------------------------

/** A task of the input and what its one record must say. */
interface Planned {
  id: string;
  expect: TerminalStatus;
  /** The address the stand-in answers for it (COMPLETED records carry it). */
  email?: string;
}

let taskCount = 0;
let runCount = 0;
const nextRunId = (label: string) => `faults-${label}-${++runCount}`;

/** Adds `n` tasks to the stand-in, the i-th scripted by `script(i)`. */
function addTasks(n: number, script: (i: number) => TaskScript = () => ({})): Planned[] {
  return Array.from({ length: n }, (_, i) => {
    const s = script(i);
    const email = `person.${++taskCount}@example.com`;
    const id = poller.appFabric.addTask(BUNDLE_ARN, { email, ...s });
    const status: TerminalStatus = s.missing === true ? 'NOT_FOUND' : (s.outcome ?? 'COMPLETED');
    return { id, expect: status, email };
  });
}

/** A mix of outcomes and of IN_PROGRESS answers before them (0 to `slowest`). */
const mixed =
  (slowest = 2) =>
  (i: number): TaskScript => {
    const outcome: Outcome = i % 7 === 3 ? 'FAILED' : i % 11 === 5 ? 'EXPIRED' : 'COMPLETED';
    return { outcome, inProgressPolls: i % (slowest + 1) };
  };

/** IDs AppFabric never heard of: left out of every answer, so NOT_FOUND. */
const unknownIds = (n: number): Planned[] =>
  Array.from({ length: n }, () => ({ id: randomUUID(), expect: 'NOT_FOUND' as const }));

const execute = (planned: readonly Planned[], runId: string, options: RunOptions = {}) =>
  poller.execute(
    { appBundleIdentifier: BUNDLE_ARN, taskIdList: planned.map((p) => p.id) },
    { runId, ...options },
  );

/** Counts a run with these planned outcomes must end with. */
function countsOf(planned: readonly Planned[]): StatusCounts {
  const counts: StatusCounts = {
    total: planned.length,
    pending: 0,
    COMPLETED: 0,
    FAILED: 0,
    EXPIRED: 0,
    NOT_FOUND: 0,
    TIMED_OUT: 0,
  };
  for (const p of planned) counts[p.expect] += 1;
  return counts;
}

/** A beforeInvoke that calls `fn` with the number of each Poll invocation (attempts included), from 1. */
function onPollInvocation(fn: (invocation: number) => void): NonNullable<RunOptions['beforeInvoke']> {
  let invocation = 0;
  return (stateName) => {
    if (stateName === StateNames.Poll) fn(++invocation);
  };
}

const batchGets = () => poller.appFabric.calls.filter((c) => c.operation === 'BatchGetUserAccessTasks');

// ---- checks --------------------------------------------------------------------------------------------

function expectSucceeded(report: ExecutionReport): void {
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
async function expectOneCorrectRecordEach(runId: string, planned: readonly Planned[]): Promise<TaskRecord[]> {
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

async function expectRunRecord(runId: string, planned: readonly Planned[]): Promise<void> {
  const run = await poller.reader.getRun(runId);
  expect(run).toMatchObject({ runId, outcome: 'SUCCEEDED', counts: countsOf(planned) });
}

/** The raw items of the run's task records, by sort key. */
async function taskItems(runId: string): Promise<Map<string, Record<string, unknown>>> {
  const items = await partitionItems(doc, poller.tableName, runId);
  return new Map(items.filter((i) => String(i.sk).startsWith('TASK#')).map((i) => [String(i.sk), i]));
}

/** The items a BatchWriteItem call carried. */
const batchWriteItems = (call: DynamoCall): Record<string, unknown>[] =>
  Object.values(
    call.input.RequestItems as Record<string, { PutRequest: { Item: Record<string, unknown> } }[]>,
  )
    .flat()
    .map((r) => r.PutRequest.Item);

// ---- AppFabric faults ----------------------------------------------------------------------------------

describe('AppFabric faults', () => {
  describe('one attempt per call (appFabricMaxAttempts 1): every fault is a state machine retry', () => {
    it('a throttle storm (every call 429 for several cycles) is waited out: SUCCEEDED, one correct record per ID', async () => {
      // Prepare: 60 tasks (two BatchGet chunks, then one); the first 10 calls are throttled (5 attempts),
      // then the next 5 after cycles 1 and 2 (5 attempts each).
      const planned = addTasks(60, mixed(3));
      const runId = nextRunId('throttle');
      poller.appFabric.setFaults({ throttleNext: 10, throttleRetryAfterSeconds: 2 });

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.cycle <= 2) poller.appFabric.setFaults({ throttleNext: 5 });
        },
      });

      // Assess
      expectSucceeded(report);
      expect(batchGets().filter((c) => c.status === 429)).toHaveLength(20);
      expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(15);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('500 bursts are retried: SUCCEEDED, one correct record per ID', async () => {
      // Prepare: 55 tasks (two chunks, then one); 8 calls answer 500 at the start (4 attempts), 4 more after
      // cycles 1 and 2.
      const planned = addTasks(55, mixed(2));
      const runId = nextRunId('500');
      poller.appFabric.setFaults({ serverErrorNext: 8, serverErrorRetryAfterSeconds: 5 });

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.cycle <= 2) poller.appFabric.setFaults({ serverErrorNext: 4 });
        },
      });

      // Assess
      expectSucceeded(report);
      expect(batchGets().filter((c) => c.status === 500)).toHaveLength(16);
      expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(12);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('answers slower than the client timeout, then normal ones: SUCCEEDED, one correct record per ID', async () => {
      // Prepare: the first two Poll invocations meet answers 3x slower than the request timeout.
      jest.spyOn(console, 'warn').mockImplementation(() => {});
      const planned = addTasks(20, mixed(1));
      const runId = nextRunId('slow');
      poller.appFabric.setFaults({ latencyMs: REQUEST_TIMEOUT_MS * 3 });

      // Act
      const report = await execute(planned, runId, {
        beforeInvoke: onPollInvocation((n) => {
          if (n === 3) poller.appFabric.setFaults({ latencyMs: 0 });
        }),
      });

      // Assess
      expectSucceeded(report);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    // @smithy/node-http-handler only logs a warning at requestTimeout unless throwOnRequestTimeout is set
    // (lambda/runtime.ts sets it): without it a hung call would run into the Lambda's own timeout.
    it('a slow answer is cut off at the request timeout and retried as AppFabricUnavailableError', async () => {
      // Prepare
      jest.spyOn(console, 'warn').mockImplementation(() => {});
      const planned = addTasks(5);
      const runId = nextRunId('slow-cut');
      poller.appFabric.setFaults({ latencyMs: REQUEST_TIMEOUT_MS * 3 });
      const attemptMs: number[] = [];
      let started = 0;

      // Act
      const report = await execute(planned, runId, {
        beforeInvoke: onPollInvocation((n) => {
          if (n > 1) attemptMs.push(Date.now() - started);
          started = Date.now();
          if (n === 3) poller.appFabric.setFaults({ latencyMs: 0 });
        }),
      });

      // Assess: the two slow attempts failed (retried) and each gave up near the timeout, not at the latency.
      expectSucceeded(report);
      expect(report.retries[StateNames.Poll]).toBe(2);
      expect(Math.max(...attemptMs.slice(0, 2))).toBeLessThan(REQUEST_TIMEOUT_MS * 2);
      await expectOneCorrectRecordEach(runId, planned);
    });

    it('malformed and truncated bodies are retried (AppFabricInvalidResponseError): SUCCEEDED, one correct record per ID', async () => {
      // Prepare: 3 malformed and 3 truncated answers at the start, one of each again after cycle 1. The
      // stand-in counts a poll even when it garbles the answer, so tasks answer IN_PROGRESS 4 to 6 times.
      const planned = addTasks(60, (i) => ({ ...mixed(2)(i), inProgressPolls: 4 + (i % 3) }));
      const runId = nextRunId('garbled');
      poller.appFabric.setFaults({ malformedNext: 3, truncatedNext: 3 });

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.cycle === 1) poller.appFabric.setFaults({ malformedNext: 1, truncatedNext: 1 });
        },
      });

      // Assess
      expectSucceeded(report);
      const faults = batchGets().map((c) => c.fault);
      expect(faults.filter((f) => f === 'malformed')).toHaveLength(4);
      expect(faults.filter((f) => f === 'truncated')).toHaveLength(4);
      expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(4);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it(`IDs left out of answers are NOT_FOUND after ${NOT_FOUND_AFTER} misses; IDs nobody asked for are ignored`, async () => {
      // Prepare: always left out, left out twice then COMPLETED, unknown to AppFabric, ordinary; and every
      // answer carries 4 COMPLETED results for IDs that are not in the run.
      const planned = [
        ...addTasks(8, () => ({ missing: true })),
        ...addTasks(8, (i) => ({ missing: 2, inProgressPolls: i % 2 })),
        ...unknownIds(4),
        ...addTasks(20, mixed(1)),
      ];
      const runId = nextRunId('missing');
      poller.appFabric.setFaults({ extraResults: 4 });
      const notFoundAt: number[] = [];

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.state.counts.NOT_FOUND > 0) notFoundAt.push(c.cycle);
        },
      });

      // Assess: the 12 missing IDs are NOT_FOUND exactly at cycle NOT_FOUND_AFTER, and nothing else is recorded.
      expectSucceeded(report);
      expect(notFoundAt[0]).toBe(NOT_FOUND_AFTER);
      expect(report.cycles.find((c) => c.cycle === NOT_FOUND_AFTER)?.state.counts.NOT_FOUND).toBe(12);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });
  });

  describe('three attempts per call: the SDK retries inside the invocation, then the state machine', () => {
    // Its own LocalPoller, in the same process as the file's: the harness no longer shares process.env.
    let outer: { poller: LocalPoller; doc: DynamoDBDocumentClient };

    beforeAll(async () => {
      outer = { poller, doc };
      poller = await startLocalPoller({
        context: { notFoundAfterMisses: NOT_FOUND_AFTER },
        seed: 31,
        realWaitMs: 1,
        realRetryMs: 1,
        appFabricMaxAttempts: 3,
      });
      poller.appFabric.addBundle(BUNDLE_ARN, APPS);
      doc = createDocumentClient({
        endpoint: poller.dynamo.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIDFAULTS', secretAccessKey: 'faults-secret' },
      });
    });

    afterAll(async () => {
      doc.destroy();
      await poller.close();
      ({ poller, doc } = outer);
    });

    const statuses = () => batchGets().map((c) => c.status);

    it('every 2nd answer 429 (Retry-After 1) is retried by the client: no state machine retry, every record', async () => {
      // Prepare: 60 tasks, two chunks then one.
      const planned = addTasks(60, mixed(1));
      const runId = nextRunId('throttle-every');
      poller.appFabric.setFaults({ throttleEvery: 2, throttleRetryAfterSeconds: 1 });

      // Act
      const report = await execute(planned, runId);

      // Assess: every 429 is followed by a success, within the same invocation.
      expectSucceeded(report);
      expect(report.retries).toEqual({});
      const seen = statuses();
      expect(seen.filter((s) => s === 429).length).toBeGreaterThan(0);
      seen.forEach((s, i) => {
        if (s === 429) expect(seen[i + 1]).toBe(200);
      });
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('a throttling storm that outlasts the client attempts is retried by the state machine', async () => {
      // Prepare: one chunk (40 IDs); 6 throttles fail two Poll attempts of 3 calls each.
      const planned = addTasks(40, mixed(2));
      const runId = nextRunId('throttle-storm');
      poller.appFabric.setFaults({ throttleNext: 6, throttleRetryAfterSeconds: 0 });

      // Act
      const report = await execute(planned, runId);

      // Assess
      expectSucceeded(report);
      expect(report.retries).toEqual({ [StateNames.Poll]: 2 });
      expect(statuses().slice(0, 7)).toEqual([429, 429, 429, 429, 429, 429, 200]);
      expect(
        statuses()
          .slice(6)
          .every((s) => s === 200),
      ).toBe(true);
      await expectOneCorrectRecordEach(runId, planned);
    });

    it('a burst of 500s is retried inside the client and in the state machine, and loses nothing', async () => {
      // Prepare: 4 answers of 500 from the second cycle on: 3 fail one Poll attempt, the 4th is retried by the client.
      const planned = addTasks(45, mixed(2));
      const runId = nextRunId('500-layers');
      let armed = false;

      // Act
      const report = await execute(planned, runId, {
        onCycle: () => {
          if (!armed) poller.appFabric.setFaults({ serverErrorNext: 4 });
          armed = true;
        },
      });

      // Assess
      expectSucceeded(report);
      expect(report.retries).toEqual({ [StateNames.Poll]: 1 });
      const first500 = statuses().indexOf(500);
      expect(first500).toBeGreaterThan(0);
      expect(statuses().slice(first500, first500 + 5)).toEqual([500, 500, 500, 500, 200]);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('a retried Poll does not move the virtual clock a second wait', async () => {
      // Prepare: from the second cycle on, 3 answers of 500 fail one Poll attempt (3 client attempts).
      const planned = addTasks(45, mixed(2));
      const runId = nextRunId('500-clock');
      let armed = false;

      // Act
      const report = await execute(planned, runId, {
        onCycle: () => {
          if (!armed) poller.appFabric.setFaults({ serverErrorNext: 3 });
          armed = true;
        },
      });

      // Assess: each cycle starts one wait (plus real milliseconds) after the previous one.
      expect(report.retries).toEqual({ [StateNames.Poll]: 1 });
      for (let i = 1; i < report.cycles.length; i++) {
        const gap = report.cycles[i].atSeconds - report.cycles[i - 1].atSeconds;
        expect(gap).toBeLessThan(report.cycles[i - 1].state.waitSeconds + 5);
      }
    });
  });
});

// ---- DynamoDB faults -----------------------------------------------------------------------------------

describe('DynamoDB faults', () => {
  it('UnprocessedItems and UnprocessedKeys are resent within the invocation: SUCCEEDED, nothing lost', async () => {
    // Prepare: 60 records at the first cycle (3 BatchWriteItem batches); the first 5 writes keep a third of
    // their items, the first 2 reads of stored statuses half their keys.
    const planned = addTasks(60, (i) => ({ outcome: i % 4 === 0 ? 'FAILED' : 'COMPLETED' }));
    const runId = nextRunId('unprocessed');
    let writes = 0;
    let reads = 0;
    dynamo.plan = (call) => {
      if (call.operation === 'BatchWrite' && ++writes <= 5) return { keep: Math.floor(call.size! / 3) };
      if (call.operation === 'BatchGet' && ++reads <= 2) return { keep: Math.floor(call.size! / 2) };
      return undefined;
    };

    // Act
    const report = await execute(planned, runId);

    // Assess: the store absorbed it; the state machine did not need to retry.
    expectSucceeded(report);
    expect(dynamo.injected.map((f) => f.call.operation).sort()).toEqual([
      'BatchGet',
      'BatchGet',
      'BatchWrite',
      'BatchWrite',
      'BatchWrite',
      'BatchWrite',
      'BatchWrite',
    ]);
    expect(report.retries[StateNames.Poll] ?? 0).toBe(0);
    await expectOneCorrectRecordEach(runId, planned);
    await expectRunRecord(runId, planned);
  });

  it('throttling on every kind of call is retried by the state machine: SUCCEEDED, nothing lost', async () => {
    // Prepare: throttle, once each, the first run-record write (Start), the 2nd state read (twice more later,
    // in a row), the 2nd state save, the 2nd stored-status read and the 2nd BatchWriteItem. The reads and
    // writes of the run record at the end are left alone (see the failing tests below).
    const planned = addTasks(45, mixed(2));
    const runId = nextRunId('ddb-throttle');
    const faulted: Record<string, number[]> = {
      'Put RUN': [1],
      'Get STATE': [2, 6, 7],
      'Put STATE': [2],
      'BatchGet ': [2],
      'BatchWrite ': [2],
    };
    const seen = new Map<string, number>();
    dynamo.plan = (call) => {
      const kind = `${call.operation} ${call.sk ?? ''}`;
      const finishing = kind === 'Put RUN' && (call.input.Item as { outcome?: string }).outcome !== 'RUNNING';
      if (finishing || kind === 'Get RUN') return undefined;
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      return faulted[kind]?.includes(n) ? { throw: THROTTLED } : undefined;
    };

    // Act
    const report = await execute(planned, runId);

    // Assess
    expectSucceeded(report);
    const kinds = dynamo.injected.map((f) => `${f.call.operation} ${f.call.sk ?? ''}`);
    expect(kinds.sort()).toEqual(
      Object.entries(faulted)
        .flatMap(([kind, at]) => at.map(() => kind))
        .sort(),
    );
    expect(report.retries[StateNames.Start]).toBe(2);
    expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(4);
    await expectOneCorrectRecordEach(runId, planned);
    await expectRunRecord(runId, planned);
  });

  describe('the Lambda fails after writing some records: the cycle runs again, records unchanged, none twice', () => {
    type Crash = 'second batch write throws' | 'state save throws' | 'state save stored, answer lost';
    it.each<Crash>(['second batch write throws', 'state save throws', 'state save stored, answer lost'])(
      '%s',
      async (crash) => {
        // Prepare: 60 tasks, half finishing at the first poll (2 BatchWriteItem batches), half at the second.
        const planned = addTasks(60, (i) => ({
          inProgressPolls: i % 2,
          outcome: i % 5 === 0 ? 'EXPIRED' : 'COMPLETED',
        }));
        const runId = nextRunId('crash');
        let pollInvocation = 0;
        let crashed = false;
        const writtenFirst: Record<string, unknown>[] = [];
        dynamo.plan = (call) => {
          if (pollInvocation !== 1) return undefined;
          if (call.operation === 'BatchWrite') {
            if (crash === 'second batch write throws' && writtenFirst.length > 0) {
              crashed = true;
              return { throw: 'InternalServerError' };
            }
            writtenFirst.push(...batchWriteItems(call));
            return undefined;
          }
          if (call.operation === 'Put' && call.sk === 'STATE' && !crashed) {
            crashed = true;
            if (crash === 'state save throws') return { throw: 'InternalServerError' };
            if (crash === 'state save stored, answer lost') return { throwAfter: 'InternalServerError' };
          }
          return undefined;
        };

        // Act
        const report = await execute(planned, runId, {
          beforeInvoke: (stateName) => {
            if (stateName === StateNames.Poll) pollInvocation += 1;
          },
        });

        // Assess: one retry of the first cycle; what it wrote first is stored exactly as it was written.
        expectSucceeded(report);
        expect(crashed).toBe(true);
        expect(report.retries[StateNames.Poll]).toBe(1);
        expect(writtenFirst.length).toBeGreaterThanOrEqual(25);
        const stored = await taskItems(runId);
        for (const item of writtenFirst) expect(stored.get(String(item.sk))).toEqual(item);
        await expectOneCorrectRecordEach(runId, planned);
        await expectRunRecord(runId, planned);
      },
    );
  });

  // A repeat of the last cycle (its answer or run-record write lost) still finishes the run record.
  describe('the final run-record update is lost (run record stays RUNNING)', () => {
    it('the Lambda dies right after saving the final state: the run record still ends SUCCEEDED', async () => {
      // Prepare
      const planned = addTasks(6, (i) => ({ inProgressPolls: i % 2 }));
      const runId = nextRunId('final-save-lost');
      let injected = false;
      dynamo.plan = (call) => {
        if (call.operation !== 'Put' || call.sk !== 'STATE' || injected) return undefined;
        if ((call.input.Item as { status?: string }).status !== 'DONE') return undefined;
        injected = true;
        return { throwAfter: 'InternalServerError' };
      };

      // Act
      const report = await execute(planned, runId);

      // Assess
      expectSucceeded(report);
      expect(injected).toBe(true);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('the final run-record write is throttled once: the run record still ends SUCCEEDED', async () => {
      // Prepare
      const planned = addTasks(6, (i) => ({ inProgressPolls: i % 2 }));
      const runId = nextRunId('final-run-put-throttled');
      let injected = false;
      dynamo.plan = (call) => {
        if (call.operation !== 'Put' || call.sk !== 'RUN' || injected) return undefined;
        if ((call.input.Item as { outcome?: string }).outcome !== 'SUCCEEDED') return undefined;
        injected = true;
        return { throw: THROTTLED };
      };

      // Act
      const report = await execute(planned, runId);

      // Assess
      expectSucceeded(report);
      expect(injected).toBe(true);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });
  });
});

// ---- re-drive ------------------------------------------------------------------------------------------

describe('an execution re-driven after a failure', () => {
  type Failure = { label: string; error: string; inject: () => void };
  const failures: Failure[] = [
    {
      label: 'a fatal error (access denied) in the middle of the run',
      error: ErrorNames.AppFabricAccessDenied,
      inject: () => poller.appFabric.setFaults({ accessDenied: true }),
    },
    {
      label: 'a throttle storm that outlasts the retries',
      error: ErrorNames.AppFabricThrottled,
      inject: () => poller.appFabric.setFaults({ throttleNext: 1000 }),
    },
  ];

  /** Runs until cycle 1 is done, then injects the fault: the run fails; then runs the same run ID again. */
  async function failThenRedrive(failure: Failure) {
    const planned = [...addTasks(50, mixed(3)), ...addTasks(4, () => ({ missing: true })), ...unknownIds(2)];
    const runId = nextRunId('redrive');
    const first = await execute(planned, runId, {
      onCycle: (c) => {
        if (c.cycle === 1) failure.inject();
      },
    });
    const afterFailure = { run: await poller.reader.getRun(runId), items: await taskItems(runId) };
    poller.appFabric.clearFaults();
    const second = await execute(planned, runId);
    return { planned, runId, first, second, afterFailure };
  }

  it.each(failures)(
    '$label: FAILED with the error, then SUCCEEDED with every ID recorded once',
    async (failure) => {
      // Prepare + Act
      const { planned, runId, first, second, afterFailure } = await failThenRedrive(failure);

      // Assess: the failed execution and what it left.
      expect(first.status).toBe('FAILED');
      expect(first.error?.Error).toBe(failure.error);
      expect(afterFailure.run).toMatchObject({ outcome: 'FAILED', errorName: failure.error });
      expect(afterFailure.items.size).toBeGreaterThan(0);
      expect(afterFailure.items.size).toBeLessThan(planned.length);
      // The re-driven one: picks up at the stored cycle, records every ID once, keeps the earlier records.
      expectSucceeded(second);
      expect(second.cycles[0]?.cycle).toBeGreaterThan(1);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
      const stored = await taskItems(runId);
      for (const [sk, item] of afterFailure.items) expect(stored.get(sk)).toEqual(item);
    },
  );

  // A re-driven run that succeeds drops the error of its failed attempt.
  it('a re-driven run that succeeds no longer carries the earlier error on its run record', async () => {
    // Prepare + Act
    const { runId, second } = await failThenRedrive(failures[0]!);

    // Assess
    expectSucceeded(second);
    const run = await poller.reader.getRun(runId);
    expect(run?.outcome).toBe('SUCCEEDED');
    expect({ errorName: run?.errorName, errorCause: run?.errorCause }).toEqual({
      errorName: undefined,
      errorCause: undefined,
    });
  });
});
