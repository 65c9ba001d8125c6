/**
 * `npm start`'s local store: runs kept across runs in `.local/data`, one run at a time (a lock file with the
 * pid), `.local/last-run.json` naming the newest run, every check before the store is touched, and one line
 * with a documented exit code when the store cannot be used. Also the `access-review` script: two runs of the
 * same addresses under different seeds differ in exactly the cells `scriptedChanges` lists.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultsReader } from '../../cli/results-reader';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import type { TaskRecord } from '../../lambda/core/model';
import { startDynalite } from '../../local/dynalite';
import { LOCAL_TABLE_NAME } from '../../local/harness';
import { type CellState, scriptedChanges } from '../../local/review-script';
import { EXIT_CODES, main } from '../../local/run';
import { DEMO_APPS, DEMO_BUNDLE_ARN } from '../../local/scenarios';
import { LAST_RUN_PATH, LOCAL_DATA_DIR, LOCK_FILE, LocalStoreError, storeFsError } from '../../local/store';
import { textSink } from '../support/local-e2e';

// Most tests run npm start twice (each renders the definition from the CDK code): more than the e2e default.
jest.setTimeout(120_000);

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-store-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `npm start` in `dir`; resolves to its exit code, output and the run ID it printed. */
async function start(...argv: string[]) {
  const out = textSink<typeof process.stdout>();
  const err = textSink<typeof process.stderr>();
  const code = await main(argv, out.stream, err.stream, { cwd: dir, lockWaitMs: 60_000 });
  const runId = /npm run query -- --run (\S+)/.exec(out.text())?.[1];
  return { code, out: out.text(), err: err.text(), runId };
}

/** Opens the store `npm start` left (as the query CLI does) and reads with `read`. */
async function readStore<T>(read: (reader: ResultsReader) => Promise<T>): Promise<T> {
  const dynamo = await startDynalite({ path: join(dir, LOCAL_DATA_DIR) });
  const client = createDocumentClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
  });
  try {
    return await read(new ResultsReader({ tableName: LOCAL_TABLE_NAME, client }));
  } finally {
    client.destroy();
    await dynamo.close();
  }
}

const runIdsStored = () => readStore(async (reader) => (await reader.listRuns()).map((r) => r.runId).sort());

/** A pretty-printed input whose compact JSON fits 256 KiB but whose file does not (issue 13 item 7). */
const prettyLargeInput = () => {
  const taskIdList = Array.from(
    { length: 6_500 },
    (_, i) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
  );
  const text = JSON.stringify({ appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList }, null, 4);
  expect(Buffer.byteLength(JSON.stringify(JSON.parse(text)))).toBeLessThan(262_144);
  expect(Buffer.byteLength(text)).toBeGreaterThan(262_144);
  return text;
};

describe('the local store keeps every run', () => {
  it('a second npm start keeps the first run; last-run.json names the newest', async () => {
    // Act
    const first = await start('--tasks', '3', '--scenario', 'all-complete', '--quiet');
    const second = await start('--tasks', '4', '--scenario', 'all-complete', '--quiet');

    // Assess
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(await runIdsStored()).toEqual([first.runId, second.runId].sort());
    const lastRun = JSON.parse(await readFile(join(dir, LAST_RUN_PATH), 'utf8'));
    expect(lastRun).toEqual({ tableName: LOCAL_TABLE_NAME, dataPath: LOCAL_DATA_DIR, runId: second.runId });
    const counts = await readStore(async (reader) => [
      (await reader.byRun(first.runId!)).length,
      (await reader.byRun(second.runId!)).length,
    ]);
    expect(counts).toEqual([3, 4]);
  });

  it('a rejected input (a pretty-printed file over 256 KiB) exits 2 before the store is touched', async () => {
    // Prepare
    const kept = await start('--tasks', '2', '--scenario', 'all-complete', '--quiet');
    const file = join(dir, 'large.json');
    await writeFile(file, prettyLargeInput());

    // Act
    const rejected = await start('--input', file, '--quiet');

    // Assess
    expect(rejected.code).toBe(EXIT_CODES.usage);
    expect(rejected.err).toMatch(
      /^error: --input: Step Functions would refuse this execution input: \d+ bytes/,
    );
    expect(rejected.err.trim().split('\n')).toHaveLength(1);
    expect(rejected.out).toBe('');
    expect(await runIdsStored()).toEqual([kept.runId]);
  });

  it('a stand-in that cannot start (port in use) exits 4 in one line and keeps earlier runs', async () => {
    // Prepare
    const kept = await start('--tasks', '2', '--scenario', 'all-complete', '--quiet');
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as { port: number }).port;

    // Act
    const failed = await start('--port', String(port), '--quiet').finally(
      () => new Promise((resolve) => busy.close(resolve)),
    );

    // Assess
    expect(failed.code).toBe(EXIT_CODES.standIn);
    expect(failed.err).toBe(
      'error: the AppFabric stand-in cannot start: the port is in use (choose another --port)\n',
    );
    expect(await runIdsStored()).toEqual([kept.runId]);
  });
});

describe('two npm start at once', () => {
  it('never share the store: the second waits for the first, both runs are kept whole', async () => {
    // Act
    const [a, b] = await Promise.all([
      start('--tasks', '5', '--scenario', 'mixed', '--seed', '3', '--quiet'),
      start('--tasks', '6', '--scenario', 'all-complete', '--quiet'),
    ]);

    // Assess
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(`${a.err}${b.err}`).toMatch(/^waiting: another npm start \(pid \d+\) is using \.local\/data\n$/);
    expect(a.runId).not.toEqual(b.runId);
    const stored = await readStore(async (reader) => [
      (await reader.byRun(a.runId!)).length,
      (await reader.byRun(b.runId!)).length,
    ]);
    expect(stored).toEqual([5, 6]);
    await expect(readFile(join(dir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a lock left by a process that is gone is taken over', async () => {
    // Prepare: a pid no process has (above the kernel's pid_max).
    await mkdir(join(dir, LOCAL_DATA_DIR), { recursive: true });
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: 2 ** 30 }));

    // Act
    const run = await start('--tasks', '2', '--scenario', 'all-complete', '--quiet');

    // Assess
    expect({ code: run.code, err: run.err }).toEqual({ code: 0, err: '' });
  });
});

describe('a store that cannot be used: exit 3, one line, nothing removed', () => {
  it('busy: another live process holds the lock past the wait', async () => {
    // Prepare: a live process of its own (not this one) holds the lock.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    await mkdir(join(dir, LOCAL_DATA_DIR), { recursive: true });
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ pid: holder.pid, token: 'theirs' }));

    // Act
    const out = textSink<typeof process.stdout>();
    const err = textSink<typeof process.stderr>();
    const code = await main(['--tasks', '2', '--quiet'], out.stream, err.stream, {
      cwd: dir,
      lockWaitMs: 300,
    });
    holder.kill();

    // Assess: told once that it waits, then one line; the other run's lock is left alone.
    expect(code).toBe(EXIT_CODES.store);
    expect(err.text()).toBe(
      `waiting: another npm start (pid ${holder.pid}) is using .local/data\n` +
        `error: .local/data is busy: another npm start (pid ${holder.pid}) is using it; try again when it ends\n`,
    );
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8'))).toEqual({
      pid: holder.pid,
      token: 'theirs',
    });
  });

  it.each(['EROFS', 'EACCES', 'EPERM'])(
    '%s on .local (read-only checkout) is named as not writable',
    (code) => {
      // Act
      const mapped = storeFsError(
        Object.assign(new Error(`${code}: operation refused, mkdir '.local'`), { code }),
      );

      // Assess
      expect(mapped).toBeInstanceOf(LocalStoreError);
      expect((mapped as Error).message).toBe(
        `.local is not writable here (${code}): run npm start from a writable checkout`,
      );
    },
  );

  it('.local not writable (here: a file where the directory should be)', async () => {
    // Prepare
    await writeFile(join(dir, '.local'), 'not a directory');

    // Act
    const run = await start('--tasks', '2', '--quiet');

    // Assess
    expect(run.code).toBe(EXIT_CODES.store);
    expect(run.err).toMatch(
      /^error: \.local is not writable here \(\w+\): run npm start from a writable checkout\n$/,
    );
    expect(await readFile(join(dir, '.local'), 'utf8')).toBe('not a directory');
  });

  it('a damaged .local/data says what to do and is left as it is', async () => {
    // Prepare
    await mkdir(join(dir, LOCAL_DATA_DIR), { recursive: true });
    await writeFile(join(dir, LOCAL_DATA_DIR, 'CURRENT'), 'garbage\n');

    // Act
    const run = await start('--tasks', '2', '--quiet');

    // Assess
    expect(run.code).toBe(EXIT_CODES.store);
    expect(run.err).toMatch(/^error: \.local\/data is damaged \(\w+\): move it away .* or delete it .*\n$/);
    expect(run.err.split('\n')).toHaveLength(2);
    expect(await readFile(join(dir, LOCAL_DATA_DIR, 'CURRENT'), 'utf8')).toBe('garbage\n');
  });
});

describe('--scenario access-review (the default with --emails): seeds change known cells', () => {
  /** Each (address, app) cell of a stored emails run, in the access-review's words. */
  const cellsOf = (runId: string) =>
    readStore(async (reader) => {
      const records = new Map((await reader.byRun(runId)).map((r: TaskRecord) => [r.taskId, r]));
      const cells = new Map<string, CellState>();
      for (const start of await reader.startRecords(runId)) {
        for (const taskId of start.taskIds) {
          const r = records.get(taskId)!;
          const state =
            r.resultStatus === 'COMPLETED'
              ? (r.userStatus as CellState)
              : r.taskError?.errorCode === 'USER_NOT_FOUND'
                ? 'NO_ACCOUNT'
                : r.resultStatus;
          cells.set(`${start.email}|${r.app}`, state as CellState);
        }
      }
      return cells;
    });

  it('--seed 1 then --seed 2 of the same addresses differ in exactly the scripted cells', async () => {
    // Prepare
    const emails = ['ana@example.com', 'bo@example.com', 'chen@example.com', 'dara@example.com'];
    const apps = DEMO_APPS.map((a) => a.app);
    const expected = scriptedChanges(emails, apps, 1, 2);

    // Act
    const one = await start('--emails', emails.join(','), '--seed', '1', '--quiet');
    const two = await start('--emails', emails.join(','), '--seed', '2', '--quiet');

    // Assess
    expect([one.code, two.code]).toEqual([0, 0]);
    const [before, after] = [await cellsOf(one.runId!), await cellsOf(two.runId!)];
    expect(before.size).toBe(emails.length * apps.length);
    const changed = [...before]
      .filter(([cell, state]) => after.get(cell) !== state)
      .map(([cell, state]) => ({ cell, before: state, after: after.get(cell) }));
    expect(expected.length).toBeGreaterThan(0);
    expect(changed.sort((x, y) => x.cell.localeCompare(y.cell))).toEqual(
      expected
        .map((c) => ({ cell: `${c.email}|${c.app}`, before: c.before, after: c.after }))
        .sort((x, y) => x.cell.localeCompare(y.cell)),
    );
  });
});
