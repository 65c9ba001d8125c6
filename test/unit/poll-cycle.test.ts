/** pollCycle against in-memory ports: chunking, reconciling answers, misses, deadline, retries, the time budget. */
import { Limits } from '../../lambda/contract/limits';
import type { LoopState } from '../../lambda/core/model';
import { CYCLE_END_MARGIN_MS, pollCycle } from '../../lambda/core/poll';
import { startRun } from '../../lambda/core/start';
import {
  AppFabricAccessDeniedError,
  AppFabricInvalidResponseError,
  AppFabricThrottledError,
  InvalidInputError,
} from '../../lambda/shared/errors';
import { FAKE_BUNDLE, type FakeWorld, fakeWorld } from '../support/fakes';

let runs = 0;
const start = async (world: FakeWorld, taskIdList: string[]): Promise<LoopState> =>
  startRun({ runId: `run-${++runs}`, input: { taskIdList } }, world.deps);

/** Polls until the run is no longer PENDING, moving the clock by each wait. */
async function pollToEnd(world: FakeWorld, state: LoopState, limit = 50): Promise<LoopState[]> {
  const states: LoopState[] = [];
  let current = state;
  while (current.status === 'PENDING' && states.length < limit) {
    world.clock.advanceSeconds(current.waitSeconds);
    current = (await pollCycle(current, world.deps)).state;
    states.push(current);
  }
  return states;
}

describe('pollCycle: asking and reconciling', () => {
  it('asks for 120 pending IDs in 3 calls of at most 50, each ID once', async () => {
    // Prepare
    const world = fakeWorld();
    const ids = world.gateway.addTasks(120, { inProgressPolls: 5 });
    const state = await start(world, ids);

    // Act
    const { report } = await pollCycle(state, world.deps);

    // Assess
    expect(report.calls).toBe(3);
    expect(world.gateway.batchGetCalls.map((c) => c.length)).toEqual([50, 50, 20]);
    expect(world.gateway.batchGetCalls.flat().sort()).toEqual([...ids].sort());
  });

  it('records COMPLETED, FAILED and EXPIRED with every answer field, and keeps IN_PROGRESS pending', async () => {
    // Prepare
    const world = fakeWorld();
    const [done] = world.gateway.addTasks(1, { outcome: 'COMPLETED', email: 'ada@example.com' });
    const [failed] = world.gateway.addTasks(1, {
      outcome: 'FAILED',
      taskError: { errorCode: 'USER_NOT_FOUND' },
    });
    const [expired] = world.gateway.addTasks(1, {
      outcome: 'EXPIRED',
      app: 'OKTA',
      tenantId: 'acme.okta.com',
    });
    const [slow] = world.gateway.addTasks(1, { inProgressPolls: 3 });
    const state = await start(world, [done, failed, expired, slow]);

    // Act
    const { state: after, report } = await pollCycle(state, world.deps);

    // Assess
    const records = world.results.recordsOf(after.runId);
    expect(Object.fromEntries(records.map((r) => [r.taskId, r.resultStatus]))).toEqual({
      [done]: 'COMPLETED',
      [failed]: 'FAILED',
      [expired]: 'EXPIRED',
    });
    expect(records.find((r) => r.taskId === done)).toMatchObject({
      app: 'SLACK',
      tenantId: 'T0ACME',
      email: 'ada@example.com',
      userId: 'U1',
      userStatus: 'ACTIVE',
      runId: after.runId,
      appBundleIdentifier: FAKE_BUNDLE,
      recordedAt: world.clock.iso(),
    });
    expect(records.find((r) => r.taskId === failed)?.taskError).toEqual({ errorCode: 'USER_NOT_FOUND' });
    expect(after.counts).toMatchObject({ pending: 1, COMPLETED: 1, FAILED: 1, EXPIRED: 1 });
    expect(report.finished).toEqual({ COMPLETED: 1, FAILED: 1, EXPIRED: 1 });
    expect((await world.runState.load(after.runId))?.pendingTaskIds).toEqual([slow]);
  });

  it('ignores answers about IDs it did not ask for, counting them', async () => {
    // Prepare
    const world = fakeWorld();
    const ids = world.gateway.addTasks(2, { inProgressPolls: 9 });
    const [stranger] = world.gateway.addTasks(1);
    const state = await start(world, ids);
    const real = world.gateway.batchGet.bind(world.gateway);
    world.gateway.batchGet = async (bundle, asked) => [
      ...(await real(bundle, asked)),
      ...(await real(bundle, [stranger])),
    ];

    // Act
    const { state: after, report } = await pollCycle(state, world.deps);

    // Assess
    expect(report.unexpectedAnswers).toBe(1);
    expect(world.results.recordsOf(after.runId)).toEqual([]);
    expect(after.counts.pending).toBe(2);
  });

  it('refuses an answer with an unknown status without echoing the value', async () => {
    // Prepare
    const world = fakeWorld();
    const [id] = world.gateway.addTasks(1);
    const state = await start(world, [id]);
    world.gateway.batchGet = async () => [{ taskId: id, resultStatus: 'jane.doe@corp' }];

    // Act
    const error = await pollCycle(state, world.deps).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AppFabricInvalidResponseError);
    expect((error as Error).message).toMatch(/^userAccessResultsList\[0\]\.resultStatus: is not one of/);
    expect((error as Error).message).not.toContain('jane');
  });

  it('records an ID left out of answers as NOT_FOUND after notFoundAfterMisses (3) answers, not before', async () => {
    // Prepare
    const world = fakeWorld({ notFoundAfterMisses: 3 });
    const [gone] = world.gateway.addTasks(1, { outcome: 'MISSING' });
    const [slow] = world.gateway.addTasks(1, { inProgressPolls: 9 });
    const state = await start(world, [gone, slow]);

    // Act
    const first = await pollCycle(state, world.deps);
    const second = await pollCycle(first.state, world.deps);
    const third = await pollCycle(second.state, world.deps);

    // Assess
    expect([first, second, third].map((c) => c.report.missing)).toEqual([1, 1, 1]);
    expect([first, second].map((c) => c.state.counts.NOT_FOUND)).toEqual([0, 0]);
    expect(third.state.counts.NOT_FOUND).toBe(1);
    expect(world.results.recordsOf(third.state.runId).map((r) => [r.taskId, r.resultStatus])).toEqual([
      [gone, 'NOT_FOUND'],
    ]);
  });
});

describe('pollCycle: failures', () => {
  it('keeps a throttled chunk pending, records the rest, and waits at least Retry-After', async () => {
    // Prepare
    const world = fakeWorld();
    const ids = world.gateway.addTasks(100);
    const state = await start(world, ids);
    world.gateway.batchGetFault = (n) =>
      n === 1 ? new AppFabricThrottledError('slow down', 120) : undefined;

    // Act
    const { state: after, report } = await pollCycle(state, world.deps);

    // Assess
    expect(report).toMatchObject({ calls: 2, failedCalls: 1 });
    expect(after.counts).toMatchObject({ COMPLETED: 50, pending: 50 });
    expect(after.waitSeconds).toBeGreaterThanOrEqual(120);
    expect((await world.runState.load(after.runId))?.misses).toEqual(Array(50).fill(0));
  });

  it('throws the error when every call failed, so the state machine retries, and saves nothing', async () => {
    // Prepare
    const world = fakeWorld();
    const state = await start(world, world.gateway.addTasks(60));
    world.gateway.batchGetFault = () => new AppFabricThrottledError('slow down', 3);

    // Act
    const error = await pollCycle(state, world.deps).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AppFabricThrottledError);
    expect((await world.runState.load(state.runId))?.cycle).toBe(0);
    expect(world.results.records.size).toBe(0);
  });

  it('lets a fatal error end the cycle at once', async () => {
    // Prepare
    const world = fakeWorld();
    const state = await start(world, world.gateway.addTasks(1));
    world.gateway.batchGetFault = () => new AppFabricAccessDeniedError('no');

    // Act + Assess
    await expect(pollCycle(state, world.deps)).rejects.toThrow(AppFabricAccessDeniedError);
  });

  it('refuses a loop state ahead of the stored run, or for a run that has none', async () => {
    // Prepare
    const world = fakeWorld();
    const state = await start(world, world.gateway.addTasks(1));

    // Act
    const ahead = await pollCycle({ ...state, cycle: 5 }, world.deps).catch((e: unknown) => e);
    const unknown = await pollCycle({ ...state, runId: 'nobody' }, world.deps).catch((e: unknown) => e);

    // Assess
    expect(ahead).toBeInstanceOf(InvalidInputError);
    expect((ahead as InvalidInputError).field).toBe('state.cycle');
    expect((unknown as InvalidInputError).field).toBe('state.runId');
  });
});

describe('pollCycle: repeated attempts and the deadline', () => {
  it('answers a cycle already done from the stored state, asking and writing nothing', async () => {
    // Prepare
    const world = fakeWorld();
    const state = await start(world, world.gateway.addTasks(2, { inProgressPolls: 1 }));
    const first = await pollCycle(state, world.deps);
    const calls = world.gateway.batchGetCalls.length;

    // Act: the same input again (the first answer was lost).
    const again = await pollCycle(state, world.deps);

    // Assess
    expect(again.state).toEqual(first.state);
    expect(world.gateway.batchGetCalls.length).toBe(calls);
  });

  it('records the pending tasks as TIMED_OUT at the deadline, with the app and tenant their answers gave', async () => {
    // Prepare
    const world = fakeWorld({ deadlineSeconds: 60 });
    const [stuck] = world.gateway.addTasks(1, { outcome: 'NEVER', app: 'ZOOM', tenantId: 'ZM-1' });
    const [quick] = world.gateway.addTasks(1);
    const state = await start(world, [stuck, quick]);
    const first = await pollCycle(state, world.deps);

    // Act
    world.clock.advanceSeconds(61);
    const last = await pollCycle(first.state, world.deps);

    // Assess
    expect(last.state).toMatchObject({
      status: 'TIMED_OUT',
      counts: { COMPLETED: 1, TIMED_OUT: 1, pending: 0 },
    });
    expect(world.results.recordsOf(state.runId).find((r) => r.taskId === stuck)).toMatchObject({
      resultStatus: 'TIMED_OUT',
      app: 'ZOOM',
      tenantId: 'ZM-1',
    });
    expect(world.results.runs.get(state.runId)).toMatchObject({
      outcome: 'TIMED_OUT',
      counts: last.state.counts,
    });
  });
});

describe('pollCycle: every invocation ends in time', () => {
  it('leaves the chunks it has no time for pending, records the rest once, and the next cycle finishes them', async () => {
    // Prepare: 4 chunks of 50, one call at a time; after the second call the invocation is nearly out of time.
    const world = fakeWorld({ batchGetConcurrency: 1 });
    const ids = world.gateway.addTasks(200);
    const state = await start(world, ids);
    let remaining = 60_000;
    world.gateway.onBatchGet = (n) => {
      if (n === 1) remaining = CYCLE_END_MARGIN_MS - 1;
    };

    // Act
    const first = await pollCycle(state, world.deps, { remainingTimeMs: () => remaining });
    const storedAfterFirst = world.results.recordsOf(state.runId).map((r) => r.taskId);
    remaining = 60_000;
    const second = await pollCycle(first.state, world.deps, { remainingTimeMs: () => remaining });

    // Assess
    expect(first.report).toMatchObject({ calls: 2, unaskedChunks: 2, missing: 0 });
    expect(first.state.counts).toMatchObject({ COMPLETED: 100, pending: 100 });
    expect(storedAfterFirst.sort()).toEqual(ids.slice(0, 100).sort());
    expect(second.report).toMatchObject({ calls: 2, unaskedChunks: 0 });
    expect(second.state).toMatchObject({ status: 'DONE', counts: { COMPLETED: 200, pending: 0 } });
    // Every ID asked exactly once over both cycles, and recorded exactly once.
    expect(world.gateway.batchGetCalls.flat().sort()).toEqual([...ids].sort());
    expect(world.results.writes.taskRecordWrites).toBe(200);
    expect(
      world.log.entries.some((e) => e.message === 'cycle out of time' && e.extra?.unaskedChunks === 2),
    ).toBe(true);
  });

  it('keeps the misses of unasked tasks as they were: not being asked is not being left out', async () => {
    // Prepare
    const world = fakeWorld({ batchGetConcurrency: 1, notFoundAfterMisses: 1 });
    const ids = world.gateway.addTasks(Limits.batchGetMaxIds * 2, { outcome: 'MISSING' });
    const state = await start(world, ids);

    // Act: time for one call only.
    let remaining = 60_000;
    world.gateway.onBatchGet = () => {
      remaining = 0;
    };
    const { state: after } = await pollCycle(state, world.deps, { remainingTimeMs: () => remaining });

    // Assess: the asked half is NOT_FOUND (one miss is enough here); the unasked half is untouched.
    expect(after.counts).toMatchObject({ NOT_FOUND: 50, pending: 50 });
    expect((await world.runState.load(state.runId))?.misses).toEqual(Array(50).fill(0));
  });
});

describe('pollCycle: live progress', () => {
  it("after each cycle the run record's counts equal the records stored so far, with one extra write a cycle", async () => {
    // Prepare
    const world = fakeWorld();
    const ids = [
      ...world.gateway.addTasks(3, { inProgressPolls: 0 }),
      ...world.gateway.addTasks(3, { inProgressPolls: 1, outcome: 'FAILED' }),
      ...world.gateway.addTasks(3, { inProgressPolls: 2, outcome: 'EXPIRED' }),
    ];
    let state = await start(world, ids);

    // Act + Assess, cycle by cycle
    for (let cycle = 1; state.status === 'PENDING'; cycle++) {
      const writesBefore = { ...world.results.writes };
      world.clock.advanceSeconds(state.waitSeconds);
      state = (await pollCycle(state, world.deps)).state;
      const run = world.results.runs.get(state.runId);
      const stored = world.results.recordsOf(state.runId);
      const byStatus = (s: string) => stored.filter((r) => r.resultStatus === s).length;
      expect(run?.counts).toMatchObject({
        COMPLETED: byStatus('COMPLETED'),
        FAILED: byStatus('FAILED'),
        EXPIRED: byStatus('EXPIRED'),
        pending: ids.length - stored.length,
      });
      expect(run).toMatchObject({ cycle, lastPolledAt: world.clock.iso() });
      const extra =
        world.results.writes.runProgressWrites -
        writesBefore.runProgressWrites +
        world.results.writes.runRecordPuts -
        writesBefore.runRecordPuts;
      expect(extra).toBe(1);
    }
    expect(world.results.runs.get(state.runId)).toMatchObject({ outcome: 'SUCCEEDED', cycle: 3 });
  });

  it('never moves the progress of an ended run', async () => {
    // Prepare
    const world = fakeWorld();
    const state = await start(world, world.gateway.addTasks(1));
    const end = await pollToEnd(world, state);

    // Act: a late repeat of the last cycle.
    await pollCycle(state, world.deps);

    // Assess
    expect(world.results.runs.get(state.runId)).toMatchObject({ outcome: 'SUCCEEDED', cycle: end.length });
  });
});
