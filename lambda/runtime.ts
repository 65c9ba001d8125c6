/**
 * Wires the use cases to AWS: the AppFabric client and the DynamoDB adapters, with the SDK's default
 * credentials, region, retry and endpoint resolution (so `AWS_ENDPOINT_URL_<SERVICE>` works locally).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppFabricGateway } from './adapters/appfabric-gateway';
import { createDocumentClient } from './adapters/dynamo-client';
import { DynamoDbResultsStore } from './adapters/dynamodb-results-store';
import { DynamoDbRunHistory } from './adapters/dynamodb-run-history';
import { DynamoDbRunStateStore } from './adapters/dynamodb-run-state-store';
import { DynamoDbStartLedger } from './adapters/dynamodb-start-ledger';
import { AppFabricClient } from './appfabric';
import type { Log, PollerDeps } from './core/deps';
import { makeStartTasksForEmails } from './core/emails';
import { settingsFromEnv } from './core/settings';
import type { StartTasksForEmails } from './core/start';

/** Time limits of one AppFabric HTTP call: a hung connection must not eat the function's whole timeout. */
const APPFABRIC_CONNECTION_TIMEOUT_MS = 3_000;
const APPFABRIC_REQUEST_TIMEOUT_MS = 10_000;

export interface RuntimeOptions {
  /** The clock (the local run's is virtual). */
  now?: () => Date;
  /** Wraps the DynamoDB document client (fault injection in tests). */
  wrapDocumentClient?: (client: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  /** Per-request timeout of AppFabric calls, ms. */
  appFabricRequestTimeoutMs?: number;
}

export interface PollerRuntime {
  deps: PollerDeps;
  startTasksForEmails: StartTasksForEmails;
}

/**
 * SDK client options from `env` when it is not the process environment (a local run passes its own, so two
 * runs in one process never share endpoints); with process.env the SDK reads it itself, as deployed.
 */
function sdkConfigFrom(env: NodeJS.ProcessEnv, service: 'APPFABRIC' | 'DYNAMODB') {
  if (env === process.env) return {};
  const endpoint = env[`AWS_ENDPOINT_URL_${service}`] || env.AWS_ENDPOINT_URL;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = env;
  const maxAttempts = Number(env.AWS_MAX_ATTEMPTS);
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
    ...(Number.isInteger(maxAttempts) && maxAttempts > 0 ? { maxAttempts } : {}),
  };
}

export function createRuntime(
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
  options: RuntimeOptions = {},
): PollerRuntime {
  const settings = settingsFromEnv(env);
  // A new client per runtime (not the shared default): a local run points each runtime at its own endpoints.
  const base = createDocumentClient(sdkConfigFrom(env, 'DYNAMODB'));
  const document = options.wrapDocumentClient ? options.wrapDocumentClient(base) : base;
  const gateway = new AppFabricGateway(
    new AppFabricClient({
      ...sdkConfigFrom(env, 'APPFABRIC'),
      requestHandler: {
        connectionTimeout: APPFABRIC_CONNECTION_TIMEOUT_MS,
        requestTimeout: options.appFabricRequestTimeoutMs ?? APPFABRIC_REQUEST_TIMEOUT_MS,
        // Without this the handler only logs a warning at the timeout and keeps waiting.
        throwOnRequestTimeout: true,
      },
    }),
  );
  const now = options.now ?? (() => new Date());
  const deps: PollerDeps = {
    gateway,
    results: new DynamoDbResultsStore({ tableName: settings.tableName, client: document }),
    runState: new DynamoDbRunStateStore({ tableName: settings.tableName, client: document }),
    history: new DynamoDbRunHistory({ tableName: settings.tableName, client: document }),
    settings,
    now,
    log,
  };
  const ledger = new DynamoDbStartLedger({ tableName: settings.tableName, client: document });
  return {
    deps,
    startTasksForEmails: makeStartTasksForEmails({
      gateway,
      ledger,
      log,
      now,
      retentionDays: settings.retentionDays,
    }),
  };
}
