/**
 * The polling core (startRun, pollCycle, recordFailure, makeHandler) against real parts: the AppFabric
 * stand-in over HTTP, the real AppFabric client and gateway, dynalite with the real DynamoDB adapters.
 * The clock is moved by hand, so deadlines and wait times need no real waiting.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { emailHash } from '../../lambda/core/emails';
import type { TaskRecord } from '../../lambda/core/model';
import { pollCycle } from '../../lambda/core/poll';
import { addTask, addTasks, parts, start, useParts } from '../support/core-parts';
import { partitionItems, unprocessedBatchWrites } from '../support/dynamo';
import { BUNDLE_ARN } from '../support/parts';
import { batchGetIdLists, counts, driveRun, nextRunId, sorted } from '../support/run';

useParts();

const expiresAtFor = (recordedAt: string): number =>
  Math.floor(Date.parse(recordedAt) / 1000) + parts.settings.retentionDays * 86_400;

const byTaskId = (a: { taskId: string }, b: { taskId: string }) => a.taskId.localeCompare(b.taskId);

describe('one poll cycle', () => {
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
});

describe('a whole run', () => {
  it("shows live progress: after each cycle the stored run record's counts equal the records stored so far", async () => {
    // Prepare
    const ids = [
      ...addTasks(4),
      ...addTasks(4, { outcome: 'FAILED', inProgressPolls: 1 }),
      ...addTasks(4, { outcome: 'EXPIRED', inProgressPolls: 2 }),
    ];
    const runId = nextRunId();
    let state = await start(runId, { taskIdList: ids });

    // Act + Assess, cycle by cycle, through the real store and the reader
    while (state.status === 'PENDING') {
      parts.clock.advanceSeconds(state.waitSeconds);
      state = (await pollCycle(state, parts.deps)).state;
      const [run, records] = await Promise.all([parts.reader.getRun(runId), parts.reader.byRun(runId)]);
      const stored = (s: string) => records.filter((r) => r.resultStatus === s).length;
      expect(run).toMatchObject({
        cycle: state.cycle,
        lastPolledAt: parts.clock.iso(),
        counts: {
          total: 12,
          pending: 12 - records.length,
          COMPLETED: stored('COMPLETED'),
          FAILED: stored('FAILED'),
          EXPIRED: stored('EXPIRED'),
        },
      });
    }
    expect(state.cycle).toBe(3);
  });

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
