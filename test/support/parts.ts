/**
 * The poller's real parts, wired for integration tests: the AppFabric stand-in over HTTP on 127.0.0.1,
 * dynalite with the results table, the real AppFabric client and adapters, a hand-moved clock.
 *
 *   const parts = await startParts();          // in beforeAll
 *   const state = await startRun({ runId, input }, parts.deps);
 *   await parts.close();                       // in afterAll
 *
 * One table per `startParts()`: give every test its own run ID (`nextRunId`) and it sees only its own
 * records. The stand-in keeps its tasks; reset its call log and faults between tests (`parts.reset()`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ResultsReader } from '../../cli/results-reader';
import { AppFabricGateway } from '../../lambda/adapters/appfabric-gateway';

import {
  DynamoDbResultsStore,
  type DynamoDbResultsStoreOptions,
} from '../../lambda/adapters/dynamodb-results-store';
import { DynamoDbRunStateStore } from '../../lambda/adapters/dynamodb-run-state-store';
import { DynamoDbStartLedger } from '../../lambda/adapters/dynamodb-start-ledger';
import { AppFabricClient } from '../../lambda/appfabric';
import type { PollerDeps } from '../../lambda/core/deps';
import { type EmailStartDeps, makeStartTasksForEmails } from '../../lambda/core/emails';
import type { RuntimeSettings } from '../../lambda/core/settings';
import type { StartTasksForEmails } from '../../lambda/core/start';
import { type AppFabricStandIn, type BundleApp, startAppFabricStandIn } from '../../local/appfabric-standin';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { makeClock, type TestClock } from './clock';
import { documentClient } from './dynamo';
import { type RecordingLog, recordingLog } from './log';

const BUNDLE_UUID = '7c0a1e2d-3b4f-4a5c-8d6e-9f0a1b2c3d4e';
export const BUNDLE_ARN = `arn:aws:appfabric:us-east-1:123456789012:appbundle/${BUNDLE_UUID}`;
const BUNDLE_APPS: readonly BundleApp[] = [
  { app: 'SLACK', tenantId: 'T0ACME', tenantDisplayName: 'Acme workspace' },
  { app: 'OKTA', tenantId: 'acme.okta.com', tenantDisplayName: 'Acme Okta' },
];
/** Static credentials for the clients: the stand-in checks the SigV4 header's shape, not the signature. */
const TEST_CREDENTIALS = { accessKeyId: 'AKIDPOLLERTEST', secretAccessKey: 'poller-test-secret' };
const TEST_REGION = 'us-east-1';

/** Settings for tests: every field explicit, so a test reads what it runs with. */
function testSettings(tableName: string, overrides: Partial<RuntimeSettings> = {}): RuntimeSettings {
  return {
    tableName,
    defaultAppBundleIdentifier: BUNDLE_ARN,
    minWaitSeconds: 10,
    maxWaitSeconds: 300,
    deadlineSeconds: 3600,
    notFoundAfterMisses: 3,
    retentionDays: 30,
    maxCycles: 100,
    batchGetConcurrency: 4,
    ...overrides,
  };
}

export interface PartsOptions {
  /** Overrides of {@link testSettings}. */
  settings?: Partial<Omit<RuntimeSettings, 'tableName'>>;
  /**
   * Attempts per AppFabric call of the default client (default 1: no SDK retries, so call counts are exact
   * and a throttled call fails at once instead of waiting for Retry-After).
   */
  appFabricMaxAttempts?: number;
  /** Seed of the stand-in's ID generator (default 1). */
  seed?: number;
  /** Where the clock starts (default 2024-05-01T10:00:00Z). */
  clockStart?: string;
  /** Table name (default `results`). */
  tableName?: string;
  /** Options of the default results store (the `sleep` between retries defaults to none). */
  resultsStore?: Omit<DynamoDbResultsStoreOptions, 'tableName'>;
}

export interface Parts {
  standIn: AppFabricStandIn;
  dynamo: DynaliteHandle;
  tableName: string;
  /** Low-level client on dynalite (for ensureTable and wrappers like `unprocessedBatchWrites`). */
  base: DynamoDBClient;
  /** DocumentClient on dynalite, shared by the default adapters. */
  doc: DynamoDBDocumentClient;
  /** The bundle registered in the stand-in with {@link BUNDLE_APPS}; the settings' default bundle. */
  bundle: { arn: string; uuid: string; apps: readonly BundleApp[] };
  clock: TestClock;
  log: RecordingLog;
  settings: RuntimeSettings;
  appFabric: AppFabricClient;
  gateway: AppFabricGateway;
  results: DynamoDbResultsStore;
  runState: DynamoDbRunStateStore;
  ledger: DynamoDbStartLedger;
  reader: ResultsReader;
  /** gateway + results + runState + settings + clock.now + log. */
  deps: PollerDeps;
  /** makeStartTasksForEmails over gateway + ledger + clock.now + log. */
  starter: StartTasksForEmails;
  /** A new AppFabric client on the stand-in (destroyed by `close`). */
  newAppFabricClient(maxAttempts?: number): AppFabricClient;
  /** `deps` with some parts replaced; `settings` is merged into the default settings. */
  depsWith(
    overrides: Partial<Omit<PollerDeps, 'settings'>> & { settings?: Partial<RuntimeSettings> },
  ): PollerDeps;
  /** An email starter with some of its parts replaced (e.g. `{ concurrency: 1 }`). */
  starterWith(overrides: Partial<EmailStartDeps>): StartTasksForEmails;
  /** Empties the stand-in's call log, clears its faults and empties the log. */
  reset(): void;
  /** Stops the stand-in and dynalite and destroys every client. */
  close(): Promise<void>;
}

export async function startParts(options: PartsOptions = {}): Promise<Parts> {
  const [standIn, dynamo] = await Promise.all([
    startAppFabricStandIn({ seed: options.seed ?? 1 }),
    startDynalite(),
  ]);
  const tableName = options.tableName ?? 'results';
  const base = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  await ensureTable(base, tableName);
  const doc = documentClient(base);
  const registered = standIn.addBundle(BUNDLE_ARN, [...BUNDLE_APPS]);
  const bundle = { ...registered, apps: BUNDLE_APPS };

  const clients: AppFabricClient[] = [];
  const newAppFabricClient = (maxAttempts = options.appFabricMaxAttempts ?? 1): AppFabricClient => {
    const client = new AppFabricClient({
      region: TEST_REGION,
      endpoint: standIn.url,
      credentials: TEST_CREDENTIALS,
      maxAttempts,
    });
    clients.push(client);
    return client;
  };

  const clock = makeClock(options.clockStart);
  const log = recordingLog();
  const settings = testSettings(tableName, options.settings);
  const appFabric = newAppFabricClient();
  const gateway = new AppFabricGateway(appFabric);
  const results = new DynamoDbResultsStore({
    tableName,
    client: doc,
    sleep: async () => {},
    ...options.resultsStore,
  });
  const runState = new DynamoDbRunStateStore({ tableName, client: doc });
  const ledger = new DynamoDbStartLedger({ tableName, client: doc });
  const reader = new ResultsReader({ tableName, client: doc });
  const deps: PollerDeps = { gateway, results, runState, settings, now: clock.now, log };
  const starterDeps: EmailStartDeps = {
    gateway,
    ledger,
    log,
    now: clock.now,
    retentionDays: settings.retentionDays,
  };

  return {
    standIn,
    dynamo,
    tableName,
    base,
    doc,
    bundle,
    clock,
    log,
    settings,
    appFabric,
    gateway,
    results,
    runState,
    ledger,
    reader,
    deps,
    starter: makeStartTasksForEmails(starterDeps),
    newAppFabricClient,
    depsWith: ({ settings: s, ...rest }) => ({
      ...deps,
      ...rest,
      settings: { ...settings, ...s },
    }),
    starterWith: (overrides) => makeStartTasksForEmails({ ...starterDeps, ...overrides }),
    reset() {
      standIn.resetCalls();
      standIn.clearFaults();
      log.entries.length = 0;
    },
    async close() {
      for (const client of clients.splice(0)) client.destroy();
      base.destroy();
      await Promise.all([standIn.close(), dynamo.close()]);
    },
  };
}
