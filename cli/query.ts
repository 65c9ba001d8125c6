/**
 * `npm run query -- <selector> [options]`: reads the results table, deployed or local.
 *
 * The table is, in order: `--table`, env RESULTS_TABLE_NAME, the local run's `.local/last-run.json`, the
 * deployed stack's `ResultsTableName` output (CloudFormation, default credentials and region).
 * The endpoint is env AWS_ENDPOINT_URL_DYNAMODB, else the local run's data (the file's `dataPath`, opened
 * with dynalite for the query) or `endpoint`, else DynamoDB of the default region.
 *
 * Exit codes: 0 answered (also when nothing matched), 1 the read failed, 2 bad arguments or no table.
 */

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EnvNames } from '../lambda/contract/settings';
import { StackNames } from '../lambda/contract/stack';
import type { RunRecord, TaskRecord } from '../lambda/core/model';
import { type DynaliteHandle, startDynalite } from '../local/dynalite';
import { parseQueryArgs, type QueryArgs, USAGE, UsageError } from './query/args';
import { describeQuery, formatRunSummary, formatRuns, formatTasks } from './query/format';
import { ResultsReader, type TaskQueryOptions } from './results-reader';
import { runCli } from './run-cli';

export const LAST_RUN_FILE = join('.local', 'last-run.json');
export const STACK_NAME = StackNames.stackName;
export const STACK_OUTPUT = StackNames.outputs.tableName;

export type QueryReader = Pick<
  ResultsReader,
  'byRun' | 'byTask' | 'byEmail' | 'byApp' | 'listRuns' | 'getRun' | 'startRecords'
>;

export interface QueryIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `.local/last-run.json` is looked for. Default process.cwd(). */
  cwd?: string;
  /** Read through this instead of a reader built for the resolved table (tests). */
  reader?: QueryReader;
}

export interface TableTarget {
  tableName: string;
  /** Where the name came from, for messages. */
  source: '--table' | typeof EnvNames.tableName | typeof LAST_RUN_FILE | 'stack output';
  endpoint?: string;
  /** The local run's dynalite data directory, opened for the query when no endpoint is given. */
  dataPath?: string;
}

class TargetError extends Error {}

type LastRun = { tableName: string; endpoint?: string; dataPath?: string };

const readLastRun = async (cwd: string): Promise<LastRun | undefined> => {
  let text: string;
  try {
    text = await readFile(join(cwd, LAST_RUN_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TargetError(`cannot read ${LAST_RUN_FILE}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TargetError(`${LAST_RUN_FILE} is not JSON: ${(error as Error).message}`);
  }
  const { tableName, endpoint, dataPath } = (data ?? {}) as {
    tableName?: unknown;
    endpoint?: unknown;
    dataPath?: unknown;
  };
  if (typeof tableName !== 'string' || tableName === '') {
    throw new TargetError(`${LAST_RUN_FILE} has no "tableName"`);
  }
  if (endpoint !== undefined && typeof endpoint !== 'string') {
    throw new TargetError(`${LAST_RUN_FILE} has an "endpoint" that is not a string`);
  }
  if (dataPath !== undefined && typeof dataPath !== 'string') {
    throw new TargetError(`${LAST_RUN_FILE} has a "dataPath" that is not a string`);
  }
  return {
    tableName,
    ...(endpoint ? { endpoint } : {}),
    ...(dataPath ? { dataPath: join(cwd, dataPath) } : {}),
  };
};

/** The deployed stack's table output; undefined when the stack or output is not there. */
async function tableFromStack(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const client = new CloudFormationClient({});
  try {
    const out = await client.send(
      new DescribeStacksCommand({ StackName: env.POLLER_STACK_NAME || STACK_NAME }),
    );
    return out.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === STACK_OUTPUT)?.OutputValue;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/** Which table to read and where; undefined when no source names one. */
export async function resolveTarget(
  query: Pick<QueryArgs, 'table'>,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<TableTarget | undefined> {
  const envEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB || undefined;
  const withEndpoint = (target: TableTarget, fallback?: string): TableTarget => {
    const endpoint = envEndpoint ?? fallback;
    return endpoint === undefined ? target : { ...target, endpoint };
  };
  if (query.table !== undefined) return withEndpoint({ tableName: query.table, source: '--table' });
  const fromEnv = env[EnvNames.tableName];
  if (fromEnv) return withEndpoint({ tableName: fromEnv, source: EnvNames.tableName });
  const lastRun = await readLastRun(cwd);
  if (lastRun) {
    const target = withEndpoint({ tableName: lastRun.tableName, source: LAST_RUN_FILE }, lastRun.endpoint);
    return target.endpoint === undefined && lastRun.dataPath
      ? { ...target, dataPath: lastRun.dataPath }
      : target;
  }
  if (env.POLLER_SKIP_STACK_LOOKUP) return undefined;
  const fromStack = await tableFromStack(env);
  return fromStack ? withEndpoint({ tableName: fromStack, source: 'stack output' }) : undefined;
}

const isLoopback = (endpoint: string): boolean => {
  try {
    return ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname);
  } catch {
    return false;
  }
};

/** A client for the target: AWS through the default chain, or a local endpoint (dummy credentials if none). */
export function clientFor(target: TableTarget, env: NodeJS.ProcessEnv): DynamoDBClient {
  const config: DynamoDBClientConfig = {};
  if (target.endpoint !== undefined) {
    config.endpoint = target.endpoint;
    if (isLoopback(target.endpoint)) {
      config.region = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
      if (!env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE) {
        config.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
      }
    }
  }
  return new DynamoDBClient(config);
}

const noTableMessage = () =>
  `no results table: pass --table NAME, set ${EnvNames.tableName}, or run the poller locally ` +
  `(npm start writes ${LAST_RUN_FILE}).\n` +
  `The deployed table's name is the ${STACK_OUTPUT} output of stack ${STACK_NAME}:\n` +
  `  aws cloudformation describe-stacks --stack-name ${STACK_NAME} ` +
  `--query "Stacks[0].Outputs[?OutputKey=='${STACK_OUTPUT}'].OutputValue" --output text\n`;

async function run(query: QueryArgs, reader: QueryReader): Promise<TaskRecord[] | RunRecord[]> {
  const opts: TaskQueryOptions = {
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
  };
  const s = query.selector;
  switch (s.kind) {
    case 'task':
      return reader.byTask(s.taskId, opts);
    case 'email':
      return reader.byEmail(s.email, opts);
    case 'app':
      return reader.byApp(s.app, s.tenantId, opts);
    case 'run':
      return reader.byRun(s.runId, opts);
    default:
      return reader.listRuns({
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
  }
}

/** The CLI: parses `argv` (the arguments after `--`), queries, prints. Resolves to the exit code. */
export async function main(argv: readonly string[], io: QueryIo): Promise<number> {
  const env = io.env ?? process.env;
  let query: QueryArgs;
  try {
    const parsed = parseQueryArgs(argv);
    if (parsed.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    query = parsed.query;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }

  let reader = io.reader;
  let client: DynamoDBClient | undefined;
  let local: DynaliteHandle | undefined;
  try {
    if (reader === undefined) {
      const target = await resolveTarget(query, env, io.cwd ?? process.cwd());
      if (target === undefined) {
        io.stderr.write(`error: ${noTableMessage()}`);
        return 2;
      }
      if (target.dataPath !== undefined) {
        // The local run is over; its data stays on disk: open it for this query.
        local = await startDynalite({ path: target.dataPath });
        target.endpoint = local.endpoint;
      }
      client = clientFor(target, env);
      reader = new ResultsReader({
        tableName: target.tableName,
        client: DynamoDBDocumentClient.from(client),
      });
    }

    const records = await run(query, reader);
    const output =
      query.selector.kind === 'runs'
        ? formatRuns(records as RunRecord[], query.format)
        : formatTasks(records as TaskRecord[], query.format);
    if (records.length === 0) {
      const message = `No records found for ${describeQuery(query)}\n`;
      // Keep machine formats parseable: an empty document (JSON [], CSV header) on stdout, the message on stderr.
      if (query.format === 'table') io.stdout.write(message);
      else {
        io.stdout.write(output);
        io.stderr.write(message);
      }
      return 0;
    }
    if (query.selector.kind === 'run' && query.format === 'table') {
      const runId = query.selector.runId;
      const [runRecord, starts] = await Promise.all([reader.getRun(runId), reader.startRecords(runId)]);
      io.stdout.write(formatRunSummary(runRecord, starts));
    }
    io.stdout.write(output);
    return 0;
  } catch (error) {
    io.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    client?.destroy();
    await local?.close();
  }
}

if (require.main === module) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  runCli(() => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
