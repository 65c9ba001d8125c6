/**
 * ResultsStore over DynamoDB: task records 25 a BatchWriteItem, retrying UnprocessedItems with backoff,
 * and skipping records already stored with the same status so a repeated write changes nothing.
 * Item layout: see `dynamodb-items.ts`.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { Limits } from '../contract/limits';
import { AppFabricTerminalStatuses, PollerStatuses, type TerminalStatus } from '../contract/statuses';
import { Keys, TableSchema } from '../contract/table';
import type { RunRecord, TaskRecord } from '../core/model';
import type { ResultsStore, RunProgress, WriteReport } from '../core/ports';
import { ResultsStoreUnavailableError } from '../shared/errors';
import {
  chunk,
  defaultDocumentClient,
  defaultSleep,
  errorName,
  mapWithConcurrency,
  type RetryPolicy,
  retrying,
  unavailable,
} from './dynamo-client';
import { fromRunItem, type Item, toRunItem, toTaskItem } from './dynamodb-items';

/** BatchGetItem max keys. */
const BATCH_GET_MAX_KEYS = 100;
const STATUS_FIELD = 'resultStatus' satisfies keyof TaskRecord;
const OUTCOME_FIELD = 'outcome' satisfies keyof RunRecord;

export interface DynamoDbResultsStoreOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
  /** Sends of one batch, the first included, before its unprocessed items count as failed. Default 8. */
  maxAttempts?: number;
  /** First backoff delay; doubles each attempt, with jitter. Default 50 ms. */
  baseDelayMs?: number;
  /** Longest backoff delay. Default 5,000 ms. */
  maxDelayMs?: number;
  /** Batch requests in flight at once. Default 4. */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A record's key, as the error reports the ones it could not write. */
export interface TaskRecordKey {
  runId: string;
  taskId: string;
}

/**
 * Some task records were not written after every attempt (or a request failed). Nothing is lost
 * silently: `notWritten` lists each record not confirmed written, `report` what was done.
 * Its `name` stays `ResultsStoreUnavailableError`, so the state machine retries it.
 */
export class TaskRecordsNotWrittenError extends ResultsStoreUnavailableError {
  constructor(
    message: string,
    readonly notWritten: TaskRecordKey[],
    readonly report: WriteReport,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface BatchOutcome {
  written: number;
  requests: number;
  notWritten: Item[];
  error?: unknown;
}

const keyString = (item: Item): string =>
  `${item[TableSchema.partitionKey]}\u0000${item[TableSchema.sortKey]}`;
const recordKey = (item: Item): TaskRecordKey => ({ runId: String(item.runId), taskId: String(item.taskId) });

export class DynamoDbResultsStore implements ResultsStore {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly retry: RetryPolicy;
  private readonly concurrency: number;

  constructor(options: DynamoDbResultsStoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
    this.retry = {
      attempts: Math.max(1, options.maxAttempts ?? 8),
      baseDelayMs: options.baseDelayMs ?? 50,
      maxDelayMs: options.maxDelayMs ?? 5_000,
      sleep: options.sleep ?? defaultSleep,
    };
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  async putTaskRecords(records: readonly TaskRecord[]): Promise<WriteReport> {
    // Last record of a key wins: one BatchWriteItem may not name a key twice.
    const byKey = new Map<string, Item>();
    records.forEach((record, i) => {
      const item = toTaskItem(record, `records[${i}]`);
      const key = keyString(item);
      byKey.delete(key);
      byKey.set(key, item);
    });
    const items = [...byKey.values()];
    if (items.length === 0) return { written: 0, skipped: records.length, writeRequests: 0, kept: [] };

    const stored = await this.storedStatuses(items);
    const kept: WriteReport['kept'] = [];
    const toWrite = items.filter((item) => {
      const storedStatus = stored.get(keyString(item));
      if (storedStatus === item[STATUS_FIELD]) return false;
      if (
        PollerStatuses.has(String(item[STATUS_FIELD])) &&
        AppFabricTerminalStatuses.has(String(storedStatus))
      ) {
        kept.push({ taskId: String(item.taskId), resultStatus: storedStatus as TerminalStatus });
        return false;
      }
      return true;
    });
    const skipped = records.length - toWrite.length;

    let failed = false;
    const outcomes = await mapWithConcurrency(
      chunk(toWrite, Limits.batchWriteMaxItems),
      this.concurrency,
      async (batch) => {
        const outcome = await this.writeBatch(batch);
        if (outcome.notWritten.length > 0) failed = true;
        return outcome;
      },
      () => failed,
      (batch): BatchOutcome => ({ written: 0, requests: 0, notWritten: batch }),
    );

    const report: WriteReport = { written: 0, skipped, writeRequests: 0, kept };
    const notWritten: Item[] = [];
    let cause: unknown;
    for (const outcome of outcomes) {
      report.written += outcome.written;
      report.writeRequests += outcome.requests;
      notWritten.push(...outcome.notWritten);
      cause ??= outcome.error;
    }
    if (notWritten.length > 0) {
      const reason =
        cause === undefined
          ? `still unprocessed after ${this.retry.attempts} attempts`
          : `BatchWriteItem failed: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`;
      throw new TaskRecordsNotWrittenError(
        `${notWritten.length} of ${toWrite.length} task records not written to table ${this.tableName} ` +
          `(${report.written} written, ${report.skipped} skipped): ${reason}`,
        notWritten.map(recordKey),
        report,
        cause === undefined ? undefined : { cause },
      );
    }
    return report;
  }

  async putRunRecord(run: RunRecord): Promise<void> {
    const item = toRunItem(run);
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    } catch (error) {
      throw unavailable('PutItem', this.tableName, error);
    }
  }

  async putRunProgress(progress: RunProgress): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: Keys.run(progress.runId),
          UpdateExpression: 'SET #counts = :counts, #cycle = :cycle, #polled = :polled',
          ConditionExpression:
            'attribute_exists(#pk) AND #outcome = :running AND (attribute_not_exists(#cycle) OR #cycle < :cycle)',
          ExpressionAttributeNames: {
            '#pk': TableSchema.partitionKey,
            '#counts': 'counts' satisfies keyof RunRecord,
            '#cycle': 'cycle' satisfies keyof RunRecord,
            '#polled': 'lastPolledAt' satisfies keyof RunRecord,
            '#outcome': OUTCOME_FIELD,
          },
          ExpressionAttributeValues: {
            ':counts': progress.counts,
            ':cycle': progress.cycle,
            ':polled': progress.lastPolledAt,
            ':running': 'RUNNING' satisfies RunRecord['outcome'],
          },
        }),
      );
    } catch (error) {
      // Ended, missing, or already further on: the stored record stands.
      if (errorName(error) === 'ConditionalCheckFailedException') return;
      throw unavailable('UpdateItem', this.tableName, error);
    }
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: Keys.run(runId), ConsistentRead: true }),
      );
      return out.Item ? fromRunItem(out.Item) : undefined;
    } catch (error) {
      throw unavailable('GetItem', this.tableName, error);
    }
  }

  /** The status stored for each key that has a record, read consistently 100 keys a request. */
  private async storedStatuses(items: readonly Item[]): Promise<Map<string, unknown>> {
    const stored = new Map<string, unknown>();
    const keys = items.map((item) => ({
      [TableSchema.partitionKey]: item[TableSchema.partitionKey],
      [TableSchema.sortKey]: item[TableSchema.sortKey],
    }));
    await mapWithConcurrency(chunk(keys, BATCH_GET_MAX_KEYS), this.concurrency, async (batch) => {
      let pending: Item[] = batch;
      const result = await retrying(this.retry, async () => {
        let out: BatchGetCommandOutput;
        try {
          out = await this.client.send(
            new BatchGetCommand({
              RequestItems: {
                [this.tableName]: {
                  Keys: pending,
                  ConsistentRead: true,
                  ProjectionExpression: '#pk, #sk, #status',
                  ExpressionAttributeNames: {
                    '#pk': TableSchema.partitionKey,
                    '#sk': TableSchema.sortKey,
                    '#status': STATUS_FIELD,
                  },
                },
              },
            }),
          );
        } catch (error) {
          throw unavailable('BatchGetItem', this.tableName, error);
        }
        for (const found of out.Responses?.[this.tableName] ?? []) {
          stored.set(keyString(found), found[STATUS_FIELD]);
        }
        pending = out.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
        return { done: pending.length === 0 };
      });
      if (!result.done) {
        throw new ResultsStoreUnavailableError(
          `DynamoDB BatchGetItem on table ${this.tableName} left ${pending.length} keys unprocessed after ` +
            `${this.retry.attempts} attempts; no task record was written`,
        );
      }
    });
    return stored;
  }

  /** One batch of at most 25, resent while DynamoDB leaves items unprocessed. Never throws. */
  private async writeBatch(batch: Item[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { written: 0, requests: 0, notWritten: [] };
    let pending = batch;
    const result = await retrying(this.retry, async () => {
      outcome.requests++;
      let out: BatchWriteCommandOutput;
      try {
        out = await this.client.send(
          new BatchWriteCommand({
            RequestItems: { [this.tableName]: pending.map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
      } catch (error) {
        return { done: true, error };
      }
      const left = (out.UnprocessedItems?.[this.tableName] ?? [])
        .map((request) => request.PutRequest?.Item)
        .filter((item): item is Item => item !== undefined);
      outcome.written += pending.length - left.length;
      pending = left;
      return { done: left.length === 0, error: undefined as unknown };
    });
    return {
      ...outcome,
      notWritten: pending,
      ...(result.error === undefined ? {} : { error: result.error }),
    };
  }
}
