/**
 * RunHistory over DynamoDB, with Query only: the runsByStart index newest first (filtered to the bundle's
 * SUCCEEDED runs), then each of those runs' partition (`sk begins_with TASK#`, AppFabric results only),
 * projecting only the times. Bounded in runs, records and index pages, so Start stays fast and cheap.
 */
import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppFabricTerminalStatuses } from '../contract/statuses';
import { Keys, TableSchema } from '../contract/table';
import type { RunRecord, TaskRecord } from '../core/model';
import type { RunHistory } from '../core/ports';
import { defaultDocumentClient, unavailable } from './dynamo-client';

/** Run items read from the index per page, and pages at most: older runs than that are not looked for. */
const RUNS_PAGE = 100;
const MAX_RUN_PAGES = 5;

const field = <T>(name: keyof T & string) => name;

export interface DynamoDbRunHistoryOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

export class DynamoDbRunHistory implements RunHistory {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: DynamoDbRunHistoryOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  async recentFinishSeconds(
    appBundleIdentifier: string,
    limits: { runs: number; maxRecords: number },
  ): Promise<number[][]> {
    const runs = await this.recentRuns(appBundleIdentifier, limits.runs);
    const out: number[][] = [];
    let budget = limits.maxRecords;
    for (const run of runs) {
      if (budget <= 0) break;
      const startedAt = Date.parse(run.startedAt);
      const recorded = await this.recordedTimes(run.runId, budget);
      budget -= recorded.read;
      out.push(
        recorded.times
          .map((at) => (Date.parse(at) - startedAt) / 1000)
          .filter((s) => Number.isFinite(s) && s >= 0),
      );
    }
    return out;
  }

  /** The newest `count` SUCCEEDED runs of the bundle: ID and start only. */
  private async recentRuns(bundle: string, count: number): Promise<{ runId: string; startedAt: string }[]> {
    const index = TableSchema.indexes.runsByStart;
    const found: { runId: string; startedAt: string }[] = [];
    let start: Record<string, unknown> | undefined;
    for (let page = 0; page < MAX_RUN_PAGES && found.length < count; page++) {
      const answer = await this.send('Query runsByStart', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: index.indexName,
            KeyConditionExpression: '#list = :list',
            FilterExpression: '#bundle = :bundle AND #outcome = :succeeded',
            ProjectionExpression: '#runId, #startedAt',
            ExpressionAttributeNames: {
              '#list': index.partitionKey,
              '#bundle': field<RunRecord>('appBundleIdentifier'),
              '#outcome': field<RunRecord>('outcome'),
              '#runId': field<RunRecord>('runId'),
              '#startedAt': field<RunRecord>('startedAt'),
            },
            ExpressionAttributeValues: {
              ':list': Keys.runListKey,
              ':bundle': bundle,
              ':succeeded': 'SUCCEEDED' satisfies RunRecord['outcome'],
            },
            ScanIndexForward: false,
            Limit: RUNS_PAGE,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of answer.Items ?? []) {
        if (typeof item.runId === 'string' && typeof item.startedAt === 'string' && found.length < count) {
          found.push({ runId: item.runId, startedAt: item.startedAt });
        }
      }
      start = answer.LastEvaluatedKey;
      if (!start) break;
    }
    return found;
  }

  /** When a run recorded its AppFabric results: at most `max` records read. */
  private async recordedTimes(runId: string, max: number): Promise<{ times: string[]; read: number }> {
    const statuses = [...AppFabricTerminalStatuses];
    const times: string[] = [];
    let start: Record<string, unknown> | undefined;
    let read = 0;
    do {
      const answer = await this.send('Query run records', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :task)',
            FilterExpression: `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
            ProjectionExpression: '#recordedAt',
            ExpressionAttributeNames: {
              '#pk': TableSchema.partitionKey,
              '#sk': TableSchema.sortKey,
              '#status': field<TaskRecord>('resultStatus'),
              '#recordedAt': field<TaskRecord>('recordedAt'),
            },
            ExpressionAttributeValues: {
              ':pk': Keys.runPk(runId),
              ':task': Keys.taskSkPrefix,
              ...Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
            },
            // Limit bounds the items read (before the filter), so the budget bounds the cost.
            Limit: max - read,
            ExclusiveStartKey: start,
          }),
        ),
      );
      read += answer.ScannedCount ?? answer.Items?.length ?? 0;
      for (const item of answer.Items ?? []) {
        if (typeof item.recordedAt === 'string') times.push(item.recordedAt);
      }
      start = answer.LastEvaluatedKey;
    } while (start && read < max);
    return { times, read };
  }

  private async send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw unavailable(operation, this.tableName, error);
    }
  }
}
