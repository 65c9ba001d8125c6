/**
 * What the DynamoDB adapter suites share: one dynalite for the file, a fresh table for every test (no test
 * sees another's records), a DocumentClient, and builders of the store, the reader and task records.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ResultsReader } from '../../cli/results-reader';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import type { TaskRecord } from '../../lambda/core/model';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { documentClient, dynaliteClient } from './dynamo';

let dynamo: DynaliteHandle;
/** The low-level client of the file's dynalite. */
let base: DynamoDBClient;
/** A DocumentClient on it. */
export let doc: DynamoDBDocumentClient;
/** This test's table. */
export let tableName: string;
let tableCount = 0;

export const newDoc = () => documentClient(base);

/** Starts dynalite for the file and creates a fresh table (named `<prefix>-<n>`) before every test. */
export function useFreshTables(prefix = 'results'): void {
  beforeAll(async () => {
    dynamo = await startDynalite();
    base = dynaliteClient(dynamo.endpoint);
    doc = newDoc();
  });
  afterAll(async () => {
    base.destroy();
    await dynamo.close();
  });
  beforeEach(async () => {
    tableName = `${prefix}-${++tableCount}`;
    await ensureTable(base, tableName);
  });
}

const noSleep = async () => {};
export const storeWith = (
  client = doc,
  extra: Partial<ConstructorParameters<typeof DynamoDbResultsStore>[0]> = {},
) => new DynamoDbResultsStore({ tableName, client, sleep: noSleep, ...extra });
export const reader = (client = doc) => new ResultsReader({ tableName, client });

export const minute = (n: number) => new Date(Date.UTC(2024, 4, 1, 10, n)).toISOString();
export const taskId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const task = (n: number, overrides: Partial<TaskRecord> = {}): TaskRecord => ({
  runId: 'run-1',
  taskId: taskId(n),
  resultStatus: 'COMPLETED',
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  recordedAt: minute(n),
  ...overrides,
});
