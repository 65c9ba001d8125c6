/**
 * The AppFabric stand-in's task scripts: the answers each scripted task gives, poll after poll.
 */
import { StartUserAccessTasksCommand, ValidationException } from '../../lambda/appfabric';
import { startAppFabricStandIn } from '../../local/appfabric-standin';
import {
  BUNDLE_ARN,
  BUNDLE_UUID,
  failure,
  newClient,
  poll,
  standIn,
  statuses,
  UNKNOWN_ID,
  useStandIn,
} from '../support/standin-suite';

useStandIn();

describe('task scripts', () => {
  it('accepts the ARN and the UUID form of the same bundle', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, { email: 'kim@example.com' });

    // Act
    const byArn = await poll([taskId], BUNDLE_ARN);
    const byUuid = await poll([taskId], BUNDLE_UUID);

    // Assess
    expect(byArn.userAccessResultsList?.[0]?.taskId).toBe(taskId);
    expect(byUuid.userAccessResultsList?.[0]?.taskId).toBe(taskId);
  });

  it('reports IN_PROGRESS for inProgressPolls answers, then the outcome', async () => {
    // Prepare
    const completed = standIn.addTask(BUNDLE_UUID, { inProgressPolls: 2, outcome: 'COMPLETED' });
    const failed = standIn.addTask(BUNDLE_UUID, { inProgressPolls: 1, outcome: 'FAILED' });
    const expired = standIn.addTask(BUNDLE_UUID, { outcome: 'EXPIRED' });

    // Act
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await statuses([completed, failed, expired]));

    // Assess
    expect(answers).toEqual([
      ['IN_PROGRESS', 'IN_PROGRESS', 'EXPIRED'],
      ['IN_PROGRESS', 'FAILED', 'EXPIRED'],
      ['COMPLETED', 'FAILED', 'EXPIRED'],
    ]);
    expect(standIn.getTask(completed)?.polls).toBe(3);
  });

  it('shapes answers per status: IN_PROGRESS and EXPIRED carry no user fields, FAILED carries taskError', async () => {
    // Prepare
    const waiting = standIn.addTask(BUNDLE_UUID, { app: 'GITHUB', inProgressPolls: 1 });
    const failed = standIn.addTask(BUNDLE_UUID, { app: 'SLACK', outcome: 'FAILED' });
    const expired = standIn.addTask(BUNDLE_UUID, { app: 'SLACK', outcome: 'EXPIRED' });

    // Act
    const output = await poll([waiting, failed, expired]);

    // Assess
    expect(output.userAccessResultsList).toEqual([
      { app: 'GITHUB', tenantId: 'acme-org', taskId: waiting, resultStatus: 'IN_PROGRESS' },
      {
        app: 'SLACK',
        tenantId: 'T01',
        tenantDisplayName: 'Acme',
        taskId: failed,
        resultStatus: 'FAILED',
        taskError: { errorCode: 'USER_NOT_FOUND', errorMessage: expect.any(String) },
      },
      { app: 'SLACK', tenantId: 'T01', tenantDisplayName: 'Acme', taskId: expired, resultStatus: 'EXPIRED' },
    ]);
  });

  it('keeps a task IN_PROGRESS for inProgressMs', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, { inProgressMs: 300 });

    // Act
    const early = await statuses([taskId]);
    await new Promise((r) => setTimeout(r, 350));
    const late = await statuses([taskId]);

    // Assess
    expect(early).toEqual(['IN_PROGRESS']);
    expect(late).toEqual(['COMPLETED']);
  });

  it('leaves out missing tasks (always, or for the first N polls) and unknown IDs', async () => {
    // Prepare
    const never = standIn.addTask(BUNDLE_UUID, { missing: true });
    const late = standIn.addTask(BUNDLE_UUID, { missing: 2 });
    const known = standIn.addTask(BUNDLE_UUID, {});

    // Act
    const answers = [];
    for (let i = 0; i < 3; i++) {
      answers.push(
        ((await poll([never, late, UNKNOWN_ID, known])).userAccessResultsList ?? []).map((r) => r.taskId),
      );
    }

    // Assess
    expect(answers).toEqual([[known], [known], [late, known]]);
  });

  it('answers a task only under its own bundle', async () => {
    // Prepare
    const other = standIn.addBundle('2c3d4e5f-6071-4b8c-9dae-1f2a3b4c5d6e', [{ app: 'ZOOM', tenantId: 'z' }]);
    const taskId = standIn.addTask(other.uuid, {});

    // Act
    const wrongBundle = await poll([taskId], BUNDLE_UUID);
    const ownBundle = await poll([taskId], other.arn);

    // Assess
    expect(wrongBundle.userAccessResultsList).toEqual([]);
    expect(ownBundle.userAccessResultsList?.[0]).toMatchObject({ taskId, app: 'ZOOM', tenantId: 'z' });
  });

  it('StartUserAccessTasks creates one task per app that follows the bundle start script', async () => {
    // Prepare
    standIn.setStartScript(BUNDLE_UUID, (email, app) =>
      app.app === 'SLACK' ? { inProgressPolls: 1 } : { outcome: 'FAILED', taskError: { errorCode: email } },
    );
    const client = newClient();

    // Act
    const started = await client.send(
      new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_ARN, email: 'lee@example.com' }),
    );
    const ids = (started.userAccessTasksList ?? []).map((t) => t.taskId as string);
    const first = await poll(ids, BUNDLE_UUID, client);
    const second = await poll(ids, BUNDLE_UUID, client);
    standIn.setStartScript(BUNDLE_UUID, {});

    // Assess
    expect(started.$metadata.httpStatusCode).toBe(201);
    expect(ids).toHaveLength(2);
    expect(first.userAccessResultsList?.map((r) => [r.app, r.resultStatus, r.taskError?.errorCode])).toEqual([
      ['SLACK', 'IN_PROGRESS', undefined],
      ['GITHUB', 'FAILED', 'lee@example.com'],
    ]);
    expect(second.userAccessResultsList?.[0]).toMatchObject({
      app: 'SLACK',
      resultStatus: 'COMPLETED',
      email: 'lee@example.com',
      userFirstName: 'Lee',
    });
  });

  it('rejectEmail answers per-app errors, or a 400 on email', async () => {
    // Prepare
    standIn.rejectEmail('Item@Example.com');
    standIn.rejectEmail('invalid@example.com', { as: 'validation', errorMessage: 'no such user' });
    const client = newClient();

    // Act
    const items = await client.send(
      new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'item@example.com' }),
    );
    const error = await failure(
      client.send(
        new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'invalid@example.com' }),
      ),
    );

    // Assess
    expect(items.userAccessTasksList?.map((t) => [t.app, t.taskId, t.error?.errorCode])).toEqual([
      ['SLACK', undefined, 'TaskStartFailed'],
      ['GITHUB', undefined, 'TaskStartFailed'],
    ]);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).fieldList).toEqual([{ name: 'email', message: 'no such user' }]);
  });

  it('generates the same task IDs for the same seed', async () => {
    // Prepare
    const a = await startAppFabricStandIn({ seed: 42 });
    const b = await startAppFabricStandIn({ seed: 42 });
    const c = await startAppFabricStandIn({ seed: 43 });

    // Act
    const ids = [a, b, c].map((s) => {
      s.addBundle(BUNDLE_UUID, [{ app: 'A', tenantId: 'T' }]);
      return [s.addTask(BUNDLE_UUID), s.addTask(BUNDLE_UUID)];
    });
    await Promise.all([a.close(), b.close(), c.close()]);

    // Assess
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0]).not.toEqual(ids[2]);
  });
});
