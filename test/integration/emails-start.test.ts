/**
 * Starting a run from addresses: startRun + makeStartTasksForEmails + DynamoDbStartLedger + AppFabricGateway,
 * against the AppFabric stand-in over HTTP and dynalite. StartUserAccessTasks is not idempotent, so the
 * stand-in's call log is the witness: an address is started at most once per run, whatever is retried.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { Keys, TableSchema } from '../../lambda/contract/table';
import { ErrorNames } from '../../lambda/contract/workflow';
import { emailHash } from '../../lambda/core/emails';
import type { StartRecord } from '../../lambda/core/ports';
import { startRun } from '../../lambda/core/start';
import { AppFabricThrottledError } from '../../lambda/shared/errors';
import { deleteRunState, partitionItems } from '../support/dynamo';
import { type Parts, startParts } from '../support/parts';
import { driveRun, failure, nextRunId, sorted, startedEmails } from '../support/run';

let parts: Parts;

beforeAll(async () => {
  parts = await startParts({ seed: 11 });
});

afterAll(async () => {
  await parts.close();
});

beforeEach(() => {
  parts.reset();
});

const start = (runId: string, emails: string[], starter = parts.starter) =>
  startRun({ runId, startedAt: parts.clock.iso(), input: { emails } }, parts.deps, starter);

/** The stand-in's tasks created for an address, as { app, taskId }. */
const tasksOf = (email: string) =>
  parts.standIn
    .taskIds(parts.bundle.arn)
    .map((id) => parts.standIn.getTask(id)!)
    .filter((t) => t.email === email)
    .map((t) => ({ app: t.app, tenantId: t.tenantId, taskId: t.taskId }));

const appsOfBundle = () => parts.bundle.apps.map((a) => a.app).sort();

/** Calls per address, counted from the stand-in's log (optionally only those answered with `status`). */
const callsPerAddress = (status?: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const email of startedEmails(parts.standIn, status)) out[email] = (out[email] ?? 0) + 1;
  return out;
};

const ledgerItem = async (runId: string, email: string) =>
  (
    await parts.doc.send(
      new GetCommand({
        TableName: parts.tableName,
        Key: {
          [TableSchema.partitionKey]: Keys.runPk(runId),
          [TableSchema.sortKey]: Keys.startSk(emailHash(email)),
        },
      }),
    )
  ).Item;

describe('startRun with emails', () => {
  it('starts each address once, one task per app of the bundle, and records the rejected address', async () => {
    // Prepare
    const ada = 'ada.lovelace@example.com';
    const alan = 'Alan.Turing@Example.com';
    const refused = 'refused.person@example.com';
    parts.standIn.rejectEmail(refused, { as: 'validation', errorMessage: `no user ${refused}` });
    const runId = nextRunId('emails');

    // Act
    const state = await start(runId, [ada, alan, refused]);

    // Assess: one StartUserAccessTasks call per address.
    expect(callsPerAddress()).toEqual({ [ada]: 1, [alan]: 1, [refused]: 1 });
    expect(callsPerAddress(201)).toEqual({ [ada]: 1, [alan]: 1 });
    // One task per app for each accepted address; they are what the run polls.
    const adaTasks = tasksOf(ada);
    const alanTasks = tasksOf(alan);
    expect(adaTasks.map((t) => t.app).sort()).toEqual(appsOfBundle());
    expect(alanTasks.map((t) => t.app).sort()).toEqual(appsOfBundle());
    expect(tasksOf(refused)).toEqual([]);
    const taskIds = [...adaTasks, ...alanTasks].map((t) => t.taskId);
    expect(state.counts).toMatchObject({ total: 4, pending: 4 });
    expect(sorted((await parts.runState.load(runId))!.pendingTaskIds)).toEqual(sorted(taskIds));
    // The ledger: STARTED with the task IDs, REJECTED with only the error code (the message names the address).
    expect(await parts.ledger.get(runId, emailHash(ada))).toMatchObject({
      state: 'STARTED',
      taskIds: expect.arrayContaining(adaTasks.map((t) => t.taskId)),
      errors: [],
    });
    const rejected = await parts.ledger.get(runId, emailHash(refused));
    expect(rejected).toMatchObject({
      state: 'REJECTED',
      taskIds: [],
      errors: [{ errorCode: 'ValidationException' }],
    });
    expect(JSON.stringify(rejected?.errors)).not.toContain(refused);
    // Keyed by the hash of the lower-cased address, not by the address.
    expect(await ledgerItem(runId, alan.toLowerCase())).toMatchObject({ email: alan, state: 'STARTED' });
    expect(await parts.reader.getRun(runId)).toMatchObject({ inputKind: 'emails', outcome: 'RUNNING' });
  });

  it('keeps the per-app errors of an address AppFabric answers without task IDs, and never starts it again', async () => {
    // Prepare: 201 with one item per app carrying `error` and no `taskId`.
    const refused = 'per.app.errors@example.com';
    const ok = 'per.app.ok@example.com';
    parts.standIn.rejectEmail(refused, { errorCode: 'TaskStartFailed' });
    const runId = nextRunId('emails');

    // Act
    const state = await start(runId, [refused, ok]);
    const again = await parts.starter({ runId, appBundleIdentifier: parts.bundle.arn }, [refused, ok]);

    // Assess
    expect(callsPerAddress(201)).toEqual({ [refused]: 1, [ok]: 1 });
    expect(state.counts).toMatchObject({ total: parts.bundle.apps.length });
    expect(sorted(again.map((t) => t.taskId))).toEqual(sorted(tasksOf(ok).map((t) => t.taskId)));
    expect(again.every((t) => t.email === ok && t.app !== undefined && t.tenantId !== undefined)).toBe(true);
    const record = await parts.ledger.get(runId, emailHash(refused));
    expect(record?.taskIds).toEqual([]);
    expect(record?.errors.map((e) => [e.app, e.tenantId, e.errorCode]).sort()).toEqual(
      parts.bundle.apps.map((a) => [a.app, a.tenantId, 'TaskStartFailed']).sort(),
    );
  });

  it('polls the started tasks to one record per task, found by address', async () => {
    // Prepare
    const grace = 'grace.hopper@example.com';
    const refused = 'nobody.here@example.com';
    parts.standIn.rejectEmail(refused, { as: 'validation' });
    const runId = nextRunId('emails');
    const started = await start(runId, [grace, refused]);

    // Act
    const run = await driveRun(parts.deps, parts.clock, started);

    // Assess
    expect(run.final).toMatchObject({ status: 'DONE' });
    expect(run.final.counts).toMatchObject({ total: 2, pending: 0, COMPLETED: 2 });
    const records = await parts.reader.byRun(runId);
    expect(records.map((r) => r.taskId)).toEqual(sorted(tasksOf(grace).map((t) => t.taskId)));
    expect(
      (await parts.reader.byEmail(grace))
        .filter((r) => r.runId === runId)
        .map((r) => r.app)
        .sort(),
    ).toEqual(appsOfBundle());
    expect(await parts.reader.byEmail(refused)).toEqual([]);
  });

  it('makes no second start call for any address when Start is retried after the run state was lost', async () => {
    // Prepare: a first attempt started every address, then "died" before its run state was kept.
    const ada = 'ada.retry@example.com';
    const bob = 'bob.retry@example.com';
    const refused = 'refused.retry@example.com';
    parts.standIn.rejectEmail(refused, { as: 'validation' });
    const runId = nextRunId('emails');
    const first = await start(runId, [ada, bob, refused]);
    const firstIds = (await parts.runState.load(runId))!.pendingTaskIds;
    await deleteRunState(parts.doc, parts.tableName, runId);
    parts.standIn.resetCalls();

    // Act: the retried Start (an address in another case too), then the starter called directly.
    const second = await start(runId, [ada.toUpperCase(), bob, refused]);
    const direct = await parts.starter({ runId, appBundleIdentifier: parts.bundle.arn }, [ada, bob, refused]);

    // Assess
    expect(startedEmails(parts.standIn)).toEqual([]);
    expect(second.counts).toEqual(first.counts);
    expect(sorted((await parts.runState.load(runId))!.pendingTaskIds)).toEqual(sorted(firstIds));
    expect(sorted(direct.map((t) => t.taskId))).toEqual(sorted(firstIds));
    expect([...tasksOf(ada), ...tasksOf(bob)]).toHaveLength(4);
  });

  it('does not start again an address whose earlier attempt died mid-call, and records START_OUTCOME_UNKNOWN', async () => {
    // Prepare: the STARTING marker an attempt leaves when it dies during StartUserAccessTasks.
    const lost = 'lost.midcall@example.com';
    const fresh = 'fresh.start@example.com';
    const runId = nextRunId('emails');
    const marker: StartRecord = {
      runId,
      emailHash: emailHash(lost),
      email: lost,
      state: 'STARTING',
      taskIds: [],
      errors: [],
      at: parts.clock.iso(),
    };
    expect(await parts.ledger.claim(marker)).toBe(true);

    // Act
    const state = await start(runId, [lost, fresh]);

    // Assess
    expect(callsPerAddress()).toEqual({ [fresh]: 1 });
    expect(state.counts).toMatchObject({ total: parts.bundle.apps.length });
    expect(sorted((await parts.runState.load(runId))!.pendingTaskIds)).toEqual(
      sorted(tasksOf(fresh).map((t) => t.taskId)),
    );
    const record = await parts.ledger.get(runId, emailHash(lost));
    expect(record).toMatchObject({ state: 'REJECTED', taskIds: [] });
    expect(record?.errors.map((e) => e.errorCode)).toEqual(['START_OUTCOME_UNKNOWN']);
  });

  it('frees a throttled address and settles the others before failing, so the retry starts each exactly once', async () => {
    // Prepare: one address at a time; the first StartUserAccessTasks call is throttled.
    const first = 'first.throttled@example.com';
    const second = 'second.waiting@example.com';
    const starter = parts.starterWith({ concurrency: 1 });
    const runId = nextRunId('emails');
    parts.standIn.setFaults({ operations: ['StartUserAccessTasks'], throttleNext: 1 });

    // Act
    const error = await failure(start(runId, [first, second], starter));
    const freed = await parts.ledger.get(runId, emailHash(first));
    const itemsAfterFailure = await partitionItems(parts.doc, parts.tableName, runId);
    const state = await start(runId, [first, second], starter);

    // Assess: the failed attempt freed the throttled address and finished the other one (no STARTING
    // entry left for the retry to mistake for a call that died); the retry started each address once.
    expect(error).toBeInstanceOf(AppFabricThrottledError);
    expect(error.name).toBe(ErrorNames.AppFabricThrottled);
    expect(freed).toBeUndefined();
    expect(itemsAfterFailure.map((i) => [i[TableSchema.sortKey], i.state])).toEqual([
      [Keys.startSk(emailHash(second)), 'STARTED'],
    ]);
    expect(callsPerAddress(429)).toEqual({ [first]: 1 });
    expect(callsPerAddress(201)).toEqual({ [first]: 1, [second]: 1 });
    expect(state.counts).toMatchObject({ total: 2 * parts.bundle.apps.length });
    expect(await parts.ledger.get(runId, emailHash(first))).toMatchObject({ state: 'STARTED' });
    expect(tasksOf(first)).toHaveLength(parts.bundle.apps.length);
  });
});
