/** startRun (and the email starter) against in-memory ports: checks before anything starts, idempotency, context. */
import { randomUUID } from 'node:crypto';
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

describe('startRun: input checks (moved from the integration suite: the stores are fakes here)', () => {
  const valid = () => randomUUID();
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a rejection');
      },
      (e: unknown) => e as Error,
    );

  it.each<[string, string, () => unknown]>([
    ['no task ID list and no emails', 'taskIdList', () => ({})],
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
  ])('rejects %s naming %s, and writes and starts nothing', async (_label, field, input) => {
    // Prepare
    const world = fakeWorld();

    // Act
    const error = await failure(startRun({ runId: 'bad', input: input() }, world.deps, world.starter));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(world.results.runs.size + world.results.records.size + world.runState.states.size).toBe(0);
    expect(world.gateway.startCalls.length + world.gateway.batchGetCalls.length).toBe(0);
  });

  it('rejects a missing run ID and a start time that is not a date, writing nothing', async () => {
    // Prepare
    const world = fakeWorld();
    const input = { taskIdList: [valid()] };

    // Act
    const noRunId = await failure(startRun({ runId: undefined, input }, world.deps));
    const badStart = await failure(startRun({ runId: 'r', startedAt: 'yesterday', input }, world.deps));

    // Assess
    expect((noRunId as InvalidInputError).field).toBe('runId');
    expect((badStart as InvalidInputError).field).toBe('startedAt');
    expect(world.runState.states.size + world.results.runs.size).toBe(0);
  });
});
