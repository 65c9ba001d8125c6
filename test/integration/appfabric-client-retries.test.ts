/**
 * The AppFabric client against the stand-in over real HTTP on 127.0.0.1: retries and endpoint configuration.
 */
import {
  AppFabricClient,
  BatchGetUserAccessTasksCommand,
  type BatchGetUserAccessTasksCommandOutput,
  InternalServerException,
  StartUserAccessTasksCommand,
} from '../../lambda/appfabric';
import { startAppFabricStandIn } from '../../local/appfabric-standin';
import {
  BUNDLE_UUID,
  CREDENTIALS,
  clients,
  failure,
  newClient,
  SIGV4,
  standIn,
  useClientStandIn,
  withEnv,
} from '../support/appfabric-client';

useClientStandIn();

describe('AppFabricClient retries', () => {
  it('waits for Retry-After after a 429, then succeeds', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {});
    standIn.setFaults({ throttleNext: 1, throttleRetryAfterSeconds: 1 });
    const client = newClient();
    const started = Date.now();

    // Act
    const output = await client.send(
      new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [taskId] }),
    );

    // Assess
    const elapsed = Date.now() - started;
    expect(output.userAccessResultsList?.[0]?.taskId).toBe(taskId);
    expect(output.$metadata.attempts).toBe(2);
    expect(standIn.calls.map((c) => c.status)).toEqual([429, 200]);
    const pause = standIn.calls[1].at - standIn.calls[0].at;
    expect(pause).toBeGreaterThanOrEqual(950);
    expect(pause).toBeLessThan(3000);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(standIn.calls[1].headers['amz-sdk-request']).toBe('attempt=2; max=3');
  });

  it('retries 500s and succeeds within maxAttempts', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {});
    standIn.setFaults({ serverErrorNext: 2 });
    const client = newClient({ maxAttempts: 3 });

    // Act
    const output = await client.send(
      new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [taskId] }),
    );

    // Assess
    expect(output.$metadata.attempts).toBe(3);
    expect(standIn.calls.map((c) => c.status)).toEqual([500, 500, 200]);
  });

  it('stops after maxAttempts and throws the last error', async () => {
    // Prepare
    standIn.setFaults({ serverErrorNext: 10 });
    const client = newClient({ maxAttempts: 2 });

    // Act
    const error = await failure(
      client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [BUNDLE_UUID] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InternalServerException);
    expect((error as InternalServerException).$metadata.attempts).toBe(2);
    expect(standIn.calls).toHaveLength(2);
  });

  it('makes 3 attempts by default', async () => {
    // Prepare
    standIn.setFaults({ serverErrorNext: 10 });

    // Act
    let error: Error | undefined;
    await withEnv('AWS_MAX_ATTEMPTS', undefined, async () => {
      const client = newClient();
      error = await failure(
        client.send(
          new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [BUNDLE_UUID] }),
        ),
      );
    });

    // Assess
    expect(error).toBeInstanceOf(InternalServerException);
    expect(standIn.calls).toHaveLength(3);
  });
});

describe('AppFabricClient endpoint configuration', () => {
  it('sends to AWS_ENDPOINT_URL_APPFABRIC when no endpoint is configured', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {});

    // Act
    let output: BatchGetUserAccessTasksCommandOutput | undefined;
    await withEnv('AWS_ENDPOINT_URL_APPFABRIC', standIn.url, async () => {
      const client = new AppFabricClient({ region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
      clients.push(client);
      output = await client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [taskId] }),
      );
    });

    // Assess
    expect(output?.$metadata.httpStatusCode).toBe(200);
    expect(standIn.calls).toHaveLength(1);
    expect(standIn.calls[0].headers.host).toBe(new URL(standIn.url).host);
    expect(standIn.calls[0].headers.authorization).toMatch(SIGV4);
  });

  it('prefers the endpoint option over AWS_ENDPOINT_URL_APPFABRIC', async () => {
    // Prepare
    const other = await startAppFabricStandIn();

    // Act
    try {
      await withEnv('AWS_ENDPOINT_URL_APPFABRIC', other.url, async () => {
        const client = newClient({ maxAttempts: 1 });
        await client.send(
          new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'x@example.com' }),
        );
      });
    } finally {
      await other.close();
    }

    // Assess
    expect(other.calls).toHaveLength(0);
    expect(standIn.calls).toHaveLength(1);
  });
});
