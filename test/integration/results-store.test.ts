/**
 * DynamoDbResultsStore's task records against a real in-memory DynamoDB (dynalite); run records and the
 * reader are in run-records.test.ts.
 * The one fake is a DocumentClient whose `send` leaves part of a BatchWriteItem unprocessed (or fails it),
 * since dynalite never returns UnprocessedItems.
 */
import { BatchWriteCommand, type BatchWriteCommandOutput, GetCommand } from '@aws-sdk/lib-dynamodb';

import {
  DynamoDbResultsStore,
  TaskRecordsNotWrittenError,
} from '../../lambda/adapters/dynamodb-results-store';
import { Keys, TableSchema } from '../../lambda/contract/table';
import type { TaskRecord } from '../../lambda/core/model';
import { InvalidInputError, ResultsStoreUnavailableError } from '../../lambda/shared/errors';
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

useFreshTables();

const fullTask = (): TaskRecord => ({
  app: 'SLACK',
  tenantId: 'T0123',
  tenantDisplayName: 'Acme, "Main" workspace',
  taskId: taskId(1),
  resultStatus: 'FAILED',
  email: 'Jane.Doe@Example.com',
  userId: 'U42',
  userFullName: 'Jane Doe',
  userFirstName: 'Jane',
  userLastName: 'Doe',
  userStatus: 'ACTIVE',
  taskError: { errorCode: 'ACCESS_DENIED', errorMessage: 'token expired' },
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  runId: 'run-1',
  recordedAt: '2024-05-01T10:00:00.000Z',
  expiresAt: 1_800_000_000,
});

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
const flakyBatchWrites = (plan: (call: number, size: number) => number | Error) => {
  const client = newDoc();
  const realSend = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const sizes: number[] = [];
  client.send = (async (command: unknown) => {
    if (!(command instanceof BatchWriteCommand)) return realSend(command);
    const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
    sizes.push(requests.length);
    const keep = plan(sizes.length, requests.length);
    if (keep instanceof Error) throw keep;
    if (keep > 0)
      await realSend(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, keep) } }));
    const rest = requests.slice(keep);
    const out: BatchWriteCommandOutput = {
      $metadata: {},
      UnprocessedItems: rest.length ? { [table]: rest } : {},
    };
    return out;
  }) as typeof client.send;
  return { client, sizes };
};

describe('putTaskRecords', () => {
  it('stores every field of a record and reads it back unchanged, with the index attributes set', async () => {
    // Prepare
    const record = fullTask();

    // Act
    const report = await storeWith().putTaskRecords([record]);
    const [readBack] = await reader().byRun('run-1');
    const item = await rawItem('run-1', Keys.taskSk(record.taskId));

    // Assess
    expect(report).toEqual({ written: 1, skipped: 0, writeRequests: 1, kept: [] });
    expect(readBack).toEqual(record);
    expect(item).toMatchObject({
      [TableSchema.partitionKey]: 'RUN#run-1',
      [TableSchema.sortKey]: `TASK#${record.taskId}`,
      [TableSchema.indexes.byEmail.partitionKey]: 'jane.doe@example.com',
      [TableSchema.indexes.byApp.sortKey]: Keys.tenantKey('T0123', record.recordedAt, record.taskId),
      [TableSchema.indexes.byTask.partitionKey]: record.taskId,
      [TableSchema.indexes.byTask.sortKey]: record.recordedAt,
    });
  });

  it('writes no attribute for an undefined field, and no index attribute without its source', async () => {
    // Prepare
    const record = task(1, { email: undefined, app: undefined, userId: undefined, expiresAt: undefined });

    // Act
    await storeWith().putTaskRecords([record]);
    const item = await rawItem('run-1', Keys.taskSk(record.taskId));

    // Assess
    expect(Object.keys(item ?? {}).sort()).toEqual(
      ['pk', 'sk', 'runId', 'taskId', 'resultStatus', 'appBundleIdentifier', 'recordedAt'].sort(),
    );
    expect(await reader().byRun('run-1')).toEqual([task(1)]);
  });

  it('leaves a record already stored with the same status as it was, and reports it skipped', async () => {
    // Prepare
    const store = storeWith();
    const first = task(1, { recordedAt: '2024-05-01T10:00:00.000Z' });
    await store.putTaskRecords([first]);

    // Act
    const again = await store.putTaskRecords([{ ...first, recordedAt: '2024-05-01T11:00:00.000Z' }]);

    // Assess
    expect(again).toEqual({ written: 0, skipped: 1, writeRequests: 0, kept: [] });
    expect(await reader().byTask(first.taskId)).toEqual([first]);
  });

  it('overwrites a record whose status changed', async () => {
    // Prepare
    const store = storeWith();
    await store.putTaskRecords([task(1, { resultStatus: 'TIMED_OUT', recordedAt: minute(1) })]);
    const completed = task(1, { resultStatus: 'COMPLETED', recordedAt: minute(5), userId: 'U1' });

    // Act
    const report = await store.putTaskRecords([completed]);

    // Assess
    expect(report).toEqual({ written: 1, skipped: 0, writeRequests: 1, kept: [] });
    expect(await reader().byRun('run-1')).toEqual([completed]);
  });

  it('never lets a NOT_FOUND or TIMED_OUT record replace a stored AppFabric result, and reports it kept', async () => {
    // Prepare: an earlier attempt stored COMPLETED and FAILED, then died before the run state moved on.
    const store = storeWith();
    const completed = task(1, { resultStatus: 'COMPLETED', recordedAt: minute(1), userId: 'U1' });
    const failed = task(2, { resultStatus: 'FAILED', recordedAt: minute(1) });
    await store.putTaskRecords([completed, failed]);

    // Act: the retry lands after the deadline (or misses the IDs) and would record poller statuses.
    const report = await store.putTaskRecords([
      task(1, { resultStatus: 'TIMED_OUT', recordedAt: minute(9) }),
      task(2, { resultStatus: 'NOT_FOUND', recordedAt: minute(9) }),
      task(3, { resultStatus: 'TIMED_OUT', recordedAt: minute(9) }),
    ]);

    // Assess
    expect(report.kept).toEqual([
      { taskId: completed.taskId, resultStatus: 'COMPLETED' },
      { taskId: failed.taskId, resultStatus: 'FAILED' },
    ]);
    expect(report.written).toBe(1);
    const stored = await reader().byRun('run-1');
    expect(stored.map((r) => r.resultStatus)).toEqual(['COMPLETED', 'FAILED', 'TIMED_OUT']);
    expect(stored[0]).toEqual(completed);
  });

  it('writes 60 records in ceil(60/25) = 3 BatchWriteItem requests', async () => {
    // Prepare
    const records = Array.from({ length: 60 }, (_, i) => task(i));

    // Act
    const report = await storeWith().putTaskRecords(records);

    // Assess
    expect(report).toEqual({ written: 60, skipped: 0, writeRequests: 3, kept: [] });
    expect(await reader().byRun('run-1')).toHaveLength(60);
  });

  it('writes only the new records of a mixed batch, and a key given twice once (the last wins)', async () => {
    // Prepare
    const store = storeWith();
    await store.putTaskRecords([task(1), task(2)]);
    const batch = [task(1), task(2, { resultStatus: 'FAILED' }), task(3, { userId: 'old' }), task(3)];

    // Act
    const report = await store.putTaskRecords(batch);

    // Assess
    expect(report).toEqual({ written: 2, skipped: 2, writeRequests: 1, kept: [] });
    expect(await reader().byRun('run-1')).toEqual([task(1), task(2, { resultStatus: 'FAILED' }), task(3)]);
  });

  it('retries UnprocessedItems with growing, jittered delays until every record is written', async () => {
    // Prepare: the first 3 BatchWriteItem calls process only 5 items each.
    const { client, sizes } = flakyBatchWrites((call, size) => (call <= 3 ? 5 : size));
    const delays: number[] = [];
    const store = storeWith(client, {
      concurrency: 1,
      baseDelayMs: 100,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    const records = Array.from({ length: 30 }, (_, i) => task(i));

    // Act
    const report = await store.putTaskRecords(records);

    // Assess: batch of 25 sent 4 times (25, 20, 15, 10 items), then the batch of 5.
    expect(report).toEqual({ written: 30, skipped: 0, writeRequests: 5, kept: [] });
    expect(sizes).toEqual([25, 20, 15, 10, 5]);
    expect(await reader().byRun('run-1')).toEqual(
      records.slice().sort((a, b) => a.taskId.localeCompare(b.taskId)),
    );
    expect(delays).toHaveLength(3);
    delays.forEach((ms, i) => {
      const ceiling = 100 * 2 ** i;
      expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
      expect(ms).toBeLessThanOrEqual(ceiling);
    });
  });

  it('throws ResultsStoreUnavailableError naming every record still unprocessed after the last attempt', async () => {
    // Prepare: every call processes one item only.
    const { client, sizes } = flakyBatchWrites(() => 1);
    const store = storeWith(client, { maxAttempts: 3 });
    const records = Array.from({ length: 10 }, (_, i) => task(i));

    // Act
    const error = await store.putTaskRecords(records).then(
      () => undefined,
      (e: unknown) => e,
    );

    // Assess: 3 written, 7 reported, none lost.
    expect(error).toBeInstanceOf(ResultsStoreUnavailableError);
    expect(error).toBeInstanceOf(TaskRecordsNotWrittenError);
    const notWritten = error as TaskRecordsNotWrittenError;
    expect(notWritten.name).toBe('ResultsStoreUnavailableError');
    expect(notWritten.message).toMatch(/7 of 10 task records not written/);
    expect(notWritten.report).toEqual({ written: 3, skipped: 0, writeRequests: 3, kept: [] });
    expect(sizes).toEqual([10, 9, 8]);
    const stored = (await reader().byRun('run-1')).map((r) => r.taskId);
    const reported = notWritten.notWritten.map((k) => k.taskId);
    expect(stored).toHaveLength(3);
    expect(reported).toHaveLength(7);
    expect([...stored, ...reported].sort()).toEqual(records.map((r) => r.taskId).sort());
    expect(notWritten.notWritten.every((k) => k.runId === 'run-1')).toBe(true);
  });

  it('reports the batches not written when a BatchWriteItem request fails, with the SDK error as cause', async () => {
    // Prepare: the second request is throttled past the SDK's retries.
    const throttled = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
    });
    const { client } = flakyBatchWrites((call, size) => (call === 2 ? throttled : size));
    const store = storeWith(client, { concurrency: 1 });
    const records = Array.from({ length: 60 }, (_, i) => task(i));

    // Act
    const error = (await store
      .putTaskRecords(records)
      .catch((e: unknown) => e)) as TaskRecordsNotWrittenError;

    // Assess: batch 1 written; batch 2 failed; batch 3 never started. All 35 reported.
    expect(error).toBeInstanceOf(ResultsStoreUnavailableError);
    expect(error.cause).toBe(throttled);
    expect(error.report).toEqual({ written: 25, skipped: 0, writeRequests: 2, kept: [] });
    expect(error.notWritten).toHaveLength(35);
    const stored = (await reader().byRun('run-1')).map((r) => r.taskId);
    expect([...stored, ...error.notWritten.map((k) => k.taskId)].sort()).toEqual(
      records.map((r) => r.taskId).sort(),
    );
  });

  it('turns an SDK error into ResultsStoreUnavailableError with the SDK error as cause', async () => {
    // Prepare
    const store = new DynamoDbResultsStore({ tableName: 'no-such-table', client: doc });

    // Act
    const error = (await store.putTaskRecords([task(1)]).catch((e: unknown) => e)) as Error;

    // Assess
    expect(error).toBeInstanceOf(ResultsStoreUnavailableError);
    expect((error.cause as Error).name).toBe('ResourceNotFoundException');
  });

  it('refuses a record without a task ID before writing anything', async () => {
    // Act
    const error = await storeWith()
      .putTaskRecords([task(1), task(2, { taskId: '' })])
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe('records[1].taskId');
    expect(await reader().byRun('run-1')).toEqual([]);
  });
});
