/**
 * `npm run query -- --run ID --watch` on a local table (dynalite, the real ResultsStore): the run record's
 * counts and last poll time advance between redraws, with an injected clock and sleep (no waiting), until
 * the run ends. And a deployed execution stopped outside the function is shown with that outcome.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { main } from '../../cli/query';
import { progressBlock } from '../../cli/watch';
import { toRunItem } from '../../lambda/adapters/dynamodb-items';
import type { RunRecord, StatusCounts } from '../../lambda/core/model';
import { BUNDLE, type Fixture, sink, startFixture, TABLE } from '../support/cli-fixture';

let fx: Fixture;
let dir: string;

beforeAll(async () => {
  fx = await startFixture();
  dir = await mkdtemp(join(tmpdir(), 'watch-test-'));
});

afterAll(async () => {
  await fx.close();
  await rm(dir, { recursive: true, force: true });
});

const START = Date.parse('2026-12-01T10:00:00Z');
const at = (minutes: number) => new Date(START + minutes * 60_000).toISOString();
const counts = (done: number, total = 100): StatusCounts => ({
  total,
  pending: total - done,
  COMPLETED: done,
  FAILED: 0,
  EXPIRED: 0,
  NOT_FOUND: 0,
  TIMED_OUT: 0,
});
const runRecord = (id: string, outcome: RunRecord['outcome'], c: StatusCounts, extra: object = {}) =>
  ({
    runId: id,
    appBundleIdentifier: BUNDLE,
    inputKind: 'taskIds',
    outcome,
    startedAt: at(0),
    counts: c,
    ...extra,
  }) as RunRecord;

/**
 * The run record as the poll cycle writes it: through the adapter's item layout, plus the live progress
 * fields (`lastPolledAt`, `cycle`) that the core adds each cycle, written here whether or not this
 * adapter version knows them.
 */
const writeRun = async (run: RunRecord & { lastPolledAt?: string; cycle?: number }) => {
  const { lastPolledAt, cycle } = run;
  await fx.doc.send(
    new PutCommand({
      TableName: TABLE,
      Item: {
        ...toRunItem(run),
        ...(lastPolledAt ? { lastPolledAt } : {}),
        ...(cycle === undefined ? {} : { cycle }),
      },
    }),
  );
};

it('redraws with a progress bar and an estimated finish until the run ends', async () => {
  // Prepare: a running run; each "sleep" is the next poll cycle writing the run record.
  const id = 'watch-run';
  await writeRun(runRecord(id, 'RUNNING', counts(0), { lastPolledAt: at(0), cycle: 0 }));
  const cycles = [
    runRecord(id, 'RUNNING', counts(25), { lastPolledAt: at(10), cycle: 1 }),
    runRecord(id, 'RUNNING', counts(50), { lastPolledAt: at(20), cycle: 2 }),
    runRecord(id, 'SUCCEEDED', counts(100), { lastPolledAt: at(30), cycle: 3, endedAt: at(30) }),
  ];
  let now = START;
  const sleeps: number[] = [];
  const out = sink();
  const err = sink();

  // Act
  const code = await main(['--run', id, '--watch', '--interval', '60', '--table', TABLE], {
    stdout: out,
    stderr: err,
    env: { AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint },
    cwd: dir,
    clock: {
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += 10 * 60_000;
        await writeRun(cycles.shift()!);
      },
    },
  });

  // Assess: four redraws, the last one the end.
  expect({ code, err: err.text() }).toEqual({ code: 0, err: '' });
  expect(sleeps).toEqual([60_000, 60_000, 60_000]);
  const blocks = out.text().trimEnd().split('\n\n');
  expect(blocks).toHaveLength(4);
  expect(blocks[0]).toContain('[------------------------------]   0%  0 of 100 tasks done, 100 pending');
  expect(blocks[0]).toContain('estimated finish: not yet known');
  expect(blocks[1]).toContain('Run watch-run: RUNNING, cycle 1, last polled 2026-12-01T10:10:00.000Z');
  expect(blocks[1]).toContain('[########----------------------]  25%  25 of 100 tasks done, 75 pending');
  // 25 tasks in 10 minutes: 75 more take 30 minutes from the last poll.
  expect(blocks[1]).toContain(
    '2.5 tasks/min observed, estimated finish 2026-12-01T10:40:00.000Z (in 30 min)',
  );
  expect(blocks[2]).toContain('estimated finish 2026-12-01T10:40:00.000Z (in 20 min)');
  expect(blocks[3]).toContain('[##############################] 100%  100 of 100 tasks done, 0 pending');
  expect(blocks[3]).toMatch(/Run watch-run ended: SUCCEEDED at 2026-12-01T10:30:00.000Z$/);
});

it('reads run records without counts or lastPolledAt', () => {
  // Act
  const lines = progressBlock(
    { ...runRecord('old', 'RUNNING', undefined as unknown as StatusCounts) },
    START,
  );

  // Assess
  expect(lines[1]).toContain('0 of 0 tasks done, 0 pending');
  expect(lines.at(-1)).toContain('not yet known');
});

it('shows an execution stopped outside the function with that outcome, and stops watching', async () => {
  // Prepare: the record still says RUNNING; Step Functions says ABORTED.
  const id = 'stopped-run';
  await writeRun(runRecord(id, 'RUNNING', counts(40), { lastPolledAt: at(5) }));
  const out = sink();
  const executions = async () => ({ status: 'ABORTED', stoppedAt: at(7) });
  const io = {
    stdout: out,
    stderr: sink(),
    env: { AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint },
    cwd: dir,
    executions,
    clock: { now: () => START, sleep: async () => {} },
  };

  // Act
  const watched = await main(['--run', id, '--watch', '--table', TABLE], io);
  const shown = sink();
  await main(['--run', id, '--table', TABLE], { ...io, stdout: shown });

  // Assess
  expect(watched).toBe(0);
  expect(out.text()).toContain(
    'execution ABORTED at 2026-12-01T10:07:00.000Z: it ended outside the function',
  );
  expect(shown.text()).toMatch(/^Run stopped-run: RUNNING\n/);
  expect(shown.text()).toContain('execution ABORTED at 2026-12-01T10:07:00.000Z');
});

it('--run shows the run record and its error even when the run has no task records', async () => {
  // Prepare
  await fx.store.putRunRecord(
    runRecord('failed-at-start', 'FAILED', counts(0, 0), {
      errorName: 'InvalidInputError',
      errorCause: 'taskIdList[0]: is not a task ID (UUID)',
      endedAt: at(1),
    }),
  );
  const table = sink();
  const json = sink();
  const jsonErr = sink();
  const env = { AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint };

  // Act
  await main(['--run', 'failed-at-start', '--table', TABLE], {
    stdout: table,
    stderr: sink(),
    env,
    cwd: dir,
  });
  await main(['--run', 'failed-at-start', '--table', TABLE, '--format', 'json'], {
    stdout: json,
    stderr: jsonErr,
    env,
    cwd: dir,
  });

  // Assess
  expect(table.text()).toMatch(
    /^Run failed-at-start: FAILED \(InvalidInputError: taskIdList\[0\]: is not a task ID \(UUID\)\)/,
  );
  expect(table.text()).toContain('No task records for run failed-at-start');
  expect(json.text()).toBe('[]\n');
  expect(jsonErr.text()).toBe(
    'No task records for run failed-at-start: the run is FAILED (InvalidInputError)\n',
  );
});

it('--runs --status filters by outcome', async () => {
  // Act
  const out = sink();
  await main(['--runs', '--status', 'failed', '--table', TABLE, '--format', 'json'], {
    stdout: out,
    stderr: sink(),
    env: { AWS_ENDPOINT_URL_DYNAMODB: fx.dynamo.endpoint },
    cwd: dir,
  });

  // Assess
  expect(JSON.parse(out.text()).map((r: RunRecord) => [r.runId, r.outcome])).toEqual([
    ['failed-at-start', 'FAILED'],
  ]);
});
