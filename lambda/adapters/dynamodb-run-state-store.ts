/**
 * RunStateStore over DynamoDB: one item per run (pk RUN#<runId>, sk STATE), written with an optimistic
 * lock on `cycle`.
 *
 * The pending task IDs are packed into one Binary attribute, 16 bytes an ID (the UUID's hex), the misses
 * and the two context indexes into others, one byte an ID each, so 10,000 pending IDs take about 190 KB:
 * far below DynamoDB's 400 KB item limit, where a list of strings would take about 400 KB.
 *
 * | attribute        | type | holds                                                      |
 * |------------------|------|------------------------------------------------------------|
 * | pk, sk           | S    | RUN#<runId>, STATE                                         |
 * | pendingTaskIds   | B    | 16 bytes per ID, in order                                  |
 * | misses           | B    | 1 byte per ID, same order (capped at 255)                  |
 * | appIndex         | B    | 1 byte per ID: index into `apps`, 255 = not known          |
 * | personIndex      | B    | 1 byte per ID: index into `people`, 255 = not known        |
 * | apps             | L    | distinct { app, tenantId } of the run (at most 100)        |
 * | people           | L    | the run's addresses (at most 100; personal data, item only)|
 * | pendingCount     | N    | number of IDs packed (checked when unpacking)              |
 * | other LoopState  | S/N/M| runId, appBundleIdentifier, status, cycle, ...             |
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Limits, UUID_PATTERN } from '../contract/limits';
import { Keys, TableSchema } from '../contract/table';
import type { AppRef, LoopState } from '../core/model';
import type { RunState, RunStateStore } from '../core/ports';
import { CorruptStateError, InvalidInputError, RunStateConflictError } from '../shared/errors';
import { defaultDocumentClient, errorName, unavailable } from './dynamo-client';

const ID_BYTES = 16;
const MAX_MISSES = 255;
/** An index byte that means "not known". */
const NO_INDEX = 255;
const PENDING_COUNT = 'pendingCount';
const CYCLE = 'cycle' satisfies keyof LoopState;

/** Every LoopState field, once: the compiler fails here when the model gains or loses one. */
const LOOP_STATE_FIELDS: Record<keyof LoopState, true> = {
  runId: true,
  appBundleIdentifier: true,
  status: true,
  cycle: true,
  waitSeconds: true,
  minWaitSeconds: true,
  maxWaitSeconds: true,
  deadlineAt: true,
  counts: true,
  waitPolicy: true,
};
const loopStateFields = Object.keys(LOOP_STATE_FIELDS) as (keyof LoopState)[];

/** Packs lower-case UUIDs into 16 bytes each. */
const packTaskIds = (ids: readonly string[]): Uint8Array => {
  const packed = Buffer.alloc(ids.length * ID_BYTES);
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || !UUID_PATTERN.test(id)) {
      throw new InvalidInputError(`pendingTaskIds[${i}]`, 'must be a lower-case UUID to be stored');
    }
    packed.write(id.replaceAll('-', ''), i * ID_BYTES, ID_BYTES, 'hex');
  });
  return packed;
};

/** Unpacks 16 bytes an ID back to UUIDs. `field` names the value in the error when it is corrupt. */
const unpackTaskIds = (packed: Uint8Array, field = 'pendingTaskIds'): string[] => {
  if (packed.length % ID_BYTES !== 0) {
    throw new CorruptStateError(field, `is corrupt: ${packed.length} bytes, not a multiple of ${ID_BYTES}`);
  }
  const hex = Buffer.from(packed.buffer, packed.byteOffset, packed.length).toString('hex');
  const ids: string[] = [];
  for (let i = 0; i < hex.length; i += ID_BYTES * 2) {
    const h = hex.slice(i, i + ID_BYTES * 2);
    ids.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
  }
  return ids;
};

/** One byte a count, capped at 255 (a count that high already means "not found" many times over). */
const packMisses = (misses: readonly number[]): Uint8Array => {
  const packed = new Uint8Array(misses.length);
  misses.forEach((miss, i) => {
    if (!Number.isInteger(miss) || miss < 0) {
      throw new InvalidInputError(`misses[${i}]`, 'must be a non-negative integer');
    }
    packed[i] = Math.min(miss, MAX_MISSES);
  });
  return packed;
};

/** Indexes into a per-run table, one byte each; -1 (not known) is stored as 255. */
const packIndexes = (indexes: readonly number[] | undefined, count: number, field: string): Uint8Array => {
  const packed = new Uint8Array(count).fill(NO_INDEX);
  indexes?.forEach((index, i) => {
    if (!Number.isInteger(index) || index < -1 || index >= NO_INDEX) {
      throw new InvalidInputError(`${field}[${i}]`, `must be -1 or an index below ${NO_INDEX}`);
    }
    if (i < count && index >= 0) packed[i] = index;
  });
  return packed;
};

const unpackIndexes = (packed: Uint8Array, tableSize: number, field: string): number[] =>
  Array.from(packed, (b, i) => {
    if (b === NO_INDEX) return -1;
    if (b >= tableSize)
      throw new CorruptStateError(
        `${field}[${i}]`,
        `is corrupt: points past the ${tableSize} entries stored`,
      );
    return b;
  });

const asBytes = (value: unknown, field: string): Uint8Array => {
  if (value === undefined) return new Uint8Array(0);
  if (!(value instanceof Uint8Array))
    throw new CorruptStateError(field, 'is corrupt: not a Binary attribute');
  return value;
};

const asList = <T>(value: unknown, field: string, check: (v: unknown) => v is T): T[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(check))
    throw new CorruptStateError(field, 'is corrupt: not a list of the stored kind');
  return value;
};

const isAppRef = (v: unknown): v is AppRef =>
  typeof v === 'object' &&
  v !== null &&
  ['app', 'tenantId'].every((k) => {
    const x = (v as Record<string, unknown>)[k];
    return x === undefined || typeof x === 'string';
  });
const isText = (v: unknown): v is string => typeof v === 'string';

export interface DynamoDbRunStateStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

export class DynamoDbRunStateStore implements RunStateStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: DynamoDbRunStateStoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async load(runId: string): Promise<RunState | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: this.key(runId), ConsistentRead: true }),
      );
      item = out.Item;
    } catch (error) {
      throw unavailable('GetItem', this.tableName, error);
    }
    return item === undefined ? undefined : this.fromItem(runId, item);
  }

  async save(state: RunState, expectedCycle: number | undefined): Promise<void> {
    const item = this.toItem(state);
    const created = expectedCycle === undefined;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ...(created
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': TableSchema.partitionKey },
              }
            : {
                ConditionExpression: '#cycle = :expected',
                ExpressionAttributeNames: { '#cycle': CYCLE },
                ExpressionAttributeValues: { ':expected': expectedCycle },
              }),
        }),
      );
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') {
        throw new RunStateConflictError(
          created
            ? `run ${state.runId}: a run state already exists (expected none)`
            : `run ${state.runId}: the run state is no longer at cycle ${expectedCycle} (or is missing)`,
          { cause: error },
        );
      }
      throw unavailable('PutItem', this.tableName, error);
    }
  }

  private key(runId: string) {
    return Keys.state(runId);
  }

  private toItem(state: RunState): Record<string, unknown> {
    if (typeof state.runId !== 'string' || state.runId === '') {
      throw new InvalidInputError('runId', 'must be a non-empty string');
    }
    if (state.pendingTaskIds.length > Limits.maxTasksPerRun) {
      throw new InvalidInputError(
        'pendingTaskIds',
        `holds ${state.pendingTaskIds.length} IDs, more than ${Limits.maxTasksPerRun}`,
      );
    }
    if (state.misses.length !== state.pendingTaskIds.length) {
      throw new InvalidInputError(
        'misses',
        `holds ${state.misses.length} counts for ${state.pendingTaskIds.length} pending IDs; one each is needed`,
      );
    }
    const apps = state.apps ?? [];
    const people = state.people ?? [];
    if (apps.length > Limits.maxAppRefsPerRun) {
      throw new InvalidInputError(
        'apps',
        `holds ${apps.length} app/tenant pairs, more than ${Limits.maxAppRefsPerRun}`,
      );
    }
    if (people.length > Limits.maxEmailsPerRun) {
      throw new InvalidInputError(
        'people',
        `holds ${people.length} addresses, more than ${Limits.maxEmailsPerRun}`,
      );
    }
    const item: Record<string, unknown> = {};
    for (const field of loopStateFields) {
      if (state[field] !== undefined) item[field] = state[field];
    }
    const count = state.pendingTaskIds.length;
    return {
      ...item,
      ...this.key(state.runId),
      pendingTaskIds: packTaskIds(state.pendingTaskIds),
      misses: packMisses(state.misses),
      // No table, no indexes: a run that knows nothing of its tasks stores nothing for them.
      ...(apps.length
        ? {
            apps: apps.map(({ app, tenantId }) => ({ app, tenantId })),
            appIndex: packIndexes(state.appIndex, count, 'appIndex'),
          }
        : {}),
      ...(people.length ? { people, personIndex: packIndexes(state.personIndex, count, 'personIndex') } : {}),
      [PENDING_COUNT]: count,
      ...(state.expiresAt === undefined ? {} : { [TableSchema.ttlAttribute]: state.expiresAt }),
    };
  }

  private fromItem(runId: string, item: Record<string, unknown>): RunState {
    const where = `run state of ${runId}`;
    const pendingTaskIds = unpackTaskIds(
      asBytes(item.pendingTaskIds, `${where}: pendingTaskIds`),
      `${where}: pendingTaskIds`,
    );
    const misses = Array.from(asBytes(item.misses, `${where}: misses`));
    const count = item[PENDING_COUNT];
    if (misses.length !== pendingTaskIds.length || (count !== undefined && count !== pendingTaskIds.length)) {
      throw new CorruptStateError(
        where,
        `is corrupt: ${pendingTaskIds.length} packed IDs, ${misses.length} miss counts, pendingCount ${String(count)}`,
      );
    }
    const apps = asList(item.apps, `${where}: apps`, isAppRef);
    const people = asList(item.people, `${where}: people`, isText);
    const indexes = (field: 'appIndex' | 'personIndex', size: number): number[] => {
      const packed = asBytes(item[field], `${where}: ${field}`);
      if (packed.length !== pendingTaskIds.length) {
        throw new CorruptStateError(
          `${where}: ${field}`,
          `is corrupt: ${packed.length} indexes for ${pendingTaskIds.length} IDs`,
        );
      }
      return unpackIndexes(packed, size, `${where}: ${field}`);
    };
    // A table comes with its indexes; without one (or in items older than the tables) nothing is known.
    const context = {
      ...(apps.length ? { apps, appIndex: indexes('appIndex', apps.length) } : {}),
      ...(people.length ? { people, personIndex: indexes('personIndex', people.length) } : {}),
    };
    const state: Record<string, unknown> = {};
    for (const field of loopStateFields) {
      if (item[field] !== undefined) state[field] = item[field];
    }
    const expiresAt = item[TableSchema.ttlAttribute];
    return {
      ...(state as unknown as LoopState),
      pendingTaskIds,
      misses,
      ...context,
      ...(typeof expiresAt === 'number' ? { expiresAt } : {}),
    };
  }
}
