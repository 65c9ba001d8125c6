/** DynamoDbRunStateStore against a real in-memory DynamoDB (dynalite, which enforces the 400 KB item limit). */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRunStateStore } from '../../lambda/adapters/dynamodb-run-state-store';
import { Limits } from '../../lambda/contract/limits';
import { Keys, TableSchema } from '../../lambda/contract/table';
import type { RunState } from '../../lambda/core/ports';
import {
  CorruptStateError,
  InvalidInputError,
  ResultsStoreUnavailableError,
  RunStateConflictError,
} from '../../lambda/shared/errors';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { documentClient, dynaliteClient } from '../support/dynamo';
import { dynamoItemSize } from '../support/dynamo-size';

const TABLE = 'results';
let dynamo: DynaliteHandle;
let base: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let store: DynamoDbRunStateStore;
let runCount = 0;
let runId: string;

beforeAll(async () => {
  dynamo = await startDynalite();
  base = dynaliteClient(dynamo.endpoint);
  doc = documentClient(base);
  await ensureTable(base, TABLE);
  store = new DynamoDbRunStateStore({ tableName: TABLE, client: doc });
});

afterAll(async () => {
  base.destroy();
  await dynamo.close();
});

// Every test its own run, so no test sees another's state.
beforeEach(() => {
  runId = `run-${++runCount}`;
});

const state = (overrides: Partial<RunState> = {}): RunState => ({
  runId,
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  status: 'PENDING',
  cycle: 0,
  waitSeconds: 5,
  minWaitSeconds: 5,
  maxWaitSeconds: 60,
  deadlineAt: '2024-05-01T12:00:00.000Z',
  counts: { total: 3, pending: 3, COMPLETED: 0, FAILED: 0, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
  pendingTaskIds: [randomUUID(), randomUUID(), randomUUID()],
  misses: [0, 1, 2],
  ...overrides,
});

const key = () => ({ [TableSchema.partitionKey]: Keys.runPk(runId), [TableSchema.sortKey]: Keys.stateSk });
const rawItem = async () => (await doc.send(new GetCommand({ TableName: TABLE, Key: key() }))).Item;

const itemSize = dynamoItemSize;

describe('DynamoDbRunStateStore', () => {
  it('round-trips 10,000 pending IDs in one item well under 400 KB', async () => {
    // Prepare
    const ids = Array.from({ length: Limits.maxTasksPerRun }, () => randomUUID());
    const misses = ids.map((_, i) => i % 256);
    const big = state({ pendingTaskIds: ids, misses });

    // Act
    await store.save(big, undefined);
    const loaded = await store.load(runId);
    const item = (await rawItem()) ?? {};

    // Assess
    expect(loaded).toEqual(big);
    expect(item.pendingTaskIds).toBeInstanceOf(Uint8Array);
    expect((item.pendingTaskIds as Uint8Array).length).toBe(16 * ids.length);
    expect((item.misses as Uint8Array).length).toBe(ids.length);
    const size = itemSize(item);
    expect(size).toBeLessThan(200 * 1024);
    expect(size).toBeLessThan(400 * 1024);
  });

  it('round-trips the largest emails run (10,000 tasks, 100 addresses, 50 apps) with every task’s context', async () => {
    // Prepare
    const n = Limits.maxTasksPerRun;
    const ids = Array.from({ length: n }, () => randomUUID());
    const people = Array.from({ length: 100 }, (_, i) => `person.number.${i}@example.com`);
    const apps = Array.from({ length: 50 }, (_, i) => ({ app: `APP${i}`, tenantId: `tenant-${i}` }));
    const saved = state({
      pendingTaskIds: ids,
      misses: ids.map(() => 0),
      appIndex: ids.map((_, i) => i % 50),
      personIndex: ids.map((_, i) => (i < 5000 ? Math.floor(i / 50) : -1)),
      apps,
      people,
    });

    // Act
    await store.save(saved, undefined);
    const loaded = await store.load(runId);

    // Assess
    expect(loaded).toEqual(saved);
    const size = itemSize((await rawItem()) ?? {});
    console.log(`run state item on dynalite, 10,000 tasks with context: ${size} bytes`);
    expect(size).toBeLessThan(Limits.dynamoDbItemBytes);
  });

  it('reports an index that points past its table as corrupt', async () => {
    // Prepare
    await store.save(state({ apps: [{ app: 'SLACK' }], appIndex: [0, 0, -1] }), undefined);
    const item = await rawItem();
    await doc.send(
      new PutCommand({ TableName: TABLE, Item: { ...item, appIndex: new Uint8Array([0, 7, 255]) } }),
    );

    // Act + Assess
    await expect(store.load(runId)).rejects.toThrow(CorruptStateError);
    await expect(store.load(runId)).rejects.toThrow(/appIndex\[1\]: is corrupt/);
  });

  it('keeps misses in order, one per pending ID, capped at 255', async () => {
    // Prepare
    const ids = Array.from({ length: 6 }, () => randomUUID());
    const saved = state({ pendingTaskIds: ids, misses: [3, 0, 255, 256, 1_000, 7] });

    // Act
    await store.save(saved, undefined);
    const loaded = await store.load(runId);

    // Assess
    expect(loaded?.pendingTaskIds).toEqual(ids);
    expect(loaded?.misses).toEqual([3, 0, 255, 255, 255, 7]);
  });

  it('round-trips a state with no pending IDs, and answers undefined for an unknown run', async () => {
    // Prepare
    const done = state({ status: 'DONE', pendingTaskIds: [], misses: [] });

    // Act
    await store.save(done, undefined);

    // Assess
    expect(await store.load(runId)).toEqual(done);
    expect(await store.load('run-unknown')).toBeUndefined();
  });

  it('stores expiresAt as the TTL attribute, so the state leaves the table with the run', async () => {
    // Prepare
    const expiring = state({ expiresAt: 1_900_000_000 });

    // Act
    await store.save(expiring, undefined);
    const raw = await doc.send(
      new GetCommand({
        TableName: TABLE,
        Key: { [TableSchema.partitionKey]: Keys.runPk(runId), [TableSchema.sortKey]: Keys.stateSk },
      }),
    );

    // Assess
    expect(raw.Item?.[TableSchema.ttlAttribute]).toBe(1_900_000_000);
    expect(await store.load(runId)).toEqual(expiring);
  });

  it('creates only when expectedCycle is undefined: a second create conflicts and changes nothing', async () => {
    // Prepare
    const first = state();
    await store.save(first, undefined);

    // Act
    const error = await store.save(state({ waitSeconds: 99 }), undefined).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(RunStateConflictError);
    expect((error as Error).name).toBe('RunStateConflictError');
    expect(((error as Error).cause as Error).name).toBe('ConditionalCheckFailedException');
    expect(await store.load(runId)).toEqual(first);
  });

  it('writes when the stored cycle is the expected one, and conflicts when another attempt moved it', async () => {
    // Prepare
    await store.save(state({ cycle: 0 }), undefined);
    const next = state({ cycle: 1, pendingTaskIds: [randomUUID()], misses: [1] });

    // Act
    await store.save(next, 0);
    const stale = await store.save(state({ cycle: 1 }), 0).catch((e: unknown) => e);

    // Assess
    expect(stale).toBeInstanceOf(RunStateConflictError);
    expect(await store.load(runId)).toEqual(next);
  });

  it('conflicts when an update expects a state that does not exist', async () => {
    await expect(store.save(state({ cycle: 1 }), 0)).rejects.toBeInstanceOf(RunStateConflictError);
    expect(await store.load(runId)).toBeUndefined();
  });

  it('refuses IDs it cannot pack and misses that do not pair with the IDs, writing nothing', async () => {
    await expect(
      store.save(state({ pendingTaskIds: ['not-a-uuid'], misses: [0] }), undefined),
    ).rejects.toThrow(InvalidInputError);
    await expect(
      store.save(state({ pendingTaskIds: [randomUUID().toUpperCase()], misses: [0] }), undefined),
    ).rejects.toThrow(/pendingTaskIds\[0\]/);
    await expect(store.save(state({ misses: [0] }), undefined)).rejects.toThrow(/misses/);
    await expect(store.save(state({ misses: [0, -1, 2] }), undefined)).rejects.toThrow(/misses\[1\]/);
    const tooMany = Array.from({ length: Limits.maxTasksPerRun + 1 }, () => randomUUID());
    await expect(
      store.save(state({ pendingTaskIds: tooMany, misses: tooMany.map(() => 0) }), undefined),
    ).rejects.toThrow(InvalidInputError);
    expect(await rawItem()).toBeUndefined();
  });

  it('reports a stored item whose packed IDs are corrupt instead of returning wrong IDs', async () => {
    // Prepare: 17 bytes is not a whole number of 16-byte IDs.
    await store.save(state(), undefined);
    const item = await rawItem();
    await doc.send(
      new PutCommand({ TableName: TABLE, Item: { ...item, pendingTaskIds: new Uint8Array(17) } }),
    );

    // Act
    const error = await store.load(runId).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(CorruptStateError);
    expect((error as Error).message).toMatch(/corrupt.*17 bytes/);
  });

  it('reports a stored item whose misses do not pair with its IDs', async () => {
    // Prepare
    await store.save(state(), undefined);
    const item = await rawItem();
    await doc.send(new PutCommand({ TableName: TABLE, Item: { ...item, misses: new Uint8Array([1]) } }));

    // Act + Assess
    await expect(store.load(runId)).rejects.toThrow(CorruptStateError);
    await expect(store.load(runId)).rejects.toThrow(/corrupt: 3 packed IDs, 1 miss counts/);
  });

  it('turns other DynamoDB failures into ResultsStoreUnavailableError', async () => {
    // Prepare
    const missing = new DynamoDbRunStateStore({ tableName: 'no-such-table', client: doc });

    // Act
    const saveError = await missing.save(state(), undefined).catch((e: unknown) => e);
    const loadError = await missing.load(runId).catch((e: unknown) => e);

    // Assess
    expect(saveError).toBeInstanceOf(ResultsStoreUnavailableError);
    expect(((saveError as Error).cause as Error).name).toBe('ResourceNotFoundException');
    expect(loadError).toBeInstanceOf(ResultsStoreUnavailableError);
  });
});
