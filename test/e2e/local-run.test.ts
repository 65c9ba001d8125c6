/**
 * `npm start` in-process: the CLI's `main(argv, out, err)` with text sinks, run in a temporary directory
 * (it writes `.local/` in the working directory). Each run renders the definition, starts the stand-in and
 * dynalite, runs the state machine with the real handler and prints what it stored.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as query } from '../../cli/query';
import { CYCLE_HEADER, main, USAGE } from '../../local/run';
import { DEMO_BUNDLE_ARN } from '../../local/scenarios';
import { eventOf, textSink } from '../support/local-e2e';

let home: string;
let dir: string;

beforeAll(() => {
  home = process.cwd();
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-run-'));
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(home);
  await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI; resolves to its exit code and what it printed. */
async function run(...argv: string[]) {
  const out = textSink<typeof process.stdout>();
  const err = textSink<typeof process.stderr>();
  const code = await main(argv, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

/** The run ID of the `npm run query -- --run <id>` line. */
const queriedRunId = (out: string): string | undefined => /npm run query -- --run (\S+)/.exec(out)?.[1];

const writeJson = async (name: string, value: unknown): Promise<string> => {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
};

const ids = (n: number) => Array.from({ length: n }, () => randomUUID());

describe('npm start', () => {
  it('--tasks 12 --scenario all-complete --quiet: exit 0, the stored results and how to query them', async () => {
    // Act
    const { code, out, err } = await run('--tasks', '12', '--scenario', 'all-complete', '--quiet');

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).not.toContain(CYCLE_HEADER);
    expect(out).toContain('Stored results (12 records):');
    expect(out).toMatch(/email\s+app\s+tenant\s+status\s+userStatus/);
    expect(out.match(/\sCOMPLETED\s+ACTIVE\s.*\s[0-9a-f-]{36}\s/gm)).toHaveLength(12);
    const runId = queriedRunId(out);
    expect(runId).toBeDefined();
    expect(out).toContain(`Execution ${runId}: SUCCEEDED`);
    expect(out).toContain('COMPLETED 12, FAILED 0, EXPIRED 0, NOT_FOUND 0, TIMED_OUT 0');

    // The printed query command finds the run in the data left in .local/.
    const qOut = textSink<{ write(text: string): unknown }>();
    const qErr = textSink<{ write(text: string): unknown }>();
    const qCode = await query(['--run', runId!], {
      stdout: qOut.stream,
      stderr: qErr.stream,
      env: {},
      cwd: dir,
    });
    expect({ code: qCode, err: qErr.text() }).toEqual({ code: 0, err: '' });
    expect(qOut.text().match(/\sCOMPLETED\s+ACTIVE\s.*\s[0-9a-f-]{36}\s/gm)).toHaveLength(12);
  });

  it('without --quiet, prints a line per poll cycle', async () => {
    // Act
    const { code, out } = await run('--tasks', '4', '--scenario', 'all-complete');

    // Assess
    expect(code).toBe(0);
    expect(out).toContain(CYCLE_HEADER);
    expect(out).toMatch(/^\s+1\s+\d+s\s+\d+\s+\d+\s/m);
  });

  it('--scenario fatal: exit 1, naming the error', async () => {
    // Act
    const { code, out } = await run('--tasks', '5', '--scenario', 'fatal', '--quiet');

    // Assess
    expect(code).toBe(1);
    expect(out).toMatch(/Execution \S+: FAILED \(AppFabricAccessDeniedError: .*AccessDeniedException/);
    expect(out).toContain('Stored results (0 records):');
  });

  it('--scenario timeout: exit 1, the deadline named, the unfinished tasks TIMED_OUT', async () => {
    // Act
    const { code, out } = await run('--tasks', '9', '--scenario', 'timeout', '--quiet');

    // Assess
    expect(code).toBe(1);
    expect(out).toContain('deadline 30 min');
    expect(out).toMatch(/Execution \S+: FAILED \(PollDeadlineExceeded: /);
    expect(Number(/TIMED_OUT (\d+)/.exec(out)?.[1])).toBeGreaterThan(0);
  });

  it('--emails: exit 0, a task per app for each address, and ends with the query command', async () => {
    // Act
    const { code, out, err } = await run('--emails', 'a@example.com,b@example.com', '--quiet');

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('Stored results (6 records):');
    const runId = queriedRunId(out);
    expect(
      out
        .trimEnd()
        .endsWith(
          `npm run query -- --run ${runId}\n  npm run query -- --runs\n  npm run report -- --run ${runId}`,
        ),
    ).toBe(true);
  });

  it('--emails-file with a byte order mark, CRLF line ends and trailing blank lines', async () => {
    // Prepare
    const file = join(dir, 'emails.txt');
    await writeFile(file, '\uFEFFa@example.com\r\nb@example.com\r\n\r\n\r\n');

    // Act
    const { code, out, err } = await run('--emails-file', file, '--quiet');

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('Stored results (6 records):');
  });

  it('--input FILE with a byte order mark, CRLF line ends and trailing blank lines runs it', async () => {
    // Prepare
    const input = { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList: ids(3) };
    const file = join(dir, 'windows.json');
    await writeFile(file, `\uFEFF${JSON.stringify(input, null, 2).replace(/\n/g, '\r\n')}\r\n\r\n`);

    // Act
    const { code, out, err } = await run('--input', file, '--scenario', 'all-complete', '--quiet');

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('COMPLETED 3,');
  });

  it('--input with a malformed bundle (ARN:AWS:x): exit 2 before anything starts, one line naming the field', async () => {
    // Prepare
    const file = await writeJson('bad-bundle.json', { appBundleIdentifier: 'ARN:AWS:x', taskIdList: ids(2) });

    // Act
    const { code, out, err } = await run('--input', file, '--quiet');

    // Assess: the Start action's own check refused it; no execution ran, nothing was stored.
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(/^error: --input: the poller would refuse this input: appBundleIdentifier: /);
    expect(err).not.toContain('ARN:AWS:x');
    expect(err).not.toMatch(/\n\s+at /);
    await expect(readFile(join(dir, '.local', 'last-run.json'), 'utf8')).rejects.toThrow();
  });

  it.each([
    ['a task ID that is an address', { taskIdList: ['jane@corp'] }, /taskIdList\[0\]: is not a task ID/],
    ['null', null, /input: must be a JSON object, got null/],
  ])('--input with %s: exit 2, one line naming the field, never the value', async (_what, input, reason) => {
    // Prepare
    const file = await writeJson('bad.json', input);

    // Act
    const { code, out, err } = await run('--input', file, '--quiet');

    // Assess
    expect({ code, out }).toEqual({ code: 2, out: '' });
    expect(err.split('\n')[0]).toMatch(reason);
    expect(err).not.toContain('jane@corp');
  });

  it('--input FILE: runs the console input it holds', async () => {
    // Prepare
    const file = await writeJson('input.json', { appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList: ids(5) });

    // Act
    const { code, out, err } = await run('--input', file, '--scenario', 'all-complete', '--quiet');

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('Stored results (5 records):');
    expect(out).toContain('COMPLETED 5,');
  });

  it('--event FILE: runs the detail of an event the rule matches', async () => {
    // Prepare
    const taskIdList = ids(4);
    const file = await writeJson('event.json', eventOf({ appBundleIdentifier: DEMO_BUNDLE_ARN, taskIdList }));

    // Act
    const { code, out, err } = await run('--event', file, '--scenario', 'all-complete', '--quiet');

    // Assess
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(out).toContain('Stored results (4 records):');
    // The table sorts by person and app; each task's row says COMPLETED before its task ID.
    for (const id of taskIdList) expect(out).toMatch(new RegExp(`^.*\\sCOMPLETED\\s.*\\s${id}\\s`, 'm'));
  });

  it('--event FILE the rule would not match: exit 2, naming the field', async () => {
    // Prepare
    const file = await writeJson('event.json', eventOf({ taskIdList: ids(1) }, { source: 'someone.else' }));

    // Act
    const { code, out, err } = await run('--event', file);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/^error: --event: .*source is "someone.else"/);
    expect(out).not.toContain('Execution');
  });

  it('--help: exit 0 with the usage', async () => {
    // Act
    const { code, out, err } = await run('--help');

    // Assess
    expect({ code, out, err }).toEqual({ code: 0, out: USAGE, err: '' });
  });

  it.each([
    [['--tasks', '0'], '--tasks'],
    [['--tasks', 'x'], '--tasks'],
    [['--tasks', '10001'], '--tasks'],
    [['--scenario', 'nope'], '--scenario'],
    [['--input', 'a.json', '--event', 'b.json'], '--input and --event'],
    [['--emails', 'a@example.com', '--input', 'a.json'], '--input and --emails'],
    [['--tasks', '3', '--input', 'a.json'], '--tasks'],
    [['--emails', ','], '--emails'],
    [['--bogus'], '--bogus'],
  ])('%j: exit 2, naming %s, before anything starts', async (argv, flag) => {
    // Act
    const { code, out, err } = await run(...argv);

    // Assess
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err.split('\n')[0]).toContain(flag);
    expect(err).toContain(USAGE);
  });

  it.each([
    [['--tasks', '10001'], /^error: --tasks is out of range: it must be from 1 to 6500\n/],
    [['--seed', '99999999999'], /^error: --seed is out of range: it must be from 0 to \d+\n/],
    [['--tasks', '1e400'], /^error: --tasks must be a whole number from 1 to 6500\n/],
  ])('%j: names the number as out of range or not a number', async (argv, message) => {
    // Act
    const { code, err } = await run(...argv);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });

  it.each([
    ['--input', 'missing.json', undefined, /^error: --input: cannot read the file \(ENOENT\)\n$/],
    ['--input', 'broken.json', '{"taskIdList": [', /^error: --input: the file is not JSON/],
    ['--event', 'broken.json', 'not json at all', /^error: --event: the file is not JSON/],
  ])('%s %s (unreadable or not JSON): exit 2, naming the flag', async (flag, name, content, message) => {
    // Prepare
    const file = join(dir, name);
    if (content !== undefined) await writeFile(file, content);

    // Act
    const { code, out, err } = await run(flag, file);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(out).not.toContain('Execution');
  });
});

describe('Ctrl-C', () => {
  it('aborts the execution, stops both stand-ins, puts back last-run.json and exits 130', async () => {
    // Prepare: an earlier run's last-run.json; the CLI as `npm start` runs it (node with tsx's loader, one
    // process: the tsx CLI would relay the signal and SIGKILL a child whose event loop is busy for 60 ms),
    // on a run long enough to interrupt.
    const earlier = `${JSON.stringify({ tableName: 't', dataPath: '.local/data', runId: 'earlier' })}\n`;
    await mkdir(join(dir, '.local'), { recursive: true });
    await writeFile(join(dir, '.local', 'last-run.json'), earlier);
    const child = spawn(
      process.execPath,
      [
        '--import',
        require.resolve('tsx'),
        join(home, 'local', 'run.ts'),
        '--tasks',
        '6000',
        '--scenario',
        'timeout',
      ],
      { cwd: dir, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' } },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const ports = await new Promise<number[]>((resolve, reject) => {
      const timer = setInterval(() => {
        // Interrupt once the loop is running: the first cycle line is out.
        if (/^ +1 +\d+s/m.test(stdout)) {
          clearInterval(timer);
          resolve([...stdout.matchAll(/http:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1])));
        }
      }, 50);
      // Generous: on a loaded machine tsx, the CDK render and a first cycle of 6,000 tasks take a while.
      setTimeout(() => reject(new Error(`no cycle line in time: ${stdout}`)), 120_000).unref();
    });

    // While it runs, last-run.json names this run and its live dynalite (the second URL printed).
    const live = JSON.parse(await readFile(join(dir, '.local', 'last-run.json'), 'utf8'));

    // Act
    child.kill('SIGINT');
    const code = await exited;

    // Assess
    expect(code).toBe(130);
    expect(live).toEqual({
      tableName: 'appfabric-access-poller-local',
      dataPath: '.local/data',
      runId: expect.stringMatching(/^local-/),
      endpoint: `http://127.0.0.1:${ports[1]}`,
    });
    expect(await readFile(join(dir, '.local', 'last-run.json'), 'utf8')).toBe(earlier);
    expect(ports).toHaveLength(2);
    for (const port of ports) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.on('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  }, 180_000);
});

describe('the README examples', () => {
  it.each([
    ['--input', 'console-input.json'],
    ['--input', 'emails-input.json'],
    ['--event', 'event.json'],
    ['--emails-file', 'review-emails.txt'],
  ])('npm start -- %s examples/%s succeeds', async (flag, file) => {
    // Act
    const { code, out } = await run(flag, join(home, 'examples', file), '--quiet');

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/Execution \S+: SUCCEEDED/);
  });

  it('put-events.json carries the same detail as event.json', async () => {
    // Act
    const entries = JSON.parse(await readFile(join(home, 'examples', 'put-events.json'), 'utf8'));
    const event = JSON.parse(await readFile(join(home, 'examples', 'event.json'), 'utf8'));

    // Assess
    expect(entries[0]).toMatchObject({ Source: event.source, DetailType: event['detail-type'] });
    expect(JSON.parse(entries[0].Detail).taskIdList).toEqual([event.detail.taskIdList[0]]);
  });
});
