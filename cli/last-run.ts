/**
 * `.local/last-run.json`, written by `npm start`: where the newest local run's results are. Read here (not
 * under local/) so the CLIs never need the local runner: `{ tableName, endpoint?, dataPath? }`.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError, ExitCodes } from './exit-codes';

export const LAST_RUN_FILE = join('.local', 'last-run.json');

export interface LastRun {
  tableName: string;
  /** A running local DynamoDB (the run is still going). */
  endpoint?: string;
  /** The local data directory, absolute (resolved against the working directory). */
  dataPath?: string;
  /** The data directory as written in the file, for messages. */
  dataDir?: string;
}

const broken = (problem: string) =>
  new CliError(
    `${LAST_RUN_FILE} ${problem}: run npm start again, or remove .local/ to start afresh`,
    ExitCodes.localData,
  );

/** The newest local run, or undefined when there is none (no file). */
export async function readLastRun(cwd: string): Promise<LastRun | undefined> {
  let text: string;
  try {
    text = await readFile(join(cwd, LAST_RUN_FILE), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw broken(`cannot be read (${code ?? 'error'})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw broken('is not JSON');
  }
  const { tableName, endpoint, dataPath } = (data ?? {}) as Record<string, unknown>;
  if (typeof tableName !== 'string' || tableName === '') throw broken('has no "tableName"');
  if (endpoint !== undefined && typeof endpoint !== 'string')
    throw broken('has an "endpoint" that is not a string');
  if (dataPath !== undefined && typeof dataPath !== 'string')
    throw broken('has a "dataPath" that is not a string');
  return {
    tableName,
    ...(endpoint ? { endpoint } : {}),
    ...(dataPath ? { dataPath: join(cwd, dataPath), dataDir: dataPath } : {}),
  };
}
