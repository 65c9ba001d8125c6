/**
 * Helpers for the end-to-end suites that drive the rendered state machine through `startLocalPoller`:
 * what record the stand-in's script of a task must leave, raw reads of a run's partition, text sinks.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import type { TerminalStatus } from '../../lambda/contract/statuses';
import type { TaskRecord } from '../../lambda/core/model';
import { finalAnswer, type TaskState } from '../../local/appfabric-standin';
import type { LocalPoller } from '../../local/harness';

/** A task record without the fields the run adds (runId, bundle, recordedAt, expiresAt). */
export type ExpectedRecord = Omit<TaskRecord, 'runId' | 'appBundleIdentifier' | 'recordedAt' | 'expiresAt'>;

/** Scripted IN_PROGRESS answers at or above this never finish within a test. */
export const NEVER = 1_000_000;

/**
 * The record a task must end with, derived from the stand-in's script of it (and the stand-in's documented
 * defaults): the answer's fields for COMPLETED / FAILED / EXPIRED; for NOT_FOUND (left out of every
 * answer) the ID alone; for TIMED_OUT (never finishes: `neverFinished` says what the run made of it) the
 * app and tenant its IN_PROGRESS answers gave. A task started from an address (`startedFor`) carries that
 * address and its app and tenant (from StartUserAccessTasks' answer) whatever its status.
 */
export function expectedRecord(
  task: TaskState,
  neverFinished: TerminalStatus = 'TIMED_OUT',
  startedFor?: string,
): ExpectedRecord {
  const b = task.behaviour;
  const started =
    startedFor === undefined ? {} : { app: task.app, tenantId: task.tenantId, email: startedFor };
  if (b.missing === true) return { ...started, taskId: task.taskId, resultStatus: 'NOT_FOUND' };
  if ((b.inProgressPolls ?? 0) >= NEVER)
    return {
      ...started,
      app: task.app,
      tenantId: task.tenantId,
      taskId: task.taskId,
      resultStatus: neverFinished,
    };
  return { ...started, ...(finalAnswer(task) as unknown as ExpectedRecord) };
}

/** The expected record of each task ID, from the stand-in (fails loudly for an ID it does not know). */
export function expectedRecords(
  poller: LocalPoller,
  taskIds: readonly string[],
  neverFinished: TerminalStatus = 'TIMED_OUT',
): Map<string, ExpectedRecord> {
  return new Map(
    taskIds.map((id) => {
      const task = poller.appFabric.getTask(id);
      if (!task) throw new Error(`the stand-in knows no task ${id}`);
      return [id, expectedRecord(task, neverFinished)];
    }),
  );
}

/** Counts by status of expected records, as the run reports them (pending 0). */
export function countsOf(records: Iterable<{ resultStatus: TerminalStatus }>) {
  const counts = { total: 0, pending: 0, COMPLETED: 0, FAILED: 0, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 };
  for (const r of records) {
    counts.total += 1;
    counts[r.resultStatus] += 1;
  }
  return counts;
}

/** A DocumentClient on the poller's dynalite, for raw reads (destroy it when done). */
export const rawClient = (poller: LocalPoller): DynamoDBDocumentClient =>
  createDocumentClient({
    endpoint: poller.dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });

/** A writable that keeps what is written, for CLIs that take `out` / `err` streams typed as `S`. */
export interface TextSink<S> {
  readonly stream: S;
  text(): string;
}

export function textSink<S>(): TextSink<S> {
  let text = '';
  const stream = {
    write(chunk: string | Uint8Array) {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      return true;
    },
  };
  // Only `write` is used by the CLIs; the cast is the price of their `process.stdout`-typed parameters.
  return { stream: stream as unknown as S, text: () => text };
}

/**
 * A hook on the handler's DynamoDB client, for `startLocalPoller({ wrapDocumentClient: hook.wrap })`: `before`
 * runs before each command is sent and may throw (the call fails, nothing is written) or wait (a slow call).
 * The harness wraps the client once per LocalPoller: set `before` in a test and clear it after.
 */
export interface DynamoHook {
  readonly wrap: (client: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  before: ((command: unknown) => void | Promise<void>) | undefined;
}

export function dynamoHook(): DynamoHook {
  const hook: DynamoHook = {
    before: undefined,
    wrap(client) {
      const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      client.send = (async (command: unknown) => {
        await hook.before?.(command);
        return send(command);
      }) as typeof client.send;
      return client;
    },
  };
  return hook;
}

/** An error shaped like an SDK service error (what the adapters see when DynamoDB refuses a call). */
export const sdkError = (name: string, status = 400): Error =>
  Object.assign(new Error(`${name}: injected by the test`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

/** An EventBridge event as the default rule pattern matches it, with `detail` as the execution input. */
export const eventOf = (detail: unknown, over: Record<string, unknown> = {}): Record<string, unknown> => ({
  version: '0',
  id: randomUUID(),
  'detail-type': 'Poll AppFabric User Access Tasks',
  source: 'appfabric-access-poller',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [],
  detail,
  ...over,
});
