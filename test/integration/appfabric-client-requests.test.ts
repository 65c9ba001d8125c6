/**
 * The AppFabric client against the stand-in over real HTTP on 127.0.0.1: wire format, SigV4 and credentials.
 */
import {
  AppFabricClient,
  BatchGetUserAccessTasksCommand,
  StartUserAccessTasksCommand,
} from '../../lambda/appfabric';
import {
  BUNDLE_ARN,
  BUNDLE_UUID,
  clients,
  newClient,
  SIGV4,
  standIn,
  useClientStandIn,
} from '../support/appfabric-client';

useClientStandIn();

describe('AppFabricClient requests', () => {
  it('sends BatchGetUserAccessTasks as a signed POST /useraccess/batchget with a JSON body and parses every field', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {
      app: 'SLACK',
      email: 'jane.doe@example.com',
      user: { userId: 'U123', userStatus: 'SUSPENDED' },
    });
    const client = newClient();

    // Act
    const output = await client.send(
      new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_ARN, taskIdList: [taskId] }),
    );

    // Assess
    expect(standIn.calls).toHaveLength(1);
    const [call] = standIn.calls;
    expect(call).toMatchObject({
      operation: 'BatchGetUserAccessTasks',
      method: 'POST',
      path: '/useraccess/batchget',
    });
    expect(call.requestBody).toEqual({ appBundleIdentifier: BUNDLE_ARN, taskIdList: [taskId] });
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers.authorization).toMatch(SIGV4);
    expect(call.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(output.userAccessResultsList).toEqual([
      {
        app: 'SLACK',
        tenantId: 'T01',
        tenantDisplayName: 'Acme workspace',
        taskId,
        resultStatus: 'COMPLETED',
        email: 'jane.doe@example.com',
        userId: 'U123',
        userFullName: 'Jane Doe',
        userFirstName: 'Jane',
        userLastName: 'Doe',
        userStatus: 'SUSPENDED',
      },
    ]);
  });

  it('parses taskError of a FAILED result', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {
      outcome: 'FAILED',
      taskError: { errorCode: 'APP_ERROR', errorMessage: 'upstream said no' },
    });
    const client = newClient();

    // Act
    const output = await client.send(
      new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [taskId] }),
    );

    // Assess
    expect(output.userAccessResultsList?.[0]).toMatchObject({
      taskId,
      resultStatus: 'FAILED',
      taskError: { errorCode: 'APP_ERROR', errorMessage: 'upstream said no' },
    });
  });

  it('sends StartUserAccessTasks as a signed POST /useraccess/start and returns the 201 items', async () => {
    // Prepare
    const client = newClient();

    // Act
    const output = await client.send(
      new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'sam@example.com' }),
    );

    // Assess
    const [call] = standIn.calls;
    expect(call).toMatchObject({
      operation: 'StartUserAccessTasks',
      method: 'POST',
      path: '/useraccess/start',
    });
    expect(call.status).toBe(201);
    expect(call.requestBody).toEqual({ appBundleIdentifier: BUNDLE_UUID, email: 'sam@example.com' });
    expect(call.headers.authorization).toMatch(SIGV4);
    expect(output.$metadata.httpStatusCode).toBe(201);
    const items = output.userAccessTasksList ?? [];
    expect(items.map(({ app, tenantId }) => ({ app, tenantId }))).toEqual([
      { app: 'SLACK', tenantId: 'T01' },
      { app: 'OKTA', tenantId: 'acme.okta.com' },
    ]);
    for (const item of items)
      expect(item.taskId).toMatch(/^[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}$/);
    expect(standIn.taskIds(BUNDLE_UUID)).toEqual(expect.arrayContaining(items.map((i) => i.taskId)));
  });

  it('parses per-app error items of StartUserAccessTasks', async () => {
    // Prepare
    standIn.rejectEmail('blocked@example.com', { errorCode: 'USER_BLOCKED', errorMessage: 'blocked' });
    const client = newClient();

    // Act
    const output = await client.send(
      new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'blocked@example.com' }),
    );

    // Assess
    expect(output.userAccessTasksList).toEqual([
      { app: 'SLACK', tenantId: 'T01', error: { errorCode: 'USER_BLOCKED', errorMessage: 'blocked' } },
      {
        app: 'OKTA',
        tenantId: 'acme.okta.com',
        error: { errorCode: 'USER_BLOCKED', errorMessage: 'blocked' },
      },
    ]);
  });
});

describe('AppFabricClient credentials', () => {
  it('signs with the default credential chain when no credentials are given', async () => {
    // Prepare (test/setup-env.ts puts static keys in the environment)
    const client = new AppFabricClient({ region: 'us-east-1', endpoint: standIn.url });
    clients.push(client);

    // Act
    await client.send(
      new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'env@example.com' }),
    );

    // Assess
    expect(standIn.calls[0].headers.authorization).toContain(`Credential=${process.env.AWS_ACCESS_KEY_ID}/`);
    expect(standIn.calls[0].headers.authorization).toContain('/us-east-1/appfabric/aws4_request');
  });
});
