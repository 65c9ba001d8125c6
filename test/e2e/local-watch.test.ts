/**
 * `npm run query -- --run ID --watch` on a local run under way: `npm start` (local/run.ts main, in-process)
 * holds `.local/data` (LevelDB: one process at a time), so it publishes its live dynalite in
 * `.local/last-run.json`; the watcher reads through it, and when the run ends (endpoint removed, dynalite
 * stopped) from the data directory. The watcher's injected sleep steps the run one poll cycle at a time,
 * so every redraw sees the next cycle. Also: an endpoint left by a run that no longer answers is passed by.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as query } from '../../cli/query';
import { StateNames } from '../../lib/poll-workflow';
import { reviewBehaviour } from '../../local/review-script';
import { main as start } from '../../local/run';
import { DEMO_APPS } from '../../local/scenarios';
import { LAST_RUN_PATH, writeLastRun } from '../../local/store';
import { textSink } from '../support/local-e2e';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-watch-'));
  await cp(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const readLastRun = async (): Promise<{ runId?: string; endpoint?: string; dataPath?: string }> =>
  JSON.parse(await readFile(join(dir, LAST_RUN_PATH), 'utf8').catch(() => '{}'));

/** Polls `test` (a real short delay between looks: the run is in another async flow) until it holds. */
async function until<T>(look: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 1_200; i++) {
    const value = await look();
    if (value !== undefined) return value;
    await tick(50);
  }
  throw new Error(`gave up waiting for ${what}`);
}

const watch = async (runId: string, sleep: () => Promise<void>) => {
  const out = textSink<typeof process.stdout>();
  const err = textSink<typeof process.stderr>();
  const code = await query(['--run', runId, '--watch', '--interval', '1'], {
    stdout: out.stream,
    stderr: err.stream,
    cwd: dir,
    env: {},
    clock: { now: () => Date.now(), sleep },
  });
  return { code, stdout: out.text(), stderr: err.text() };
};

it('--watch follows a local run under way cycle by cycle and shows it finish with the final counts', async () => {
  // Prepare: npm start of the example addresses, each Poll held until the watcher's sleep lets it go.
  const emails = (await readFile(join(dir, 'examples', 'review-emails.txt'), 'utf8'))
    .split('\n')
    .filter(Boolean);
  const apps = DEMO_APPS.map((a) => a.app);
  const failed = emails.flatMap((e) =>
    apps.filter((a) => reviewBehaviour(e, a, 1).outcome === 'FAILED'),
  ).length;
  const total = emails.length * apps.length;
  const held: (() => void)[] = [];
  const out = textSink<typeof process.stdout>();
  const err = textSink<typeof process.stderr>();
  let ended = false;
  const running = start(
    ['--emails-file', 'examples/review-emails.txt', '--seed', '1', '--quiet'],
    out.stream,
    err.stream,
    {
      cwd: dir,
      lockWaitMs: 60_000,
      hooks: {
        beforeInvoke: (state) =>
          state === StateNames.Poll ? new Promise<void>((resolve) => held.push(resolve)) : undefined,
      },
    },
  ).finally(() => {
    ended = true;
  });
  const live = await until(async () => {
    const file = await readLastRun();
    return file.endpoint && held.length > 0 ? file : undefined;
  }, 'the run to publish its endpoint and reach its first Poll');
  // One step: let the held Poll go, then wait for the next one to be held (its cycle is written) or the end.
  let steps = 0;
  const step = async () => {
    steps += 1;
    held.shift()?.();
    await until(async () => (held.length > 0 || ended ? true : undefined), 'the next poll cycle');
  };

  // Act
  const watched = await watch(live.runId!, step);
  const code = await running;

  // Assess: the run ended well and took the endpoint out of last-run.json.
  expect({ code, err: err.text() }).toEqual({ code: 0, err: '' });
  expect(await readLastRun()).toEqual({
    tableName: expect.any(String),
    dataPath: '.local/data',
    runId: live.runId,
  });
  expect({ code: watched.code, stderr: watched.stderr }).toEqual({ code: 0, stderr: '' });
  const frames = watched.stdout.trimEnd().split('\n\n');
  expect(frames).toHaveLength(steps + 1);
  const shares = frames.map((f) => Number(/\]\s+(\d+)%/.exec(f)?.[1]));
  expect(shares[0]).toBe(0);
  expect(shares.some((s) => s > 0 && s < 100)).toBe(true);
  expect([...shares].sort((a, b) => a - b)).toEqual(shares);
  const last = frames.at(-1)!;
  expect(last).toContain(`[${'#'.repeat(30)}] 100%  ${total} of ${total} tasks done, 0 pending`);
  expect(last).toContain(`COMPLETED ${total - failed}, FAILED ${failed}`);
  expect(last).toMatch(new RegExp(`Run ${live.runId} ended: SUCCEEDED at \\S+$`));
});

it('an endpoint left in last-run.json that no longer answers is passed by: the data directory is read', async () => {
  // Prepare: the run of the first test, and an endpoint on a port nothing listens on any more.
  const { runId, dataPath } = await readLastRun();
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  await writeLastRun(dir, {
    tableName: 'appfabric-access-poller-local',
    dataPath: dataPath!,
    runId: runId!,
    endpoint: `http://127.0.0.1:${port}`,
  });

  // Act
  const watched = await watch(runId!, async () => {
    throw new Error('an ended run is drawn once');
  });

  // Assess
  expect({ code: watched.code, stderr: watched.stderr }).toEqual({ code: 0, stderr: '' });
  expect(watched.stdout).toContain(`Run ${runId} ended: SUCCEEDED`);
});
