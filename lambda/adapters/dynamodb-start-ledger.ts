/**
 * StartLedger over DynamoDB: one item per address of a run, beside the run's other items
 * (pk RUN#<runId>, sk START#<sha256 of the address>).
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Keys, TableSchema } from '../contract/table';
import type { StartLedger, StartRecord } from '../core/ports';
import {
  defaultDocumentClient,
  defaultSleep,
  errorName,
  type RetryPolicy,
  retrying,
  unavailable,
} from './dynamo-client';

const key = Keys.start;

export class DynamoDbStartLedger implements StartLedger {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  private readonly retry: RetryPolicy;

  constructor(options: {
    tableName: string;
    client?: DynamoDBDocumentClient;
    /** Tries of `put` (the SDK's own retries come on top). @default 4 */
    attempts?: number;
    sleep?: (ms: number) => Promise<void>;
  }) {
    this.tableName = options.tableName;
    this.retry = {
      attempts: Math.max(1, options.attempts ?? 4),
      baseDelayMs: 50,
      maxDelayMs: 2_000,
      sleep: options.sleep ?? defaultSleep,
    };
    this.client = options.client ?? defaultDocumentClient();
  }

  async get(runId: string, emailHash: string): Promise<StartRecord | undefined> {
    const out = await this.call('GetItem', () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key(runId, emailHash), ConsistentRead: true }),
      ),
    );
    if (!out.Item) return undefined;
    const { [TableSchema.partitionKey]: _pk, [TableSchema.sortKey]: _sk, ...record } = out.Item;
    return record as StartRecord;
  }

  async claim(record: StartRecord): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(record.runId, record.emailHash), ...record },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TableSchema.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === 'ConditionalCheckFailedException') return false;
      throw unavailable('PutItem', this.tableName, error);
    }
  }

  /**
   * Stores the record, trying up to `attempts` times: after a successful StartUserAccessTasks call, losing
   * this write would lose the address's tasks. Safe to repeat: the write is conditional or idempotent.
   */
  async put(record: StartRecord, options: { ifState?: StartRecord['state'] } = {}): Promise<boolean> {
    const condition = options.ifState
      ? {
          ConditionExpression: '#state = :state',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':state': options.ifState },
        }
      : {};
    const result = await retrying(this.retry, async () => {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: { ...key(record.runId, record.emailHash), ...record },
            ...condition,
          }),
        );
        return { done: true, stored: true };
      } catch (error) {
        if (errorName(error) === 'ConditionalCheckFailedException') return { done: true, stored: false };
        return { done: false, stored: false, error };
      }
    });
    if (!result.done) throw unavailable('PutItem', this.tableName, result.error);
    return result.stored;
  }

  async remove(runId: string, emailHash: string): Promise<void> {
    await this.call('DeleteItem', () =>
      this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key(runId, emailHash) })),
    );
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw unavailable(operation, this.tableName, error);
    }
  }
}
