/**
 * Shared fixture of the query CLI suites: dynalite with task and run records of two runs, and the CLI run
 * against it the way a user points it at a local endpoint.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { main, type QueryIo } from '../../cli/query';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { DynamoDbStartLedger } from '../../lambda/adapters/dynamodb-start-ledger';
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { documentClient, dynaliteClient } from './dynamo';

export const TABLE = 'poller-results';
export let dynamo: DynaliteHandle;
export let base: DynamoDBClient;
export let doc: DynamoDBDocumentClient;
let emptyDir: string;

export const minute = (n: number) => new Date(Date.UTC(2024, 4, 1, 10, n)).toISOString();
export const taskId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export const task = (n: number, overrides: Partial<TaskRecord> = {}): TaskRecord => ({
  runId: 'run-a',
  taskId: taskId(n),
  resultStatus: 'COMPLETED',
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  recordedAt: minute(n),
  app: 'SLACK',
  tenantId: 'T1',
  email: 'jane@example.com',
  userFullName: 'Jane Doe',
  ...overrides,
});
export const run = (id: string, startedAt: string, outcome: RunRecord['outcome']): RunRecord => ({
  runId: id,
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  inputKind: 'taskIds',
  outcome,
  startedAt,
  counts: { total: 4, pending: 0, COMPLETED: 3, FAILED: 1, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
});

export const RECORDS: TaskRecord[] = [
  task(1),
  task(2, { resultStatus: 'FAILED', taskError: { errorCode: 'E1', errorMessage: 'bad, "really"\nbad' } }),
  task(3, {
    tenantId: 'T2',
    email: 'Bob@Example.com',
    userFullName: 'Doe, "Bobby" Bob',
    userStatus: 'SUSPENDED',
  }),
  task(4, { app: 'ZOOM' }),
  task(1, { runId: 'run-b', recordedAt: minute(20), resultStatus: 'EXPIRED' }),
  task(5, { runId: 'run-b', recordedAt: minute(21), email: 'JANE@EXAMPLE.COM' }),
];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against dynalite the way a user points it at a local endpoint. */
export const cli = async (argv: string[], io: Partial<QueryIo> = {}): Promise<Result> => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
    cwd: emptyDir,
    ...io,
  });
  return { code, stdout, stderr };
};
export const json = async (argv: string[]) => {
  const result = await cli([...argv, '--table', TABLE, '--format', 'json']);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as (TaskRecord & RunRecord)[];
};
export const ids = (records: TaskRecord[]) =>
  records.map((r) => `${r.runId}/${r.taskId?.slice(-1) ?? r.resultStatus}`);

/** run-b's start ledger: started from two addresses, one refused by AppFabric. Idempotent. */
export async function putRunBStarts(): Promise<void> {
  const ledger = new DynamoDbStartLedger({ tableName: TABLE, client: DynamoDBDocumentClient.from(base) });
  const at = minute(20);
  await ledger.put({
    runId: 'run-b',
    emailHash: 'h1',
    email: 'ok@example.com',
    state: 'STARTED',
    taskIds: [taskId(5)],
    errors: [],
    at,
  });
  await ledger.put({
    runId: 'run-b',
    emailHash: 'h2',
    email: 'refused@example.com',
    state: 'REJECTED',
    taskIds: [],
    errors: [{ errorCode: 'ValidationException' }],
    at,
  });
}

/** Starts dynalite with the table holding RECORDS and two run records, and an empty working directory, for the suite. */
export function useQueryTable(): void {
  beforeAll(async () => {
    dynamo = await startDynalite();
    base = dynaliteClient(dynamo.endpoint);
    doc = documentClient(base);
    await ensureTable(base, TABLE);
    const store = new DynamoDbResultsStore({ tableName: TABLE, client: doc });
    await store.putTaskRecords(RECORDS);
    await store.putRunRecord(run('run-a', minute(0), 'SUCCEEDED'));
    await store.putRunRecord(run('run-b', minute(20), 'FAILED'));
    emptyDir = await mkdtemp(join(tmpdir(), 'query-test-'));
  });

  afterAll(async () => {
    base.destroy();
    await dynamo.close();
    await rm(emptyDir, { recursive: true, force: true });
  });
}
