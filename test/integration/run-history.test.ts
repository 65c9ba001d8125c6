/**
 * The run history Start reads (DynamoDbRunHistory) against dynalite: the newest finished runs of one
 * bundle, their AppFabric results only, as seconds from each run's start, by Query alone and bounded.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { DynamoDbRunHistory } from '../../lambda/adapters/dynamodb-run-history';
import type { TerminalStatus } from '../../lambda/contract/statuses';
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import { ResultsStoreUnavailableError } from '../../lambda/shared/errors';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { documentClient, dynaliteClient } from '../support/dynamo';
import { counts, failure } from '../support/run';

const BUNDLE = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/aaaaaaaa-1111-4222-8333-444444444444';
const OTHER = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/bbbbbbbb-1111-4222-8333-444444444444';

let dynamo: DynaliteHandle;
let base: DynamoDBClient;
let tableName: string;
let tableCount = 0;

beforeAll(async () => {
  dynamo = await startDynalite();
  base = dynaliteClient(dynamo.endpoint);
});

afterAll(async () => {
  base.destroy();
  await dynamo.close();
});

beforeEach(async () => {
  tableName = `history-${++tableCount}`;
  await ensureTable(base, tableName);
});

/** A DocumentClient that notes every command it sends, with its input. */
function recordingClient() {
  const client = documentClient(base);
  const sent: { command: string; input: Record<string, unknown> }[] = [];
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  client.send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    sent.push({ command: command.constructor.name, input: command.input });
    return send(command);
  }) as typeof client.send;
  return { client, sent };
}

const at = (hour: number, seconds = 0) => new Date(Date.UTC(2024, 4, 1, hour, 0, seconds)).toISOString();

/**
 * A run started at `hour` with one record per entry of `records` (seconds after its start, and status).
 * Its results' seconds are unique to the run (hour × 100 + offset), so the test can tell runs apart.
 */
async function storeRun(
  store: DynamoDbResultsStore,
  runId: string,
  hour: number,
  options: { bundle?: string; outcome?: RunRecord['outcome']; statuses?: TerminalStatus[] } = {},
) {
  const bundle = options.bundle ?? BUNDLE;
  const statuses = options.statuses ?? ['COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'];
  await store.putRunRecord({
    runId,
    appBundleIdentifier: bundle,
    inputKind: 'taskIds',
    outcome: options.outcome ?? 'SUCCEEDED',
    startedAt: at(hour),
    counts: counts({ total: statuses.length }),
  });
  const records: TaskRecord[] = statuses.map((resultStatus, i) => ({
    runId,
    taskId: `${runId}-task-${i}`,
    resultStatus,
    appBundleIdentifier: bundle,
    email: `person.${i}@example.com`,
    recordedAt: at(hour, hour * 100 + (i + 1) * 10),
  }));
  await store.putTaskRecords(records);
}

/** The seconds of a run stored by `storeRun` at `hour` whose records' statuses are AppFabric's. */
const appFabricSeconds = (hour: number, count = 3) =>
  Array.from({ length: count }, (_, i) => hour * 100 + (i + 1) * 10);

describe('DynamoDbRunHistory', () => {
  it('reads the newest N SUCCEEDED runs of the bundle, only their AppFabric results, by Query only', async () => {
    // Prepare: five finished runs of the bundle; newer still, a running one, a failed one and another bundle's.
    const { client, sent } = recordingClient();
    const store = new DynamoDbResultsStore({ tableName, client });
    for (let hour = 1; hour <= 5; hour++) await storeRun(store, `run-${hour}`, hour);
    await storeRun(store, 'running', 6, { outcome: 'RUNNING' });
    await storeRun(store, 'failed', 7, { outcome: 'FAILED' });
    await storeRun(store, 'other-bundle', 8, { bundle: OTHER });
    sent.length = 0;
    const history = new DynamoDbRunHistory({ tableName, client });

    // Act
    const runs = await history.recentFinishSeconds(BUNDLE, { runs: 3, maxRecords: 2000 });

    // Assess: runs 5, 4, 3 (newest first), each with its COMPLETED, FAILED and EXPIRED records' seconds.
    expect(runs.map((r) => [...r].sort((a, b) => a - b))).toEqual([
      appFabricSeconds(5),
      appFabricSeconds(4),
      appFabricSeconds(3),
    ]);
    // Query only: the index once, then each run's task records, projecting times (no person) alone.
    expect(sent.map((s) => s.command)).toEqual(Array(4).fill(QueryCommand.name));
    expect(sent[0].input).toMatchObject({ IndexName: 'runsByStart', ScanIndexForward: false });
    for (const s of sent.slice(1)) {
      expect(s.input.IndexName).toBeUndefined();
      expect(s.input.ProjectionExpression).toBe('#recordedAt');
    }
  });

  it('reads no more task records than maxRecords across the runs', async () => {
    // Prepare: three runs of 5 records each (3 of them AppFabric results).
    const { client, sent } = recordingClient();
    const store = new DynamoDbResultsStore({ tableName, client });
    for (let hour = 1; hour <= 3; hour++) await storeRun(store, `run-${hour}`, hour);
    sent.length = 0;
    const history = new DynamoDbRunHistory({ tableName, client });

    // Act
    const runs = await history.recentFinishSeconds(BUNDLE, { runs: 3, maxRecords: 7 });

    // Assess: the newest run whole (5 read), then 2 of the next; the third run is not read at all.
    expect(runs).toHaveLength(2);
    expect([...runs[0]].sort((a, b) => a - b)).toEqual(appFabricSeconds(3));
    expect([...runs[1]].sort((a, b) => a - b)).toEqual(appFabricSeconds(2, 2));
    const limits = sent.slice(1).map((s) => s.input.Limit);
    expect(limits).toEqual([7, 2]);
  });

  it('answers nothing for a bundle without finished runs', async () => {
    // Prepare
    const store = new DynamoDbResultsStore({ tableName, client: recordingClient().client });
    await storeRun(store, 'only-other', 1, { bundle: OTHER });
    const history = new DynamoDbRunHistory({ tableName, client: recordingClient().client });

    // Act
    const runs = await history.recentFinishSeconds(BUNDLE, { runs: 3, maxRecords: 2000 });

    // Assess
    expect(runs).toEqual([]);
  });

  it('fails with ResultsStoreUnavailableError, naming the table, when the table is not there', async () => {
    // Prepare
    const history = new DynamoDbRunHistory({ tableName: 'no-such-table', client: recordingClient().client });

    // Act
    const error = await failure(history.recentFinishSeconds(BUNDLE, { runs: 3, maxRecords: 2000 }));

    // Assess
    expect(error).toBeInstanceOf(ResultsStoreUnavailableError);
    expect(error.name).toBe('ResultsStoreUnavailableError');
    expect(error.message).toContain('no-such-table');
    expect(error.cause).toBeDefined();
  });
});
