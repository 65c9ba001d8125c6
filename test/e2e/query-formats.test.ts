/**
 * The query CLI end to end against dynalite: its output formats.
 */
import { csvField } from '../../cli/query/format';
import { cli, json, putRunBStarts, RECORDS, TABLE, taskId, useQueryTable } from '../support/query-fixture';

useQueryTable();

describe('formats', () => {
  it('json prints the records as stored, as an array', async () => {
    const records = await json(['--run', 'run-a', '--status', 'FAILED']);
    expect(records).toEqual([RECORDS[1]]);
  });

  it('--run in table format shows the run record and what each address of the run started', async () => {
    // Prepare: run-b was started from two addresses, one refused by AppFabric.
    await putRunBStarts();

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
