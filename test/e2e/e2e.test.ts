/**
 * Local end-to-end runs: the state machine definition rendered from the CDK code, run by
 * aws-local-stepfunctions with the real handler, against the AppFabric stand-in and dynalite over HTTP
 * (`startLocalPoller`). Nothing is mocked: faults come from the stand-in (`setFaults`) and the harness's
 * hooks, and every expectation is derived from the stand-in's task scripts.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Limits } from '../../lambda/contract/limits';
import { Keys, TableSchema } from '../../lambda/contract/table';
import { ErrorNames } from '../../lambda/contract/workflow';
import type { TaskRecord } from '../../lambda/core/model';
import { StateNames } from '../../lib/poll-workflow';
import type { BundleApp, RecordedCall, TaskScript } from '../../local/appfabric-standin';
import { matchesEventPattern } from '../../local/event-pattern';
import { type ExecutionReport, type LocalPoller, startLocalPoller } from '../../local/harness';
import { addTasks, DEMO_APPS, DEMO_BUNDLE_ARN, seededRandom } from '../../local/scenarios';
import { partitionItems } from '../support/dynamo';
import {
  countsOf,
  type ExpectedRecord,
  eventOf,
  expectedRecords,
  NEVER,
  rawClient,
} from '../support/local-e2e';
import { sorted } from '../support/run';

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/3e1f0c2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const APPS: BundleApp[] = [
  { app: 'SLACK', tenantId: 'T0E2E', tenantDisplayName: 'E2E workspace' },
  { app: 'OKTA', tenantId: 'e2e.okta.com', tenantDisplayName: 'E2E Okta' },
  { app: 'ZOOM', tenantId: 'ZM-E2E' },
];
const STATE_LIMIT_BYTES = 256 * 1024;

let poller: LocalPoller;
let doc: DynamoDBDocumentClient;

const appOf = (i: number) => APPS[i % APPS.length];

/** Adds the scripted tasks to the bundle; returns their IDs in order. */
const addAll = (scripts: TaskScript[], bundle = BUNDLE_ARN): string[] =>
  scripts.map((s) => poller.appFabric.addTask(bundle, s));

/** A COMPLETED task whose answer carries every user field. */
const completed = (i: number, inProgressPolls = i % 4): TaskScript => ({
  ...appOf(i),
  email: `person.${i}@example.com`,
  outcome: 'COMPLETED',
  inProgressPolls,
  user: {
    userId: `UID-${i}`,
    userFullName: `Person Number${i}`,
    userFirstName: 'Person',
    userLastName: `Number${i}`,
    userStatus: i % 2 === 0 ? 'ACTIVE' : 'SUSPENDED',
  },
});

/**
 * 120 tasks, by index modulo 10: 0-4 COMPLETED after 0-3 IN_PROGRESS answers, 5-6 FAILED with a task error,
 * 7 EXPIRED, 8 never in an answer (NOT_FOUND), 9 left out of the first two answers and then COMPLETED.
 */
const mixedScripts = (count: number): TaskScript[] =>
  Array.from({ length: count }, (_, i): TaskScript => {
    switch (i % 10) {
      case 5:
      case 6:
        return {
          ...appOf(i),
          email: `failed.${i}@example.com`,
          outcome: 'FAILED',
          inProgressPolls: i % 3,
          taskError: { errorCode: i % 2 ? 'USER_NOT_FOUND' : 'APP_ERROR', errorMessage: `task ${i} failed` },
        };
      case 7:
        return { ...appOf(i), email: `expired.${i}@example.com`, outcome: 'EXPIRED', inProgressPolls: 1 };
      case 8:
        return { ...appOf(i), email: `missing.${i}@example.com`, missing: true };
      case 9:
        return { ...completed(i, 0), missing: 2 };
      default:
        return completed(i);
    }
  });

/** The run's task records keyed by task ID; fails if a task has two. */
async function recordsOf(runId: string): Promise<Map<string, TaskRecord>> {
  const records = await poller.reader.byRun(runId);
  const byId = new Map(records.map((r) => [r.taskId, r]));
  expect(byId.size).toBe(records.length);
  return byId;
}

/** Each record is the one the stand-in's script of its task calls for, every field compared. */
function expectRecordsMatch(
  records: Map<string, TaskRecord>,
  expected: Map<string, ExpectedRecord>,
  runId: string,
  bundle = BUNDLE_ARN,
) {
  for (const [taskId, record] of records) {
    expect(expected.has(taskId)).toBe(true);
    expect(record).toEqual({
      ...expected.get(taskId),
      runId,
      appBundleIdentifier: bundle,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      expiresAt: expect.any(Number),
    });
  }
}

describe('with the default settings', () => {
  beforeAll(async () => {
    poller = await startLocalPoller({ seed: 3 });
    poller.appFabric.addBundle(BUNDLE_ARN, APPS);
    doc = rawClient(poller);
  });

  afterAll(async () => {
    doc?.destroy();
    await poller?.close();
  });

  afterEach(() => {
    poller.appFabric.clearFaults();
    poller.appFabric.resetCalls();
  });

  describe('120 tasks with mixed outcomes', () => {
    let ids: string[];
    let expected: Map<string, ExpectedRecord>;
    let report: ExecutionReport;
    let calls: RecordedCall[];

    beforeAll(async () => {
      // Prepare: the input also names one task twice, once in upper case.
      ids = addAll(mixedScripts(120));
      expected = expectedRecords(poller, ids);
      const input = { appBundleIdentifier: BUNDLE_ARN, taskIdList: [...ids, ids[0].toUpperCase()] };

      poller.appFabric.resetCalls();

      // Act
      report = await poller.execute(input, { runId: `mixed-${randomUUID()}` });
      calls = [...poller.appFabric.calls];
    });

    it('succeeds with exactly one record per input ID, status and fields as the stand-in scripted them', async () => {
      // Assess (the run of beforeAll)
      expect(report.status).toBe('SUCCEEDED');
      const records = await recordsOf(report.runId);
      expect(sorted(records.keys())).toEqual(sorted(ids));
      expectRecordsMatch(records, expected, report.runId);
      // Every kind of outcome is there.
      expect(countsOf(expected.values())).toEqual({
        total: 120,
        pending: 0,
        COMPLETED: 72,
        FAILED: 24,
        EXPIRED: 12,
        NOT_FOUND: 12,
        TIMED_OUT: 0,
      });
    });

    it('reports the same counts in the Summarize output, the run record and the records', async () => {
      // Assess (the run of beforeAll)
      const counts = countsOf(expected.values());
      expect(report.output).toEqual({ runId: report.runId, counts, cycles: report.cycles.length });
      expect(await poller.reader.getRun(report.runId)).toEqual({
        runId: report.runId,
        appBundleIdentifier: BUNDLE_ARN,
        inputKind: 'taskIds',
        outcome: 'SUCCEEDED',
        startedAt: expect.any(String),
        endedAt: expect.any(String),
        counts,
        cycle: report.cycles.length,
        lastPolledAt: expect.any(String),
        expiresAt: expect.any(Number),
      });
      expect(countsOf((await recordsOf(report.runId)).values())).toEqual(counts);
    });

    it('asks for every pending task each cycle in ceil(pending / 50) BatchGetUserAccessTasks calls', () => {
      // Assess (the run of beforeAll)
      // NOT_FOUND needs 5 answers in a row without the ID: at least 5 cycles.
      expect(report.cycles.length).toBeGreaterThanOrEqual(5);
      expect(report.cycles[0].pendingBefore).toBe(120);
      for (const cycle of report.cycles) {
        expect({ cycle: cycle.cycle, calls: cycle.batchGetCalls }).toEqual({
          cycle: cycle.cycle,
          calls: Math.ceil(cycle.pendingBefore / 50),
        });
      }
      // No other call, no failed call, never more than 50 IDs a call.
      expect(calls.length).toBe(report.cycles.reduce((n, c) => n + c.batchGetCalls, 0));
      expect(calls.every((c) => c.operation === 'BatchGetUserAccessTasks' && c.status === 200)).toBe(true);
      const idLists = calls.map((c) => (c.requestBody as { taskIdList: string[] }).taskIdList);
      expect(Math.max(...idLists.map((l) => l.length))).toBeLessThanOrEqual(50);
      // The first cycle asks for each input ID once.
      expect(sorted(idLists.slice(0, 3).flat())).toEqual(sorted(ids));
    });

    it('takes at most 3 state transitions per poll cycle (Poll, Done?, Wait)', () => {
      // Assess (the run of beforeAll)
      const cycles = report.cycles.length;
      const { entered } = report;
      expect(entered[StateNames.Poll]).toBe(cycles);
      expect(entered[StateNames.Done]).toBe(cycles);
      expect(entered[StateNames.Wait]).toBe(cycles - 1);
      expect(
        entered[StateNames.Poll] + entered[StateNames.Done] + entered[StateNames.Wait],
      ).toBeLessThanOrEqual(3 * cycles);
      // Start, the loop, Summarize, the completion event and Succeeded: nothing else.
      expect(report.transitions).toBe(1 + (3 * cycles - 1) + 3);
      expect(report.retries).toEqual({});
    });
  });

  describe('fatal errors', () => {
    it('access denied mid-run: fails with AppFabricAccessDeniedError, records the failure, keeps only right records', async () => {
      // Prepare: tasks finish over several cycles; access is withdrawn after the second.
      const ids = addAll(Array.from({ length: 30 }, (_, i) => completed(i, i % 5)));
      const expected = expectedRecords(poller, ids);
      const deny = (cycle: { cycle: number }) => {
        if (cycle.cycle === 2) poller.appFabric.setFaults({ accessDenied: true });
      };

      // Act
      const report = await poller.execute(
        { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids },
        { onCycle: deny },
      );

      // Assess
      expect(report.status).toBe('FAILED');
      expect(report.error?.Error).toBe(ErrorNames.AppFabricAccessDenied);
      expect(report.error?.Cause).toMatch(/AccessDeniedException/);
      expect(report.retries).toEqual({});
      expect(report.entered[StateNames.RecordFailure]).toBe(1);
      const records = await recordsOf(report.runId);
      // The tasks that finished in the first two cycles, each as scripted; nothing else.
      expect(records.size).toBe(ids.filter((_, i) => i % 5 <= 1).length);
      expectRecordsMatch(records, expected, report.runId);
      const run = await poller.reader.getRun(report.runId);
      expect(run).toMatchObject({
        outcome: 'FAILED',
        errorName: ErrorNames.AppFabricAccessDenied,
        errorCause: expect.stringContaining('AccessDeniedException'),
        endedAt: expect.any(String),
      });
      expect(run?.counts).toEqual({ ...countsOf(records.values()), total: 30, pending: 30 - records.size });
    });

    it('unknown app bundle: fails with AppBundleNotFoundError and records the failure, no task record', async () => {
      // Prepare: a bundle the stand-in has never heard of.
      const unknown =
        'arn:aws:appfabric:us-east-1:123456789012:appbundle/00000000-dead-4bee-8f00-000000000000';
      const ids = addAll([completed(1), completed(2)]);

      // Act
      const report = await poller.execute({ appBundleIdentifier: unknown, taskIdList: ids });

      // Assess
      expect(report.status).toBe('FAILED');
      expect(report.error?.Error).toBe(ErrorNames.AppBundleNotFound);
      expect(report.error?.Cause).toMatch(/ResourceNotFoundException/);
      expect(await poller.reader.byRun(report.runId)).toEqual([]);
      expect(await poller.reader.getRun(report.runId)).toMatchObject({
        appBundleIdentifier: unknown,
        outcome: 'FAILED',
        errorName: ErrorNames.AppBundleNotFound,
        counts: { total: 2, pending: 2 },
      });
    });
  });

  it('a rerun of the same run ID leaves the same items: no duplicates, nothing rewritten', async () => {
    // Prepare
    const ids = addAll(mixedScripts(30));
    const runId = `rerun-${randomUUID()}`;
    const input = { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids };
    const first = await poller.execute(input, { runId });
    const before = await partitionItems(doc, poller.tableName, runId);
    poller.appFabric.resetCalls();

    // Act
    const second = await poller.execute(input, { runId });

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(second.output).toEqual(first.output);
    const after = await partitionItems(doc, poller.tableName, runId);
    expect(after).toEqual(before);
    expect(after.filter((i) => String(i[TableSchema.sortKey]).startsWith(Keys.taskSkPrefix))).toHaveLength(
      30,
    );
    // The finished run is answered from what is stored: AppFabric is not asked again.
    expect(poller.appFabric.calls).toEqual([]);
  });

  it('5,000 task IDs in one execution stay below the 256 KiB state limit', async () => {
    // Prepare: every task finishes within two polls.
    const ids = addAll(Array.from({ length: 5000 }, (_, i) => ({ ...appOf(i), inProgressPolls: i % 2 })));
    const input = { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids };
    const inputBytes = Buffer.byteLength(JSON.stringify(input));

    // Act
    const report = await poller.execute(input);

    // Assess
    console.log(
      `5,000 tasks: execution input ${inputBytes} bytes, largest state seen ${report.maxStateBytes} bytes ` +
        `(limit ${STATE_LIMIT_BYTES}); ${report.cycles.length} cycles, ${report.transitions} transitions, ` +
        `${report.realMs} ms`,
    );
    expect(report.status).toBe('SUCCEEDED');
    expect(report.maxStateBytes).toBeLessThan(STATE_LIMIT_BYTES);
    expect(inputBytes).toBeLessThan(STATE_LIMIT_BYTES);
    // The loop states carry counts, not IDs: every state but the input is small.
    for (const cycle of report.cycles)
      expect(Buffer.byteLength(JSON.stringify(cycle.state))).toBeLessThan(2048);
    expect(report.output).toMatchObject({ counts: { total: 5000, pending: 0, COMPLETED: 5000 } });
    expect(report.cycles.map((c) => c.batchGetCalls)).toEqual([100, 50]);
    const records = await poller.reader.byRun(report.runId);
    expect(records).toHaveLength(5000);
    expect(new Set(records.map((r) => r.taskId)).size).toBe(5000);
  });

  // Step Functions takes inputs up to 256 KiB: the input check's limit must fit in one.
  it('the most task IDs an execution input may hold fit in one execution input', () => {
    // Prepare
    const taskIdList = Array.from({ length: Limits.maxTaskIdsInInput }, () => randomUUID());

    // Act
    const bytes = Buffer.byteLength(JSON.stringify({ appBundleIdentifier: BUNDLE_ARN, taskIdList }));

    // Assess
    expect(bytes).toBeLessThan(STATE_LIMIT_BYTES);
  });

  describe('EventBridge', () => {
    const consoleInput = (taskIdList: string[]) => ({ appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList });

    it('an event the rule matches runs the same as the equivalent console input', async () => {
      // Prepare: two task sets scripted from the same seed (same behaviours, their own IDs).
      poller.appFabric.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
      const viaConsole = addTasks(poller.appFabric, DEMO_BUNDLE_ARN, 'mixed', seededRandom(7), { count: 40 });
      const viaEvent = addTasks(poller.appFabric, DEMO_BUNDLE_ARN, 'mixed', seededRandom(7), { count: 40 });
      const event = eventOf(consoleInput(viaEvent));

      // Act: the rule's target passes `$.detail` as the execution input.
      const problem = matchesEventPattern(event, poller.settings.eventPattern);
      const fromConsole = await poller.execute(consoleInput(viaConsole));
      const fromEvent = await poller.execute(event.detail);

      // Assess
      expect(problem).toBeUndefined();
      expect(fromEvent.status).toBe('SUCCEEDED');
      expect(fromConsole.status).toBe('SUCCEEDED');
      const consoleRecords = await recordsOf(fromConsole.runId);
      const eventRecords = await recordsOf(fromEvent.runId);
      const statusByPosition = (ids: string[], records: Map<string, TaskRecord>) =>
        ids.map((id) => records.get(id)?.resultStatus);
      expect(statusByPosition(viaEvent, eventRecords)).toEqual(statusByPosition(viaConsole, consoleRecords));
      expect(statusByPosition(viaEvent, eventRecords)).not.toContain(undefined);
      expectRecordsMatch(eventRecords, expectedRecords(poller, viaEvent), fromEvent.runId, DEMO_BUNDLE_ARN);
      expect((fromEvent.output as { counts: unknown }).counts).toEqual(
        (fromConsole.output as { counts: unknown }).counts,
      );
      expect(fromEvent.cycles.length).toBe(fromConsole.cycles.length);
    });

    it.each([
      ['source', { source: 'someone.else' }],
      ['detail-type', { 'detail-type': 'Something Else' }],
      ['detail-type', { 'detail-type': undefined }],
    ])('an event the rule would not match is refused, naming %s', (field, change) => {
      // Prepare
      const event = { ...eventOf(consoleInput([randomUUID()])), ...change };

      // Act
      const problem = matchesEventPattern(event, poller.settings.eventPattern);

      // Assess
      expect(problem).toEqual(expect.stringContaining(field));
      expect(problem).toMatch(new RegExp(`^${field} is `));
    });
  });

  describe('bad execution input', () => {
    const uuid = '5d2c5e2e-8b0a-4f7e-9a52-2a51d9b1c0de';
    it.each([
      ['taskIdList[1]', { appBundleIdentifier: BUNDLE_ARN, taskIdList: [uuid, 'not-a-uuid'] }],
      ['taskIdList', { appBundleIdentifier: BUNDLE_ARN, taskIdList: [] }],
      ['taskIdList', { appBundleIdentifier: BUNDLE_ARN, taskIdList: uuid }],
      ['appBundleIdentifier', { appBundleIdentifier: 'my-bundle', taskIdList: [uuid] }],
      ['input', { appBundleIdentifier: BUNDLE_ARN, taskIds: [uuid] }],
      ['maxWaitSeconds', { appBundleIdentifier: BUNDLE_ARN, taskIdList: [uuid], maxWaitSeconds: 1 }],
    ])(
      'fails with InvalidInputError naming %s, and writes only the failed run record',
      async (field, input) => {
        // Act
        const report = await poller.execute(input);

        // Assess
        expect(report.status).toBe('FAILED');
        expect(report.error?.Error).toBe(ErrorNames.InvalidInput);
        expect(report.error?.Cause.startsWith(`${field}:`)).toBe(true);
        expect(report.entered[StateNames.Poll]).toBeUndefined();
        expect(report.retries).toEqual({});
        const items = await partitionItems(doc, poller.tableName, report.runId);
        expect(items.map((i) => i[TableSchema.sortKey])).toEqual([Keys.runSk]);
        expect(items[0]).toMatchObject({
          outcome: 'FAILED',
          errorName: ErrorNames.InvalidInput,
          errorCause: report.error?.Cause,
        });
        expect(poller.appFabric.calls).toEqual([]);
      },
    );
  });
});

describe('with a 30-minute deadline', () => {
  beforeAll(async () => {
    poller = await startLocalPoller({ seed: 5, context: { deadlineMinutes: 30 } });
    poller.appFabric.addBundle(BUNDLE_ARN, APPS);
  });

  afterAll(async () => {
    await poller?.close();
  });

  it('records the tasks that never finish as TIMED_OUT and fails with PollDeadlineExceeded', async () => {
    // Prepare: a third never finish; the others end with their real status.
    const scripts = mixedScripts(30).map((s, i) =>
      i % 3 === 0 ? { ...completed(i), inProgressPolls: NEVER } : s,
    );
    const ids = addAll(scripts);
    const expected = expectedRecords(poller, ids, 'TIMED_OUT');

    // Act
    const report = await poller.execute({ appBundleIdentifier: BUNDLE_ARN, taskIdList: ids });

    // Assess
    expect(poller.settings.deadlineMinutes).toBe(30);
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe(ErrorNames.DeadlineExceeded);
    expect(report.error?.Cause).toMatch(/deadline passed .*recorded as TIMED_OUT/);
    expect(report.entered[StateNames.DeadlineExceeded]).toBe(1);
    expect(report.entered[StateNames.RecordFailure]).toBeUndefined();
    const last = report.cycles.at(-1)!;
    expect(last.state.status).toBe('TIMED_OUT');
    // The last wait was cut at the deadline: the run ended at 30 minutes, not a wait later.
    expect(last.atSeconds).toBeGreaterThanOrEqual(30 * 60);
    expect(last.atSeconds).toBeLessThan(30 * 60 + 60);
    const records = await recordsOf(report.runId);
    expect(sorted(records.keys())).toEqual(sorted(ids));
    expectRecordsMatch(records, expected, report.runId);
    const counts = countsOf(expected.values());
    expect(counts.TIMED_OUT).toBe(10);
    expect(last.state.counts).toEqual(counts);
    expect(await poller.reader.getRun(report.runId)).toMatchObject({ outcome: 'TIMED_OUT', counts });
  });
});
