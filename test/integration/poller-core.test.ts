/**
 * The polling core (startRun, pollCycle, recordFailure, makeHandler) against real parts: the AppFabric
 * stand-in over HTTP, the real AppFabric client and gateway, dynalite with the real DynamoDB adapters.
 * The clock is moved by hand, so deadlines and wait times need no real waiting.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { Limits } from '../../lambda/contract/limits';
import { EnvNames } from '../../lambda/contract/settings';
import { ErrorNames } from '../../lambda/contract/workflow';
import { emailHash } from '../../lambda/core/emails';
import type { LoopState, TaskRecord } from '../../lambda/core/model';
import { pollCycle } from '../../lambda/core/poll';
import { startRun } from '../../lambda/core/start';
import { makeHandler } from '../../lambda/handler';
import { createRuntime } from '../../lambda/runtime';
import {
  AppBundleNotFoundError,
  AppFabricAccessDeniedError,
  AppFabricThrottledError,
  AppFabricUnavailableError,
  InvalidInputError,
  isPollerError,
} from '../../lambda/shared/errors';
import type { TaskScript } from '../../local/appfabric-standin';
import { partitionItems, unprocessedBatchWrites } from '../support/dynamo';
import { BUNDLE_ARN, type Parts, startParts } from '../support/parts';
import { batchGetIdLists, driveRun, failure, nextRunId, setEnv, sorted, startedEmails } from '../support/run';

let parts: Parts;

beforeAll(async () => {
  parts = await startParts();
});

afterAll(async () => {
  await parts.close();
});

beforeEach(() => {
  parts.reset();
});

const addTask = (script: TaskScript = {}): string => parts.standIn.addTask(BUNDLE_ARN, script);
const addTasks = (n: number, script: TaskScript = {}): string[] =>
  Array.from({ length: n }, () => addTask(script));

/** Starts a run as the state machine does: execution name, start time, input. */
const start = (runId: string, input: unknown, deps = parts.deps) =>
  startRun({ runId, startedAt: parts.clock.iso(), input }, deps, parts.starter);

const expiresAtFor = (recordedAt: string): number =>
  Math.floor(Date.parse(recordedAt) / 1000) + parts.settings.retentionDays * 86_400;

const byTaskId = (a: { taskId: string }, b: { taskId: string }) => a.taskId.localeCompare(b.taskId);
const bySize = (a: string[], b: string[]) => a.length - b.length;

/** Counts with every status, so `toEqual` checks all seven. */
const counts = (c: Partial<LoopState['counts']> & { total: number }): LoopState['counts'] => ({
  pending: 0,
  COMPLETED: 0,
  FAILED: 0,
  EXPIRED: 0,
  NOT_FOUND: 0,
  TIMED_OUT: 0,
  ...c,
});

describe('one poll cycle', () => {
  it('asks for 120 pending IDs with exactly 3 BatchGetUserAccessTasks calls, and for 60 with 2', async () => {
    // Prepare: 60 tasks finish at the first poll, 60 answer IN_PROGRESS once.
    const quick = addTasks(60);
    const slow = addTasks(60, { inProgressPolls: 1 });
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: [...quick, ...slow] });
    parts.standIn.resetCalls();

    // Act
    const first = await pollCycle(started, parts.deps);
    const firstCalls = batchGetIdLists(parts.standIn);
    parts.standIn.resetCalls();
    parts.clock.advanceSeconds(first.state.waitSeconds);
    const second = await pollCycle(first.state, parts.deps);
    const secondCalls = batchGetIdLists(parts.standIn);

    // Assess
    expect(firstCalls).toHaveLength(3);
    expect(firstCalls.sort(bySize).map((ids) => ids.length)).toEqual([20, 50, 50]);
    expect(sorted(firstCalls.flat())).toEqual(sorted([...quick, ...slow]));
    expect(first.report.calls).toBe(3);
    expect(first.state).toMatchObject({ status: 'PENDING', cycle: 1 });
    expect(first.state.counts).toEqual(counts({ total: 120, pending: 60, COMPLETED: 60 }));

    expect(secondCalls).toHaveLength(2);
    expect(secondCalls.sort(bySize).map((ids) => ids.length)).toEqual([10, 50]);
    expect(sorted(secondCalls.flat())).toEqual(sorted(slow));
    expect(second.state).toMatchObject({ status: 'DONE', cycle: 2 });
    expect(second.state.counts).toEqual(counts({ total: 120, COMPLETED: 120 }));
  });

  it('collapses repeated and upper-case IDs: one request entry and one record each', async () => {
    // Prepare
    const [a, b, c] = addTasks(3);
    const runId = nextRunId();
    const input = { taskIdList: [a, a.toUpperCase(), b, ` ${b} `, c.toUpperCase(), c, a] };

    // Act
    const started = await start(runId, input);
    const cycle = await pollCycle(started, parts.deps);

    // Assess
    expect(started.counts).toEqual(counts({ total: 3, pending: 3 }));
    const requested = batchGetIdLists(parts.standIn);
    expect(requested).toHaveLength(1);
    expect(sorted(requested[0])).toEqual(sorted([a, b, c]));
    const records = await parts.reader.byRun(runId);
    expect(records.map((r) => r.taskId)).toEqual(sorted([a, b, c]));
    for (const id of [a, b, c]) expect(await parts.reader.byTask(id)).toHaveLength(1);
    expect(cycle.state).toMatchObject({ status: 'DONE' });
    expect(cycle.state.counts).toEqual(counts({ total: 3, COMPLETED: 3 }));
  });

  it('records COMPLETED, FAILED and EXPIRED answers with every field, and keeps IN_PROGRESS tasks pending', async () => {
    // Prepare
    const completed = addTask({
      app: 'SLACK',
      email: 'Jane.Doe@Example.com',
      user: {
        userId: 'U0JANE',
        userFullName: 'Jane Q. Doe',
        userFirstName: 'Jane',
        userLastName: 'Doe',
        userStatus: 'SUSPENDED',
      },
    });
    const failed = addTask({
      app: 'OKTA',
      outcome: 'FAILED',
      taskError: { errorCode: 'USER_NOT_FOUND', errorMessage: 'No such user in OKTA' },
    });
    const expired = addTask({ outcome: 'EXPIRED' });
    const inProgress = addTask({ inProgressPolls: 1000 });
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: [completed, failed, expired, inProgress] });
    parts.clock.advanceSeconds(30);
    const at = parts.clock.iso();

    // Act
    const cycle = await pollCycle(started, parts.deps);

    // Assess
    const common = { runId, appBundleIdentifier: BUNDLE_ARN, recordedAt: at, expiresAt: expiresAtFor(at) };
    const expected: TaskRecord[] = [
      {
        app: 'SLACK',
        tenantId: 'T0ACME',
        tenantDisplayName: 'Acme workspace',
        taskId: completed,
        resultStatus: 'COMPLETED',
        email: 'Jane.Doe@Example.com',
        userId: 'U0JANE',
        userFullName: 'Jane Q. Doe',
        userFirstName: 'Jane',
        userLastName: 'Doe',
        userStatus: 'SUSPENDED',
        ...common,
      },
      {
        app: 'OKTA',
        tenantId: 'acme.okta.com',
        tenantDisplayName: 'Acme Okta',
        taskId: failed,
        resultStatus: 'FAILED',
        taskError: { errorCode: 'USER_NOT_FOUND', errorMessage: 'No such user in OKTA' },
        ...common,
      },
      {
        app: 'SLACK',
        tenantId: 'T0ACME',
        tenantDisplayName: 'Acme workspace',
        taskId: expired,
        resultStatus: 'EXPIRED',
        ...common,
      },
    ];
    expect(await parts.reader.byRun(runId)).toEqual(expected.sort(byTaskId));
    expect(await parts.reader.byTask(completed)).toEqual([expected.find((r) => r.taskId === completed)]);
    expect(await parts.reader.byTask(failed)).toEqual([expected.find((r) => r.taskId === failed)]);
    expect(await parts.reader.byTask(inProgress)).toEqual([]);
    expect(cycle.state.status).toBe('PENDING');
    expect(cycle.state.counts).toEqual(counts({ total: 4, pending: 1, COMPLETED: 1, FAILED: 1, EXPIRED: 1 }));
    const stored = await parts.runState.load(runId);
    expect(stored?.pendingTaskIds).toEqual([inProgress]);
    expect(stored?.misses).toEqual([0]);
  });

  it('ignores answers for task IDs it did not ask for', async () => {
    // Prepare: every answer also carries two COMPLETED results for IDs nobody asked for.
    const id = addTask();
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: [id] });
    parts.standIn.setFaults({ extraResults: 2 });

    // Act
    const cycle = await pollCycle(started, parts.deps);

    // Assess
    expect(cycle.report.unexpectedAnswers).toBe(2);
    expect((await parts.reader.byRun(runId)).map((r) => r.taskId)).toEqual([id]);
    expect(cycle.state.counts).toEqual(counts({ total: 1, COMPLETED: 1 }));
  });

  it('records an ID AppFabric leaves out as NOT_FOUND after notFoundAfterMisses (3) cycles, not before', async () => {
    // Prepare: one ID AppFabric never heard of; one it leaves out twice, then answers.
    expect(parts.settings.notFoundAfterMisses).toBe(3);
    const absent = randomUUID();
    const late = addTask({ missing: 2 });
    const runId = nextRunId();
    let state = await start(runId, { taskIdList: [absent, late] });

    // Act
    const seen: { status: string; records: TaskRecord[]; misses?: number[] }[] = [];
    for (let cycle = 1; cycle <= 3; cycle++) {
      parts.clock.advanceSeconds(state.waitSeconds);
      state = (await pollCycle(state, parts.deps)).state;
      seen.push({
        status: state.status,
        records: await parts.reader.byRun(runId),
        misses: (await parts.runState.load(runId))?.misses,
      });
    }

    // Assess: two cycles of misses, no record; at the third, NOT_FOUND (and the late one answered).
    expect(seen[0]).toEqual({ status: 'PENDING', records: [], misses: [1, 1] });
    expect(seen[1]).toEqual({ status: 'PENDING', records: [], misses: [2, 2] });
    expect(seen[2].status).toBe('DONE');
    const at = parts.clock.iso();
    expect(seen[2].records.find((r) => r.taskId === absent)).toEqual({
      taskId: absent,
      resultStatus: 'NOT_FOUND',
      runId,
      appBundleIdentifier: BUNDLE_ARN,
      recordedAt: at,
      expiresAt: expiresAtFor(at),
    });
    expect(seen[2].records.find((r) => r.taskId === late)?.resultStatus).toBe('COMPLETED');
    expect(state.counts).toEqual(counts({ total: 2, COMPLETED: 1, NOT_FOUND: 1 }));
  });
});

describe('a whole run', () => {
  it('ends with exactly one record per input ID and a SUCCEEDED run record with matching counts', async () => {
    // Prepare: a mix of outcomes, speeds and IDs AppFabric leaves out.
    const ids = [
      ...addTasks(20),
      ...addTasks(10, { inProgressPolls: 2 }),
      ...addTasks(5, { outcome: 'FAILED', inProgressPolls: 1 }),
      ...addTasks(5, { outcome: 'EXPIRED' }),
      ...addTasks(5, { missing: 1 }),
      randomUUID(),
      randomUUID(),
      randomUUID(),
    ];
    const runId = nextRunId();
    const startedAt = parts.clock.iso();

    // Act
    const started = await start(runId, { taskIdList: ids });
    const run = await driveRun(parts.deps, parts.clock, started);

    // Assess
    const expectedCounts = counts({ total: 48, COMPLETED: 35, FAILED: 5, EXPIRED: 5, NOT_FOUND: 3 });
    const records = await parts.reader.byRun(runId);
    expect(records.map((r) => r.taskId)).toEqual(sorted(ids));
    for (const id of ids) expect(await parts.reader.byTask(id)).toHaveLength(1);
    const byStatus: Record<string, number> = {};
    for (const r of records) byStatus[r.resultStatus] = (byStatus[r.resultStatus] ?? 0) + 1;
    expect(byStatus).toEqual({ COMPLETED: 35, FAILED: 5, EXPIRED: 5, NOT_FOUND: 3 });

    expect(run.final.status).toBe('DONE');
    expect(run.final.counts).toEqual(expectedCounts);
    run.states.forEach((s, i) => {
      expect(s.cycle).toBe(i + 1);
      const { total, pending, ...terminal } = s.counts;
      expect(pending + Object.values(terminal).reduce((n, v) => n + v, 0)).toBe(total);
    });
    expect(await parts.reader.getRun(runId)).toEqual({
      runId,
      appBundleIdentifier: BUNDLE_ARN,
      inputKind: 'taskIds',
      outcome: 'SUCCEEDED',
      startedAt,
      endedAt: parts.clock.iso(),
      counts: expectedCounts,
      cycle: run.states.length,
      lastPolledAt: parts.clock.iso(),
      expiresAt: expiresAtFor(startedAt),
    });
    const stored = await parts.runState.load(runId);
    expect(stored).toMatchObject({
      status: 'DONE',
      cycle: run.states.length,
      pendingTaskIds: [],
      misses: [],
    });
  });

  it('records the pending tasks as TIMED_OUT once the deadline has passed, and the run as TIMED_OUT', async () => {
    // Prepare: two tasks finish, two never do.
    const quick = addTasks(2);
    const stuck = addTasks(2, { inProgressPolls: 100_000 });
    const runId = nextRunId();
    const startedAt = parts.clock.iso();
    const started = await start(runId, { taskIdList: [...quick, ...stuck] });
    const deadline = Date.parse(started.deadlineAt);
    const first = await pollCycle(started, parts.deps);

    // Act: one second before the deadline, then one second after.
    parts.clock.set(new Date(deadline - 1000));
    const before = await pollCycle(first.state, parts.deps);
    const callsBefore = batchGetIdLists(parts.standIn).length;
    parts.clock.set(new Date(deadline + 1000));
    const after = await pollCycle(before.state, parts.deps);
    const callsAfter = batchGetIdLists(parts.standIn).length - callsBefore;

    // Assess
    expect(deadline).toBe(Date.parse(startedAt) + parts.settings.deadlineSeconds * 1000);
    expect(before.state).toMatchObject({ status: 'PENDING', waitSeconds: 1 });
    expect(after.state.status).toBe('TIMED_OUT');
    expect(callsAfter).toBe(0);
    expect(after.state.counts).toEqual(counts({ total: 4, COMPLETED: 2, TIMED_OUT: 2 }));
    const at = parts.clock.iso();
    const timedOut = await parts.reader.byRun(runId, { status: 'TIMED_OUT' });
    expect(timedOut).toEqual(
      sorted(stuck).map((taskId) => ({
        taskId,
        resultStatus: 'TIMED_OUT',
        // From the IN_PROGRESS answers: a task that never finished still names its app.
        app: parts.standIn.getTask(taskId)?.app,
        tenantId: parts.standIn.getTask(taskId)?.tenantId,
        runId,
        appBundleIdentifier: BUNDLE_ARN,
        recordedAt: at,
        expiresAt: expiresAtFor(at),
      })),
    );
    expect((await parts.reader.byRun(runId, { status: 'COMPLETED' })).map((r) => r.taskId)).toEqual(
      sorted(quick),
    );
    expect(await parts.reader.getRun(runId)).toMatchObject({
      outcome: 'TIMED_OUT',
      endedAt: at,
      counts: after.state.counts,
    });
    expect(await parts.runState.load(runId)).toMatchObject({ status: 'TIMED_OUT', pendingTaskIds: [] });
  });
});

describe('repeated attempts', () => {
  it('answers a cycle run again (its answer was lost) from the stored state, changing nothing', async () => {
    // Prepare
    const ids = [...addTasks(2), ...addTasks(1, { inProgressPolls: 100 })];
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: ids });
    const first = await pollCycle(started, parts.deps);
    const itemsBefore = await partitionItems(parts.doc, parts.tableName, runId);
    const recordsBefore = await parts.reader.byRun(runId);
    parts.clock.advanceSeconds(120);
    parts.standIn.resetCalls();

    // Act: the state machine retries the cycle with the same input state.
    const again = await pollCycle(started, parts.deps);

    // Assess
    expect(recordsBefore).toHaveLength(2);
    expect(again.state).toEqual(first.state);
    expect(batchGetIdLists(parts.standIn)).toEqual([]);
    expect(await parts.reader.byRun(runId)).toEqual(recordsBefore);
    expect(await partitionItems(parts.doc, parts.tableName, runId)).toEqual(itemsBefore);
  });

  it('repeats a cycle whose state was never saved without changing the records it already wrote', async () => {
    // Prepare: the first attempt wrote its records; put the cycle-0 state back as if it died before saving.
    const ids = [...addTasks(2), ...addTasks(1, { inProgressPolls: 100 })];
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: ids });
    const stateBefore = await parts.runState.load(runId);
    const first = await pollCycle(started, parts.deps);
    await parts.runState.save(stateBefore!, first.state.cycle);
    const recordsBefore = await parts.reader.byRun(runId);
    parts.clock.advanceSeconds(120);
    parts.standIn.resetCalls();

    // Act
    const again = await pollCycle(started, parts.deps);

    // Assess: polled again, same answer, the two records left as they were (recordedAt unchanged).
    expect(batchGetIdLists(parts.standIn)).toHaveLength(1);
    expect(again.state).toEqual(first.state);
    expect(again.report).toMatchObject({ skippedWrites: 2, writeRequests: 0 });
    expect(recordsBefore).toHaveLength(2);
    expect(await parts.reader.byRun(runId)).toEqual(recordsBefore);
  });

  it('keeps the results an unsaved cycle wrote when its repeat lands after the deadline', async () => {
    // Prepare: cycle 1 records two COMPLETED tasks, then its state save is lost; the repeat comes too late.
    const ids = [...addTasks(2), ...addTasks(1, { inProgressPolls: 100 })];
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: ids });
    const stateBefore = await parts.runState.load(runId);
    const first = await pollCycle(started, parts.deps);
    await parts.runState.save(stateBefore!, first.state.cycle);
    const recordsBefore = await parts.reader.byRun(runId);
    parts.clock.advanceSeconds(parts.settings.deadlineSeconds + 60);

    // Act
    const again = await pollCycle(started, parts.deps);

    // Assess: only the unfinished task is TIMED_OUT; the two COMPLETED records and counts stand.
    expect(again.state.status).toBe('TIMED_OUT');
    expect(again.state.counts).toEqual(counts({ total: 3, COMPLETED: 2, TIMED_OUT: 1 }));
    const after = await parts.reader.byRun(runId);
    expect(after.filter((r) => r.resultStatus === 'COMPLETED')).toEqual(
      recordsBefore.filter((r) => r.resultStatus === 'COMPLETED'),
    );
    expect(after.filter((r) => r.resultStatus === 'TIMED_OUT').map((r) => r.taskId)).toEqual([ids[2]]);
  });

  it('answers a second startRun for the same run ID with the stored state and starts nothing', async () => {
    // Prepare
    const ids = [addTask(), addTask({ inProgressPolls: 100 })];
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: ids });
    const first = await pollCycle(started, parts.deps);
    const runBefore = await parts.reader.getRun(runId);
    parts.clock.advanceSeconds(60);
    parts.standIn.resetCalls();

    // Act: a redriven Start with another input, addresses included.
    const again = await start(runId, { taskIdList: [randomUUID()], emails: ['new.person@example.com'] });

    // Assess
    expect(again).toEqual(first.state);
    expect(parts.standIn.calls).toEqual([]);
    expect(await parts.reader.getRun(runId)).toEqual(runBefore);
    expect(await parts.ledger.get(runId, emailHash('new.person@example.com'))).toBeUndefined();
    expect((await parts.runState.load(runId))?.pendingTaskIds).toEqual([ids[1]]);
  });
});

describe('writing results', () => {
  it('retries UnprocessedItems until every record is written', async () => {
    // Prepare: the first two BatchWriteItem requests write only 5 items each.
    const flaky = unprocessedBatchWrites(parts.base, (call, size) => (call <= 2 ? 5 : size));
    const results = new DynamoDbResultsStore({
      tableName: parts.tableName,
      client: flaky.client,
      concurrency: 1,
      sleep: async () => {},
    });
    const deps = parts.depsWith({ results });
    const ids = addTasks(60);
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: ids }, deps);

    // Act
    const cycle = await pollCycle(started, deps);

    // Assess: the first batch of 25 sent three times (25, 20, 15 items), then 25 and 10.
    expect(flaky.sizes).toEqual([25, 20, 15, 25, 10]);
    expect(cycle.report.writeRequests).toBe(5);
    expect((await parts.reader.byRun(runId)).map((r) => r.taskId)).toEqual(sorted(ids));
    expect(cycle.state).toMatchObject({ status: 'DONE' });
    expect(cycle.state.counts).toEqual(counts({ total: 60, COMPLETED: 60 }));
    expect(await parts.reader.getRun(runId)).toMatchObject({ outcome: 'SUCCEEDED' });
  });
});

describe('errors', () => {
  /** A started run of `n` fresh tasks, with the stand-in's call log emptied. */
  const pendingRun = async (n: number, input: Record<string, unknown> = {}) => {
    const ids = addTasks(n);
    const runId = nextRunId();
    const started = await start(runId, { taskIdList: ids, ...input });
    parts.standIn.resetCalls();
    return { ids, runId, started };
  };

  /** The run is where it was before the failed cycle: cycle 0, every task pending, no record. */
  const expectUntouched = async (runId: string, ids: string[]) => {
    const stored = await parts.runState.load(runId);
    expect(stored).toMatchObject({ cycle: 0, status: 'PENDING', pendingTaskIds: ids });
    expect(await parts.reader.byRun(runId)).toEqual([]);
  };

  it('access denied → AppFabricAccessDeniedError, not retried', async () => {
    // Prepare
    const { ids, runId, started } = await pendingRun(2);
    parts.standIn.setFaults({ accessDenied: true });

    // Act
    const error = await failure(pollCycle(started, parts.deps));

    // Assess
    expect(error).toBeInstanceOf(AppFabricAccessDeniedError);
    expect(error.name).toBe(ErrorNames.AppFabricAccessDenied);
    expect(isPollerError(error) && error.retryable).toBe(false);
    expect(parts.standIn.calls.map((c) => c.status)).toEqual([403]);
    await expectUntouched(runId, ids);
  });

  it('an app bundle AppFabric does not know → AppBundleNotFoundError', async () => {
    // Prepare
    const unknownBundle = 'ffffffff-0000-4000-8000-000000000000';
    const { ids, runId, started } = await pendingRun(2, { appBundleIdentifier: unknownBundle });

    // Act
    const error = await failure(pollCycle(started, parts.deps));

    // Assess
    expect(started.appBundleIdentifier).toBe(unknownBundle);
    expect(error).toBeInstanceOf(AppBundleNotFoundError);
    expect(error.name).toBe(ErrorNames.AppBundleNotFound);
    expect(isPollerError(error) && error.retryable).toBe(false);
    expect(parts.standIn.calls.map((c) => c.errorType)).toEqual(['ResourceNotFoundException']);
    await expectUntouched(runId, ids);
  });

  it('bad input → InvalidInputError', async () => {
    // Act
    const error = await failure(start(nextRunId(), { taskIdList: ['not-a-task-id'] }));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.name).toBe(ErrorNames.InvalidInput);
    expect(isPollerError(error) && error.retryable).toBe(false);
  });

  it('throttled on every call → AppFabricThrottledError with retryAfterSeconds, retried by the state machine', async () => {
    // Prepare: 60 IDs, two calls, both 429.
    const { ids, runId, started } = await pendingRun(60);
    parts.standIn.setFaults({ throttleEvery: 1, throttleRetryAfterSeconds: 12 });

    // Act
    const error = await failure(pollCycle(started, parts.deps));

    // Assess
    expect(error).toBeInstanceOf(AppFabricThrottledError);
    expect(error.name).toBe(ErrorNames.AppFabricThrottled);
    expect((error as AppFabricThrottledError).retryAfterSeconds).toBe(12);
    expect(isPollerError(error) && error.retryable).toBe(true);
    expect(parts.standIn.calls.map((c) => c.status)).toEqual([429, 429]);
    await expectUntouched(runId, ids);
  });

  it('500 on every call → AppFabricUnavailableError, retried by the state machine', async () => {
    // Prepare
    const { ids, runId, started } = await pendingRun(60);
    parts.standIn.setFaults({ serverErrorNext: 10, serverErrorRetryAfterSeconds: 4 });

    // Act
    const error = await failure(pollCycle(started, parts.deps));

    // Assess
    expect(error).toBeInstanceOf(AppFabricUnavailableError);
    expect(error.name).toBe(ErrorNames.AppFabricUnavailable);
    expect((error as AppFabricUnavailableError).retryAfterSeconds).toBe(4);
    expect(isPollerError(error) && error.retryable).toBe(true);
    expect(parts.standIn.calls.map((c) => c.status)).toEqual([500, 500]);
    await expectUntouched(runId, ids);
  });

  it('a partial failure keeps the failed chunk pending, records the rest, and waits at least Retry-After', async () => {
    // Prepare: 120 IDs in 3 chunks; the first call to arrive is throttled.
    const { ids, runId, started } = await pendingRun(120);
    parts.standIn.setFaults({ throttleNext: 1, throttleRetryAfterSeconds: 45 });

    // Act
    const cycle = await pollCycle(started, parts.deps);
    const throttled = parts.standIn.calls.filter((c) => c.status === 429);
    const failedIds = (throttled[0]!.requestBody as { taskIdList: string[] }).taskIdList;
    const stored = await parts.runState.load(runId);
    parts.standIn.clearFaults();
    parts.clock.advanceSeconds(cycle.state.waitSeconds);
    const next = await pollCycle(cycle.state, parts.deps);

    // Assess
    expect(sorted(parts.standIn.calls.slice(0, 3).map((c) => c.status))).toEqual([200, 200, 429]);
    expect(throttled).toHaveLength(1);
    expect(cycle.report).toMatchObject({ calls: 3, failedCalls: 1, missing: 0 });
    expect(cycle.state.status).toBe('PENDING');
    expect(cycle.state.waitSeconds).toBe(45);
    expect(cycle.state.counts).toEqual(
      counts({ total: 120, pending: failedIds.length, COMPLETED: 120 - failedIds.length }),
    );
    const failedSet = new Set(failedIds);
    expect(stored?.pendingTaskIds).toEqual(ids.filter((id) => failedSet.has(id)));
    expect(stored?.misses).toEqual(failedIds.map(() => 0));
    expect(next.state.status).toBe('DONE');
    const records = await parts.reader.byRun(runId);
    expect(records.map((r) => r.taskId)).toEqual(sorted(ids));
    expect(
      records.filter((r) => failedSet.has(r.taskId)).every((r) => r.recordedAt === parts.clock.iso()),
    ).toBe(true);
  });
});

describe('input checks', () => {
  const valid = () => randomUUID();

  it.each<[string, string, () => unknown]>([
    ['no task ID list and no emails', 'taskIdList', () => ({ appBundleIdentifier: BUNDLE_ARN })],
    ['an empty task ID list', 'taskIdList', () => ({ taskIdList: [] })],
    ['an ID that is not a UUID', 'taskIdList[1]', () => ({ taskIdList: [valid(), 'not-a-uuid'] })],
    [
      `more than ${Limits.maxTaskIdsInInput} IDs`,
      'taskIdList',
      () => ({ taskIdList: Array.from({ length: Limits.maxTaskIdsInInput + 1 }, valid) }),
    ],
    ['a list that is a string', 'taskIdList', () => ({ taskIdList: valid() })],
    ['an ID that is a number', 'taskIdList[1]', () => ({ taskIdList: [valid(), 42] })],
    [
      'an app bundle that is a number',
      'appBundleIdentifier',
      () => ({ appBundleIdentifier: 42, taskIdList: [valid()] }),
    ],
    ['maxWaitSeconds as a string', 'maxWaitSeconds', () => ({ taskIdList: [valid()], maxWaitSeconds: '60' })],
    ['an input that is not an object', 'input', () => [valid()]],
    ['an unknown field', 'input', () => ({ taskIdList: [valid()], taskIds: [valid()] })],
    [
      'an invalid address among the emails',
      'emails[1]',
      () => ({ emails: ['ok@example.com', 'not an address'] }),
    ],
  ])('rejects %s naming %s, and writes nothing', async (_label, field, input) => {
    // Prepare
    const runId = nextRunId('bad');

    // Act
    const error = await failure(start(runId, input()));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(await parts.reader.getRun(runId)).toBeUndefined();
    expect(await parts.runState.load(runId)).toBeUndefined();
    expect(await partitionItems(parts.doc, parts.tableName, runId)).toEqual([]);
    expect(parts.standIn.calls).toEqual([]);
  });

  it('rejects a missing run ID and a start time that is not a date, writing nothing', async () => {
    // Prepare
    const runId = nextRunId('bad');
    const input = { taskIdList: [valid()] };

    // Act
    const noRunId = await failure(startRun({ runId: undefined, input }, parts.deps));
    const badStart = await failure(startRun({ runId, startedAt: 'yesterday', input }, parts.deps));

    // Assess
    expect((noRunId as InvalidInputError).field).toBe('runId');
    expect((badStart as InvalidInputError).field).toBe('startedAt');
    expect(await partitionItems(parts.doc, parts.tableName, runId)).toEqual([]);
  });
});

describe('personal data', () => {
  it('never puts an email or a name in the loop state (or the log)', async () => {
    // Prepare: tasks with distinctive users, plus a start from an address.
    const person = {
      email: 'Ottoline.Quastenberg@example.org',
      user: {
        userId: 'UQ7781',
        userFullName: 'Ottoline Quastenberg',
        userFirstName: 'Ottoline',
        userLastName: 'Quastenberg',
      },
    };
    const ids = [
      addTask(person),
      addTask({ ...person, inProgressPolls: 1 }),
      addTask({ ...person, missing: 1 }),
    ];
    const address = 'xanthe.vorberg@example.net';
    const runId = nextRunId();

    // Act
    const started = await start(runId, { taskIdList: ids, emails: [address] });
    const run = await driveRun(parts.deps, parts.clock, started);

    // Assess: the records do hold the needles (so the search below can find them) ...
    const records = await parts.reader.byRun(runId);
    expect(records).toHaveLength(ids.length + parts.bundle.apps.length);
    const needles = new Set<string>([address]);
    for (const r of records) {
      for (const value of [r.email, r.userFullName, r.userFirstName, r.userLastName]) {
        if (value) needles.add(value.toLowerCase());
      }
    }
    expect([...needles]).toEqual(
      expect.arrayContaining(['ottoline.quastenberg@example.org', 'quastenberg', 'xanthe', 'vorberg']),
    );
    // ... and no loop state, nor any log entry, does.
    const states = JSON.stringify([started, ...run.states]).toLowerCase();
    const logged = JSON.stringify(parts.log.entries).toLowerCase();
    for (const needle of needles) {
      expect(states).not.toContain(needle);
      expect(logged).not.toContain(needle);
    }
  });
});

describe('makeHandler over createRuntime (endpoints from the environment)', () => {
  let restoreEnv: () => void;
  let handler: ReturnType<typeof makeHandler>;

  beforeAll(() => {
    restoreEnv = setEnv({
      AWS_ENDPOINT_URL_APPFABRIC: parts.standIn.url,
      AWS_ENDPOINT_URL_DYNAMODB: parts.dynamo.endpoint,
      [EnvNames.tableName]: parts.tableName,
      [EnvNames.defaultAppBundleIdentifier]: BUNDLE_ARN,
    });
    const runtime = createRuntime(parts.log, process.env);
    handler = makeHandler(() => runtime);
  });

  afterAll(() => {
    restoreEnv();
  });

  /** What the state machine passes on: JSON. */
  const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  it('starts a run and polls it to DONE', async () => {
    // Prepare
    const ids = addTasks(2);
    const runId = nextRunId('handler');

    // Act
    const started = (await handler({
      action: 'start',
      runId,
      startedAt: new Date().toISOString(),
      input: { taskIdList: ids },
    })) as LoopState;
    const polled = (await handler({ action: 'poll', state: asJson(started) })) as LoopState;

    // Assess
    expect(started).toMatchObject({ runId, appBundleIdentifier: BUNDLE_ARN, status: 'PENDING', cycle: 0 });
    expect(started.counts).toEqual(counts({ total: 2, pending: 2 }));
    expect(polled).toMatchObject({ runId, status: 'DONE', cycle: 1 });
    expect(polled.counts).toEqual(counts({ total: 2, COMPLETED: 2 }));
    expect(batchGetIdLists(parts.standIn).map((l) => sorted(l))).toEqual([sorted(ids)]);
    expect((await parts.reader.byRun(runId)).map((r) => r.taskId)).toEqual(sorted(ids));
    expect(await parts.reader.getRun(runId)).toMatchObject({ outcome: 'SUCCEEDED', counts: polled.counts });
  });

  it('starts a run from an address with the runtime email starter', async () => {
    // Prepare
    const runId = nextRunId('handler');
    const address = 'handler.person@example.com';

    // Act
    const started = (await handler({ action: 'start', runId, input: { emails: [address] } })) as LoopState;

    // Assess
    expect(startedEmails(parts.standIn)).toEqual([address]);
    expect(started.counts).toEqual(
      counts({ total: parts.bundle.apps.length, pending: parts.bundle.apps.length }),
    );
    expect(await parts.ledger.get(runId, emailHash(address))).toMatchObject({ state: 'STARTED' });
  });

  it('fail records the run as FAILED with the error name and the message of a Lambda-style Cause', async () => {
    // Prepare: a poll that fails with access denied, reported by Step Functions as { Error, Cause }.
    const runId = nextRunId('handler');
    const started = (await handler({
      action: 'start',
      runId,
      input: { taskIdList: addTasks(1) },
    })) as LoopState;
    parts.standIn.setFaults({ accessDenied: true });
    const pollError = await failure(handler({ action: 'poll', state: asJson(started) }));
    const cause = JSON.stringify({
      errorType: pollError.name,
      errorMessage: pollError.message,
      trace: (pollError.stack ?? '').split('\n'),
    });

    // Act
    const out = await handler({ action: 'fail', runId, error: { Error: pollError.name, Cause: cause } });

    // Assess
    expect(pollError.name).toBe(ErrorNames.AppFabricAccessDenied);
    expect(out).toEqual({ Error: ErrorNames.AppFabricAccessDenied, Cause: pollError.message });
    const run = await parts.reader.getRun(runId);
    expect(run).toMatchObject({
      outcome: 'FAILED',
      errorName: ErrorNames.AppFabricAccessDenied,
      errorCause: pollError.message,
      counts: counts({ total: 1, pending: 1 }),
    });
    expect(run?.endedAt).toEqual(expect.any(String));
    expect(run?.errorCause).not.toMatch(/trace|\n\s*at /);
  });

  it('refuses an unknown or missing action with InvalidInputError naming action, writing nothing', async () => {
    // Prepare
    const runId = nextRunId('handler');

    // Act
    const unknown = await failure(
      handler({ action: 'restart', runId, input: { taskIdList: [randomUUID()] } }),
    );
    const missing = await failure(handler({ runId }));

    // Assess
    for (const error of [unknown, missing]) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.name).toBe(ErrorNames.InvalidInput);
      expect((error as InvalidInputError).field).toBe('action');
    }
    expect(await partitionItems(parts.doc, parts.tableName, runId)).toEqual([]);
    expect(parts.standIn.calls).toEqual([]);
  });
});
