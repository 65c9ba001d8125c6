/**
 * A whole run started from addresses, against in-memory ports: tasks complete, fail, expire, go missing
 * and time out, and every record names its person, app and tenant.
 */
import type { LoopState } from '../../lambda/core/model';
import { pollCycle } from '../../lambda/core/poll';
import { startRun } from '../../lambda/core/start';
import { fakeWorld } from '../support/fakes';

describe('an emails run in which tasks complete, fail, expire, go missing and time out', () => {
  it('stores every record with the address, app and tenant, whatever its status', async () => {
    // Prepare: five apps, one outcome each; FAILED and EXPIRED answers leave app and tenant out.
    const world = fakeWorld({ deadlineSeconds: 600, notFoundAfterMisses: 2 });
    world.gateway.bundleApps = [
      { app: 'SLACK', tenantId: 'T0ACME' },
      { app: 'ZOOM', tenantId: 'ZM-1' },
      { app: 'OKTA', tenantId: 'acme.okta.com' },
      { app: 'BOX', tenantId: 'box-1' },
      { app: 'JIRA', tenantId: 'acme.atlassian.net' },
    ];
    world.gateway.startScript = (email, app) =>
      ({
        SLACK: { outcome: 'COMPLETED' as const, inProgressPolls: 1 },
        ZOOM: {
          outcome: 'FAILED' as const,
          bareFinalAnswer: true,
          taskError: { errorCode: 'USER_NOT_FOUND', errorMessage: `No user ${email} in Zoom` },
        },
        OKTA: { outcome: 'EXPIRED' as const, bareFinalAnswer: true },
        BOX: { outcome: 'MISSING' as const },
        JIRA: { outcome: 'NEVER' as const },
      })[app] ?? {};
    const people = ['jane.doe@example.com', 'bo@example.com'];

    // Act
    let state: LoopState = await startRun(
      { runId: 'emails-all', input: { emails: people } },
      world.deps,
      world.starter,
    );
    for (let i = 0; state.status === 'PENDING' && i < 100; i++) {
      world.clock.advanceSeconds(state.waitSeconds);
      state = (await pollCycle(state, world.deps)).state;
    }

    // Assess
    expect(state.status).toBe('TIMED_OUT');
    const records = world.results.recordsOf('emails-all');
    expect(records).toHaveLength(10);
    const cells = records.map((r) => [r.email, r.app, r.tenantId, r.resultStatus].join(' ')).sort();
    expect(cells).toEqual(
      [
        'bo@example.com BOX box-1 NOT_FOUND',
        'bo@example.com JIRA acme.atlassian.net TIMED_OUT',
        'bo@example.com OKTA acme.okta.com EXPIRED',
        'bo@example.com SLACK T0ACME COMPLETED',
        'bo@example.com ZOOM ZM-1 FAILED',
        'jane.doe@example.com BOX box-1 NOT_FOUND',
        'jane.doe@example.com JIRA acme.atlassian.net TIMED_OUT',
        'jane.doe@example.com OKTA acme.okta.com EXPIRED',
        'jane.doe@example.com SLACK T0ACME COMPLETED',
        'jane.doe@example.com ZOOM ZM-1 FAILED',
      ].sort(),
    );
    // AppFabric's text about the person is stored redacted; the record names the person in `email`.
    const zoom = records.filter((r) => r.app === 'ZOOM').map((r) => r.taskError);
    expect(zoom).toEqual([
      { errorCode: 'USER_NOT_FOUND', errorMessage: 'No user <email> in Zoom' },
      { errorCode: 'USER_NOT_FOUND', errorMessage: 'No user <email> in Zoom' },
    ]);
    expect(world.results.runs.get('emails-all')?.counts).toEqual(state.counts);
    // Nothing personal in what the state machine carried, nor in a log line.
    expect(JSON.stringify(state)).not.toContain('@');
    expect(JSON.stringify(world.log.entries)).not.toContain('@');
  });
});
