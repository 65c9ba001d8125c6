/**
 * `npm start [-- options]`: the whole poller on this machine. Starts the AppFabric stand-in and dynalite
 * on loopback, runs the state machine rendered from the CDK code with the real handler, shows each poll
 * cycle, then the stored results and the commands to query and review them.
 *
 * Everything the user gave (options, files, the input's size) is checked before the store is touched;
 * runs are kept in `.local/data`, one run at a time (see ./store). Every failure ends in one line and an
 * exit code of {@link EXIT_CODES} (documented in the usage text), never a stack trace.
 */
import './local-env';
import { join } from 'node:path';
import { formatTasks } from '../cli/query/format';
import { APP_BUNDLE_IDENTIFIER_PATTERN } from '../lambda/contract/limits';
import { TerminalStatuses } from '../lambda/contract/statuses';
import type { TaskRecord } from '../lambda/core/model';
import { logger as handlerLogger } from '../lambda/handler';
import {
  type CycleView,
  ExecutionInputTooLargeError,
  type ExecutionReport,
  type LocalPoller,
  nextRunId,
  type RunOptions,
  startLocalPoller,
} from './harness';
import { checkExecutionInput, type GivenInput, readEmails, readGivenInput } from './inputs';
import { EXIT_CODES, parseRunArgs, type RunArgs, USAGE, UsageError } from './run-args';
import {
  addTasks,
  DEMO_APPS,
  DEMO_BUNDLE_ARN,
  injectFaults,
  scenarioContext,
  seededRandom,
  startScriptFor,
} from './scenarios';
import {
  checkStore,
  LOCAL_DATA_DIR,
  LocalStoreError,
  lockStore,
  readLastRunText,
  restoreLastRun,
  STORE_EXIT_CODE,
  storeFsError,
  writeLastRun,
} from './store';

export { EXIT_CODES, parseRunArgs, type RunArgs, USAGE, UsageError } from './run-args';
export { LOCAL_DATA_DIR } from './store';

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

/** What the run executes: the input from a file, or generated (task IDs or addresses). */
interface Plan {
  given?: GivenInput;
  emails?: string[];
}

/** Scripts the stand-in for the run and returns the execution input. */
function prepare(poller: LocalPoller, args: RunArgs, plan: Plan): unknown {
  const random = seededRandom(args.seed);
  const standIn = poller.appFabric;
  if (plan.given) return prepareInput(poller, args, plan.given.input, random);
  standIn.addBundle(DEMO_BUNDLE_ARN, DEMO_APPS);
  if (plan.emails) {
    standIn.setStartScript(DEMO_BUNDLE_ARN, startScriptFor(args.scenario, random, args.seed));
    return { appBundleIdentifier: DEMO_BUNDLE_ARN, emails: plan.emails };
  }
  const taskIdList = addTasks(standIn, DEMO_BUNDLE_ARN, args.scenario, random, {
    count: args.tasks,
    seed: args.seed,
  });
  return { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList };
}

/**
 * A console input or event detail: the stand-in learns its bundle and tasks, so they can be polled. A
 * malformed bundle identifier is left unknown: the execution then fails as in AWS (the handler's check,
 * or the stand-in's 400 ValidationException).
 */
function prepareInput(poller: LocalPoller, args: RunArgs, input: unknown, random: () => number): unknown {
  const i = (typeof input === 'object' && input !== null ? input : {}) as {
    appBundleIdentifier?: unknown;
    taskIdList?: unknown;
  };
  const given = i.appBundleIdentifier;
  const bundle = given === undefined || given === '' ? DEMO_BUNDLE_ARN : given;
  if (typeof bundle !== 'string' || !APP_BUNDLE_IDENTIFIER_PATTERN.test(bundle)) return input;
  poller.appFabric.addBundle(bundle, DEMO_APPS);
  poller.appFabric.setStartScript(bundle, startScriptFor(args.scenario, random, args.seed));
  if (Array.isArray(i.taskIdList)) {
    const ids = i.taskIdList
      .filter((t): t is string => typeof t === 'string')
      .map((t) => t.trim().toLowerCase());
    const known = [...new Set(ids)].filter((id) => /^[a-f0-9-]{36}$/.test(id));
    addTasks(poller.appFabric, bundle, args.scenario, random, { taskIds: known, seed: args.seed });
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

/** Reads and checks everything the user gave; nothing is started or touched yet. */
async function plan(args: RunArgs): Promise<Plan> {
  const given = await readGivenInput(args);
  if (given) {
    checkExecutionInput(given.input, args.eventFile ? 'event' : 'input');
    return { given };
  }
  const emails = await readEmails(args);
  if (emails) checkExecutionInput({ emails }, 'emails');
  return emails ? { emails } : {};
}

/** One line for an error that ends the run, and its exit code. */
function failureOf(error: unknown): { line: string; code: number } {
  if (error instanceof UsageError) return { line: error.message, code: EXIT_CODES.usage };
  if (error instanceof LocalStoreError) return { line: error.message, code: STORE_EXIT_CODE };
  if (error instanceof ExecutionInputTooLargeError) {
    return { line: `Step Functions would refuse this execution: ${error.message}`, code: EXIT_CODES.usage };
  }
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') {
    return {
      line: 'the AppFabric stand-in cannot start: the port is in use (choose another --port)',
      code: EXIT_CODES.standIn,
    };
  }
  const mapped = storeFsError(error);
  if (mapped instanceof LocalStoreError) return { line: mapped.message, code: STORE_EXIT_CODE };
  return {
    line: `unexpected ${e?.name ?? 'error'}: ${e?.message ?? String(error)} (please report it)`,
    code: EXIT_CODES.failed,
  };
}

export interface MainOptions {
  /** The checkout `.local` lives in (default process.cwd()). */
  cwd?: string;
  /** How long a second run waits for the store, ms (default 15 minutes). */
  lockWaitMs?: number;
  /** Tests only: called around the execution's task states (e.g. to step a run while a watcher reads it). */
  hooks?: Pick<RunOptions, 'beforeInvoke' | 'onCycle'>;
}

export async function main(
  argv: readonly string[],
  out: Sink = process.stdout,
  err: Sink = process.stderr,
  options: MainOptions = {},
): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  let args: RunArgs | 'help';
  try {
    args = parseRunArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err.write(`error: ${error.message}\n\n${USAGE}`);
    return EXIT_CODES.usage;
  }
  if (args === 'help') {
    out.write(USAGE);
    return EXIT_CODES.succeeded;
  }
  let release: (() => Promise<void>) | undefined;
  try {
    const planned = await plan(args);
    release = await lockStore(cwd, {
      waitMs: options.lockWaitMs,
      onWait: (pid) => err.write(`waiting: another npm start (pid ${pid}) is using ${LOCAL_DATA_DIR}\n`),
    });
    await checkStore(cwd);
    return await runWith(args, planned, cwd, out, err, options.hooks);
  } catch (error) {
    const { line, code } = failureOf(error);
    err.write(`error: ${line}\n`);
    return code;
  } finally {
    await release?.();
  }
}

async function runWith(
  args: RunArgs,
  planned: Plan,
  cwd: string,
  out: Sink,
  err: Sink,
  hooks: MainOptions['hooks'] = {},
): Promise<number> {
  // Scenario settings (a short deadline for `timeout`) must be known before the definition is rendered.
  const context = planned.given || planned.emails ? {} : scenarioContext(args.scenario);
  const dataPath = join(cwd, LOCAL_DATA_DIR);
  const poller = await startLocalPoller({ context, seed: args.seed, dataPath, appFabricPort: args.port });
  // The handler's own error lines would interleave with the progress table: quiet unless asked for.
  handlerLogger.setLogLevel((process.env.POWERTOOLS_LOG_LEVEL as 'SILENT' | undefined) ?? 'SILENT');
  // Ctrl-C aborts the execution; the run then ends below and closes what it started. A second one exits at once.
  let interrupted = false;
  const stop = () => {
    if (interrupted) process.exit(EXIT_CODES.interrupted);
    interrupted = true;
    err.write('\ninterrupted: stopping the execution and the stand-ins\n');
    void poller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // While the run holds the data, a query reads it through this run's dynalite: last-run.json names it.
  const runId = nextRunId();
  const lastRun = { tableName: poller.tableName, dataPath: LOCAL_DATA_DIR, runId };
  const previous = await readLastRunText(cwd);
  let live = false;
  try {
    await writeLastRun(cwd, { ...lastRun, endpoint: poller.dynamo.endpoint });
    live = true;
    const input = prepare(poller, args, planned);
    if (!planned.given && !planned.emails) injectFaults(poller.appFabric, args.scenario);
    out.write(
      `AppFabric stand-in ${poller.appFabric.url}, DynamoDB (dynalite) ${poller.dynamo.endpoint}, table ${poller.tableName}\n` +
        `settings: wait ${poller.settings.minWaitSeconds}-${poller.settings.maxWaitSeconds}s, deadline ${poller.settings.deadlineMinutes} min, ` +
        `NOT_FOUND after ${poller.settings.notFoundAfterMisses} misses\n\n`,
    );
    if (!args.quiet) out.write(`${CYCLE_HEADER}\n`);
    const report = await poller.execute(input, {
      runId,
      ...(planned.given ? { inputBytes: planned.given.bytes } : {}),
      ...(hooks.beforeInvoke ? { beforeInvoke: hooks.beforeInvoke } : {}),
      onCycle: (c) => {
        if (!args.quiet) out.write(`${cycleLine(c)}\n`);
        hooks.onCycle?.(c);
      },
    });
    if (interrupted) return EXIT_CODES.interrupted;
    // The endpoint goes before the dynalite does: a query from now on opens the data itself.
    await writeLastRun(cwd, lastRun);
    live = false;
    await printReport(poller, report, out);
    return report.status === 'SUCCEEDED' ? EXIT_CODES.succeeded : EXIT_CODES.failed;
  } finally {
    // A run that ended without results (interrupted, or failed before it ran) leaves the file as it was.
    if (live) await restoreLastRun(cwd, previous).catch(() => undefined);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await poller.close();
  }
}

async function printReport(poller: LocalPoller, report: ExecutionReport, out: Sink): Promise<void> {
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
    `\nQuery and review the results (${LOCAL_DATA_DIR} keeps every local run):\n` +
      `  npm run query -- --run ${report.runId}\n` +
      `  npm run query -- --runs\n` +
      `  npm run report -- --run ${report.runId}\n`,
  );
}

if (require.main === module) {
  // main() ends every failure it knows in one line; this catches the rest without a stack trace.
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `error: unexpected ${(error as Error)?.name ?? 'error'}: ${(error as Error)?.message ?? String(error)}\n`,
      );
      process.exitCode = EXIT_CODES.failed;
    },
  );
}
