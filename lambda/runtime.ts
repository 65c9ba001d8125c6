/**
 * Wires the use cases to AWS: the AppFabric client and the DynamoDB adapters, with the SDK's default
 * credentials, region, retry and endpoint resolution (so `AWS_ENDPOINT_URL_<SERVICE>` works locally).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppFabricGateway } from './adapters/appfabric-gateway';
import { DynamoDbResultsStore } from './adapters/dynamodb-results-store';
import { DynamoDbRunStateStore } from './adapters/dynamodb-run-state-store';
import { DynamoDbStartLedger } from './adapters/dynamodb-start-ledger';
import { AppFabricClient } from './appfabric';
import type { Log, PollerDeps } from './core/deps';
import { makeStartTasksForEmails } from './core/emails';
import { settingsFromEnv } from './core/settings';
import type { StartTasksForEmails } from './core/start';

export interface PollerRuntime {
  deps: PollerDeps;
  startTasksForEmails: StartTasksForEmails;
}

export function createRuntime(
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
  options: { now?: () => Date } = {},
): PollerRuntime {
  const settings = settingsFromEnv(env);
  const document = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  const gateway = new AppFabricGateway(new AppFabricClient({}));
  const now = options.now ?? (() => new Date());
  const deps: PollerDeps = {
    gateway,
    results: new DynamoDbResultsStore({ tableName: settings.tableName, client: document }),
    runState: new DynamoDbRunStateStore({ tableName: settings.tableName, client: document }),
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
