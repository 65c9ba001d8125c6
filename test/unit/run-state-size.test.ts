/**
 * The run state of the largest run fits one DynamoDB item: 10,000 tasks (100 addresses × 50 app
 * authorizations, plus 5,000 task IDs), every task with its app/tenant index and the started ones with
 * their address index. Measured on the item the adapter writes (captured, no server), as DynamoDB counts it.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRunStateStore } from '../../lambda/adapters/dynamodb-run-state-store';
import { Limits } from '../../lambda/contract/limits';
import type { RunState } from '../../lambda/core/ports';
import { dynamoItemSize } from '../support/dynamo-size';
import { FAKE_BUNDLE, fakeUuid } from '../support/fakes';

/** A document client that keeps the item of the one PutItem it is sent. */
function capturingClient(): { client: DynamoDBDocumentClient; item: () => Record<string, unknown> } {
  let item: Record<string, unknown> | undefined;
  const client = {
    send: async (command: { input: { Item?: Record<string, unknown> } }) => {
      item = command.input.Item;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, item: () => item ?? {} };
}

function largestRun(addressLength: number, nameLength: number): RunState {
  const people = Array.from({ length: Limits.maxEmailsPerRun }, (_, i) => {
    const local = `person.${i}.`.padEnd(addressLength - '@example.com'.length, 'x');
    return `${local}@example.com`;
  });
  const apps = Array.from({ length: Limits.maxAppAuthorizationsPerBundle }, (_, i) => ({
    app: `APP${i}`.padEnd(nameLength, 'A'),
    tenantId: `tenant-${i}`.padEnd(nameLength, 't'),
  }));
  const n = Limits.maxTasksPerRun;
  const started = Limits.maxEmailsPerRun * Limits.maxAppAuthorizationsPerBundle;
  return {
    runId: 'a-run-name-of-eighty-characters'.padEnd(80, 'x'),
    appBundleIdentifier: FAKE_BUNDLE,
    status: 'PENDING',
    cycle: 999,
    waitSeconds: 300,
    minWaitSeconds: 10,
    maxWaitSeconds: 3600,
    deadlineAt: '2026-12-01T00:00:00.000Z',
    counts: { total: n, pending: n, COMPLETED: 0, FAILED: 0, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
    pendingTaskIds: Array.from({ length: n }, (_, i) => fakeUuid(i)),
    misses: Array.from({ length: n }, () => 254),
    appIndex: Array.from({ length: n }, (_, i) => i % apps.length),
    personIndex: Array.from({ length: n }, (_, i) => (i < started ? Math.floor(i / 50) : -1)),
    apps,
    people,
    expiresAt: 1_900_000_000,
  };
}

describe('the run state item of the largest run', () => {
  it.each([
    ['typical addresses (40 characters) and names (16)', 40, 16],
    ['long addresses (254 characters) and names (64)', 254, 64],
  ])('stays below 400 KB with %s', async (label, addressLength, nameLength) => {
    // Prepare
    const capture = capturingClient();
    const store = new DynamoDbRunStateStore({ tableName: 'results', client: capture.client });
    const state = largestRun(addressLength, nameLength);

    // Act
    await store.save(state, undefined);
    const size = dynamoItemSize(capture.item());

    // Assess
    console.log(
      `run state item, ${Limits.maxTasksPerRun} tasks, ${Limits.maxEmailsPerRun} addresses × ${Limits.maxAppAuthorizationsPerBundle} apps, ${label}: ${size} bytes (${(size / 1024).toFixed(1)} KiB of ${Limits.dynamoDbItemBytes / 1024})`,
    );
    expect(size).toBeLessThan(Limits.dynamoDbItemBytes);
    // The per-task cost is the packed bytes (16 + 3), not an address or app per task.
    expect(size).toBeLessThan(Limits.maxTasksPerRun * 19 + 64 * 1024);
  });
});
