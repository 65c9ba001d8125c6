/**
 * Every CLI ends any failure with one line and a documented exit code, never a stack trace: the real
 * launcher (cli/bin.js) in child processes. `--help` needs no dynalite: a --require hook makes loading
 * it throw.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { BUNDLE, type Fixture, startFixture, TABLE } from '../support/cli-fixture';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'cli', 'bin.js');

let fx: Fixture;
let dir: string;
let noDynalite: string;

beforeAll(async () => {
  fx = await startFixture();
  dir = await mkdtemp(join(tmpdir(), 'cli-failures-'));
  noDynalite = join(dir, 'no-dynalite.js');
  await writeFile(
    noDynalite,
    `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'dynalite' || request === 'level' || /[\\\\/]node_modules[\\\\/](dynalite|level)[\\\\/]/.test(request)) {
    throw new Error('dynalite is not installed (test hook)');
  }
  return resolve.call(this, request, ...rest);
};
`,
  );
});

afterAll(async () => {
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

const cli = async (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? dir,
      env: { PATH: process.env.PATH, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', ...options.env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
};

const expectOneLine = (r: Ran) => {
  expect(r.stderr).not.toContain('    at ');
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
};

/** A working directory whose .local/last-run.json points at `data`, prepared by `prepare`. */
const localRun = async (name: string, prepare: (data: string) => Promise<void>): Promise<string> => {
  const cwd = join(dir, name);
  await mkdir(join(cwd, '.local'), { recursive: true });
  await writeFile(
    join(cwd, '.local', 'last-run.json'),
    JSON.stringify({ tableName: TABLE, dataPath: '.local/data' }),
  );
  await prepare(join(cwd, '.local', 'data'));
  return cwd;
};

describe('--help without dynalite', () => {
  it.each([['query'], ['report']])('%s --help runs with dynalite unresolvable', async (command) => {
    // Act
    const r = await cli([command, '--help'], { env: { NODE_OPTIONS: `--require ${noDynalite}` } });

    // Assess
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`npx appfabric-access-poller ${command}`);
  });

  it('the hook does make dynalite unloadable (so the test above can fail)', async () => {
    // Prepare
    const cwd = await localRun('hooked', async (data) => {
      await mkdir(data, { recursive: true });
    });

    // Act
    const r = await cli(['query', '--runs'], { cwd, env: { NODE_OPTIONS: `--require ${noDynalite}` } });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('dynalite is not installed (test hook)');
    expectOneLine(r);
  });
});

describe('failures end in one line', () => {
  it('a closed pipe (| head -1) ends quietly with 0', async () => {
    // Prepare: enough records that the output outgrows the pipe's buffer.
    const store = new DynamoDbResultsStore({ tableName: TABLE, client: fx.doc });
    await store.putTaskRecords(
      Array.from({ length: 600 }, (_, i) => ({
        runId: 'big',
        taskId: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        resultStatus: 'COMPLETED' as const,
        appBundleIdentifier: BUNDLE,
        recordedAt: '2026-12-01T10:00:00.000Z',
        app: 'Slack',
        tenantId: 'T1',
        email: `person${i}@example.com`,
        userFullName: 'x'.repeat(200),
      })),
    );

    // Act
    const { stdout, stderr } = await run(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `"${process.execPath}" "${BIN}" query --run big --format json --table ${TABLE} 2>"${dir}/epipe.err" | head -c 100 >/dev/null; echo "rc=\${PIPESTATUS[0]}"; cat "${dir}/epipe.err"`,
      ],
      { env: { PATH: process.env.PATH, AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint }, cwd: dir },
    );

    // Assess
    expect({ stdout, stderr }).toEqual({ stdout: 'rc=0\n', stderr: '' });
  });

  it('corrupt local data says what to do (exit 3)', async () => {
    // Prepare
    const cwd = await localRun('corrupt', async (data) => {
      await mkdir(data, { recursive: true });
      await writeFile(join(data, 'CURRENT'), 'MANIFEST-000099\n');
    });

    // Act
    const r = await cli(['query', '--runs'], { cwd });
    const report = await cli(['report', '--run', 'x'], { cwd });

    // Assess
    for (const x of [r, report]) {
      expect(x.code).toBe(3);
      expect(x.stderr).toBe(
        'error: local data in .local/data is unreadable: run npm start again or remove .local/\n',
      );
    }
  });

  it('missing local data says so and is not recreated (exit 3)', async () => {
    // Prepare
    const cwd = await localRun('missing', async () => {});

    // Act
    const r = await cli(['query', '--runs'], { cwd });

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'error: local data in .local/data is missing: run npm start again, or remove .local/ to start afresh\n',
    );
  });

  it('local data held by a running npm start says so (exit 3)', async () => {
    // Prepare: this process holds the store open, as a running local run does.
    let held: Awaited<ReturnType<typeof startDynalite>> | undefined;
    const cwd = await localRun('busy', async (data) => {
      held = await startDynalite({ path: data });
      const client = createDocumentClient({
        endpoint: held.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      await ensureTable(client, TABLE);
      client.destroy();
    });

    // Act
    const r = await cli(['query', '--runs'], { cwd });
    await held?.close();
    const after = await cli(['query', '--runs', '--format', 'json'], { cwd });

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'error: local data in .local/data is in use by another process: wait for the running npm start to end, then try again\n',
    );
    expect(after).toMatchObject({ code: 0, stdout: '[]\n' });
  });

  it('local data without the table says what to do (exit 3)', async () => {
    // Prepare: a store with no table in it.
    const cwd = await localRun('empty', async (data) => {
      const d = await startDynalite({ path: data });
      await d.close();
    });

    // Act
    const r = await cli(['query', '--runs'], { cwd });

    // Assess
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      `error: local data in .local/data holds no table ${TABLE}: run npm start again or remove .local/\n`,
    );
  });

  it('an unreachable DynamoDB is one line, exit 1', async () => {
    // Act
    const r = await cli(['query', '--runs', '--table', TABLE], {
      env: { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
    });

    // Assess
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: ResultsStoreUnavailableError: DynamoDB Query on table report-results failed/,
    );
    expectOneLine(r);
  });

  it('bad arguments exit 2 naming the flag, and an unknown command too', async () => {
    const bad = await cli(['report', '--run', 'x', '--format', 'pdf']);
    const unknown = await cli(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('error: --format must be one of table, csv, json, html');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown command "frobnicate": one of query, report\n');
  });
});
