/**
 * Shared setup of the local end-to-end suites: the local poller with one bundle, the task scripts they run and
 * the checks of the records a run left.
 */

import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Limits } from '../../lambda/contract/limits';
import type { TaskRecord } from '../../lambda/core/model';
import type { BundleApp, TaskScript } from '../../local/appfabric-standin';
import { type LocalOptions, type LocalPoller, startLocalPoller } from '../../local/harness';
import { type ExpectedRecord, rawClient } from './local-e2e';

export const BUNDLE_ARN =
  'arn:aws:appfabric:us-east-1:123456789012:appbundle/3e1f0c2a-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
const APPS: BundleApp[] = [
  { app: 'SLACK', tenantId: 'T0E2E', tenantDisplayName: 'E2E workspace' },
  { app: 'OKTA', tenantId: 'e2e.okta.com', tenantDisplayName: 'E2E Okta' },
  { app: 'ZOOM', tenantId: 'ZM-E2E' },
];
export const STATE_LIMIT_BYTES = Limits.stepFunctionsPayloadBytes;

export let poller: LocalPoller;
export let doc: DynamoDBDocumentClient;

export const appOf = (i: number) => APPS[i % APPS.length];

/** Adds the scripted tasks to the bundle; returns their IDs in order. */
export const addAll = (scripts: TaskScript[], bundle = BUNDLE_ARN): string[] =>
  scripts.map((s) => poller.appFabric.addTask(bundle, s));

/** A COMPLETED task whose answer carries every user field. */
export const completed = (i: number, inProgressPolls = i % 4): TaskScript => ({
  ...appOf(i),
  email: `person.${i}@example.com`,
  outcome: 'COMPLETED',
  inProgressPolls,
  user: {
    userId: `UID-${i}`,
    userFullName: `Person Number${i}`,
    userFirstName: 'Person',
    userLastName: `Number${i}`,
    userStatus: i % 2 === 0 ? 'ACTIVE' : 'SUSPENDED',
  },
});

/**
 * 120 tasks, by index modulo 10: 0-4 COMPLETED after 0-3 IN_PROGRESS answers, 5-6 FAILED with a task error,
 * 7 EXPIRED, 8 never in an answer (NOT_FOUND), 9 left out of the first two answers and then COMPLETED.
 */
export const mixedScripts = (count: number): TaskScript[] =>
  Array.from({ length: count }, (_, i): TaskScript => {
    switch (i % 10) {
      case 5:
      case 6:
        return {
          ...appOf(i),
          email: `failed.${i}@example.com`,
          outcome: 'FAILED',
          inProgressPolls: i % 3,
          taskError: { errorCode: i % 2 ? 'USER_NOT_FOUND' : 'APP_ERROR', errorMessage: `task ${i} failed` },
        };
      case 7:
        return { ...appOf(i), email: `expired.${i}@example.com`, outcome: 'EXPIRED', inProgressPolls: 1 };
      case 8:
        return { ...appOf(i), email: `missing.${i}@example.com`, missing: true };
      case 9:
        return { ...completed(i, 0), missing: 2 };
      default:
        return completed(i);
    }
  });

/** The run's task records keyed by task ID; fails if a task has two. */
export async function recordsOf(runId: string): Promise<Map<string, TaskRecord>> {
  const records = await poller.reader.byRun(runId);
  const byId = new Map(records.map((r) => [r.taskId, r]));
  expect(byId.size).toBe(records.length);
  return byId;
}

/** Each record is the one the stand-in's script of its task calls for, every field compared. */
export function expectRecordsMatch(
  records: Map<string, TaskRecord>,
  expected: Map<string, ExpectedRecord>,
  runId: string,
  bundle = BUNDLE_ARN,
) {
  for (const [taskId, record] of records) {
    expect(expected.has(taskId)).toBe(true);
    expect(record).toEqual({
      ...expected.get(taskId),
      runId,
      appBundleIdentifier: bundle,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      expiresAt: expect.any(Number),
    });
  }
}

/**
 * Starts the local poller with the bundle of APPS for the enclosing describe (and a raw DynamoDB client);
 * after each test clears the stand-in's faults and calls.
 */
export function useLocalPoller(options: LocalOptions = { seed: 3 }): void {
  beforeAll(async () => {
    poller = await startLocalPoller(options);
    poller.appFabric.addBundle(BUNDLE_ARN, APPS);
    doc = rawClient(poller);
  });

  afterAll(async () => {
    doc?.destroy();
    await poller?.close();
  });

  afterEach(() => {
    poller.appFabric.clearFaults();
    poller.appFabric.resetCalls();
  });
}
