/**
 * What the fuzz suites share (fuzz.test.ts, fuzz-poll.test.ts): the seed, one local poller with the real
 * handler, a raw table client, a tiny answer server, the count of cases each property tried, and the checks
 * that a failure is a named poller error.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import { AppFabricClient } from '../../lambda/appfabric';
import { ErrorNames, FATAL_ERRORS, RETRYABLE_ERRORS } from '../../lambda/contract/workflow';
import { makeHandler } from '../../lambda/handler';
import { InvalidInputError, isPollerError } from '../../lambda/shared/errors';
import { type LocalPoller, startLocalPoller } from '../../local/harness';
import { type AnswerServer, startAnswerServer } from './answer-server';
import { partitionItems } from './dynamo';

export const SEED = Number(process.env.FUZZ_SEED ?? 20_241_125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
export const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

export const BUNDLE_UUID = '3a4b5c6d-7e8f-4091-a2b3-c4d5e6f7a8b9';
export const BUNDLE_ARN = `arn:aws:appfabric:us-east-1:123456789012:appbundle/${BUNDLE_UUID}`;
const CREDENTIALS = { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz-secret' };
const KNOWN_ERROR_NAMES: readonly string[] = [...FATAL_ERRORS, ...RETRYABLE_ERRORS];

export let poller: LocalPoller;
export let handler: ReturnType<typeof makeHandler>;
let doc: DynamoDBDocumentClient;
export let answers: AnswerServer;
export let answerClient: AppFabricClient;

/** Cases each property tried (shrinking included), printed at the end. */
const tried = new Map<string, number>();
export const count = (property: string) => tried.set(property, (tried.get(property) ?? 0) + 1);

/** The suites' shared parts: one local poller, the real handler, a raw table client and a tiny answer server. */
export function useFuzzParts(): void {
  beforeAll(async () => {
    // A default app bundle, so inputs without one get further; one miss makes an unknown ID NOT_FOUND.
    poller = await startLocalPoller({
      context: { appBundleIdentifier: BUNDLE_ARN, notFoundAfterMisses: 1 },
      seed: 41,
      realWaitMs: 1,
      realRetryMs: 1,
      appFabricMaxAttempts: 1,
    });
    poller.appFabric.addBundle(BUNDLE_ARN, [{ app: 'SLACK', tenantId: 'T0FUZZ' }]);
    handler = makeHandler(() => poller.runtime);
    doc = createDocumentClient({
      endpoint: poller.dynamo.endpoint,
      region: 'us-east-1',
      credentials: CREDENTIALS,
    });
    answers = await startAnswerServer();
    answerClient = new AppFabricClient({
      region: 'us-east-1',
      endpoint: answers.url,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    answerClient?.destroy();
    doc?.destroy();
    await Promise.all([answers?.close(), poller?.close()]);
    const line = [...tried].map(([property, n]) => `${property} ${n} cases`).join(', ');
    console.log(`fuzz (seed ${SEED}): ${line}`);
  });
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
export const settle = async <T>(promise: Promise<T>): Promise<Settled<T>> => {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
};

let runCount = 0;
export const nextRunId = (label: string) => `fuzz-${label}-${++runCount}`;

/** A poller error with a known name (never a TypeError, RangeError or a raw SDK error). */
export function expectNamedPollerError(error: unknown): asserts error is Error & { retryable: boolean } {
  if (!isPollerError(error))
    throw new Error(`not a poller error: ${String((error as Error)?.stack ?? error)}`);
  expect(KNOWN_ERROR_NAMES).toContain(error.name);
}

export function expectInvalidInput(error: unknown, field: RegExp): asserts error is InvalidInputError {
  expectNamedPollerError(error);
  expect(error).toBeInstanceOf(InvalidInputError);
  const e = error as InvalidInputError;
  expect(e.name).toBe(ErrorNames.InvalidInput);
  expect(e.field).toMatch(field);
  expect(e.message.startsWith(`${e.field}: `)).toBe(true);
}

/** Sort keys of every item of a run's partition. */
export const partitionKeys = async (runId: string): Promise<string[]> =>
  (await partitionItems(doc, poller.tableName, runId)).map((i) => String(i.sk));
