/**
 * Opens the local run's data (`.local/data`, LevelDB written by dynalite) for one command. dynalite is a
 * devDependency: it is loaded here, on demand, and only when a CLI reads local data, so the CLIs against a
 * deployed stack never need it. Before dynalite opens the store, a probe opens it once to turn LevelDB's
 * failures (missing, corrupt, locked by a running `npm start`, read-only) into one line that says what to
 * do; dynalite itself would emit them as unhandled errors.
 */
import { access, constants, stat } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { CliError, ExitCodes } from './exit-codes';

interface LocalData {
  /** http://127.0.0.1:<port> of the dynalite serving the data. */
  endpoint: string;
  close(): Promise<void>;
}

interface LevelDb {
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelCtor = new (path: string, options: { createIfMissing: boolean }) => LevelDb;
type DynaliteFactory = (options: { path: string; createTableMs: number }) => Server;

/** Loads a module only when called (a non-literal specifier keeps bundlers and graphs from following it). */
const load = (specifier: string, paths?: string[]): unknown => {
  const resolved = require.resolve(specifier, paths ? { paths } : undefined);
  return require(resolved);
};

const problem = (shown: string, what: string, todo: string) =>
  new CliError(`local data in ${shown} ${what}: ${todo}`, ExitCodes.localData);

/** The one line for a LevelDB open failure (exported for tests). */
export function localDataError(shown: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const text = `${(error as Error)?.message ?? ''} ${cause?.code ?? ''} ${cause?.message ?? ''}`;
  if (/LEVEL_LOCKED|lock .*(held|unavailable)/i.test(text)) {
    return problem(
      shown,
      'is in use by another process',
      'wait for the running npm start to end, then try again',
    );
  }
  if (/EACCES|EROFS|EPERM|permission denied|read-only/i.test(text)) {
    return problem(
      shown,
      'is read-only',
      'the store is opened for writing; run from a writable copy of the checkout',
    );
  }
  if (/does not exist|ENOENT/i.test(text) && !/LEVEL_IO_ERROR|LEVEL_CORRUPTION/.test(text)) {
    return problem(shown, 'is missing', 'run npm start again, or remove .local/ to start afresh');
  }
  return problem(shown, 'is unreadable', 'run npm start again or remove .local/');
}

/**
 * Opens `path` with dynalite on a free loopback port; never creates an empty store where none is.
 * @public loaded with require() by ./target.ts, on demand.
 */
export async function openLocalData(path: string, shown = path): Promise<LocalData> {
  try {
    if (!(await stat(path)).isDirectory())
      throw problem(shown, 'is not a directory', 'remove .local/ and run npm start again');
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw localDataError(shown, error);
  }
  try {
    await access(path, constants.W_OK);
  } catch (error) {
    throw localDataError(shown, error);
  }

  const dynalitePath = require.resolve('dynalite');
  const { Level } = load('level', [dirname(dynalitePath)]) as { Level: LevelCtor };
  const probe = new Level(path, { createIfMissing: false });
  try {
    await probe.open();
  } catch (error) {
    throw localDataError(shown, error);
  }
  await probe.close();

  const dynalite = load(dynalitePath) as DynaliteFactory;
  const server = dynalite({ path, createTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of SDK clients would hold the server open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
