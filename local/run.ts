/**
 * `npm start [-- options]`: the whole poller on this machine. Starts the AppFabric stand-in and dynalite
 * on loopback, runs the state machine rendered from the CDK code with the real handler, shows each poll
 * cycle, then the stored results and the command to query them. Exit code 0 when the execution
 * succeeds, 1 when it fails, 2 for bad options.
 */
import { runCli } from '../cli/run-cli';
import './local-env';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LAST_RUN_FILE } from '../cli/query';
import { formatTasks } from '../cli/query/format';
import { UsageError } from '../cli/usage-error';
import { Limits } from '../lambda/contract/limits';
import { TerminalStatuses } from '../lambda/contract/statuses';
import type { TaskRecord } from '../lambda/core/model';
import { logger as handlerLogger } from '../lambda/handler';
import { cdkJsonContext } from '../lib/app';
import { parseSettings } from '../lib/config';
import { matchesEventPattern } from './event-pattern';
import {
  type CycleView,
  ExecutionInputTooLargeError,
  type ExecutionReport,
  type LocalPoller,
  startLocalPoller,
} from './harness';
import {
  addTasks,
  DEMO_APPS,
  DEMO_BUNDLE_ARN,
  injectFaults,
  SCENARIOS,
  type Scenario,
  scenarioContext,
  seededRandom,
} from './scenarios';

export const LOCAL_DATA_DIR = join('.local', 'data');

export const USAGE = `Usage: npm start -- [options]

Runs the poller locally: the deployed state machine definition, the real Lambda handler, an AppFabric
stand-in and an in-memory DynamoDB (dynalite). Waits are virtual: a run of hours takes seconds.

Options:
  --tasks N          tasks to poll (default 60, at most ${Limits.maxTaskIdsInInput}: what one execution input holds)
  --scenario S       ${SCENARIOS.join(' | ')} (default mixed)
  --input FILE       an execution input as typed in the Step Functions console (JSON)
  --event FILE       an EventBridge event (JSON): its detail becomes the input, as the rule does it
  --emails A,B,...   start tasks from addresses (StartUserAccessTasks) instead of task IDs
  --seed N           seed of the scenario (default 1): the same seed gives the same run
  --quiet            no per-cycle lines
  -h, --help         this text
`;

export interface RunArgs {
  tasks: number;
  scenario: Scenario;
  inputFile?: string;
  eventFile?: string;
  emails?: string[];
  seed: number;
  quiet: boolean;
}

export function parseRunArgs(argv: readonly string[]): RunArgs | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        tasks: { type: 'string' },
        scenario: { type: 'string' },
        input: { type: 'string' },
        event: { type: 'string' },
        emails: { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const int = (flag: string, raw: unknown, fallback: number, min: number, max: number): number => {
    if (raw === undefined) return fallback;
    const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return n;
  };
  const scenario = (values.scenario ?? 'mixed') as Scenario;
  if (!SCENARIOS.includes(scenario)) {
    throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}, got "${values.scenario}"`);
  }
  const sources = ['input', 'event', 'emails'].filter((k) => values[k] !== undefined);
  if (sources.length > 1) throw new UsageError(`--${sources[0]} and --${sources[1]} cannot be used together`);
  if (values.tasks !== undefined && sources.length > 0) {
    throw new UsageError(`--tasks cannot be used with --${sources[0]} (the input names the tasks)`);
  }
  const emails =
    typeof values.emails === 'string'
      ? values.emails
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
      : undefined;
  if (emails !== undefined && emails.length === 0)
    throw new UsageError('--emails needs at least one address');
  return {
    tasks: int('tasks', values.tasks, 60, 1, Limits.maxTaskIdsInInput),
    scenario,
    inputFile: values.input as string | undefined,
    eventFile: values.event as string | undefined,
    emails,
    seed: int('seed', values.seed, 1, 0, 2 ** 31 - 1),
    quiet: values.quiet === true,
  };
}

async function readJson(file: string, flag: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flag}: cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--${flag}: ${file} is not JSON: ${(error as Error).message}`);
  }
}

const pad = (v: unknown, n: number) => String(v).padStart(n);

export function cycleLine(c: CycleView): string {
  const k = c.state.counts;
  const next = c.state.status === 'PENDING' ? `${c.state.waitSeconds}s` : c.state.status;
  return `${pad(c.cycle, 5)} ${pad(`${Math.round(c.atSeconds)}s`, 7)} ${pad(k.pending, 8)} ${pad(k.COMPLETED, 10)} ${pad(
    k.FAILED,
    7,
  )} ${pad(k.EXPIRED, 8)} ${pad(k.NOT_FOUND, 10)} ${pad(k.TIMED_OUT, 10)} ${pad(c.batchGetCalls, 6)}  ${next}`;
}

export const CYCLE_HEADER = `${pad('cycle', 5)} ${pad('t', 7)} ${pad('pending', 8)} ${pad('completed', 10)} ${pad(
  'failed',
  7,
)} ${pad('expired', 8)} ${pad('not found', 10)} ${pad('timed out', 10)} ${pad('calls', 6)}  next wait`;

/**
 * The execution input from `--input` or `--event`, read and checked before anything starts (undefined
 * for the generated demo input). An event goes through the rule: its pattern, then its `detail`.
 */
async function readGivenInput(args: RunArgs): Promise<{ input: unknown } | undefined> {
  if (args.eventFile) {
    const event = await readJson(args.eventFile, 'event');
    const settings = parseSettings((key) => cdkJsonContext()[key]);
    const problem = matchesEventPattern(event, settings.eventPattern);
    if (problem) {
      throw new UsageError(`--event: the rule would not start an execution for this event: ${problem}`);
    }
    return { input: (event as { detail?: unknown }).detail };
  }
  if (args.inputFile) return { input: await readJson(args.inputFile, 'input') };
  return undefined;
}

/** Scripts the stand-in for the run and returns the execution input. */
function prepare(poller: LocalPoller, args: RunArgs, given: { input: unknown } | undefined): unknown {
  const random = seededRandom(args.seed);
  const standIn = poller.appFabric;
  if (given) return prepareInput(poller, args, given.input, random);
  standIn.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
  if (args.emails) {
    standIn.setStartScript(DEMO_BUNDLE_ARN, () => ({
      outcome: 'COMPLETED',
      inProgressPolls: Math.floor(random() * 4),
    }));
    return { appBundleIdentifier: DEMO_BUNDLE_ARN, emails: args.emails };
  }
  const taskIdList = addTasks(standIn, DEMO_BUNDLE_ARN, args.scenario, random, { count: args.tasks });
  return { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList };
}

/** A console input or event detail: the stand-in learns its bundle and tasks, so they can be polled. */
function prepareInput(poller: LocalPoller, args: RunArgs, input: unknown, random: () => number): unknown {
  const i = (input ?? {}) as { appBundleIdentifier?: unknown; taskIdList?: unknown; emails?: unknown };
  const bundle =
    typeof i.appBundleIdentifier === 'string' && i.appBundleIdentifier
      ? i.appBundleIdentifier
      : DEMO_BUNDLE_ARN;
  try {
    poller.appFabric.addBundle(bundle, DEMO_APPS);
  } catch {
    // Not a bundle identifier: the execution will reject the input and name the field.
  }
  if (Array.isArray(i.taskIdList)) {
    const ids = i.taskIdList
      .filter((t): t is string => typeof t === 'string')
      .map((t) => t.trim().toLowerCase());
    const known = [...new Set(ids)].filter((id) => /^[a-f0-9-]{36}$/.test(id));
    addTasks(poller.appFabric, bundle, args.scenario, random, { taskIds: known });
  }
  return input;
}

/** Where output goes: process.stdout / process.stderr, or a test's buffer. */
export interface Sink {
  write(text: string): unknown;
}

/** What was retried: AppFabric error answers (retried by the SDK or the state machine) and state retries. */
function retriesLine(poller: LocalPoller, report: ExecutionReport): string {
  const errors = poller.appFabric.calls.filter((c) => c.status >= 400);
  const stateRetries = Object.entries(report.retries).map(([state, n]) => `${state} ${n}`);
  if (errors.length === 0 && stateRetries.length === 0) return '';
  const byStatus = new Map<number, number>();
  for (const c of errors) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
  const answers = [...byStatus].map(([status, n]) => `${n} x ${status}`).join(', ');
  return (
    `  retried: ${errors.length} AppFabric error answers${answers ? ` (${answers})` : ''}` +
    `${stateRetries.length ? `; state machine retries: ${stateRetries.join(', ')}` : ''}\n`
  );
}

export async function main(
  argv: readonly string[],
  out: Sink = process.stdout,
  err: Sink = process.stderr,
): Promise<number> {
  let args: RunArgs | 'help';
  try {
    args = parseRunArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (args === 'help') {
    out.write(USAGE);
    return 0;
  }

  let given: { input: unknown } | undefined;
  try {
    given = await readGivenInput(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(`error: ${error.message}\n`);
    return 2;
  }

  await rm(LOCAL_DATA_DIR, { recursive: true, force: true });
  await mkdir(LOCAL_DATA_DIR, { recursive: true });
  // Scenario settings (a short deadline for `timeout`) must be known before the definition is rendered.
  const context = args.inputFile || args.eventFile || args.emails ? {} : scenarioContext(args.scenario);
  const poller = await startLocalPoller({ context, seed: args.seed, dataPath: LOCAL_DATA_DIR });
  // The handler's own error lines would interleave with the progress table: quiet unless asked for.
  handlerLogger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'SILENT' | undefined) ?? 'SILENT');
  // Ctrl-C aborts the execution; the run then ends below and closes what it started. A second one exits at once.
  let interrupted = false;
  const stop = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    err.write('\ninterrupted: stopping the execution and the stand-ins\n');
    void poller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const input = prepare(poller, args, given);
    if (!args.inputFile && !args.eventFile && !args.emails) injectFaults(poller.appFabric, args.scenario);
    out.write(
      `AppFabric stand-in ${poller.appFabric.url}, DynamoDB (dynalite) ${poller.dynamo.endpoint}, table ${poller.tableName}\n` +
        `settings: wait ${poller.settings.minWaitSeconds}-${poller.settings.maxWaitSeconds}s, deadline ${poller.settings.deadlineMinutes} min, ` +
        `NOT_FOUND after ${poller.settings.notFoundAfterMisses} misses\n\n`,
    );
    if (!args.quiet) out.write(`${CYCLE_HEADER}\n`);
    let report: ExecutionReport;
    try {
      report = await poller.execute(input, {
        onCycle: (c) => {
          if (!args.quiet) out.write(`${cycleLine(c)}\n`);
        },
      });
    } catch (error) {
      if (!(error instanceof ExecutionInputTooLargeError)) throw error;
      err.write(`error: Step Functions would refuse this execution: ${error.message}\n`);
      return 1;
    }
    if (interrupted) return 130;
    await writeFile(
      LAST_RUN_FILE,
      `${JSON.stringify({ tableName: poller.tableName, dataPath: LOCAL_DATA_DIR }, null, 2)}\n`,
    );

    const records = (await poller.reader.byRun(report.runId)) as TaskRecord[];
    out.write(`\nStored results (${records.length} records):\n`);
    if (records.length > 0) out.write(formatTasks(records.slice(0, 30), 'table', records.length));
    const byStatus = TerminalStatuses.map(
      (s) => `${s} ${records.filter((r) => r.resultStatus === s).length}`,
    ).join(', ');
    out.write(
      `\nExecution ${report.runId}: ${report.status}` +
        (report.error ? ` (${report.error.Error}: ${report.error.Cause})` : '') +
        `\n  ${byStatus}\n  ${report.cycles.length} poll cycles, ${report.transitions} state transitions, ` +
        `${Math.round(report.virtualSeconds)} s of virtual time in ${(report.realMs / 1000).toFixed(1)} s, ` +
        `largest state ${report.maxStateBytes} bytes\n` +
        retriesLine(poller, report),
    );
    for (const event of report.completionEvents) {
      out.write(`\nCompletion event (EventBridge, not sent locally):\n${JSON.stringify(event, null, 2)}\n`);
    }
    out.write(
      `\nQuery the results (the local data stays in ${LOCAL_DATA_DIR} until the next npm start):\n` +
        `  npm run query -- --run ${report.runId}\n` +
        `  npm run query -- --runs\n`,
    );
    return report.status === 'SUCCEEDED' ? 0 : 1;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await poller.close();
  }
}

if (require.main === module) {
  runCli(() => main(process.argv.slice(2)));
}
