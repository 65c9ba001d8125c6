/**
 * The local store of `npm start`: dynalite's LevelDB data in `.local/data`, kept across runs (each run is
 * its own partition of the one table, so runs can be compared), and `.local/last-run.json` naming the
 * newest run for `npm run query` / `npm run report`. While a run is under way the file names it with the
 * `endpoint` of its dynalite (LevelDB lets one process open the data), so `npm run query -- --watch` can
 * follow it; the run writes the file again without it at the end.
 *
 * One run at a time uses the store: a run takes `.local/data.lock` (holding its pid) before opening the
 * data and removes it at the end; a second `npm start` waits for it, and takes over a lock whose process
 * is gone. Every failure is a {@link LocalStoreError}: one line saying what to do, exit code 3.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const LOCAL_DIR = '.local';
export const LOCAL_DATA_DIR = join(LOCAL_DIR, 'data');
export const LOCK_FILE = join(LOCAL_DIR, 'data.lock');
/** Same path as cli/query's LAST_RUN_FILE: `{ tableName, dataPath, runId }`. */
export const LAST_RUN_PATH = join(LOCAL_DIR, 'last-run.json');

export const STORE_EXIT_CODE = 3;

export class LocalStoreError extends Error {
  override readonly name = 'LocalStoreError';
}

const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC']);

/** Maps a file-system error on `.local` to one line; other errors pass through. */
export function storeFsError(error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && NOT_WRITABLE.has(code)) {
    return new LocalStoreError(
      `${LOCAL_DIR} is not writable here (${code}): run npm start from a writable checkout`,
      { cause: error },
    );
  }
  return error;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface LockOptions {
  /** Give up after this long, ms (default 15 minutes). */
  waitMs?: number;
  /** Between attempts, ms (default 200). */
  pollMs?: number;
  /** Called once when the store is busy, with the pid holding it. */
  onWait?: (pid: number) => void;
}

/** Takes the store's lock (creating `.local/data`); resolves to what releases it. */
export async function lockStore(cwd: string, options: LockOptions = {}): Promise<() => Promise<void>> {
  const file = join(cwd, LOCK_FILE);
  const token = randomUUID();
  try {
    await mkdir(join(cwd, LOCAL_DATA_DIR), { recursive: true });
  } catch (error) {
    throw storeFsError(error);
  }
  const deadline = Date.now() + (options.waitMs ?? 15 * 60_000);
  let told = false;
  for (;;) {
    try {
      const handle = await open(file, 'wx');
      await handle.writeFile(`${JSON.stringify({ pid: process.pid, token })}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw storeFsError(error);
    }
    const holder = await readLock(file);
    if (holder === 'gone') continue;
    if (holder === undefined || !alive(holder.pid)) {
      // Left by a run that crashed: nobody uses the store.
      await unlink(file).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new LocalStoreError(
        `${LOCAL_DATA_DIR} is busy: another npm start (pid ${holder.pid}) is using it; try again when it ends`,
      );
    }
    if (!told) options.onWait?.(holder.pid);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
  return async () => {
    const holder = await readLock(file);
    if (holder !== 'gone' && holder?.token === token) await unlink(file).catch(() => undefined);
  };
}

async function readLock(file: string): Promise<{ pid: number; token?: string } | 'gone' | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 'gone';
  }
  try {
    const data = JSON.parse(text) as { pid?: unknown; token?: unknown };
    return typeof data.pid === 'number'
      ? { pid: data.pid, token: typeof data.token === 'string' ? data.token : undefined }
      : undefined;
  } catch {
    // Being written right now, or garbage: a holder that just created it is alive, so look again.
    return { pid: process.pid };
  }
}

// dynalite's own LevelDB package, opened once before dynalite to tell a corrupt or locked store from a
// good one (dynalite itself would throw "Database is closed" out of its request handler).
type LevelDb = { open(): Promise<void>; close(): Promise<void> };
const Level = (): (new (path: string) => LevelDb) => {
  const from = dirname(require.resolve('dynalite'));
  return (require(require.resolve('level', { paths: [from] })) as { Level: new (p: string) => LevelDb })
    .Level;
};

/** Opens and closes the data directory; a corrupt, busy or unreadable one is a LocalStoreError. */
export async function checkStore(cwd: string): Promise<void> {
  const Db = Level();
  const db = new Db(join(cwd, LOCAL_DATA_DIR));
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
    const code = cause?.code ?? (error as NodeJS.ErrnoException).code;
    if (code === 'LEVEL_LOCKED') {
      throw new LocalStoreError(
        `${LOCAL_DATA_DIR} is open in another process (a query, or an older npm start): try again when it ends`,
        { cause: error },
      );
    }
    if (code && NOT_WRITABLE.has(code)) throw storeFsError(cause ?? error);
    throw new LocalStoreError(
      `${LOCAL_DATA_DIR} is damaged (${code ?? 'unreadable'}): move it away (mv ${LOCAL_DATA_DIR} ${LOCAL_DATA_DIR}.bad) ` +
        'or delete it to start with an empty store',
      { cause: error },
    );
  }
  await db.close();
}

/** What `.local/last-run.json` holds; `endpoint` only while the run is under way (its live dynalite). */
export interface LastRunFile {
  tableName: string;
  dataPath: string;
  runId: string;
  endpoint?: string;
}

/** Writes `text` to `file` whole (a temporary file renamed over it: a reader never sees half of it). */
async function writeWhole(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

/** Writes `.local/last-run.json` whole. */
export async function writeLastRun(cwd: string, lastRun: LastRunFile): Promise<void> {
  await writeWhole(join(cwd, LAST_RUN_PATH), `${JSON.stringify(lastRun, null, 2)}\n`);
}

/** `.local/last-run.json` as it is now (undefined: none), to put back if this run leaves no results. */
export async function readLastRunText(cwd: string): Promise<string | undefined> {
  return readFile(join(cwd, LAST_RUN_PATH), 'utf8').catch(() => undefined);
}

/** Puts back what {@link readLastRunText} read (or removes the file when there was none). */
export async function restoreLastRun(cwd: string, text: string | undefined): Promise<void> {
  const file = join(cwd, LAST_RUN_PATH);
  if (text === undefined) await unlink(file).catch(() => undefined);
  else await writeWhole(file, text);
}
