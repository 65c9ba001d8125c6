/**
 * The query CLI end to end against dynalite: its arguments and how it finds the table.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAST_RUN_FILE, STACK_NAME } from '../../cli/query';
import { parseQueryArgs } from '../../cli/query/args';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import type { RunRecord } from '../../lambda/core/model';
import { startDynalite } from '../../local/dynalite';
import { ensureTable } from '../../local/table';
import { cli, dynamo, ids, putRunBStarts, run, TABLE, useQueryTable } from '../support/query-fixture';

useQueryTable();

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

describe('table resolution', () => {
  // run-b's start ledger, which the formats suite's table test writes too.
  beforeAll(putRunBStarts);

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
