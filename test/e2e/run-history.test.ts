/**
 * A run learns from earlier runs of its bundle: two local runs of the same scenario (the rendered state
 * machine, the real handler, the stand-in and dynalite, by virtual time). The first cold-starts; the
 * second's state carries a finish profile from the first's records and polls no more than it did.
 */
import type { BundleApp } from '../../local/appfabric-standin';
import { type ExecutionReport, type LocalPoller, startLocalPoller } from '../../local/harness';

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/4d3c2b1a-0f9e-4d8c-8b7a-6f5e4d3c2b1a';
const APPS: BundleApp[] = [{ app: 'SLACK', tenantId: 'T0HISTORY' }];

/** Two waves: 20 tasks finish in 20–39 s, 20 in 20–30 minutes (apps whose APIs answer at very different speeds). */
const DURATIONS = Array.from({ length: 40 }, (_, i) => (i < 20 ? 20 + i : 1200 + (i - 20) * 30));

let poller: LocalPoller;

beforeAll(async () => {
  poller = await startLocalPoller({ seed: 12, virtualStandInClock: true, clockMovesOnlyWithWaits: true });
  poller.appFabric.addBundle(BUNDLE_ARN, APPS);
});

afterAll(async () => {
  await poller?.close();
});

/** One run of the scenario: fresh tasks (created now, on the virtual clock), polled to the end. */
async function runScenario(): Promise<ExecutionReport> {
  const taskIdList = DURATIONS.map((seconds) =>
    poller.appFabric.addTask(BUNDLE_ARN, { ...APPS[0], inProgressMs: seconds * 1000 }),
  );
  return poller.execute({ appBundleIdentifier: BUNDLE_ARN, taskIdList });
}

test('the second run of a scenario starts with a profile from the first and polls no more than it', async () => {
  // Act
  const first = await runScenario();
  poller.advance(3600);
  const second = await runScenario();

  // Assess: both runs recorded every task.
  for (const report of [first, second]) {
    expect(report.status).toBe('SUCCEEDED');
    expect(
      (await poller.reader.byRun(report.runId)).filter((r) => r.resultStatus === 'COMPLETED'),
    ).toHaveLength(DURATIONS.length);
  }
  // The first cold-started; the second carried a profile, timed from its own start, through its cycles.
  expect(first.cycles.every((c) => c.state.waitPolicy === undefined)).toBe(true);
  const policy = second.cycles[0].state.waitPolicy;
  expect(policy?.profile?.length).toBeGreaterThanOrEqual(2);
  expect(policy?.firstPollAt).toBe(Date.parse((await poller.reader.getRun(second.runId))?.startedAt ?? ''));
  expect(second.cycles.slice(0, -1).every((c) => c.state.waitPolicy?.profile !== undefined)).toBe(true);
  // Both waves are in the profile: some finishes within the first minute, some after 20 minutes.
  expect(Math.min(...(policy?.profile ?? []))).toBeLessThan(60);
  expect(Math.max(...(policy?.profile ?? []))).toBeGreaterThan(1200);
  expect(second.cycles.length).toBeLessThanOrEqual(first.cycles.length);
});
