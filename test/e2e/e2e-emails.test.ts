/**
 * Starting a run from addresses, end to end: the rendered state machine on aws-local-stepfunctions, the real
 * handler, the AppFabric stand-in and dynalite (`startLocalPoller`). StartUserAccessTasks is not idempotent,
 * so the stand-in's call log is the witness that an address is started once per run, whatever is retried.
 * Faults come only from the stand-in and the harness's hooks (`wrapDocumentClient`, `beforeInvoke`).
 */
import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Keys, TableSchema } from '../../lambda/contract/table';
import { ErrorNames } from '../../lambda/contract/workflow';
import { emailHash } from '../../lambda/core/emails';
import type { TaskRecord } from '../../lambda/core/model';
import { StateNames } from '../../lib/poll-workflow';
import type { BundleApp, TaskBehaviour } from '../../local/appfabric-standin';
import {
  type CycleView,
  type ExecutionReport,
  type LocalPoller,
  startLocalPoller,
} from '../../local/harness';
import { type DynamoHook, dynamoHook, expectedRecord, rawClient, sdkError } from '../support/local-e2e';
import { callsOf, sorted } from '../support/run';

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const APPS: BundleApp[] = [
  { app: 'SLACK', tenantId: 'T0MAIL', tenantDisplayName: 'Mail workspace' },
  { app: 'OKTA', tenantId: 'mail.okta.com', tenantDisplayName: 'Mail Okta' },
  { app: 'ZOOM', tenantId: 'ZM-MAIL' },
];
/** What each app's task does: finishes after a poll or two, with each kind of outcome. */
const BEHAVIOUR: Record<string, TaskBehaviour> = {
  SLACK: { outcome: 'COMPLETED', inProgressPolls: 1 },
  OKTA: { outcome: 'FAILED', inProgressPolls: 2 },
  ZOOM: { outcome: 'EXPIRED', inProgressPolls: 0 },
};

let poller: LocalPoller;
let doc: DynamoDBDocumentClient;
let hook: DynamoHook;
let tagCount = 0;

beforeAll(async () => {
  hook = dynamoHook();
  poller = await startLocalPoller({ seed: 21, wrapDocumentClient: hook.wrap });
  poller.appFabric.addBundle(BUNDLE_ARN, APPS);
  poller.appFabric.setStartScript(BUNDLE_ARN, (_email, app) => BEHAVIOUR[app.app]);
  doc = rawClient(poller);
});

afterAll(async () => {
  doc?.destroy();
  await poller?.close();
});

beforeEach(() => {
  poller.appFabric.resetCalls();
});

afterEach(() => {
  hook.before = undefined;
  poller.appFabric.clearFaults();
});

/** Three addresses of this test's own (one in mixed case); the third is refused by AppFabric with a 400. */
function addresses() {
  const tag = `t${++tagCount}`;
  const ada = `ada.${tag}@example.com`;
  const bob = `Bob.Smith.${tag}@Example.com`;
  const refused = `refused.${tag}@example.com`;
  poller.appFabric.rejectEmail(refused, { as: 'validation', errorMessage: `no such user ${refused}` });
  return { ada, bob, refused, all: [ada, bob, refused], valid: [ada, bob] };
}

const input = (emails: string[]) => ({ appBundleIdentifier: BUNDLE_ARN, emails });

/** StartUserAccessTasks calls per address (optionally only those answered with `status`). */
const startsPerAddress = (status?: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const call of callsOf(poller.appFabric, 'StartUserAccessTasks')) {
    if (status !== undefined && call.status !== status) continue;
    const email = (call.requestBody as { email: string }).email;
    out[email] = (out[email] ?? 0) + 1;
  }
  return out;
};

/** The stand-in's tasks started for an address. */
const tasksOf = (email: string) =>
  poller.appFabric
    .taskIds(BUNDLE_ARN)
    .map((id) => poller.appFabric.getTask(id)!)
    .filter((t) => t.email === email);

/** The run's start ledger, raw: every START# item of its partition. */
async function ledgerOf(runId: string): Promise<Record<string, unknown>[]> {
  const out = await doc.send(
    new QueryCommand({
      TableName: poller.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :start)',
      ExpressionAttributeNames: { '#pk': TableSchema.partitionKey, '#sk': TableSchema.sortKey },
      ExpressionAttributeValues: { ':pk': Keys.runPk(runId), ':start': Keys.startSkPrefix },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

const ledgerItem = (items: Record<string, unknown>[], email: string) =>
  items.find((i) => i[TableSchema.sortKey] === Keys.startSk(emailHash(email)));

/** Every started task of the valid addresses has exactly one record, as the stand-in scripted it. */
async function expectOneRecordPerStartedTask(runId: string, valid: string[]): Promise<TaskRecord[]> {
  const tasks = valid.flatMap(tasksOf);
  const records = await poller.reader.byRun(runId);
  expect(records.map((r) => r.taskId)).toEqual(sorted(tasks.map((t) => t.taskId)));
  for (const task of tasks) {
    expect(records.find((r) => r.taskId === task.taskId)).toEqual({
      ...expectedRecord(task, 'TIMED_OUT', task.email),
      runId,
      appBundleIdentifier: BUNDLE_ARN,
      recordedAt: expect.any(String),
      expiresAt: expect.any(Number),
    });
  }
  return records;
}

/** No address (in any case) and no `@` anywhere in what the execution carried between states. */
function expectNoAddress(what: unknown, emails: string[]) {
  const text = JSON.stringify(what).toLowerCase();
  for (const email of emails) expect(text).not.toContain(email.toLowerCase());
  expect(text).not.toContain('@');
}

describe('a run started from addresses', () => {
  it('starts each address once, polls one task per app to completion, records the rejected address', async () => {
    // Prepare
    const { ada, bob, refused, all, valid } = addresses();
    const seen: CycleView[] = [];
    const runId = `emails-${randomUUID()}`;

    // Act
    const report = await poller.execute(input(all), { runId, onCycle: (c) => seen.push(c) });

    // Assess: one StartUserAccessTasks call per address; the refused one answered 400.
    expect(report.status).toBe('SUCCEEDED');
    expect(startsPerAddress()).toEqual({ [ada]: 1, [bob]: 1, [refused]: 1 });
    expect(startsPerAddress(201)).toEqual({ [ada]: 1, [bob]: 1 });
    expect(startsPerAddress(400)).toEqual({ [refused]: 1 });
    // One task per app of the bundle for each valid address, none for the refused one.
    for (const email of valid)
      expect(
        tasksOf(email)
          .map((t) => t.app)
          .sort(),
      ).toEqual(['OKTA', 'SLACK', 'ZOOM']);
    expect(tasksOf(refused)).toEqual([]);
    // Every task polled to its scripted end, one record each.
    const records = await expectOneRecordPerStartedTask(report.runId, valid);
    expect(records.map((r) => r.resultStatus).sort()).toEqual([
      'COMPLETED',
      'COMPLETED',
      'EXPIRED',
      'EXPIRED',
      'FAILED',
      'FAILED',
    ]);
    expect(report.output).toEqual({
      runId,
      counts: { total: 6, pending: 0, COMPLETED: 2, FAILED: 2, EXPIRED: 2, NOT_FOUND: 0, TIMED_OUT: 0 },
      cycles: 3,
    });
    expect(await poller.reader.getRun(runId)).toMatchObject({ inputKind: 'emails', outcome: 'SUCCEEDED' });
    // The ledger: the refused address REJECTED (code only: its message names the address), the others STARTED.
    const ledger = await ledgerOf(runId);
    expect(ledger).toHaveLength(3);
    expect(ledgerItem(ledger, refused)).toMatchObject({
      [TableSchema.sortKey]: Keys.startSk(emailHash(refused)),
      state: 'REJECTED',
      taskIds: [],
      errors: [{ errorCode: 'ValidationException' }],
    });
    expect(JSON.stringify(ledgerItem(ledger, refused)?.errors)).not.toContain(refused);
    for (const email of valid) {
      expect(ledgerItem(ledger, email)).toMatchObject({ state: 'STARTED', errors: [] });
      expect(sorted(ledgerItem(ledger, email)?.taskIds as string[])).toEqual(
        sorted(tasksOf(email).map((t) => t.taskId)),
      );
    }
    // The states the loop carried (and the report of them) hold no address.
    expect(seen.length).toBe(3);
    expectNoAddress(seen, all);
    expectNoAddress({ cycles: report.cycles, output: report.output, error: report.error }, all);
  });

  it('a Start that fails after the ledger is written is retried without starting any address again', async () => {
    // Prepare: the first attempt's last write (the new run state) is throttled by DynamoDB, after every
    // address was started and recorded in the ledger.
    const { ada, bob, refused, all, valid } = addresses();
    let failed = 0;
    hook.before = (command) => {
      const item = command instanceof PutCommand ? command.input.Item : undefined;
      if (item?.[TableSchema.sortKey] === Keys.stateSk && item.cycle === 0 && failed === 0) {
        failed += 1;
        throw sdkError('ProvisionedThroughputExceededException');
      }
    };

    // Act
    const report = await poller.execute(input(all));

    // Assess
    expect(failed).toBe(1);
    expect(report.status).toBe('SUCCEEDED');
    expect(report.retries).toEqual({ [StateNames.Start]: 1 });
    expect(startsPerAddress()).toEqual({ [ada]: 1, [bob]: 1, [refused]: 1 });
    await expectOneRecordPerStartedTask(report.runId, valid);
    expect(report.output).toMatchObject({ counts: { total: 6, pending: 0 } });
    expect(ledgerItem(await ledgerOf(report.runId), refused)).toMatchObject({ state: 'REJECTED' });
  });

  it('a Poll that fails once right after Start is retried; Start is not run again', async () => {
    // Prepare: the first Poll invocation fails as if DynamoDB were unavailable.
    const { ada, bob, refused, all, valid } = addresses();
    let polls = 0;
    const failFirstPoll = (state: string) => {
      if (state === StateNames.Poll && ++polls === 1) {
        throw Object.assign(new Error('DynamoDB unavailable (injected)'), {
          name: ErrorNames.ResultsStoreUnavailable,
        });
      }
    };

    // Act
    const report = await poller.execute(input(all), { beforeInvoke: failFirstPoll });

    // Assess
    expect(report.status).toBe('SUCCEEDED');
    expect(report.retries).toEqual({ [StateNames.Poll]: 1 });
    expect(report.entered[StateNames.Start]).toBe(1);
    expect(startsPerAddress()).toEqual({ [ada]: 1, [bob]: 1, [refused]: 1 });
    await expectOneRecordPerStartedTask(report.runId, valid);
  });

  it('a throttled start is retried until it goes through, still one task set per address', async () => {
    // Prepare: more throttles than one invocation's client attempts (3) can absorb.
    const { ada, bob, refused, all, valid } = addresses();
    poller.appFabric.setFaults({
      operations: ['StartUserAccessTasks'],
      throttleNext: 7,
      throttleRetryAfterSeconds: 0,
    });

    // Act
    const report = await poller.execute(input(all));

    // Assess
    expect(report.status).toBe('SUCCEEDED');
    expect(startsPerAddress(201)).toEqual({ [ada]: 1, [bob]: 1 });
    expect(startsPerAddress(400)).toEqual({ [refused]: 1 });
    expect(callsOf(poller.appFabric, 'StartUserAccessTasks').filter((c) => c.status === 429)).toHaveLength(7);
    for (const email of valid) expect(tasksOf(email)).toHaveLength(3);
    await expectOneRecordPerStartedTask(report.runId, valid);
  });

  /** Start is denied access with a message that echoes the address (as AppFabric's messages may). */
  async function deniedEchoingTheAddress() {
    const { ada, all } = addresses();
    poller.appFabric.setFaults({
      operations: ['StartUserAccessTasks'],
      customErrorNext: 10,
      customError: {
        status: 403,
        errorType: 'AccessDeniedException',
        message: `User ${ada} may not do this`,
      },
    });
    const report = await poller.execute(input([ada]));
    return { all, report, run: await poller.reader.getRun(report.runId) };
  }

  it('a fatal start error fails the run with its name, and the loop never started', async () => {
    // Act
    const { report, run } = await deniedEchoingTheAddress();

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe(ErrorNames.AppFabricAccessDenied);
    expect(report.entered[StateNames.Poll]).toBeUndefined();
    expect(run).toMatchObject({ outcome: 'FAILED', errorName: ErrorNames.AppFabricAccessDenied });
  });

  // AppFabric's messages can echo the address: the Cause and the run record must not carry it.
  it('a Cause never contains an address, even when AppFabric echoes it in its message', async () => {
    // Act
    const { all, report, run } = await deniedEchoingTheAddress();

    // Assess
    expectNoAddress(report.error, all);
    expectNoAddress(run?.errorCause, all);
  });
});

describe("a Start retried after DynamoDB failed the write that records an address's tasks", () => {
  /** AppFabric starts Ada's tasks, but recording them in the ledger fails once (after the SDK's retries). */
  async function ledgerWriteFailsOnce() {
    const names = addresses();
    let injected = 0;
    hook.before = (command) => {
      const item = command instanceof PutCommand ? command.input.Item : undefined;
      const adaKey = Keys.startSk(emailHash(names.ada));
      if (item?.[TableSchema.sortKey] === adaKey && item.state === 'STARTED' && injected === 0) {
        injected += 1;
        throw sdkError('ProvisionedThroughputExceededException');
      }
    };
    const report = await poller.execute(input(names.all));
    expect(injected).toBe(1);
    return { ...names, report };
  }

  it('does not start the address again', async () => {
    // Act
    const { ada, bob, refused, report } = await ledgerWriteFailsOnce();

    // Assess: the ledger retried its write in place, so Start itself did not need a retry.
    expect(report.retries).toEqual({});
    expect(startsPerAddress()).toEqual({ [ada]: 1, [bob]: 1, [refused]: 1 });
    expect(tasksOf(ada)).toHaveLength(3);
  });

  // The start record of an address that was started must not be lost to one failed write.
  it('still polls every task it started, or fails the run saying it could not', async () => {
    // Act
    const { valid, report } = await ledgerWriteFailsOnce();

    // Assess
    if (report.status === 'SUCCEEDED') await expectOneRecordPerStartedTask(report.runId, valid);
    else expect(report.error?.Cause).toMatch(/start/i);
  });
});

describe('a Start retried while an earlier attempt is still starting an address', () => {
  it('neither starts the address twice nor loses its tasks', async () => {
    // Prepare: Ada's ledger claim is throttled, so the first Start attempt fails at once; meanwhile the same
    // attempt is still recording Bob's start (a slow DynamoDB write), and the retry begins before it is done.
    const { ada, bob, refused, all, valid } = addresses();
    let claims = 0;
    hook.before = async (command) => {
      const item = command instanceof PutCommand ? command.input.Item : undefined;
      if (
        item?.[TableSchema.sortKey] === Keys.startSk(emailHash(ada)) &&
        item.state === 'STARTING' &&
        ++claims === 1
      ) {
        await new Promise((r) => setTimeout(r, 50));
        throw sdkError('ProvisionedThroughputExceededException');
      }
      if (item?.[TableSchema.sortKey] === Keys.startSk(emailHash(bob)) && item.state === 'STARTED') {
        await new Promise((r) => setTimeout(r, 300));
      }
    };

    // Act
    const report: ExecutionReport = await poller.execute(input(all));

    // Assess: no second start for any address...
    expect(report.retries).toEqual({ [StateNames.Start]: 1 });
    expect(startsPerAddress()).toEqual({ [ada]: 1, [bob]: 1, [refused]: 1 });
    // ...and every task that was started is polled to a record.
    expect(report.status).toBe('SUCCEEDED');
    await expectOneRecordPerStartedTask(report.runId, valid);
  });
});
