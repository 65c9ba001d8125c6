/**
 * RunStateStore over DynamoDB: one item per run (pk RUN#<runId>, sk STATE), written with an optimistic
 * lock on `cycle`.
 *
 * The pending task IDs are packed into one Binary attribute, 16 bytes an ID (the UUID's hex), and the
 * misses into another, one byte an ID (capped at 255), so 10,000 pending IDs take about 170 KB: far
 * below DynamoDB's 400 KB item limit, where a list of strings would take about 400 KB.
 *
 * | attribute        | type | holds                                             |
 * |------------------|------|---------------------------------------------------|
 * | pk, sk           | S    | RUN#<runId>, STATE                                |
 * | pendingTaskIds   | B    | 16 bytes per ID, in order                         |
 * | misses           | B    | 1 byte per ID, same order                         |
 * | pendingCount     | N    | number of IDs packed (checked when unpacking)     |
 * | other LoopState  | S/N/M| runId, appBundleIdentifier, status, cycle, ...    |
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Limits, UUID_PATTERN } from '../contract/limits';
import { Keys, TableSchema } from '../contract/table';
import type { LoopState } from '../core/model';
import type { RunState, RunStateStore } from '../core/ports';
import { InvalidInputError, RunStateConflictError } from '../shared/errors';
import { defaultDocumentClient, errorName, unavailable } from './dynamo-client';

const ID_BYTES = 16;
const MAX_MISSES = 255;
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
export const packTaskIds = (ids: readonly string[]): Uint8Array => {
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
export const unpackTaskIds = (packed: Uint8Array, field = 'pendingTaskIds'): string[] => {
  if (packed.length % ID_BYTES !== 0) {
    throw new InvalidInputError(
      field,
      `stored value is corrupt: ${packed.length} bytes, not a multiple of ${ID_BYTES}`,
    );
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
export const packMisses = (misses: readonly number[]): Uint8Array => {
  const packed = new Uint8Array(misses.length);
  misses.forEach((miss, i) => {
    if (!Number.isInteger(miss) || miss < 0) {
      throw new InvalidInputError(`misses[${i}]`, 'must be a non-negative integer');
    }
    packed[i] = Math.min(miss, MAX_MISSES);
  });
  return packed;
};

const asBytes = (value: unknown, field: string): Uint8Array => {
  if (value === undefined) return new Uint8Array(0);
  if (!(value instanceof Uint8Array)) {
    throw new InvalidInputError(field, 'stored value is corrupt: not a Binary attribute');
  }
  return value;
};

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
    return { [TableSchema.partitionKey]: Keys.runPk(runId), [TableSchema.sortKey]: Keys.stateSk };
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
    const item: Record<string, unknown> = {};
    for (const field of loopStateFields) {
      if (state[field] !== undefined) item[field] = state[field];
    }
    return {
      ...item,
      ...this.key(state.runId),
      pendingTaskIds: packTaskIds(state.pendingTaskIds),
      misses: packMisses(state.misses),
      [PENDING_COUNT]: state.pendingTaskIds.length,
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
      throw new InvalidInputError(
        where,
        `stored value is corrupt: ${pendingTaskIds.length} packed IDs, ${misses.length} miss counts, ` +
          `pendingCount ${String(count)}`,
      );
    }
    const state: Record<string, unknown> = {};
    for (const field of loopStateFields) {
      if (item[field] !== undefined) state[field] = item[field];
    }
    const expiresAt = item[TableSchema.ttlAttribute];
    return {
      ...(state as unknown as LoopState),
      pendingTaskIds,
      misses,
      ...(typeof expiresAt === 'number' ? { expiresAt } : {}),
    };
  }
}
