/** startRun learns a finish profile from earlier runs of the bundle (RunHistory), or cold-starts. */
import { HISTORY_MAX_RECORDS, HISTORY_RUNS } from '../../lambda/core/history';
import { startRun } from '../../lambda/core/start';
import { buildFinishProfile, finishTimesFromRecords } from '../../lambda/core/wait-plan';
import { ResultsStoreUnavailableError } from '../../lambda/shared/errors';
import { FAKE_BUNDLE, type FakeWorld, fakeWorld } from '../support/fakes';
import { driveRun } from '../support/run';

const OTHER_BUNDLE =
  'arn:aws:appfabric:us-east-1:123456789012:appbundle/00000000-1111-4222-8333-444444444444';

/** One run of 12 tasks finishing after 0 to 3 IN_PROGRESS answers (a few among them FAILED), driven to DONE. */
async function finishedRun(world: FakeWorld, runId: string, bundle = FAKE_BUNDLE) {
  const ids = Array.from({ length: 12 }, (_, i) =>
    world.gateway.addTask({ inProgressPolls: i % 4, outcome: i % 5 === 0 ? 'FAILED' : 'COMPLETED' }),
  );
  const state = await startRun(
    { runId, input: { appBundleIdentifier: bundle, taskIdList: ids } },
    world.deps,
  );
  await driveRun(world.deps, world.clock, state);
  world.clock.advanceSeconds(3600);
}

/** The profile a run's records give, computed here from what the fake store holds. */
function profileOf(world: FakeWorld, runIds: string[], maxWaitSeconds: number) {
  const finishes = runIds.flatMap((runId) => {
    const startedAt = Date.parse(world.results.runs.get(runId)?.startedAt ?? '');
    const seconds = world.results.recordsOf(runId).map((r) => (Date.parse(r.recordedAt) - startedAt) / 1000);
    return finishTimesFromRecords(seconds, maxWaitSeconds);
  });
  return buildFinishProfile(finishes);
}

describe('startRun with the history of earlier runs', () => {
  it('gives the new run a profile built from the two earlier runs of its bundle, timed from its start', async () => {
    // Prepare
    const world = fakeWorld();
    await finishedRun(world, 'earlier-1');
    await finishedRun(world, 'earlier-2');
    const ids = world.gateway.addTasks(5);

    // Act
    const state = await startRun({ runId: 'learner', input: { taskIdList: ids } }, world.deps);

    // Assess: the profile is what those runs' records say, its time zero the new run's start.
    const expected = profileOf(world, ['earlier-1', 'earlier-2'], 300);
    expect(expected).toBeDefined();
    expect(state.waitPolicy).toEqual({ profile: expected, firstPollAt: world.clock.now().getTime() });
    expect((await world.runState.load('learner'))?.waitPolicy).toEqual(state.waitPolicy);
    expect(world.history.calls).toEqual([FAKE_BUNDLE, FAKE_BUNDLE, FAKE_BUNDLE]);
  });

  it('asks for the newest runs within the bounds, and the run then polls by the profile', async () => {
    // Prepare
    const world = fakeWorld();
    await finishedRun(world, 'earlier-a');
    await finishedRun(world, 'earlier-b');
    const asked: { runs: number; maxRecords: number }[] = [];
    const read = world.history.recentFinishSeconds.bind(world.history);
    world.history.recentFinishSeconds = (bundle, limits) => {
      asked.push(limits);
      return read(bundle, limits);
    };
    const ids = world.gateway.addTasks(12, { inProgressPolls: 1 });

    // Act
    const start = await startRun({ runId: 'guided', input: { taskIdList: ids } }, world.deps);
    const run = await driveRun(world.deps, world.clock, start);

    // Assess
    expect(asked).toEqual([{ runs: HISTORY_RUNS, maxRecords: HISTORY_MAX_RECORDS }]);
    expect(run.final.status).toBe('DONE');
    expect(run.states[0].waitPolicy?.profile).toEqual(start.waitPolicy?.profile);
  });

  it('cold-starts without earlier runs of its bundle (another bundle’s runs do not count)', async () => {
    // Prepare
    const world = fakeWorld();
    await finishedRun(world, 'other-1', OTHER_BUNDLE);
    await finishedRun(world, 'other-2', OTHER_BUNDLE);

    // Act
    const state = await startRun(
      { runId: 'first', input: { taskIdList: world.gateway.addTasks(3) } },
      world.deps,
    );

    // Assess
    expect(state.waitPolicy).toBeUndefined();
    expect((await world.runState.load('first'))?.waitPolicy).toBeUndefined();
    expect(world.log.entries.find((e) => e.message === 'run started')?.extra?.learntFromHistory).toBe(false);
  });

  it('cold-starts when the earlier runs recorded too few results to tell when tasks finish', async () => {
    // Prepare: one earlier run of 3 tasks.
    const world = fakeWorld();
    const few = world.gateway.addTasks(3, { inProgressPolls: 1 });
    await driveRun(
      world.deps,
      world.clock,
      await startRun({ runId: 'small', input: { taskIdList: few } }, world.deps),
    );

    // Act
    const state = await startRun(
      { runId: 'after-small', input: { taskIdList: world.gateway.addTasks(3) } },
      world.deps,
    );

    // Assess
    expect(world.results.recordsOf('small')).toHaveLength(3);
    expect(state.waitPolicy).toBeUndefined();
  });

  it('cold-starts, with a warning naming only the error, when the history cannot be read', async () => {
    // Prepare
    const world = fakeWorld();
    await finishedRun(world, 'earlier-x');
    await finishedRun(world, 'earlier-y');
    world.history.fault = () =>
      new ResultsStoreUnavailableError('DynamoDB Query on table fake failed: person.0@example.com');
    const ids = world.gateway.addTasks(3);

    // Act
    const state = await startRun({ runId: 'no-history', input: { taskIdList: ids } }, world.deps);

    // Assess: the run started as without history; the warning holds no message text.
    expect(state.status).toBe('PENDING');
    expect(state.waitPolicy).toBeUndefined();
    expect((await world.runState.load('no-history'))?.pendingTaskIds).toEqual(ids);
    const warning = world.log.entries.find((e) => e.level === 'warn');
    expect(warning?.extra).toEqual({ runId: 'no-history', errorName: 'ResultsStoreUnavailableError' });
    expect(JSON.stringify(world.log.entries)).not.toContain('example.com');
  });
});
