/**
 * Read side of the results table, for the query tool and tests. Every read is a Query on the table or
 * one of its indexes (never a Scan), following LastEvaluatedKey until `limit` records are collected.
 */
import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { defaultDocumentClient, unavailable } from '../lambda/adapters/dynamo-client';
import { emailKeyOf, fromRunItem, fromTaskItem, type Item, runKey } from '../lambda/adapters/dynamodb-items';
import type { TerminalStatus } from '../lambda/contract/statuses';
import { Keys, TableSchema } from '../lambda/contract/table';
import type { RunRecord, TaskRecord } from '../lambda/core/model';
import type { StartRecord } from '../lambda/core/ports';
import { InvalidInputError } from '../lambda/shared/errors';

export interface QueryOptions<S extends string> {
  /** Only records with this status (a FilterExpression). */
  status?: S;
  /**
   * Only records recorded (runs: started) at or after this ISO date or date-time; a date-time without
   * an offset is UTC. A key condition where the index sort key is time, else a FilterExpression.
   */
  since?: string;
  /** Only records recorded before this ISO instant (exclusive); byEmail only, as a key condition. */
  before?: string;
  /** Most records returned. Default: all. */
  limit?: number;
  /** DynamoDB `Limit` of each Query page. Default: DynamoDB's (1 MB a page). */
  pageSize?: number;
}

export type TaskQueryOptions = QueryOptions<TerminalStatus>;
/** For runs, `status` filters on the run's `outcome`. */
export type RunQueryOptions = QueryOptions<RunRecord['outcome']>;

/**
 * A run record as read back, with the live progress fields the poll cycle adds (`lastPolledAt`, `cycle`),
 * read defensively: records written before they existed have neither.
 */
export type RunView = RunRecord & { lastPolledAt?: string; cycle?: number };

/**
 * The spellings of an app name the byApp index is asked for: as given, upper, lower and capitalised. The
 * index key is the name as stored (AppFabric's spelling, e.g. `Slack` or `SLACK`); records are then kept
 * when their app equals the name ignoring case.
 */
const appNameCandidates = (app: string): string[] => {
  const lower = app.toLowerCase();
  return [...new Set([app, app.toUpperCase(), lower, lower.charAt(0).toUpperCase() + lower.slice(1)])];
};

export interface ResultsReaderOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

const RECORDED_AT = 'recordedAt' satisfies keyof TaskRecord;
const RESULT_STATUS = 'resultStatus' satisfies keyof TaskRecord;
const OUTCOME = 'outcome' satisfies keyof RunRecord;
/** Sorts after every character a recordedAt or task ID holds: closes the byApp tenant range. */
const HIGH = '\uffff';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/i;

/**
 * An ISO date (`2024-05-01`, midnight UTC) or date-time (`2024-05-01T10:00[:00[.000]][Z|+02:00]`,
 * UTC when it has no offset) as the `toISOString()` form records use, or undefined when it is neither.
 */
export const parseIsoInstant = (text: string): string | undefined => {
  const trimmed = text.trim();
  let candidate: string;
  if (ISO_DATE.test(trimmed)) candidate = `${trimmed}T00:00:00Z`;
  else if (ISO_DATE_TIME.test(trimmed))
    candidate = /(Z|[+-]\d{2}:\d{2})$/i.test(trimmed) ? trimmed : `${trimmed}Z`;
  else return undefined;
  // Date.parse rolls 2024-02-31 over to March: refuse dates that do not exist.
  const [year, month, day] = trimmed.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  const ms = Date.parse(candidate);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
};

/** A query under construction: expression names and values, key condition and filters. */
class Expr {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly key: string[] = [];
  readonly filter: string[] = [];

  name(attribute: string): string {
    const placeholder = `#${attribute}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(id: string, value: unknown): string {
    const placeholder = `:${id}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  input(): Omit<QueryCommandInput, 'TableName'> {
    return {
      KeyConditionExpression: this.key.join(' AND '),
      ...(this.filter.length > 0 ? { FilterExpression: this.filter.join(' AND ') } : {}),
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
    };
  }
}

const positiveInt = (value: number | undefined, field: string): number | undefined => {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InvalidInputError(field, 'must be a positive integer');
  }
  return value;
};

const since = (value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const iso = parseIsoInstant(value);
  if (iso === undefined) throw new InvalidInputError('since', `not an ISO date or date-time: ${value}`);
  return iso;
};

export class ResultsReader {
  private readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: ResultsReaderOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? defaultDocumentClient();
  }

  /** A run's task records, in task ID order. */
  async byRun(runId: string, opts: TaskQueryOptions = {}): Promise<TaskRecord[]> {
    const q = new Expr();
    q.key.push(`${q.name(TableSchema.partitionKey)} = ${q.value('pk', Keys.runPk(runId))}`);
    q.key.push(`begins_with(${q.name(TableSchema.sortKey)}, ${q.value('skPrefix', Keys.taskSkPrefix)})`);
    const from = since(opts.since);
    if (from !== undefined) q.filter.push(`${q.name(RECORDED_AT)} >= ${q.value('since', from)}`);
    return this.tasks(q, opts, {});
  }

  /** Every record of a task, newest first. */
  async byTask(taskId: string, opts: TaskQueryOptions = {}): Promise<TaskRecord[]> {
    const index = TableSchema.indexes.byTask;
    const q = new Expr();
    q.key.push(`${q.name(index.partitionKey)} = ${q.value('taskId', taskId)}`);
    this.sinceOnTimeSortKey(q, index.sortKey, opts.since);
    return this.tasks(q, opts, { IndexName: index.indexName, ScanIndexForward: false });
  }

  /** A person's records (email case-insensitive), newest first. */
  async byEmail(email: string, opts: TaskQueryOptions = {}): Promise<TaskRecord[]> {
    const index = TableSchema.indexes.byEmail;
    const q = new Expr();
    q.key.push(`${q.name(index.partitionKey)} = ${q.value('emailKey', emailKeyOf(email))}`);
    if (opts.before !== undefined && opts.since === undefined) {
      const before = since(opts.before)!;
      q.key.push(`${q.name(index.sortKey)} < ${q.value('before', before)}`);
    } else if (opts.before !== undefined) {
      throw new InvalidInputError('before', 'cannot be combined with since');
    }
    this.sinceOnTimeSortKey(q, index.sortKey, opts.since);
    return this.tasks(q, opts, { IndexName: index.indexName, ScanIndexForward: false });
  }

  /**
   * An app's records, by tenant then newest first; with `tenantId`, that tenant's only. The index sort
   * key is `<tenant>#<recordedAt>#<taskId>`: with a tenant, `since` narrows the key range, without one it
   * is a filter.
   */
  async byApp(app: string, tenantId?: string, opts: TaskQueryOptions = {}): Promise<TaskRecord[]> {
    const candidates = appNameCandidates(app);
    if (candidates.length === 1) return this.byAppExact(app, tenantId, opts);
    const found = await Promise.all(candidates.map((name) => this.byAppExact(name, tenantId, opts)));
    const records = found.flat();
    // Same order as one index Query: the index sort key, descending (tenant, then newest first).
    const key = (r: TaskRecord) => Keys.tenantKey(r.tenantId, r.recordedAt, r.taskId);
    records.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
    return opts.limit === undefined ? records : records.slice(0, opts.limit);
  }

  /** An app's records under exactly this stored name. */
  async byAppExact(app: string, tenantId?: string, opts: TaskQueryOptions = {}): Promise<TaskRecord[]> {
    const index = TableSchema.indexes.byApp;
    const q = new Expr();
    q.key.push(`${q.name(index.partitionKey)} = ${q.value('app', app)}`);
    const from = since(opts.since);
    if (tenantId !== undefined) {
      const sortKey = q.name(index.sortKey);
      const prefix = `${tenantId}#`;
      q.key.push(
        from === undefined
          ? `begins_with(${sortKey}, ${q.value('tenant', prefix)})`
          : `${sortKey} BETWEEN ${q.value('from', prefix + from)} AND ${q.value('to', prefix + HIGH)}`,
      );
    } else if (from !== undefined) {
      q.filter.push(`${q.name(RECORDED_AT)} >= ${q.value('since', from)}`);
    }
    return this.tasks(q, opts, { IndexName: index.indexName, ScanIndexForward: false });
  }

  /** Runs, newest first. `status` filters on the outcome. */
  async listRuns(opts: RunQueryOptions = {}): Promise<RunRecord[]> {
    const index = TableSchema.indexes.runsByStart;
    const q = new Expr();
    q.key.push(`${q.name(index.partitionKey)} = ${q.value('runList', Keys.runListKey)}`);
    this.sinceOnTimeSortKey(q, index.sortKey, opts.since);
    if (opts.status !== undefined) q.filter.push(`${q.name(OUTCOME)} = ${q.value('status', opts.status)}`);
    const items = await this.query(q, opts, { IndexName: index.indexName, ScanIndexForward: false });
    return items.map(fromRunItem);
  }

  /** What StartUserAccessTasks did for each address of a run (runs started from emails). */
  async startRecords(runId: string): Promise<StartRecord[]> {
    const q = new Expr();
    q.key.push(`${q.name(TableSchema.partitionKey)} = ${q.value('pk', Keys.runPk(runId))}`);
    q.key.push(`begins_with(${q.name(TableSchema.sortKey)}, ${q.value('skPrefix', Keys.startSkPrefix)})`);
    const items = await this.query(q, {}, {});
    return items.map(
      ({ [TableSchema.partitionKey]: _pk, [TableSchema.sortKey]: _sk, ...record }) =>
        record as unknown as StartRecord,
    );
  }

  /** A run's summary record, with its live progress fields when the poller wrote them. */
  async getRun(runId: string): Promise<RunView | undefined> {
    try {
      const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: runKey(runId) }));
      if (!out.Item) return undefined;
      const run: RunView = fromRunItem(out.Item);
      const { lastPolledAt, cycle } = out.Item as { lastPolledAt?: unknown; cycle?: unknown };
      if (typeof lastPolledAt === 'string') run.lastPolledAt = lastPolledAt;
      if (typeof cycle === 'number') run.cycle = cycle;
      return run;
    } catch (error) {
      throw unavailable('GetItem', this.tableName, error);
    }
  }

  private sinceOnTimeSortKey(q: Expr, sortKey: string, value: string | undefined): void {
    const from = since(value);
    if (from !== undefined) q.key.push(`${q.name(sortKey)} >= ${q.value('since', from)}`);
  }

  private async tasks(
    q: Expr,
    opts: TaskQueryOptions,
    extra: Partial<QueryCommandInput>,
  ): Promise<TaskRecord[]> {
    if (opts.status !== undefined)
      q.filter.push(`${q.name(RESULT_STATUS)} = ${q.value('status', opts.status)}`);
    return (await this.query(q, opts, extra)).map(fromTaskItem);
  }

  private async query(
    q: Expr,
    opts: QueryOptions<string>,
    extra: Partial<QueryCommandInput>,
  ): Promise<Item[]> {
    const limit = positiveInt(opts.limit, 'limit');
    const pageSize = positiveInt(opts.pageSize, 'pageSize');
    const filtered = q.filter.length > 0;
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const remaining = limit === undefined ? undefined : limit - items.length;
      // Without a filter every item read is returned, so never read more than still wanted.
      const pageLimit = pageSize ?? (filtered || remaining === undefined ? undefined : remaining);
      let out: QueryCommandOutput;
      try {
        out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            ...extra,
            ...q.input(),
            ...(pageLimit === undefined ? {} : { Limit: pageLimit }),
            ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
          }),
        );
      } catch (error) {
        throw unavailable('Query', this.tableName, error);
      }
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }
}
