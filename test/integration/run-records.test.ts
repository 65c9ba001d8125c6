/**
 * Run records (whole, and their live progress) and the ResultsReader's queries, against a real in-memory
 * DynamoDB (dynalite).
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Keys, TableSchema } from '../../lambda/contract/table';
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import { InvalidInputError } from '../../lambda/shared/errors';
import {
  doc,
  minute,
  newDoc,
  reader,
  storeWith,
  tableName,
  task,
  taskId,
  useFreshTables,
} from '../support/results-table';
import { counts } from '../support/run';

useFreshTables();

/** A run of `total` tasks, all COMPLETED. */
const completed = (total: number) => counts({ total, COMPLETED: total });

const rawItem = async (runId: string, sk: string) =>
  (
    await doc.send(
      new GetCommand({
        TableName: tableName,
        Key: { [TableSchema.partitionKey]: Keys.runPk(runId), [TableSchema.sortKey]: sk },
      }),
    )
  ).Item;

/**
 * A DocumentClient whose BatchWriteItem `send` writes only the first `plan(call, size)` items of a request
 * and returns the rest as UnprocessedItems (or throws the Error `plan` returns). Every other call is real.
 */

describe('run records', () => {
  const run = (n: number, overrides: Partial<RunRecord> = {}): RunRecord => ({
    runId: `run-${n}`,
    appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
    inputKind: 'taskIds',
    outcome: 'SUCCEEDED',
    startedAt: minute(n),
    counts: completed(n),
    ...overrides,
  });

  it('stores a run record with every field and reads it back', async () => {
    // Prepare
    const full = run(1, {
      inputKind: 'taskIds+emails',
      outcome: 'FAILED',
      endedAt: minute(9),
      errorName: 'AppFabricAccessDeniedError',
      errorCause: 'denied',
      expiresAt: 1_800_000_000,
    });
    const store = storeWith();

    // Act
    await store.putRunRecord(full);

    // Assess
    expect(await store.getRun('run-1')).toEqual(full);
    expect(await reader().getRun('run-1')).toEqual(full);
    expect(await store.getRun('run-404')).toBeUndefined();
    expect(await rawItem('run-1', Keys.runSk)).toMatchObject({
      [TableSchema.indexes.runsByStart.partitionKey]: Keys.runListKey,
    });
  });

  it('lists runs newest first, and by outcome and start time', async () => {
    // Prepare
    const store = storeWith();
    for (const n of [2, 5, 1, 4, 3])
      await store.putRunRecord(run(n, n === 4 ? { outcome: 'TIMED_OUT' } : {}));

    // Act
    const all = await reader().listRuns();
    const timedOut = await reader().listRuns({ status: 'TIMED_OUT' });
    const recent = await reader().listRuns({ since: minute(3), limit: 2 });

    // Assess
    expect(all.map((r) => r.runId)).toEqual(['run-5', 'run-4', 'run-3', 'run-2', 'run-1']);
    expect(timedOut.map((r) => r.runId)).toEqual(['run-4']);
    expect(recent.map((r) => r.runId)).toEqual(['run-5', 'run-4']);
  });
  it('writes live progress onto a RUNNING run record, never backwards, never onto an ended run', async () => {
    // Prepare
    const store = storeWith();
    await store.putRunRecord(run(1, { outcome: 'RUNNING' }));
    await store.putRunRecord(run(2, { outcome: 'SUCCEEDED', cycle: 4 }));
    const progress = (runId: string, cycle: number, done: number) => ({
      runId,
      cycle,
      lastPolledAt: minute(10 + cycle),
      counts: counts({ total: 5, pending: 5 - done, COMPLETED: done }),
    });

    // Act
    await store.putRunProgress(progress('run-1', 2, 3));
    await store.putRunProgress(progress('run-1', 1, 1)); // a late attempt of an earlier cycle
    await store.putRunProgress(progress('run-2', 5, 5)); // the run has ended
    await store.putRunProgress(progress('run-404', 1, 1)); // no run record: nothing is created

    // Assess
    expect(await store.getRun('run-1')).toEqual({
      ...run(1, { outcome: 'RUNNING' }),
      ...progress('run-1', 2, 3),
    });
    expect(await store.getRun('run-2')).toEqual(run(2, { outcome: 'SUCCEEDED', cycle: 4 }));
    expect(await store.getRun('run-404')).toBeUndefined();
  });
});

describe('ResultsReader', () => {
  beforeEach(async () => {
    await storeWith().putTaskRecords([
      task(1, { runId: 'run-1', app: 'SLACK', tenantId: 'T1', email: 'Jane@Example.com' }),
      task(2, {
        runId: 'run-1',
        app: 'SLACK',
        tenantId: 'T2',
        email: 'bob@example.com',
        resultStatus: 'FAILED',
      }),
      task(3, { runId: 'run-1', app: 'ZOOM', tenantId: 'T1', email: 'jane@example.com' }),
      // The same task again in a later run, later.
      task(1, {
        runId: 'run-2',
        recordedAt: minute(30),
        app: 'SLACK',
        tenantId: 'T1',
        email: 'JANE@example.com',
      }),
      task(4, {
        runId: 'run-2',
        recordedAt: minute(31),
        app: 'SLACK',
        tenantId: 'T1',
        resultStatus: 'EXPIRED',
      }),
      task(5, { runId: 'run-2', recordedAt: minute(32), tenantId: 'T1', email: 'jane@example.com' }),
    ]);
  });

  const ids = (records: TaskRecord[]) => records.map((r) => `${r.runId}/${r.taskId.slice(-1)}`);

  it('reads a task across runs, newest first', async () => {
    expect(ids(await reader().byTask(taskId(1)))).toEqual(['run-2/1', 'run-1/1']);
    expect(ids(await reader().byTask(taskId(1), { since: minute(10) }))).toEqual(['run-2/1']);
  });

  it('reads a person by email, case-insensitively, newest first', async () => {
    const jane = await reader().byEmail('JANE@EXAMPLE.COM');
    expect(ids(jane)).toEqual(['run-2/5', 'run-2/1', 'run-1/3', 'run-1/1']);
    expect(ids(await reader().byEmail('jane@example.com', { since: minute(30), limit: 1 }))).toEqual([
      'run-2/5',
    ]);
  });

  it('reads an app by tenant, and an app across tenants; only records with an app', async () => {
    expect(ids(await reader().byApp('SLACK', 'T1'))).toEqual(['run-2/4', 'run-2/1', 'run-1/1']);
    expect(ids(await reader().byApp('SLACK', 'T1', { since: minute(31) }))).toEqual(['run-2/4']);
    expect(ids(await reader().byApp('SLACK'))).toEqual(['run-1/2', 'run-2/4', 'run-2/1', 'run-1/1']);
    expect(ids(await reader().byApp('SLACK', undefined, { since: minute(30) }))).toEqual([
      'run-2/4',
      'run-2/1',
    ]);
    expect(await reader().byApp('SLACK', 'T9')).toEqual([]);
  });

  it('reads a run, filtered by status and time', async () => {
    expect(ids(await reader().byRun('run-1'))).toEqual(['run-1/1', 'run-1/2', 'run-1/3']);
    expect(ids(await reader().byRun('run-1', { status: 'FAILED' }))).toEqual(['run-1/2']);
    expect(ids(await reader().byRun('run-2', { since: minute(31) }))).toEqual(['run-2/4', 'run-2/5']);
    expect(ids(await reader().byRun('run-2', { status: 'EXPIRED', since: minute(31) }))).toEqual(['run-2/4']);
  });

  it('follows LastEvaluatedKey past one page, and stops reading once the limit is reached', async () => {
    // Prepare
    const client = newDoc();
    const send = jest.spyOn(client, 'send');
    const queries = () => send.mock.calls.filter(([command]) => command instanceof QueryCommand).length;

    // Act
    const all = await reader(client).byEmail('jane@example.com', { pageSize: 1 });
    const allQueries = queries();
    const firstTwo = await reader(client).byEmail('jane@example.com', { pageSize: 1, limit: 2 });

    // Assess
    expect(ids(all)).toEqual(['run-2/5', 'run-2/1', 'run-1/3', 'run-1/1']);
    expect(allQueries).toBeGreaterThanOrEqual(4);
    expect(ids(firstTwo)).toEqual(['run-2/5', 'run-2/1']);
    expect(queries() - allQueries).toBe(2);
  });

  it('keeps filtering across pages when a page holds no match', async () => {
    const failed = await reader().byRun('run-1', { status: 'FAILED', pageSize: 1 });
    expect(ids(failed)).toEqual(['run-1/2']);
  });

  it('refuses a since that is not an ISO date and a limit that is not a positive integer', async () => {
    await expect(reader().byRun('run-1', { since: 'yesterday' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(reader().byRun('run-1', { limit: 0 })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
