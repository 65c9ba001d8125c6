/**
 * The polling core's failures, input checks and personal data, and the handler over createRuntime, against
 * real parts: the AppFabric stand-in over HTTP, the real client and gateway, dynalite with the real adapters.
 * (The cycle's logic itself is tested on in-memory ports in test/unit/poll-cycle.test.ts.)
 */
import { randomUUID } from 'node:crypto';
import { EnvNames } from '../../lambda/contract/settings';
import { ErrorNames } from '../../lambda/contract/workflow';
import { emailHash } from '../../lambda/core/emails';
import type { LoopState } from '../../lambda/core/model';
import { pollCycle } from '../../lambda/core/poll';
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
import { addTask, addTasks, parts, start, useParts } from '../support/core-parts';
import { partitionItems } from '../support/dynamo';
import { BUNDLE_ARN } from '../support/parts';
import {
  batchGetIdLists,
  counts,
  driveRun,
  failure,
  nextRunId,
  setEnv,
  sorted,
  startedEmails,
} from '../support/run';

useParts();

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
