/** startRun (and the email starter) against in-memory ports: checks before anything starts, idempotency, context. */
import { Limits } from '../../lambda/contract/limits';
import { recordFailure } from '../../lambda/core/fail';
import { startRun } from '../../lambda/core/start';
import { AppFabricValidationError, InvalidInputError } from '../../lambda/shared/errors';
import { fakeUuid, fakeWorld } from '../support/fakes';

const emails = (n: number) => Array.from({ length: n }, (_, i) => `person.${i}@example.com`);
const ids = (n: number) => Array.from({ length: n }, (_, i) => fakeUuid(i, 'input'));

describe('startRun: the per-run task limit, before any task starts', () => {
  it('refuses 100 addresses and 6,500 task IDs from the worst case, naming both, with zero start calls', async () => {
    // Prepare
    const world = fakeWorld();
    const input = { emails: emails(100), taskIdList: ids(6500) };

    // Act
    const error = await startRun({ runId: 'too-big', input }, world.deps, world.starter).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('emails');
    expect((error as Error).message).toContain('emails × 50 + taskIdList = 100 × 50 + 6500 = 11500 > 10000');
    expect(world.gateway.startCalls).toHaveLength(0);
    expect(world.ledger.records.size).toBe(0);
    expect(world.runState.states.size).toBe(0);
    expect(world.results.runs.size).toBe(0);
  });

  it(`accepts the worst case at exactly ${Limits.maxTasksPerRun}`, async () => {
    // Prepare
    const world = fakeWorld();
    world.gateway.bundleApps = [{ app: 'SLACK', tenantId: 'T1' }];
    const input = { emails: emails(100), taskIdList: ids(Limits.maxTasksPerRun - 100 * 50) };

    // Act
    const state = await startRun({ runId: 'at-limit', input }, world.deps, world.starter);

    // Assess
    expect(world.gateway.startCalls).toHaveLength(100);
    expect(state.counts.total).toBe(5000 + 100);
  });
});

describe('startRun: inputs that are not objects', () => {
  it.each([
    ['null', null],
    ['an array', [fakeUuid(1)]],
    ['a string', '{"taskIdList":[]}'],
    ['a number', 42],
  ])('refuses %s naming input, and the failure is recorded on the run', async (_case, input) => {
    // Prepare
    const world = fakeWorld();

    // Act
    const error = await startRun({ runId: 'not-object', input }, world.deps, world.starter).catch(
      (e: unknown) => e,
    );
    const failure = await recordFailure(
      { runId: 'not-object', error: { Error: (error as Error).name, Cause: (error as Error).message } },
      world.deps,
    );

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('input');
    expect(world.runState.states.size).toBe(0);
    expect(failure.Error).toBe('InvalidInputError');
    expect(world.results.runs.get('not-object')).toMatchObject({
      outcome: 'FAILED',
      errorName: 'InvalidInputError',
      errorCause: expect.stringMatching(/^input: must be a JSON object, got /),
    });
  });
});

describe('startRun from addresses', () => {
  it('remembers each task’s app, tenant and address in the run state, never in the loop state', async () => {
    // Prepare
    const world = fakeWorld();
    const people = ['ada@example.com', 'bob@example.com'];

    // Act
    const state = await startRun({ runId: 'ctx', input: { emails: people } }, world.deps, world.starter);

    // Assess
    const stored = await world.runState.load('ctx');
    expect(stored?.people).toEqual(people);
    expect(stored?.apps).toEqual([
      { app: 'SLACK', tenantId: 'T0ACME' },
      { app: 'OKTA', tenantId: 'acme.okta.com' },
    ]);
    const byTask = stored?.pendingTaskIds.map((id, i) => [
      world.gateway.tasks.get(id)?.email,
      stored.people?.[stored.personIndex?.[i] ?? -1],
      world.gateway.tasks.get(id)?.app,
      stored.apps?.[stored.appIndex?.[i] ?? -1]?.app,
    ]);
    for (const [givenTo, remembered, app, rememberedApp] of byTask ?? []) {
      expect(remembered).toBe(givenTo);
      expect(rememberedApp).toBe(app);
    }
    expect(JSON.stringify(state)).not.toMatch(/@|SLACK|OKTA/);
    expect(Object.keys(state).sort()).toEqual(
      [
        'appBundleIdentifier',
        'counts',
        'cycle',
        'deadlineAt',
        'maxWaitSeconds',
        'minWaitSeconds',
        'runId',
        'status',
        'waitSeconds',
      ].sort(),
    );
  });

  it('starts each address once: a retried Start reuses the ledger and keeps the context', async () => {
    // Prepare
    const world = fakeWorld();
    const input = { emails: ['ada@example.com'] };
    await startRun({ runId: 'again', input }, world.deps, world.starter);
    world.runState.states.clear(); // the state was lost before the answer reached the state machine

    // Act
    await startRun({ runId: 'again', input }, world.deps, world.starter);

    // Assess
    expect(world.gateway.startCalls).toEqual(['ada@example.com']);
    const stored = await world.runState.load('again');
    expect(stored?.personIndex).toEqual([0, 0]);
    expect(stored?.appIndex).toEqual([0, 1]);
  });

  it('goes on past an address AppFabric refuses, keeping only the error code', async () => {
    // Prepare
    const world = fakeWorld();
    world.gateway.startFault = (email) =>
      email.startsWith('bad')
        ? new AppFabricValidationError(`email bad@example.com is not valid`)
        : undefined;

    // Act
    const state = await startRun(
      { runId: 'refused', input: { emails: ['bad@example.com', 'ok@example.com'] } },
      world.deps,
      world.starter,
    );

    // Assess
    expect(state.counts.total).toBe(2);
    const records = [...world.ledger.records.values()];
    expect(records.find((r) => r.email === 'bad@example.com')).toMatchObject({
      state: 'REJECTED',
      errors: [{ errorCode: 'ValidationException' }],
    });
  });
});
