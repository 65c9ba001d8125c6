/**
 * The completion event of a local run (`npm start`): the rendered state machine on aws-local-stepfunctions,
 * the real handler, the AppFabric stand-in and dynalite. The runner collects the event the
 * `events:putEvents` state would send; it must match the records stored and name no person.
 */
import { TerminalStatuses } from '../../lambda/contract/statuses';
import type { BundleApp, TaskBehaviour } from '../../local/appfabric-standin';
import { type LocalPoller, startLocalPoller } from '../../local/harness';

const BUNDLE_ARN = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const APPS: BundleApp[] = [
  { app: 'SLACK', tenantId: 'T0EVENT', tenantDisplayName: 'Event workspace' },
  { app: 'OKTA', tenantId: 'event.okta.com' },
];
const BEHAVIOUR: Record<string, TaskBehaviour> = {
  SLACK: { outcome: 'COMPLETED', inProgressPolls: 1 },
  OKTA: { outcome: 'FAILED', inProgressPolls: 0 },
};
const PEOPLE = ['ada.lovelace@example.com', 'Grace.Hopper@Example.com'];

let poller: LocalPoller;

beforeAll(async () => {
  poller = await startLocalPoller({ seed: 5 });
  poller.appFabric.addBundle(BUNDLE_ARN, APPS);
  poller.appFabric.setStartScript(BUNDLE_ARN, (_email, app) => BEHAVIOUR[app.app]);
});

afterAll(async () => {
  await poller?.close();
});

test('a run from addresses sends one event whose counts are the records stored, and no address or name', async () => {
  // Act
  const report = await poller.execute({ appBundleIdentifier: BUNDLE_ARN, emails: PEOPLE });
  // Assess: the run succeeded and sent exactly one event about it.
  expect(report.status).toBe('SUCCEEDED');
  expect(report.completionEvents).toHaveLength(1);
  const [{ Detail: detail }] = report.completionEvents;
  expect(detail).toMatchObject({ runId: report.runId, outcome: 'SUCCEEDED' });
  // The counts are what the table holds for the run.
  const records = await poller.reader.byRun(report.runId);
  const stored = Object.fromEntries(
    TerminalStatuses.map((s) => [s, records.filter((r) => r.resultStatus === s).length]),
  );
  expect(detail.counts).toEqual({ total: records.length, pending: 0, ...stored });
  expect(detail.counts.COMPLETED).toBe(2);
  expect(detail.counts.FAILED).toBe(2);
  // Times and links of this execution.
  expect(Date.parse(detail.endedAt)).toBeGreaterThanOrEqual(Date.parse(detail.startedAt));
  expect(detail.executionArn).toContain(report.runId);
  expect(detail.executionUrl).toContain(encodeURI(detail.executionArn));
  // No person anywhere: not the addresses, not their parts, not the names the stand-in answered with.
  const text = JSON.stringify(report.completionEvents);
  for (const person of PEOPLE) {
    for (const part of person.toLowerCase().split(/[@.]/)) {
      if (part !== 'com') expect(text.toLowerCase()).not.toContain(part);
    }
  }
  const names = records.flatMap((r) => [r.userFullName, r.userFirstName, r.userLastName, r.email]);
  for (const name of names.filter((n): n is string => typeof n === 'string' && n.length > 0)) {
    expect(text).not.toContain(name);
  }
});
