/**
 * `npm run report`: the access matrix of a run and the diff of two runs, in every format, read from
 * dynalite where the real adapters wrote the two runs of test/support/cli-fixture.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, type ReportIo } from '../../cli/report';
import {
  CHANGED,
  type Fixture,
  NEW,
  NEW_RUN,
  OLD_RUN,
  sink,
  startFixture,
  TABLE,
} from '../support/cli-fixture';

let fx: Fixture;
let dir: string;

beforeAll(async () => {
  fx = await startFixture();
  dir = await mkdtemp(join(tmpdir(), 'report-test-'));
});

afterAll(async () => {
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

const report = async (argv: string[], io: Partial<ReportIo> = {}) => {
  const out = sink();
  const err = sink();
  const code = await main([...argv, '--table', TABLE], {
    stdout: out,
    stderr: err,
    env: { AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint },
    cwd: dir,
    now: () => new Date('2026-12-01T12:00:00Z'),
    ...io,
  });
  return { code, stdout: out.text(), stderr: err.text() };
};

describe('report --run: the access matrix', () => {
  it('table: a row per person, a column per app (and tenant where an app has several), totals', async () => {
    // Act
    const { code, stdout, stderr } = await report(['--run', NEW_RUN]);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      `Run ${NEW_RUN}: SUCCEEDED, started 2026-12-01T09:00:00.000Z, ended 2026-12-01T10:00:00.000Z`,
    );
    const header = lines.find((l) => l.startsWith('person'))!;
    expect(header.split(/\s{2,}/)).toEqual([
      'person',
      'Okta',
      'Slack (T1)',
      'Slack (T2)',
      'Zoom',
      '(no app named)',
      'totals',
    ]);
    const row = (who: string) => lines.find((l) => l.startsWith(who))!.split(/\s{2,}/);
    expect(row('ana@example.com')).toEqual([
      'ana@example.com',
      'has access (SUSPENDED)',
      'has access (ACTIVE)',
      'has access (ACTIVE)',
      'has access 3',
    ]);
    // bo: the Slack failure is USER_NOT_FOUND, i.e. no account; cells line up under their columns.
    const bo = lines.find((l) => l.toLowerCase().startsWith('bo@example.com'))!;
    expect(bo.slice(header.indexOf('Slack (T1)'))).toMatch(/^no account\s/);
    expect(bo.slice(header.indexOf('Zoom'))).toMatch(/^expired\s/);
    const dara = lines.find((l) => l.startsWith('dara@example.com'))!;
    expect(dara.slice(header.indexOf('Slack (T1)'))).toMatch(/^failed \(RATE_LIMIT\)\s/);
    expect(dara.slice(header.indexOf('Zoom'))).toMatch(/^not found\s/);
    // The refused address and the task without an address are rows too.
    const refused = lines.find((l) => l.startsWith('+refused@example.com'))!;
    expect(refused.slice(header.indexOf('(no app named)'))).toMatch(/^refused \(ValidationException\)\s/);
    expect(stdout).toMatch(/^\(unknown person\) 0{8}-0{4}-4000-8000-\d{12}\s+timed out/m);
    expect(row('total has access')).toEqual(['total has access', '2', '2', '0', '1', '0', '5']);
    expect(row('total timed out')).toEqual(['total timed out', '1', '0', '1', '0', '0', '2']);
    expect(lines[1]).toBe(
      '6 people × 4 apps: has access 5, no account 1, failed 1, expired 1, not found 1, timed out 2, refused 1',
    );
  });

  it('json: the same cells, columns and totals, structured', async () => {
    // Act
    const { code, stdout } = await report(['--run', NEW_RUN, '--format', 'json']);

    // Assess
    expect(code).toBe(0);
    const m = JSON.parse(stdout);
    expect(m.columns.map((c: { label: string }) => c.label)).toEqual([
      'Okta',
      'Slack (T1)',
      'Slack (T2)',
      'Zoom',
      '(no app named)',
    ]);
    const bo = m.rows.find((r: { person: string }) => r.person.toLowerCase() === 'bo@example.com');
    expect(bo.cells['Slack (T1)']).toMatchObject({ kind: 'no-account', errorCode: 'USER_NOT_FOUND' });
    expect(bo.totals).toMatchObject({ access: 1, 'no-account': 1, expired: 1 });
    expect(m.appTotals.Zoom).toMatchObject({ access: 1, expired: 1, 'not-found': 1 });
    expect(m.rows.map((r: { person: string }) => r.person)).toContain('+refused@example.com');
    expect(
      m.totals.access +
        m.totals['no-account'] +
        m.totals.failed +
        m.totals.expired +
        m.totals['not-found'] +
        m.totals['timed-out'],
    ).toBe(NEW.length);
    expect(m.totals.refused).toBe(1);
  });

  it('csv: formula-safe cells, a totals line per status', async () => {
    // Act
    const { code, stdout } = await report(['--run', NEW_RUN, '--format', 'csv']);

    // Assess
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'person,taskId,Okta,Slack (T1),Slack (T2),Zoom,(no app named),has access,no account,failed,expired,not found,timed out,pending,refused',
    );
    // The refused address starts with '+': neutralised with a quote.
    expect(lines).toContain("'+refused@example.com,,,,,,refused (ValidationException),0,0,0,0,0,0,0,1");
    expect(lines.find((l) => l.startsWith('total has access'))).toBe('total has access,,2,2,0,1,0,5,,,,,,,');
    expect(lines.filter((l) => /^[=+\-@]/.test(l))).toEqual([]);
  });

  it('html: one file with the matrix and the chart, written whole with --out', async () => {
    // Act
    const file = join(dir, 'report.html');
    const { code, stderr } = await report(['--run', NEW_RUN, '--format', 'html', '--out', file]);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe(`report written to ${file}\n`);
    const html = await readFile(file, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<svg');
    expect(html).toContain('+refused@example.com');
    expect(html).not.toMatch(/<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('a run that does not exist exits 1 in one line', async () => {
    const { code, stdout, stderr } = await report(['--run', 'no-such-run']);
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(
      'error: no run no-such-run in the results table (npm run query -- --runs lists them)\n',
    );
  });
});

describe('report --diff: what changed between two runs', () => {
  it('lists exactly the cells that differ, per person and app', async () => {
    // Act
    const { code, stdout } = await report(['--diff', OLD_RUN, NEW_RUN, '--format', 'json']);

    // Assess
    expect(code).toBe(0);
    const diff = JSON.parse(stdout);
    expect(
      diff.changes
        .filter((c: { person: string }) => !c.person.startsWith('dara') && !c.person.startsWith('(unknown'))
        .map(
          (c: {
            person: string;
            app: string;
            tenantId?: string;
            change: string;
            before: string;
            after: string;
          }) => [
            c.person.toLowerCase(),
            c.app === 'Slack' && c.tenantId === 'T2' ? 'Slack (T2)' : c.app,
            c.change,
            c.before,
            c.after,
          ],
        ),
    ).toEqual(CHANGED);
    // dara is new: her failed and not-found cells are no change; the refused address is unknown on both sides.
    expect(diff.changes.map((c: { person: string }) => c.person)).not.toContain('dara@example.com');
    expect(diff.counts).toEqual({
      'access gained': 1,
      'access removed': 1,
      'userStatus changed': 1,
      'now unknown': 2,
    });
  });

  it('table, csv and html say the same', async () => {
    // Act
    const table = await report(['--diff', OLD_RUN, NEW_RUN]);
    const csv = await report(['--diff', OLD_RUN, NEW_RUN, '--format', 'csv']);
    const html = await report(['--diff', OLD_RUN, NEW_RUN, '--format', 'html']);

    // Assess
    expect(table.stdout.split('\n')[0]).toBe(
      `Changes from ${OLD_RUN} to ${NEW_RUN}: 5 cells (access gained 1, access removed 1, userStatus changed 1, now unknown 2)`,
    );
    expect(table.stdout).toMatch(
      /^Bo@Example\.com\s+Slack \(T1\)\s+access removed\s+has access \(ACTIVE\)\s+no account$/m,
    );
    expect(csv.stdout.trimEnd().split('\n')).toHaveLength(1 + CHANGED.length);
    expect(csv.stdout).toContain('ana@example.com,Zoom,Z1,access gained,no account,has access (ACTIVE)');
    expect(html.stdout.match(/<tr data-change=/g)).toHaveLength(CHANGED.length);
  });

  it('--diff-since compares each person of the run with their newest records before the date', async () => {
    // Act: before Q4, the newest records are Q3's.
    const since = await report(['--run', NEW_RUN, '--diff-since', '2026-10-01', '--format', 'json']);
    const before = await report(['--run', NEW_RUN, '--diff-since', '2026-01-01', '--format', 'json']);

    // Assess
    const changes = JSON.parse(since.stdout).changes.map((c: { person: string; change: string }) => [
      c.person.toLowerCase(),
      c.change,
    ]);
    expect(changes).toEqual(CHANGED.map(([person, , change]) => [person, change]));
    expect(JSON.parse(since.stdout).old).toBe('before 2026-10-01T00:00:00.000Z');
    // Nothing before 2026: every access of the run is gained.
    expect(JSON.parse(before.stdout).counts['access gained']).toBe(5);
  });
});

describe('arguments', () => {
  it.each([
    [[], undefined],
    [['--diff', OLD_RUN], '--diff'],
    [['--diff', OLD_RUN, NEW_RUN, '--run', 'x'], '--run'],
    [['--diff-since', '2026-01-01'], '--diff-since'],
    [['--run', 'x', '--diff-since', 'yesterday'], '--diff-since'],
    [['--run', 'x', '--format', 'pdf'], '--format'],
    [['--run', 'x', '--bogus'], '--bogus'],
  ])('%j exits 2 with the usage', async (argv, flag) => {
    // Act
    const out = sink();
    const err = sink();
    const code = await main(argv, { stdout: out, stderr: err, env: {}, cwd: dir });

    // Assess
    expect(code).toBe(2);
    expect(out.text()).toBe('');
    if (flag) expect(err.text().split('\n')[0]).toContain(flag);
    expect(err.text()).toContain('Usage: npm run report');
  });
});
