/**
 * `npm run report -- --run ID | --diff OLD NEW | --run ID --diff-since DATE [--format F] [--out FILE]`
 * (or `npx appfabric-access-poller report …`): the access matrix of a run, or what changed. Reads the
 * same table as `npm run query` (see ./target.ts). Exit codes: ./exit-codes.ts.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import type { TaskRecord } from '../lambda/core/model';
import { CliError, ExitCodes } from './exit-codes';
import { parseCommandLine } from './parse';
import { parseReportArgs, REPORT_USAGE, type ReportArgs } from './report/args';
import { type Diff, diffMatrices } from './report/diff';
import { diffCsv, diffJson, diffTable, matrixCsv, matrixJson, matrixTable } from './report/format';
import { diffHtml, matrixHtml } from './report/html';
import { buildMatrix, columnKey, type Matrix } from './report/matrix';
import type { ResultsReader } from './results-reader';
import { commandLineOf, reportFailure } from './run-cli';
import type { StackLookup } from './stack';
import { type OpenedTarget, openResolvedTarget } from './target';

export type ReportReader = Pick<ResultsReader, 'byRun' | 'byEmail' | 'getRun' | 'startRecords'>;

export interface ReportIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  reader?: ReportReader;
  stackLookup?: StackLookup;
  /** The time printed in HTML reports. Default now. */
  now?: () => Date;
}

/** A run's matrix; a run with neither a record nor task records is an error, not an empty report. */
async function runMatrix(reader: ReportReader, runId: string): Promise<Matrix> {
  const [records, starts, run] = await Promise.all([
    reader.byRun(runId),
    reader.startRecords(runId),
    reader.getRun(runId),
  ]);
  if (!run && records.length === 0 && starts.length === 0) {
    throw new CliError(
      `no run ${runId} in the results table (npm run query -- --runs lists them)`,
      ExitCodes.failed,
    );
  }
  return buildMatrix(runId, records, starts, run);
}

/** The newest record before `before` of each person of the run, per app and tenant. */
async function matrixBefore(reader: ReportReader, current: Matrix, before: string): Promise<Matrix> {
  const people = current.rows.filter((r) => r.taskId === undefined).map((r) => r.person);
  const found = await Promise.all(people.map((email) => reader.byEmail(email, { before })));
  const newest = new Map<string, TaskRecord>();
  for (const record of found.flat()) {
    const key = `${record.email?.toLowerCase()}\u0000${columnKey(record.app ?? '', record.tenantId)}`;
    const had = newest.get(key);
    if (!had || record.recordedAt > had.recordedAt) newest.set(key, record);
  }
  return buildMatrix(`before ${before}`, [...newest.values()]);
}

const render = (args: ReportArgs, result: Matrix | Diff, now: Date): string => {
  const at = now.toISOString();
  if ('changes' in result) {
    switch (args.format) {
      case 'csv':
        return diffCsv(result);
      case 'json':
        return diffJson(result);
      case 'html':
        return diffHtml(result, at);
      default:
        return diffTable(result);
    }
  }
  switch (args.format) {
    case 'csv':
      return matrixCsv(result);
    case 'json':
      return matrixJson(result);
    case 'html':
      return matrixHtml(result, at);
    default:
      return matrixTable(result);
  }
};

/** Writes whole or not at all: a temporary file next to the target, then renamed over it. */
async function writeOut(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(`--out: cannot write the report (${code})`, ExitCodes.failed, { cause: error });
  }
}

export async function main(argv: readonly string[], io: ReportIo): Promise<number> {
  const env = io.env ?? process.env;
  const parsed = parseCommandLine(() => parseReportArgs(argv), REPORT_USAGE, io);
  if (typeof parsed === 'number') return parsed;
  const { args } = parsed;

  let opened: OpenedTarget | undefined;
  try {
    let reader = io.reader;
    if (reader === undefined) {
      opened = await openResolvedTarget(args, env, io.cwd ?? process.cwd(), io.stackLookup);
      reader = opened.reader;
    }
    const mode = args.mode;
    let result: Matrix | Diff;
    if (mode.kind === 'matrix') result = await runMatrix(reader, mode.runId);
    else if (mode.kind === 'diff') {
      const [before, after] = await Promise.all([
        runMatrix(reader, mode.oldRunId),
        runMatrix(reader, mode.newRunId),
      ]);
      result = diffMatrices(before, after);
    } else {
      const current = await runMatrix(reader, mode.runId);
      result = diffMatrices(await matrixBefore(reader, current, mode.before), current);
    }
    const content = render(args, result, io.now?.() ?? new Date());
    if (args.out === undefined) io.stdout.write(content);
    else {
      await writeOut(args.out, content);
      io.stderr.write(`report written to ${args.out}\n`);
    }
    return ExitCodes.ok;
  } catch (error) {
    return reportFailure(error, io.stderr);
  } finally {
    await opened?.close();
  }
}

/** The command-line entry (npm run report, cli/bin.js). */
export const runFromCommandLine = commandLineOf(main);

if (require.main === module) runFromCommandLine(process.argv.slice(2));
