/**
 * `npm run query -- <selector> [options]` (or `npx appfabric-access-poller query …`): reads the results
 * table, deployed or local. Where the table is: see ./target.ts. Exit codes: ./exit-codes.ts.
 */
import type { RunRecord, TaskRecord } from '../lambda/core/model';
import type { StartRecord } from '../lambda/core/ports';
import { type ExecutionLookup, endedOutside, sfnLookup } from './executions';
import { CliError, ExitCodes } from './exit-codes';
import { LAST_RUN_FILE } from './last-run';
import { parseCommandLine } from './parse';
import { parseQueryArgs, type QueryArgs, USAGE } from './query/args';
import { describeQuery, formatRunSummary, formatRuns, formatTasks, rejectedRows } from './query/format';
import type { ResultsReader, TaskQueryOptions } from './results-reader';
import { commandLineOf, reportFailure } from './run-cli';
import { DEFAULT_STACK, type StackLookup } from './stack';
import { type OpenedTarget, openResolvedTarget, openTarget, resolveTarget } from './target';
import { watchRun } from './watch';

export { LAST_RUN_FILE };
export const STACK_NAME = DEFAULT_STACK;

export type QueryReader = Pick<
  ResultsReader,
  'byRun' | 'byTask' | 'byEmail' | 'byApp' | 'listRuns' | 'getRun' | 'startRecords'
>;

export interface Sink {
  write(text: string): unknown;
}

export interface QueryIo {
  stdout: Sink & { isTTY?: boolean };
  stderr: Sink;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Where `.local/last-run.json` is looked for. Default process.cwd(). */
  cwd?: string;
  /** Read through this instead of a reader built for the resolved table (tests). */
  reader?: QueryReader;
  /** Finds the deployed stack's table and state machine; none: the stack is not looked up. */
  stackLookup?: StackLookup;
  /** Reads a run's execution status; default: Step Functions, when the stack named the state machine. */
  executions?: ExecutionLookup;
  /** For --watch. Default the real clock. */
  clock?: { now(): number; sleep(ms: number): Promise<void> };
}

async function read(query: QueryArgs, reader: QueryReader): Promise<TaskRecord[] | RunRecord[]> {
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
        ...(query.outcome === undefined ? {} : { status: query.outcome }),
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
  }
}

/** `--run`: the run record (even with no task records), each address's start, its records and refusals. */
async function showRun(
  query: QueryArgs & { selector: { kind: 'run'; runId: string } },
  reader: QueryReader,
  io: QueryIo,
  executions: ExecutionLookup | undefined,
): Promise<number> {
  const runId = query.selector.runId;
  const [records, run, starts, execution] = await Promise.all([
    read(query, reader) as Promise<TaskRecord[]>,
    reader.getRun(runId),
    reader.startRecords(runId),
    executions?.(runId),
  ]);
  // Refusals are rows only when no status filter asks for one task status.
  const rejected = query.status === undefined ? rejectedRows(starts as StartRecord[]) : [];
  const rows = [...records, ...rejected];
  const outside = endedOutside(run?.outcome, execution);
  if (query.format === 'table') {
    if (run === undefined && rows.length === 0) {
      io.stdout.write(`No records found for ${describeQuery(query)}\n`);
      return ExitCodes.ok;
    }
    io.stdout.write(formatRunSummary(run, starts));
    if (outside) io.stdout.write(`  ${outside}\n\n`);
    io.stdout.write(
      rows.length > 0 ? formatTasks(rows, 'table') : `No task records for ${describeQuery(query)}\n`,
    );
    return ExitCodes.ok;
  }
  io.stdout.write(formatTasks(rows, query.format));
  if (rows.length === 0) {
    const state = run ? `: the run is ${run.outcome}${run.errorName ? ` (${run.errorName})` : ''}` : '';
    io.stderr.write(`No task records for ${describeQuery(query)}${state}\n`);
  }
  if (outside) io.stderr.write(`Run ${runId}: ${outside}\n`);
  return ExitCodes.ok;
}

/** A connection refused or dropped: the endpoint is gone (a local run that ended). */
const unreachable = (error: unknown): boolean => {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  return /ECONNREFUSED|ECONNRESET|EPIPE|socket hang up/.test(`${e?.code} ${e?.cause?.code} ${e?.message}`);
};

/** The CLI: parses `argv` (the arguments after `--`), queries, prints. Resolves to the exit code. */
export async function main(argv: readonly string[], io: QueryIo): Promise<number> {
  const env = io.env ?? process.env;
  const parsed = parseCommandLine(() => parseQueryArgs(argv), USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { query } = parsed;

  let opened: OpenedTarget | undefined;
  try {
    let reader = io.reader;
    let executions = io.executions;
    if (reader === undefined) {
      opened = await openResolvedTarget(query, env, io.cwd ?? process.cwd(), io.stackLookup);
      reader = opened.reader;
      const { stateMachineArn } = opened.target;
      if (executions === undefined && stateMachineArn) executions = sfnLookup(stateMachineArn);
    }

    if (query.selector.kind === 'run' && query.watch) {
      const clock = io.clock ?? {
        now: () => Date.now(),
        sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      };
      let watched: Pick<QueryReader, 'getRun'> = reader;
      // A local run under way is read through its own dynalite; when the run ends that stops, and its
      // data directory (unlocked by then, or shortly after) holds the final record.
      const reopen = async (error: unknown) => {
        const from = opened?.target;
        if (from?.source !== LAST_RUN_FILE || from.endpoint === undefined || !unreachable(error)) throw error;
        for (let attempt = 1; ; attempt++) {
          const target = await resolveTarget(query, env, io.cwd ?? process.cwd(), undefined);
          try {
            if (target === undefined) throw error;
            const next = await openTarget(target, env);
            await opened?.close();
            opened = next;
            watched = next.reader;
            return;
          } catch (failure) {
            if (attempt >= 10 || !(failure instanceof CliError)) throw failure;
            await clock.sleep(200);
          }
        }
      };
      return await watchRun(query.selector.runId, query.watch.intervalSeconds, {
        getRun: (id) =>
          watched.getRun(id).catch(async (error: unknown) => {
            await reopen(error);
            return watched.getRun(id);
          }),
        ...(executions ? { execution: executions } : {}),
        ...clock,
        out: io.stdout,
        tty: io.stdout.isTTY === true,
      });
    }
    if (query.selector.kind === 'run') {
      return await showRun(query as Parameters<typeof showRun>[0], reader, io, executions);
    }

    const records = await read(query, reader);
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
      return ExitCodes.ok;
    }
    io.stdout.write(output);
    return ExitCodes.ok;
  } catch (error) {
    return reportFailure(error, io.stderr);
  } finally {
    await opened?.close();
  }
}

/** The command-line entry (npm run query, cli/bin.js). */
export const runFromCommandLine = commandLineOf(main);

if (require.main === module) runFromCommandLine(process.argv.slice(2));
