/**
 * The DynamoDB DocumentClient the adapters share, and the error mapping every adapter applies:
 * callers see the errors of `lambda/shared/errors.ts`, never raw SDK errors.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ResultsStoreUnavailableError } from '../shared/errors';

/** Builds a DocumentClient that drops undefined values, so absent fields are never written. */
export const createDocumentClient = (config: DynamoDBClientConfig = {}): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });

let shared: DynamoDBDocumentClient | undefined;

/** One client a Lambda container reuses across invocations (default credential chain and region). */
export const defaultDocumentClient = (): DynamoDBDocumentClient => {
  shared ??= createDocumentClient();
  return shared;
};

/** The SDK error's name (`ConditionalCheckFailedException`, `ThrottlingException`, ...), if any. */
export const errorName = (error: unknown): string | undefined =>
  error instanceof Error ? error.name : undefined;

/** A failed call after the SDK's own retries: throttling, 5xx, network, missing table, ... */
export const unavailable = (
  operation: string,
  tableName: string,
  error: unknown,
): ResultsStoreUnavailableError =>
  new ResultsStoreUnavailableError(
    `DynamoDB ${operation} on table ${tableName} failed: ${errorName(error) ?? 'Error'}: ${
      error instanceof Error ? error.message : String(error)
    }`,
    { cause: error },
  );

/** Exponential backoff with jitter: half fixed, half random, capped. `attempt` counts from 1. */
const backoffDelayMs = (attempt: number, baseDelayMs: number, maxDelayMs: number): number => {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
};

export const defaultSleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

/** How an adapter retries what the SDK's own retries left undone (unprocessed items, a lost write). */
export interface RetryPolicy {
  /** Tries, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
}

/**
 * The adapters' one retry loop: runs `step` until it answers `done`, at most `policy.attempts` times, with
 * backoff and jitter between tries. Returns the last answer, done or not: the caller says what not done means.
 */
export async function retrying<R extends { done: boolean }>(
  policy: RetryPolicy,
  step: (attempt: number) => Promise<R>,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    if (attempt > 1) await policy.sleep(backoffDelayMs(attempt - 1, policy.baseDelayMs, policy.maxDelayMs));
    const result = await step(attempt);
    if (result.done || attempt >= Math.max(1, policy.attempts)) return result;
  }
}

export { chunk, mapWithConcurrency } from '../core/concurrency';
