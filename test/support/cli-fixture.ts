/**
 * Two runs of the same people written into dynalite through the real adapters (ResultsStore, StartLedger),
 * whose cells differ in known places: what the report and diff suites read. `CHANGED` lists them.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { DynamoDbStartLedger } from '../../lambda/adapters/dynamodb-start-ledger';
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { documentClient, dynaliteClient } from './dynamo';

export const TABLE = 'report-results';
export const BUNDLE = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc';
export const OLD_RUN = 'review-2026-q3';
export const NEW_RUN = 'review-2026-q4';

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

type Spec = [
  email: string | undefined,
  app: string,
  tenant: string,
  status: TaskRecord['resultStatus'],
  extra?: Partial<TaskRecord>,
];

const record = (
  runId: string,
  at: string,
  [email, app, tenantId, resultStatus, extra]: Spec,
): TaskRecord => ({
  runId,
  taskId: uuid(),
  resultStatus,
  appBundleIdentifier: BUNDLE,
  recordedAt: at,
  app,
  tenantId,
  tenantDisplayName: `${app} tenant`,
  ...(email ? { email } : {}),
  ...(resultStatus === 'COMPLETED' ? { userStatus: 'ACTIVE', userFullName: 'A Person' } : {}),
  ...extra,
});

const USER_NOT_FOUND = { taskError: { errorCode: 'USER_NOT_FOUND', errorMessage: 'no such user' } };

/** The old run: Q3. */
const OLD: Spec[] = [
  ['ana@example.com', 'Slack', 'T1', 'COMPLETED'],
  ['ana@example.com', 'Zoom', 'Z1', 'FAILED', USER_NOT_FOUND],
  ['ana@example.com', 'Okta', 'O1', 'COMPLETED'],
  ['bo@example.com', 'Slack', 'T1', 'COMPLETED'],
  ['bo@example.com', 'Zoom', 'Z1', 'COMPLETED'],
  ['bo@example.com', 'Okta', 'O1', 'COMPLETED'],
  ['chen@example.com', 'Slack', 'T1', 'COMPLETED'],
  ['chen@example.com', 'Slack', 'T2', 'COMPLETED'],
];

/** The new run: Q4. Differences from OLD are marked. */
export const NEW: Spec[] = [
  ['ana@example.com', 'Slack', 'T1', 'COMPLETED'],
  ['ana@example.com', 'Zoom', 'Z1', 'COMPLETED'], // access gained
  ['ana@example.com', 'Okta', 'O1', 'COMPLETED', { userStatus: 'SUSPENDED' }], // userStatus changed
  ['Bo@Example.com', 'Slack', 'T1', 'FAILED', USER_NOT_FOUND], // access removed
  ['bo@example.com', 'Zoom', 'Z1', 'EXPIRED'], // now unknown
  ['bo@example.com', 'Okta', 'O1', 'COMPLETED'],
  ['chen@example.com', 'Slack', 'T1', 'COMPLETED'],
  ['chen@example.com', 'Slack', 'T2', 'TIMED_OUT'], // now unknown
  [
    'dara@example.com',
    'Slack',
    'T1',
    'FAILED',
    { taskError: { errorCode: 'RATE_LIMIT', errorMessage: '=HYPERLINK("http://x")' } },
  ],
  ['dara@example.com', 'Zoom', 'Z1', 'NOT_FOUND'],
  [undefined, 'Okta', 'O1', 'TIMED_OUT'],
];

export const CHANGED = [
  ['ana@example.com', 'Okta', 'userStatus changed', 'has access (ACTIVE)', 'has access (SUSPENDED)'],
  ['ana@example.com', 'Zoom', 'access gained', 'no account', 'has access (ACTIVE)'],
  ['bo@example.com', 'Slack', 'access removed', 'has access (ACTIVE)', 'no account'],
  ['bo@example.com', 'Zoom', 'now unknown', 'has access (ACTIVE)', 'expired'],
  ['chen@example.com', 'Slack (T2)', 'now unknown', 'has access (ACTIVE)', 'timed out'],
];

const runRecord = (runId: string, startedAt: string, endedAt: string, total: number): RunRecord => ({
  runId,
  appBundleIdentifier: BUNDLE,
  inputKind: 'emails',
  outcome: 'SUCCEEDED',
  startedAt,
  endedAt,
  counts: { total, pending: 0, COMPLETED: 0, FAILED: 0, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
});

export interface Fixture {
  dynamo: DynaliteHandle;
  base: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  store: DynamoDbResultsStore;
  close(): Promise<void>;
}

/** dynalite with the table and both runs (and a refused address in the new run). */
export async function startFixture(): Promise<Fixture> {
  const dynamo = await startDynalite();
  const base = dynaliteClient(dynamo.endpoint);
  const doc = documentClient(base);
  await ensureTable(base, TABLE);
  const store = new DynamoDbResultsStore({ tableName: TABLE, client: doc });
  await store.putTaskRecords(OLD.map((s) => record(OLD_RUN, '2026-09-01T10:00:00.000Z', s)));
  await store.putTaskRecords(NEW.map((s) => record(NEW_RUN, '2026-12-01T10:00:00.000Z', s)));
  await store.putRunRecord(
    runRecord(OLD_RUN, '2026-09-01T09:00:00.000Z', '2026-09-01T10:00:00.000Z', OLD.length),
  );
  await store.putRunRecord(
    runRecord(NEW_RUN, '2026-12-01T09:00:00.000Z', '2026-12-01T10:00:00.000Z', NEW.length),
  );
  await new DynamoDbStartLedger({ tableName: TABLE, client: doc }).put({
    runId: NEW_RUN,
    emailHash: 'h-refused',
    email: '+refused@example.com',
    state: 'REJECTED',
    taskIds: [],
    errors: [{ errorCode: 'ValidationException' }],
    at: '2026-12-01T09:00:01.000Z',
  });
  return {
    dynamo,
    base,
    doc,
    store,
    close: async () => {
      base.destroy();
      await dynamo.close();
    },
  };
}

/** A sink that keeps what is written. */
export const sink = () => {
  let text = '';
  return { write: (s: string) => (text += s), text: () => text };
};
