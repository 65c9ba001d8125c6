/**
 * Which results table a CLI reads, and how it reaches it. The table is, in order: `--table`, env
 * RESULTS_TABLE_NAME, the newest local run (`.local/last-run.json`), the deployed stack (`--stack`, default
 * AppFabricAccessPoller: its `ResultsTableName` output, else its one DynamoDB table). The endpoint is env
 * AWS_ENDPOINT_URL_DYNAMODB, else the local run's: the live dynalite of a run under way when it answers
 * (LevelDB lets only that process open the data), else its data directory opened with dynalite; else
 * DynamoDB of the default region.
 */
import { connect } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EnvNames } from '../lambda/contract/settings';
import { StackNames } from '../lambda/contract/stack';
import { CliError, ExitCodes } from './exit-codes';
import { LAST_RUN_FILE, readLastRun } from './last-run';
import { ResultsReader } from './results-reader';
import type { StackLookup } from './stack';

export interface TableTarget {
  tableName: string;
  /** Where the name came from, for messages. */
  source: '--table' | typeof EnvNames.tableName | typeof LAST_RUN_FILE | 'stack';
  endpoint?: string;
  /** The local run's data directory (absolute), opened for the command when no endpoint is given. */
  dataPath?: string;
  /** The same as written in last-run.json, for messages. */
  dataDir?: string;
  /** The poll state machine, when the stack was looked up (for the execution's own status). */
  stateMachineArn?: string;
}

export interface TargetOptions {
  table?: string;
  /** The deployed stack's name (`--stack`). */
  stack: string;
}

/** Which table to read and where; undefined when no source names one. */
export async function resolveTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
  lookup: StackLookup | undefined,
): Promise<TableTarget | undefined> {
  const envEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB || undefined;
  const withEndpoint = (target: TableTarget, fallback?: string): TableTarget => {
    const endpoint = envEndpoint ?? fallback;
    return endpoint === undefined ? target : { ...target, endpoint };
  };
  if (options.table !== undefined) return withEndpoint({ tableName: options.table, source: '--table' });
  const fromEnv = env[EnvNames.tableName];
  if (fromEnv) return withEndpoint({ tableName: fromEnv, source: EnvNames.tableName });
  const lastRun = await readLastRun(cwd);
  if (lastRun) {
    // A run that ended without removing its endpoint (killed) leaves one that no longer answers.
    const live =
      lastRun.endpoint !== undefined && (!lastRun.dataPath || (await answers(lastRun.endpoint)))
        ? lastRun.endpoint
        : undefined;
    const target = withEndpoint({ tableName: lastRun.tableName, source: LAST_RUN_FILE }, live);
    return target.endpoint === undefined && lastRun.dataPath
      ? { ...target, dataPath: lastRun.dataPath, dataDir: lastRun.dataDir ?? lastRun.dataPath }
      : target;
  }
  const stack = lookup ? await lookup(options.stack) : undefined;
  if (!stack?.tableName) return undefined;
  return withEndpoint({
    tableName: stack.tableName,
    source: 'stack',
    ...(stack.stateMachineArn ? { stateMachineArn: stack.stateMachineArn } : {}),
  });
}

/** Whether something accepts a TCP connection at the endpoint's host and port within `timeoutMs`. */
function answers(endpoint: string, timeoutMs = 1_000): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return Promise.resolve(false);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const isLoopback = (endpoint: string): boolean => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
};

/** Region and credentials for a loopback endpoint (a local stand-in): dummy ones unless the user set some. */
function localConfig(endpoint: string | undefined, env: NodeJS.ProcessEnv): DynamoDBClientConfig {
  const config: DynamoDBClientConfig = {};
  if (endpoint === undefined) return config;
  config.endpoint = endpoint;
  if (isLoopback(endpoint)) {
    config.region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
    if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
      config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    }
  }
  return config;
}

/** The table a CLI reads, resolved (flags, environment, the last local run, the stack) and opened. */
export async function openResolvedTarget(
  options: TargetOptions & { stack: string },
  env: NodeJS.ProcessEnv,
  cwd: string,
  lookup: StackLookup | undefined,
): Promise<OpenedTarget> {
  const target = await resolveTarget(options, env, cwd, lookup);
  if (target === undefined) throw new CliError(noTableMessage(options.stack), ExitCodes.usage);
  return openTarget(target, env);
}

const noTableMessage = (stack: string) =>
  `no results table: pass --table NAME, set ${EnvNames.tableName}, run the poller locally ` +
  `(npm start writes ${LAST_RUN_FILE}), or deploy stack ${stack} (--stack NAME for another name); ` +
  `its table is the ${StackNames.outputs.tableName} output`;

export interface OpenedTarget {
  target: TableTarget;
  reader: ResultsReader;
  close(): Promise<void>;
}

/**
 * Opens the target for reading: starts dynalite on the local data when there is no endpoint. A table
 * missing from local data is a local-data problem (exit 3), not a failed read.
 */
export async function openTarget(target: TableTarget, env: NodeJS.ProcessEnv): Promise<OpenedTarget> {
  let local: { endpoint: string; close(): Promise<void> } | undefined;
  let endpoint = target.endpoint;
  if (endpoint === undefined && target.dataPath !== undefined) {
    // Loaded on demand (require, so the launcher's CommonJS hook resolves it): a deployed-stack read never
    // needs dynalite.
    const { openLocalData } = require('./local-data') as typeof import('./local-data');
    local = await openLocalData(target.dataPath, target.dataDir);
    endpoint = local.endpoint;
  }
  const client = new DynamoDBClient(localConfig(endpoint, env));
  const base = new ResultsReader({
    tableName: target.tableName,
    client: DynamoDBDocumentClient.from(client),
  });
  const reader = local === undefined ? base : localDataGuard(base, target);
  return {
    target,
    reader,
    close: async () => {
      client.destroy();
      await local?.close();
    },
  };
}

/** Wraps a reader of local data so that a missing table says what to do. */
function localDataGuard(reader: ResultsReader, target: TableTarget): ResultsReader {
  return new Proxy(reader, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args);
        } catch (error) {
          if (/ResourceNotFoundException/.test(String((error as Error)?.message))) {
            throw new CliError(
              `local data in ${target.dataDir} holds no table ${target.tableName}: run npm start again or remove .local/`,
              ExitCodes.localData,
              { cause: error },
            );
          }
          throw error;
        }
      };
    },
  });
}
