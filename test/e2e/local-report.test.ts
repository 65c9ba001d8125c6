/**
 * `npm run report` on REAL local runs: `npm start` (local/run.ts main) twice in one checkout with the same
 * addresses (examples/review-emails.txt) and seeds 1 and 2, then the report CLI reading `.local` as a user
 * would (no --table, no endpoint: last-run.json and the data directory). The access matrix in all four formats
 * holds every person and app with the cell the stand-in scripted; `--diff` lists exactly the cells
 * `scriptedChanges` predicts.
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as report } from '../../cli/report';
import { reviewBehaviour, scriptedChanges } from '../../local/review-script';
import { main as start } from '../../local/run';
import { DEMO_APPS } from '../../local/scenarios';
import { textSink } from '../support/local-e2e';

// Two runs of npm start (each renders the definition from the CDK code) and eight reports.
jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const APPS = DEMO_APPS.map((a) => a.app).sort();
let dir: string;
let emails: string[];
let runs: string[];

/** The reviewer's words for a cell as the access-review script makes it under `seed`. */
const scripted = (email: string, app: string, seed: number): string => {
  const b = reviewBehaviour(email, app, seed);
  return b.outcome === 'FAILED' ? 'no account' : `has access (${b.user?.userStatus})`;
};

const run = async (argv: string[], cli: typeof report) => {
  const out = textSink<typeof process.stdout>();
  const err = textSink<typeof process.stderr>();
  const code = await cli(argv, { stdout: out.stream, stderr: err.stream, cwd: dir, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
};

beforeAll(async () => {
  // Prepare: a checkout of its own with the example addresses; two runs of them, seeds 1 and 2.
  dir = await mkdtemp(join(tmpdir(), 'local-report-'));
  await cp(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  emails = (await readFile(join(dir, 'examples', 'review-emails.txt'), 'utf8'))
    .split(/\r?\n/)
    .filter(Boolean);
  runs = [];
  for (const seed of ['1', '2']) {
    const out = textSink<typeof process.stdout>();
    const err = textSink<typeof process.stderr>();
    const argv = ['--emails-file', 'examples/review-emails.txt', '--seed', seed, '--quiet'];
    const code = await start(argv, out.stream, err.stream, { cwd: dir, lockWaitMs: 60_000 });
    expect({ code, err: err.text() }).toEqual({ code: 0, err: '' });
    runs.push(/npm run report -- --run (\S+)/.exec(out.text())![1]);
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('report --diff between two local runs', () => {
  it('lists exactly the cells the access-review script changes from seed 1 to seed 2', async () => {
    // Prepare
    const expected = scriptedChanges(emails, APPS, 1, 2)
      .map((c) => ({
        person: c.email,
        app: c.app,
        before: scripted(c.email, c.app, 1),
        after: scripted(c.email, c.app, 2),
      }))
      .sort((x, y) => `${x.person}|${x.app}`.localeCompare(`${y.person}|${y.app}`));

    // Act
    const { code, stdout, stderr } = await run(['--diff', runs[0], runs[1], '--format', 'json'], report);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const diff = JSON.parse(stdout) as {
      old: string;
      new: string;
      changes: { person: string; app: string; before: string; after: string; change: string }[];
    };
    expect([diff.old, diff.new]).toEqual(runs);
    expect(expected.length).toBeGreaterThan(0);
    expect(
      diff.changes
        .map(({ person, app, before, after }) => ({ person, app, before, after }))
        .sort((x, y) => `${x.person}|${x.app}`.localeCompare(`${y.person}|${y.app}`)),
    ).toEqual(expected);
    for (const c of diff.changes) {
      expect(c.change).toBe(c.after === 'no account' ? 'access removed' : 'access gained');
    }
  });
});

describe('report --run of a local run, in every format', () => {
  /** The expected row of each person under seed 1: a cell per app, the number with access. */
  const expectedRows = () =>
    emails.map((email) => {
      const cells = APPS.map((app) => scripted(email, app, 1));
      return { email, cells, access: cells.filter((c) => c.startsWith('has access')).length };
    });

  it('table: a row per person with its scripted cells and totals, a column per app', async () => {
    // Act
    const { code, stdout, stderr } = await run(['--run', runs[0]], report);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^Run ${runs[0]}: SUCCEEDED, started `));
    const header = lines.find((l) => l.startsWith('person'))!;
    expect(header.split(/\s{2,}/)).toEqual(['person', ...APPS, 'totals']);
    const rows = expectedRows();
    for (const r of rows) {
      const noAccount = APPS.length - r.access;
      const totals = [r.access ? `has access ${r.access}` : '', noAccount ? `no account ${noAccount}` : '']
        .filter(Boolean)
        .join(', ');
      expect(lines.find((l) => l.startsWith(`${r.email} `))!.split(/\s{2,}/)).toEqual([
        r.email,
        ...r.cells,
        totals,
      ]);
    }
    const access = rows.reduce((n, r) => n + r.access, 0);
    expect(lines[1]).toBe(
      `${emails.length} people × ${APPS.length} apps: has access ${access}, no account ${emails.length * APPS.length - access}`,
    );
    const perApp = APPS.map((_, i) => String(rows.filter((r) => r.cells[i].startsWith('has access')).length));
    expect(lines.find((l) => l.startsWith('total has access'))!.split(/\s{2,}/)).toEqual([
      'total has access',
      ...perApp,
      String(access),
    ]);
  });

  it('csv: the same rows and per-app totals, one column per app and one per kind', async () => {
    // Act
    const { code, stdout, stderr } = await run(['--run', runs[0], '--format', 'csv'], report);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const [header, ...body] = stdout
      .trimEnd()
      .split(/\r?\n/)
      .map((l) => l.split(','));
    expect(header.slice(0, 2 + APPS.length + 2)).toEqual([
      'person',
      'taskId',
      ...APPS,
      'has access',
      'no account',
    ]);
    for (const r of expectedRows()) {
      expect(body.find((row) => row[0] === r.email)!.slice(0, 2 + APPS.length + 2)).toEqual([
        r.email,
        '',
        ...r.cells,
        String(r.access),
        String(APPS.length - r.access),
      ]);
    }
    expect(body.filter((row) => row[0].includes('@'))).toHaveLength(emails.length);
  });

  it('json: every person and app, the run record, totals that add up to the tasks run', async () => {
    // Act
    const { code, stdout, stderr } = await run(['--run', runs[0], '--format', 'json'], report);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const m = JSON.parse(stdout) as {
      run: { outcome: string; counts: { total: number; COMPLETED: number; FAILED: number } };
      columns: { label: string }[];
      rows: { person: string; cells: Record<string, { text: string }> }[];
      totals: Record<string, number>;
    };
    expect(m.columns.map((c) => c.label)).toEqual(APPS);
    const rows = expectedRows();
    expect(m.rows.map((r) => [r.person, APPS.map((a) => r.cells[a]?.text)])).toEqual(
      rows.map((r) => [r.email, r.cells]),
    );
    const access = rows.reduce((n, r) => n + r.access, 0);
    expect(m.totals).toMatchObject({ access, 'no-account': emails.length * APPS.length - access });
    expect(m.run).toMatchObject({
      outcome: 'SUCCEEDED',
      counts: {
        total: emails.length * APPS.length,
        COMPLETED: access,
        FAILED: emails.length * APPS.length - access,
      },
    });
  });

  it('html: one self-contained page with a row per person and a cell per app', async () => {
    // Act
    const { code, stdout, stderr } = await run(['--run', runs[0], '--format', 'html'], report);

    // Assess
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^<!doctype html>/i);
    expect(stdout).not.toMatch(/(src|href)="https?:/);
    for (const app of APPS) expect(stdout).toContain(`<th>${app}`);
    for (const r of expectedRows()) {
      const row = new RegExp(`<td>${r.email.replace(/\./g, '\\.')}</td>(.*?)</tr>`, 's').exec(stdout)?.[1];
      expect(row).toBeDefined();
      expect([...row!.matchAll(/<td class="cell"[^>]*>([^<]*)</g)].map((x) => x[1])).toEqual(r.cells);
      expect(row).toContain(`<td class="total" data-kind="access">${r.access || ''}<`);
    }
  });
});
