/**
 * Counts the DynamoDB requests the handler sends, by the state machine state that sent them and by
 * command (BatchWriteCommand, GetCommand, ...), and meters their capacity units from the items' sizes:
 * 1 WRU per KB written, to the table and to every index the item projects into (all four project ALL,
 * and are sparse: an item is in an index when it has the index's keys); 1 RRU per 4 KB of a consistent
 * read (half for an eventually consistent one), at least one per item asked for. Pass `wrap` as the
 * harness's `wrapDocumentClient` and set `state` before each invocation (the harness's `beforeInvoke`).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TableSchema } from '../../lambda/contract/table';

type Item = Record<string, unknown>;

/** The Lambda context fields Powertools adds to each line (function name, ARN, memory, request ID, cold start, trace ID). */
const POWERTOOLS_CONTEXT_BYTES = 330;

/** What one item write or read cost, and whether it was the run state item (its size grows with pending). */
export interface MeteredItem {
  state: string;
  kind: 'write' | 'read';
  bytes: number;
  /** Indexes the written item projects into. */
  indexes: number;
  /** The run state item's pendingCount, when it is that item. */
  pending?: number;
  /** Read units per 4 KB (1 consistent, 0.5 eventual). */
  readWeight?: number;
  /** Sent in a batch (task records and their existence checks): their number grows with the tasks. */
  batched: boolean;
}

/** DynamoDB's item size: attribute names plus values (numbers about 1 byte per 2 digits). */
function dynamoItemBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof Set) return [...value].reduce((n: number, v) => n + dynamoItemBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + dynamoItemBytes(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Item).reduce(
        (n, [k, v]) => n + (v === undefined ? 0 : 1 + Buffer.byteLength(k) + dynamoItemBytes(v)),
        0,
      )
    );
  }
  return 1;
}

const itemBytes = (item: Item) => dynamoItemBytes(item) - 3;
const indexesOf = (item: Item) =>
  Object.values(TableSchema.indexes).filter(
    (ix) => item[ix.partitionKey] !== undefined && item[ix.sortKey] !== undefined,
  ).length;
const pendingOf = (item: Item) => (typeof item.pendingCount === 'number' ? item.pendingCount : undefined);

export class RequestCounter {
  /** The state whose invocation is running. */
  state = 'none';
  private readonly counts = new Map<string, Map<string, number>>();
  readonly items: MeteredItem[] = [];
  /** Bytes of the log lines the use cases wrote, as Powertools would print them (JSON, one a line). */
  logBytes = 0;

  /** Pass as the harness's `log`: counts the bytes of each line. */
  readonly log = {
    info: (message: string, fields?: Record<string, unknown>) => this.logLine('INFO', message, fields),
    warn: (message: string, fields?: Record<string, unknown>) => this.logLine('WARN', message, fields),
  };

  private logLine(level: string, message: string, fields?: Record<string, unknown>): void {
    const line = {
      level,
      message,
      timestamp: new Date(0).toISOString(),
      service: 'appfabric-access-poller',
      ...fields,
    };
    this.logBytes += Buffer.byteLength(JSON.stringify(line)) + 1 + POWERTOOLS_CONTEXT_BYTES;
  }

  readonly wrap = (client: DynamoDBDocumentClient): DynamoDBDocumentClient => {
    const send = client.send.bind(client) as (command: unknown, ...rest: unknown[]) => Promise<unknown>;
    const counting = async (command: unknown, ...rest: unknown[]) => {
      const name = (command as { constructor?: { name?: string } })?.constructor?.name ?? 'Unknown';
      const state = this.state;
      const byCommand = this.counts.get(state) ?? new Map<string, number>();
      byCommand.set(name, (byCommand.get(name) ?? 0) + 1);
      this.counts.set(state, byCommand);
      const input = (command as { input?: Record<string, unknown> }).input ?? {};
      this.meterWrites(state, name, input);
      const out = await send(command, ...rest);
      this.meterReads(state, name, input, out as Record<string, unknown>);
      return out;
    };
    client.send = counting as typeof client.send;
    return client;
  };

  private meterWrites(state: string, name: string, input: Record<string, unknown>): void {
    const write = (item: Item, batched: boolean) =>
      this.items.push({
        state,
        kind: 'write',
        bytes: itemBytes(item),
        indexes: indexesOf(item),
        pending: pendingOf(item),
        batched,
      });
    if (name === 'PutCommand') write(input.Item as Item, false);
    if (name === 'BatchWriteCommand') {
      for (const requests of Object.values(
        (input.RequestItems ?? {}) as Record<string, { PutRequest?: { Item: Item } }[]>,
      )) {
        for (const r of requests) if (r.PutRequest) write(r.PutRequest.Item, true);
      }
    }
  }

  private meterReads(
    state: string,
    name: string,
    input: Record<string, unknown>,
    out: Record<string, unknown>,
  ): void {
    if (name === 'GetCommand') {
      const item = out?.Item as Item | undefined;
      this.items.push({
        state,
        kind: 'read',
        bytes: item ? itemBytes(item) : 0,
        indexes: 0,
        pending: item ? pendingOf(item) : undefined,
        readWeight: input.ConsistentRead ? 1 : 0.5,
        batched: false,
      });
    }
    if (name === 'BatchGetCommand') {
      for (const [table, request] of Object.entries(
        (input.RequestItems ?? {}) as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>,
      )) {
        const found = ((out?.Responses ?? {}) as Record<string, Item[]>)[table] ?? [];
        const bytes = found.map(itemBytes);
        request.Keys.forEach((_, i) => {
          this.items.push({
            state,
            kind: 'read',
            bytes: bytes[i] ?? 0,
            indexes: 0,
            readWeight: request.ConsistentRead ? 1 : 0.5,
            batched: true,
          });
        });
      }
    }
  }

  /** Requests of one command sent while `state` ran. */
  count(state: string, command: string): number {
    return this.counts.get(state)?.get(command) ?? 0;
  }

  /** Every command sent while `state` ran, with its count. */
  byCommand(state: string): Record<string, number> {
    return Object.fromEntries(this.counts.get(state) ?? []);
  }

  reset(): void {
    this.counts.clear();
    this.items.length = 0;
    this.logBytes = 0;
  }
}
