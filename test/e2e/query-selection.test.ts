/**
 * The query CLI end to end against dynalite: which records it selects (selectors, filters, reviewer queries),
 * empty answers and paging.
 */
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ResultsReader } from '../../cli/results-reader';
import { DynamoDbResultsStore } from '../../lambda/adapters/dynamodb-results-store';
import {
  base,
  cli,
  doc,
  ids,
  json,
  minute,
  putRunBStarts,
  TABLE,
  task,
  taskId,
  useQueryTable,
} from '../support/query-fixture';

useQueryTable();

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

describe('reviewer queries', () => {
  // run-b's start ledger, which the formats suite's table test writes too.
  beforeAll(putRunBStarts);

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
