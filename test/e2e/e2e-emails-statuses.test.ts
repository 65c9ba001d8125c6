/**
 * An emails run in which tasks complete, fail, expire, go missing and time out, end to end (the rendered
 * state machine, the real handler, the AppFabric stand-in and dynalite): every record names its person,
 * app and tenant, whatever its status, and the byEmail index lists every app of the person.
 */
import { ErrorNames } from '../../lambda/contract/workflow';
import type { BundleApp, TaskBehaviour } from '../../local/appfabric-standin';
import { type LocalPoller, startLocalPoller } from '../../local/harness';
import { NEVER } from '../support/local-e2e';

/** No address and no `@` anywhere in what the execution carried between states. */
function expectNoAddress(what: unknown, emails: string[]) {
  const text = JSON.stringify(what).toLowerCase();
  for (const email of emails) expect(text).not.toContain(email.toLowerCase());
  expect(text).not.toContain('@');
}

describe('an emails run in which tasks complete, fail, expire, go missing and time out', () => {
  const MIXED_BUNDLE =
    'arn:aws:appfabric:us-east-1:123456789012:appbundle/5d4c3b2a-1f0e-4d9c-8b7a-695847362514';
  const MIXED_APPS: BundleApp[] = [
    { app: 'SLACK', tenantId: 'T0MIX' },
    { app: 'ZOOM', tenantId: 'ZM-MIX' },
    { app: 'OKTA', tenantId: 'mix.okta.com' },
    { app: 'BOX', tenantId: 'box-mix' },
    { app: 'JIRA', tenantId: 'mix.atlassian.net' },
  ];
  const MIXED: Record<string, TaskBehaviour> = {
    SLACK: { outcome: 'COMPLETED', inProgressPolls: 1 },
    ZOOM: { outcome: 'FAILED', inProgressPolls: 1 },
    OKTA: { outcome: 'EXPIRED' },
    BOX: { missing: true },
    JIRA: { inProgressPolls: NEVER },
  };
  let mixed: LocalPoller;

  beforeAll(async () => {
    mixed = await startLocalPoller({ seed: 22, context: { deadlineMinutes: 30 } });
    mixed.appFabric.addBundle(MIXED_BUNDLE, MIXED_APPS);
    mixed.appFabric.setStartScript(MIXED_BUNDLE, (_email, app) => MIXED[app.app]);
  });

  afterAll(async () => {
    await mixed?.close();
  });

  it('stores every record with the address, app and tenant, and --email finds every app of the person', async () => {
    // Prepare
    const people = ['jane.doe@example.com', 'Bo.Mix@Example.com'];

    // Act
    const report = await mixed.execute({ appBundleIdentifier: MIXED_BUNDLE, emails: people });

    // Assess: the run timed out (JIRA never finishes) after recording every task.
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe(ErrorNames.DeadlineExceeded);
    const records = await mixed.reader.byRun(report.runId);
    expect(records).toHaveLength(people.length * MIXED_APPS.length);
    const cells = records.map((r) => `${r.email} ${r.app} ${r.tenantId} ${r.resultStatus}`).sort();
    const expected = people.flatMap((email) =>
      MIXED_APPS.map(({ app, tenantId }) => {
        const status = {
          SLACK: 'COMPLETED',
          ZOOM: 'FAILED',
          OKTA: 'EXPIRED',
          BOX: 'NOT_FOUND',
          JIRA: 'TIMED_OUT',
        }[app];
        return `${email} ${app} ${tenantId} ${status}`;
      }),
    );
    expect(cells).toEqual(expected.sort());
    // The byEmail index answers for the person, whatever the case of the query.
    const jane = await mixed.reader.byEmail('JANE.DOE@example.com');
    expect(
      jane
        .filter((r) => r.runId === report.runId)
        .map((r) => `${r.app} ${r.resultStatus}`)
        .sort(),
    ).toEqual(['BOX NOT_FOUND', 'JIRA TIMED_OUT', 'OKTA EXPIRED', 'SLACK COMPLETED', 'ZOOM FAILED']);
    // The run record's counts are those of the records.
    expect(await mixed.reader.getRun(report.runId)).toMatchObject({
      outcome: 'TIMED_OUT',
      counts: { total: 10, pending: 0, COMPLETED: 2, FAILED: 2, EXPIRED: 2, NOT_FOUND: 2, TIMED_OUT: 2 },
    });
    // Nothing personal between states.
    expectNoAddress(
      report.cycles.map((c) => c.state),
      people,
    );
  });
});
