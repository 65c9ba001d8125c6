/**
 * The query CLI (`npm run query`): argument checking, then every selector, filter and format against a
 * real in-memory DynamoDB (dynalite) reached the way the CLI reaches it (endpoint env or .local file).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LAST_RUN_FILE, main, type QueryIo, STACK_NAME } from '../../cli/query';
import { parseQueryArgs } from '../../cli/query/args';
import { csvField } from '../../cli/query/format';
import { ResultsReader } from '../../cli/results-reader';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import { DynamoDbStartLedger } from '../../lambda/adapters/dynamodb-start-ledger';
import type { RunRecord, TaskRecord } from '../../lambda/core/model';
import { type DynaliteHandle, startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';

const TABLE = 'poller-results';
let dynamo: DynaliteHandle;
let base: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let emptyDir: string;

const minute = (n: number) => new Date(Date.UTC(2024, 4, 1, 10, n)).toISOString();
const taskId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const task = (n: number, overrides: Partial<TaskRecord> = {}): TaskRecord => ({
  runId: 'run-a',
  taskId: taskId(n),
  resultStatus: 'COMPLETED',
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  recordedAt: minute(n),
  app: 'SLACK',
  tenantId: 'T1',
  email: 'jane@example.com',
  userFullName: 'Jane Doe',
  ...overrides,
});
const run = (id: string, startedAt: string, outcome: RunRecord['outcome']): RunRecord => ({
  runId: id,
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:123456789012:appbundle/abc',
  inputKind: 'taskIds',
  outcome,
  startedAt,
  counts: { total: 4, pending: 0, COMPLETED: 3, FAILED: 1, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
});

const RECORDS: TaskRecord[] = [
  task(1),
  task(2, { resultStatus: 'FAILED', taskError: { errorCode: 'E1', errorMessage: 'bad, "really"\nbad' } }),
  task(3, {
    tenantId: 'T2',
    email: 'Bob@Example.com',
    userFullName: 'Doe, "Bobby" Bob',
    userStatus: 'SUSPENDED',
  }),
  task(4, { app: 'ZOOM' }),
  task(1, { runId: 'run-b', recordedAt: minute(20), resultStatus: 'EXPIRED' }),
  task(5, { runId: 'run-b', recordedAt: minute(21), email: 'JANE@EXAMPLE.COM' }),
];

beforeAll(async () => {
  dynamo = await startDynalite();
  base = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  doc = DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });
  await ensureTable(base, TABLE);
  const store = new DynamoDbResultsStore({ tableName: TABLE, client: doc });
  await store.putTaskRecords(RECORDS);
  await store.putRunRecord(run('run-a', minute(0), 'SUCCEEDED'));
  await store.putRunRecord(run('run-b', minute(20), 'FAILED'));
  emptyDir = await mkdtemp(join(tmpdir(), 'query-test-'));
});

afterAll(async () => {
  base.destroy();
  await dynamo.close();
  await rm(emptyDir, { recursive: true, force: true });
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI against dynalite the way a user points it at a local endpoint. */
const cli = async (argv: string[], io: Partial<QueryIo> = {}): Promise<Result> => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
    cwd: emptyDir,
    ...io,
  });
  return { code, stdout, stderr };
};
const json = async (argv: string[]) => {
  const result = await cli([...argv, '--table', TABLE, '--format', 'json']);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return JSON.parse(result.stdout) as (TaskRecord & RunRecord)[];
};
const ids = (records: TaskRecord[]) =>
  records.map((r) => `${r.runId}/${r.taskId?.slice(-1) ?? r.resultStatus}`);

describe('arguments', () => {
  it.each([
    [['--foo'], '--foo'],
    [['-x'], '-x'],
    [['--task'], '--task'],
    [['--task', '--limit', '3'], '--task'],
    [['--task='], '--task'],
    [['--task', 'a', '--email', 'b@c.d'], '--email'],
    [['--runs', '--run', 'r'], '--run'],
    [['--tenant', 'T1', '--task', 'a'], '--tenant'],
    [['--email', 'nobody'], '--email'],
    [['--task', 'a', '--status', 'DONE'], '--status'],
    [['--runs', '--status', 'COMPLETED'], '--status'],
    [['--task', 'a', '--watch'], '--watch'],
    [['--run', 'r', '--interval', '5'], '--interval'],
    [['--run', 'r', '--watch', '--interval', '0'], '--interval'],
    [['--runs', '--stack', ''], '--stack'],
    [['--task', 'a', '--since', 'yesterday'], '--since'],
    [['--task', 'a', '--since', '2024-02-30'], '--since'],
    [['--task', 'a', '--limit', '0'], '--limit'],
    [['--task', 'a', '--limit', '2.5'], '--limit'],
    [['--task', 'a', '--limit', 'ten'], '--limit'],
    [['--task', 'a', '--limit', '-3'], '--limit'],
    [['--task', 'a', '--format', 'xml'], '--format'],
    [['--task', 'a', '--task', 'b'], '--task'],
    [['--runs=yes'], '--runs'],
    [['--runs', '--table', ''], '--table'],
  ])('%j exits 2 naming %s', async (argv, flag) => {
    // Act
    const result = await cli(argv);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toContain(flag);
    expect(result.stderr).toContain('Usage: npm run query');
  });

  it('exits 2 when no selector or a stray argument is given', async () => {
    const none = await cli(['--limit', '3']);
    const stray = await cli(['--task', 'a', 'b']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/one of --task, --email, --app, --run, --runs/);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toMatch(/unexpected argument 'b'/);
  });

  it('normalises status, since and format, and defaults to the table format', () => {
    expect(
      parseQueryArgs([
        '--app',
        'SLACK',
        '--tenant',
        'T1',
        '--status',
        'failed',
        '--since',
        '2024-05-01',
        '--limit',
        '7',
      ]),
    ).toEqual({
      help: false,
      query: {
        selector: { kind: 'app', app: 'SLACK', tenantId: 'T1' },
        status: 'FAILED',
        since: '2024-05-01T00:00:00.000Z',
        limit: 7,
        format: 'table',
        stack: STACK_NAME,
      },
    });
    expect(parseQueryArgs(['--runs', '--since', '2024-05-01T12:30+02:00', '--format', 'CSV'])).toMatchObject({
      query: { selector: { kind: 'runs' }, since: '2024-05-01T10:30:00.000Z', format: 'csv' },
    });
    expect(parseQueryArgs(['--task', 'a', '--since', '2024-05-01T12:30'])).toMatchObject({
      query: { since: '2024-05-01T12:30:00.000Z' },
    });
  });

  it('prints the usage for --help and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--task ID');
  });
});

describe('selectors', () => {
  it('--task reads a task across runs, newest first', async () => {
    expect(ids(await json(['--task', taskId(1)]))).toEqual(['run-b/1', 'run-a/1']);
  });

  it('--email reads a person case-insensitively, newest first', async () => {
    expect(ids(await json(['--email', 'Jane@Example.COM']))).toEqual([
      'run-b/5',
      'run-b/1',
      'run-a/4',
      'run-a/2',
      'run-a/1',
    ]);
  });

  it('--app reads an app, and --tenant narrows it to one tenant', async () => {
    expect(ids(await json(['--app', 'SLACK']))).toEqual([
      'run-a/3',
      'run-b/5',
      'run-b/1',
      'run-a/2',
      'run-a/1',
    ]);
    expect(ids(await json(['--app', 'SLACK', '--tenant', 'T2']))).toEqual(['run-a/3']);
  });

  it('--run reads the task records of one run', async () => {
    expect(ids(await json(['--run', 'run-a']))).toEqual(['run-a/1', 'run-a/2', 'run-a/3', 'run-a/4']);
  });

  it('--runs lists runs newest first', async () => {
    const runs = await json(['--runs']);
    expect(runs.map((r) => [r.runId, r.outcome])).toEqual([
      ['run-b', 'FAILED'],
      ['run-a', 'SUCCEEDED'],
    ]);
  });
});

describe('filters', () => {
  it('--status keeps one status', async () => {
    expect(ids(await json(['--run', 'run-a', '--status', 'FAILED']))).toEqual(['run-a/2']);
    expect(ids(await json(['--task', taskId(1), '--status', 'expired']))).toEqual(['run-b/1']);
  });

  it('--since keeps records at or after the time, on every selector', async () => {
    expect(ids(await json(['--email', 'jane@example.com', '--since', minute(20)]))).toEqual([
      'run-b/5',
      'run-b/1',
    ]);
    expect(ids(await json(['--app', 'SLACK', '--since', '2024-05-01T10:03:00Z']))).toEqual([
      'run-a/3',
      'run-b/5',
      'run-b/1',
    ]);
    expect(ids(await json(['--app', 'SLACK', '--tenant', 'T1', '--since', '2024-05-01T10:02']))).toEqual([
      'run-b/5',
      'run-b/1',
      'run-a/2',
    ]);
    expect(ids(await json(['--run', 'run-a', '--since', minute(3)]))).toEqual(['run-a/3', 'run-a/4']);
    expect((await json(['--runs', '--since', minute(10)])).map((r) => r.runId)).toEqual(['run-b']);
    const later = await cli([
      '--task',
      taskId(1),
      '--since',
      '2024-05-02',
      '--table',
      TABLE,
      '--format',
      'json',
    ]);
    expect(JSON.parse(later.stdout)).toEqual([]);
  });

  it('--limit returns the first N in order', async () => {
    expect(ids(await json(['--email', 'jane@example.com', '--limit', '2']))).toEqual(['run-b/5', 'run-b/1']);
    expect((await json(['--runs', '--limit', '1'])).map((r) => r.runId)).toEqual(['run-b']);
  });
});

describe('formats', () => {
  it('json prints the records as stored, as an array', async () => {
    const records = await json(['--run', 'run-a', '--status', 'FAILED']);
    expect(records).toEqual([RECORDS[1]]);
  });

  it('--run in table format shows the run record and what each address of the run started', async () => {
    // Prepare: run-b was started from two addresses, one refused by AppFabric.
    const ledger = new DynamoDbStartLedger({ tableName: TABLE, client: DynamoDBDocumentClient.from(base) });
    const at = minute(20);
    await ledger.put({
      runId: 'run-b',
      emailHash: 'h1',
      email: 'ok@example.com',
      state: 'STARTED',
      taskIds: [taskId(5)],
      errors: [],
      at,
    });
    await ledger.put({
      runId: 'run-b',
      emailHash: 'h2',
      email: 'refused@example.com',
      state: 'REJECTED',
      taskIds: [],
      errors: [{ errorCode: 'ValidationException' }],
      at,
    });

    // Act
    const result = await cli(['--run', 'run-b', '--table', TABLE]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Run run-b: FAILED/);
    expect(result.stdout).toContain('address ok@example.com: STARTED, 1 task');
    expect(result.stdout).toContain('address refused@example.com: REJECTED, 0 tasks (ValidationException)');
  });

  it('table prints readable columns by person then app, with userStatus, one row a record, and a count', async () => {
    // Act
    const result = await cli(['--run', 'run-a', '--table', TABLE]);

    // Assess: the run record's summary first, then the records.
    const all = result.stdout.trimEnd().split('\n');
    expect(all[0]).toBe('Run run-a: SUCCEEDED');
    const lines = all.slice(all.findIndex((l) => l.startsWith('email')));
    expect(result.code).toBe(0);
    expect(lines[0]?.split(/\s+/)).toEqual([
      'email',
      'app',
      'tenant',
      'status',
      'userStatus',
      'user',
      'taskId',
      'recordedAt',
      'error',
    ]);
    expect(lines[1]).toMatch(/^-+ +-+/);
    expect(lines).toHaveLength(2 + 4 + 1);
    // Bob first (case-insensitive), then Jane's SLACK records newest first, then her ZOOM one.
    expect(lines.slice(2, 6).map((l) => l.match(/0000000(\d) /)?.[1])).toEqual(['3', '2', '1', '4']);
    expect(lines[2]).toContain('SUSPENDED');
    expect(lines[2]).toContain('Doe, "Bobby" Bob');
    expect(lines[3]).toContain('FAILED');
    expect(lines[3]).toContain('E1: bad, "really" bad');
    expect(lines.at(-1)).toBe('4 records');
    // Columns line up: every row's status starts where the header's does.
    const statusColumn = lines[0]!.indexOf('status');
    for (const line of lines.slice(2, 6)) expect(line.slice(statusColumn)).toMatch(/^(COMPLETED|FAILED) /);
  });

  it('csv has a header and quotes commas, quotes and line breaks', async () => {
    // Act
    const result = await cli(['--run', 'run-a', '--table', TABLE, '--format', 'csv', '--limit', '3']);

    // Assess
    expect(result.code).toBe(0);
    const [header, ...rest] = result.stdout.split('\n');
    expect(header?.split(',').slice(0, 4)).toEqual(['runId', 'taskId', 'resultStatus', 'app']);
    expect(result.stdout).toContain(`run-a,${taskId(1)},COMPLETED,SLACK,T1,,jane@example.com,,Jane Doe,`);
    expect(result.stdout).toContain(',E1,"bad, ""really""\nbad",');
    expect(result.stdout).toContain(',"Doe, ""Bobby"" Bob",');
    // 3 records, one of them spanning two lines, and the trailing newline.
    expect(rest).toHaveLength(3 + 1 + 1);
  });

  it('csvField quotes only what needs it', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(undefined)).toBe('');
    expect(csvField(42)).toBe('42');
  });

  it('prints runs as a table', async () => {
    const result = await cli(['--runs', '--table', TABLE]);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^runId\s+outcome\s+startedAt/);
    expect(lines[2]).toMatch(/^run-b\s+FAILED/);
    expect(lines.at(-1)).toBe('2 runs');
  });
});

describe('reviewer queries', () => {
  it('--app and --task accept any case', async () => {
    // Act + Assess: the app is stored as SLACK, the task ID lower-case.
    expect(ids(await json(['--app', 'slack', '--tenant', 'T2']))).toEqual(['run-a/3']);
    expect(ids(await json(['--app', 'Slack', '--limit', '2']))).toEqual(['run-a/3', 'run-b/5']);
    expect(ids(await json(['--task', taskId(1).toUpperCase()]))).toEqual(['run-b/1', 'run-a/1']);
  });

  it('csv neutralises cells a spreadsheet would run, whatever their source', async () => {
    // Prepare: an address, a display name and an error message that start formulas.
    const store = new DynamoDbResultsStore({ tableName: TABLE, client: doc });
    await store.putTaskRecords([
      task(7, {
        runId: 'run-formula',
        email: '=2+5@example.com',
        tenantDisplayName: '+cmd|calc',
        userFullName: '=HYPERLINK("http://x","y")',
        resultStatus: 'FAILED',
        taskError: { errorCode: '-E', errorMessage: '@SUM(A1)' },
      }),
    ]);

    // Act
    const result = await cli(['--run', 'run-formula', '--table', TABLE, '--format', 'csv']);

    // Assess
    const row = result.stdout.split('\n')[1]!;
    expect(row).toContain(',\'+cmd|calc,\'=2+5@example.com,,"\'=HYPERLINK(""http://x"",""y"")",');
    expect(row).toContain(",'-E,'@SUM(A1),");
    expect(row.split(',').filter((cell) => /^[=+\-@]/.test(cell))).toEqual([]);
  });

  it('rejected addresses appear as REJECTED rows in csv and json too', async () => {
    // Act: run-b has a refused address (written by the formats test above).
    const csv = await cli(['--run', 'run-b', '--table', TABLE, '--format', 'csv']);

    // Assess
    expect(csv.stdout).toContain(',REJECTED,,,,refused@example.com,');
    expect(csv.stdout).toContain(',ValidationException,');
  });
});

describe('empty answers', () => {
  it('prints "No records found for ..." with the query', async () => {
    const result = await cli(['--task', taskId(9), '--status', 'FAILED', '--table', TABLE]);
    expect(result).toEqual({
      code: 0,
      stdout: `No records found for task ${taskId(9)} (status FAILED)\n`,
      stderr: '',
    });
  });

  it('keeps json and csv parseable: [] or the header on stdout, the message on stderr', async () => {
    const asJson = await cli(['--email', 'nobody@example.com', '--table', TABLE, '--format', 'json']);
    const asCsv = await cli(['--app', 'NONE', '--tenant', 'T1', '--table', TABLE, '--format', 'csv']);
    expect(asJson).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(asJson.stderr).toBe('No records found for email nobody@example.com\n');
    expect(asCsv.stdout).toMatch(/^runId,taskId,resultStatus,/);
    expect(asCsv.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(asCsv.stderr).toBe('No records found for app NONE tenant T1\n');
  });
});

describe('paging', () => {
  it('prints every record when the answer spans several pages', async () => {
    // Prepare: a reader that asks DynamoDB for 2 items a page, counting the Query calls.
    const client = DynamoDBDocumentClient.from(base);
    const send = jest.spyOn(client, 'send');
    const inner = new ResultsReader({ tableName: TABLE, client });
    const reader = {
      byRun: (id: string, o: object) => inner.byRun(id, { ...o, pageSize: 2 }),
      byTask: (id: string, o: object) => inner.byTask(id, { ...o, pageSize: 2 }),
      byEmail: (email: string, o: object) => inner.byEmail(email, { ...o, pageSize: 2 }),
      byApp: (app: string, tenant: string | undefined, o: object) =>
        inner.byApp(app, tenant, { ...o, pageSize: 2 }),
      listRuns: (o: object) => inner.listRuns({ ...o, pageSize: 2 }),
      getRun: (id: string) => inner.getRun(id),
      startRecords: (id: string) => inner.startRecords(id),
    };

    // Act
    const result = await cli(['--email', 'jane@example.com', '--format', 'json'], { reader });

    // Assess
    expect(ids(JSON.parse(result.stdout))).toEqual(['run-b/5', 'run-b/1', 'run-a/4', 'run-a/2', 'run-a/1']);
    expect(send.mock.calls.filter(([c]) => c instanceof QueryCommand).length).toBeGreaterThanOrEqual(3);
  });
});

describe('table resolution', () => {
  it('takes the table from RESULTS_TABLE_NAME', async () => {
    const result = await cli(['--run', 'run-b', '--format', 'json'], {
      env: { RESULTS_TABLE_NAME: TABLE, AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint },
    });
    expect(result.code).toBe(0);
    expect(ids(JSON.parse(result.stdout))).toEqual(['run-b/1', 'run-b/5', 'run-b/REJECTED']);
  });

  it("takes the table and endpoint from the local run's .local/last-run.json", async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'query-last-run-'));
    await mkdir(join(dir, '.local'));
    await writeFile(
      join(dir, LAST_RUN_FILE),
      JSON.stringify({ tableName: TABLE, endpoint: dynamo.endpoint }),
    );

    // Act
    const result = await cli(['--runs', '--format', 'json'], { env: {}, cwd: dir });
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).map((r: RunRecord) => r.runId)).toEqual(['run-b', 'run-a']);
  });

  it('exits 2 explaining where the table name comes from when no source names one', async () => {
    // Act: no stack lookup is injected (as without AWS), and none of the other sources names a table.
    const result = await cli(['--runs'], { env: {} });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--table/);
    expect(result.stderr).toMatch(/RESULTS_TABLE_NAME/);
    expect(result.stderr).toContain(STACK_NAME);
  });

  it("opens the local run's data directory when the local run has ended", async () => {
    // Prepare: a dynalite on disk with one run, then stopped, as `npm start` leaves it.
    const dir = await mkdtemp(join(tmpdir(), 'query-data-'));
    const onDisk = await startDynalite({ path: join(dir, 'data') });
    const client = createDocumentClient({
      endpoint: onDisk.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    await ensureTable(client, TABLE);
    await new DynamoDbResultsStore({ tableName: TABLE, client }).putRunRecord(
      run('run-disk', '2026-02-01T00:00:00.000Z', 'SUCCEEDED'),
    );
    client.destroy();
    await onDisk.close();
    await mkdir(join(dir, '.local'), { recursive: true });
    await writeFile(join(dir, LAST_RUN_FILE), JSON.stringify({ tableName: TABLE, dataPath: 'data' }));

    // Act
    const result = await cli(['--runs', '--format', 'json'], { env: {}, cwd: dir });
    await rm(dir, { recursive: true, force: true });

    // Assess
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).map((r: RunRecord) => r.runId)).toEqual(['run-disk']);
  });

  it('exits 1 when the read fails, 3 when the local run file is corrupt, each in one line', async () => {
    const missing = await cli(['--runs', '--table', 'no-such-table']);
    const dir = await mkdtemp(join(tmpdir(), 'query-bad-run-'));
    await mkdir(join(dir, '.local'));
    await writeFile(join(dir, LAST_RUN_FILE), '{ not json');
    const corrupt = await cli(['--runs'], { env: {}, cwd: dir });
    await rm(dir, { recursive: true, force: true });

    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-table.*ResourceNotFoundException/);
    expect(corrupt.code).toBe(3);
    expect(corrupt.stderr).toMatch(/last-run\.json is not JSON: run npm start again/);
    for (const r of [missing, corrupt]) {
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toContain('    at ');
    }
  });
});
