/**
 * The AppFabric client against the stand-in over real HTTP on 127.0.0.1: wire format, SigV4, error mapping,
 * retries, endpoint configuration, and the official endpoint rule-set tests.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getEndpointFromInstructions } from '@smithy/core/endpoints';
import {
  AccessDeniedException,
  AppFabricClient,
  type AppFabricClientConfig,
  AppFabricServiceException,
  BatchGetUserAccessTasksCommand,
  type BatchGetUserAccessTasksCommandOutput,
  type EndpointParameters,
  InternalServerException,
  ResourceNotFoundException,
  StartUserAccessTasksCommand,
  ThrottlingException,
  ValidationException,
} from '../../lambda/appfabric';
import { type AppFabricStandIn, startAppFabricStandIn } from '../../local/appfabric-standin';

const BUNDLE_UUID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const BUNDLE_ARN = `arn:aws:appfabric:us-east-1:123456789012:appbundle/${BUNDLE_UUID}`;
const CREDENTIALS = { accessKeyId: 'AKIDCLIENTTEST', secretAccessKey: 'client-test-secret' };
const SIGV4 =
  /^AWS4-HMAC-SHA256 Credential=AKIDCLIENTTEST\/\d{8}\/us-east-1\/appfabric\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/;

const SIGV4_ANY_KEY =
  /^AWS4-HMAC-SHA256 Credential=[A-Z0-9]+\/\d{8}\/[a-z0-9-]+\/appfabric\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/;

let standIn: AppFabricStandIn;
const clients: AppFabricClient[] = [];

const newClient = (config: AppFabricClientConfig = {}) => {
  const client = new AppFabricClient({
    region: 'us-east-1',
    endpoint: standIn.url,
    credentials: CREDENTIALS,
    ...config,
  });
  clients.push(client);
  return client;
};

/** The rejection of a promise that must reject. */
const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
};

/** Sets an environment variable for the duration of `fn`, then restores it. */
const withEnv = async (name: string, value: string | undefined, fn: () => Promise<void>) => {
  const previous = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    await fn();
  } finally {
    if (previous === undefined) delete process.env[name];
    else process.env[name] = previous;
  }
};

beforeAll(async () => {
  standIn = await startAppFabricStandIn({ seed: 7 });
  standIn.addBundle(BUNDLE_ARN, [
    { app: 'SLACK', tenantId: 'T01', tenantDisplayName: 'Acme workspace' },
    { app: 'OKTA', tenantId: 'acme.okta.com', tenantDisplayName: 'Acme Okta' },
  ]);
});

afterEach(() => {
  const calls = [...standIn.calls];
  for (const client of clients.splice(0)) client.destroy();
  standIn.clearFaults();
  standIn.resetCalls();
  // Every request any test made was signed for appfabric.
  for (const call of calls) expect(call.headers.authorization).toMatch(SIGV4_ANY_KEY);
});

afterAll(async () => {
  await standIn.close();
});

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

describe('AppFabricClient errors', () => {
  it('maps 400 to ValidationException with reason and fieldList, without retrying', async () => {
    // Prepare
    const client = newClient();

    // Act
    const error = await failure(
      client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: ['NOT-A-UUID'] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error).toBeInstanceOf(AppFabricServiceException);
    const e = error as ValidationException;
    expect(e.name).toBe('ValidationException');
    expect(e.$fault).toBe('client');
    expect(e.reason).toBe('fieldValidationFailed');
    expect(e.fieldList).toEqual([{ name: 'taskIdList[0]', message: expect.stringContaining('UUID') }]);
    expect(e.message).toContain('taskIdList[0]');
    expect(e.$metadata).toMatchObject({ httpStatusCode: 400, attempts: 1 });
    expect(standIn.calls).toHaveLength(1);
  });

  it('maps 404 to ResourceNotFoundException with resourceId and resourceType, without retrying', async () => {
    // Prepare
    const unknown = 'ffffffff-ffff-4fff-8fff-ffffffffffff';
    const client = newClient();

    // Act
    const error = await failure(
      client.send(new StartUserAccessTasksCommand({ appBundleIdentifier: unknown, email: 'a@example.com' })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    const e = error as ResourceNotFoundException;
    expect(e.resourceId).toBe(unknown);
    expect(e.resourceType).toBe('AppBundle');
    expect(e.$metadata.httpStatusCode).toBe(404);
    expect(standIn.calls).toHaveLength(1);
  });

  it('maps 403 to AccessDeniedException, without retrying', async () => {
    // Prepare
    standIn.setFaults({ accessDenied: true });
    const client = newClient();

    // Act
    const error = await failure(
      client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [BUNDLE_UUID] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as AccessDeniedException).$metadata.httpStatusCode).toBe(403);
    expect(error.message).toBe('User is not authorized to perform this action');
    expect(standIn.calls).toHaveLength(1);
  });

  it('maps 429 to ThrottlingException with serviceCode, quotaCode and retryAfterSeconds from Retry-After', async () => {
    // Prepare
    standIn.setFaults({
      throttleNext: 1,
      throttleRetryAfterSeconds: 7,
      throttleServiceCode: 'appfabric',
      throttleQuotaCode: 'L-12345',
    });
    const client = newClient({ maxAttempts: 1 });

    // Act
    const error = await failure(
      client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [BUNDLE_UUID] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ThrottlingException);
    const e = error as ThrottlingException;
    expect(e.retryAfterSeconds).toBe(7);
    expect(e.serviceCode).toBe('appfabric');
    expect(e.quotaCode).toBe('L-12345');
    expect(e.$retryable).toEqual({ throttling: true });
    expect(e.$metadata.httpStatusCode).toBe(429);
    expect(standIn.calls).toHaveLength(1);
  });

  it('maps 500 to InternalServerException with retryAfterSeconds from Retry-After', async () => {
    // Prepare
    standIn.setFaults({ serverErrorNext: 1, serverErrorRetryAfterSeconds: 3 });
    const client = newClient({ maxAttempts: 1 });

    // Act
    const error = await failure(
      client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [BUNDLE_UUID] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(InternalServerException);
    const e = error as InternalServerException;
    expect(e.retryAfterSeconds).toBe(3);
    expect(e.$fault).toBe('server');
    expect(e.$metadata.httpStatusCode).toBe(500);
  });

  it('maps an error code the model does not know to AppFabricServiceException, without retrying', async () => {
    // Prepare
    standIn.setFaults({
      customErrorNext: 1,
      customError: { status: 409, errorType: 'SomethingNewException', message: 'new kind of failure' },
    });
    const client = newClient();

    // Act
    const error = await failure(
      client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [BUNDLE_UUID] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(AppFabricServiceException);
    expect(error).not.toBeInstanceOf(ValidationException);
    expect(error.constructor).toBe(AppFabricServiceException);
    const e = error as AppFabricServiceException;
    expect(e.name).toBe('SomethingNewException');
    expect(e.message).toBe('new kind of failure');
    expect(e.$fault).toBe('client');
    expect(e.$metadata.httpStatusCode).toBe(409);
    expect(standIn.calls).toHaveLength(1);
  });
});

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

describe('AppFabric endpoint rule set (official endpoint tests)', () => {
  interface EndpointTestCase {
    documentation: string;
    params?: EndpointParameters;
    expect: { endpoint?: { url: string; properties?: object; headers?: object }; error?: string };
  }
  // The official cases, kept in the repository (see test/fixtures/README.md).
  const { testCases } = JSON.parse(
    readFileSync(resolve(__dirname, '..', 'fixtures', 'appfabric.endpoint-tests-1.json'), 'utf8'),
  ) as {
    testCases: EndpointTestCase[];
  };
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    // Endpoints configured in the environment would override the rule set for the client-level checks.
    for (const name of ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_APPFABRIC']) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  });

  it('has the official cases', () => {
    // Assess
    expect(testCases.length).toBeGreaterThanOrEqual(21);
  });

  it.each(testCases.map((c) => [c.documentation, c] as const))('resolver: %s', (_name, testCase) => {
    // Prepare
    const client = newClient();
    const params = testCase.params ?? {};

    // Act
    let url: string | undefined;
    let endpoint: ReturnType<typeof client.config.endpointProvider> | undefined;
    let message: string | undefined;
    try {
      endpoint = client.config.endpointProvider(params);
      url = endpoint.url.href;
    } catch (e) {
      message = (e as Error).message;
    }

    // Assess
    if (testCase.expect.error !== undefined) {
      expect(message).toBe(testCase.expect.error);
      expect(url).toBeUndefined();
    } else {
      expect(message).toBeUndefined();
      expect(url).toBe(new URL(testCase.expect.endpoint?.url ?? '').href);
      if (testCase.expect.endpoint?.properties) {
        expect(endpoint?.properties).toEqual(testCase.expect.endpoint.properties);
      }
      if (testCase.expect.endpoint?.headers)
        expect(endpoint?.headers).toEqual(testCase.expect.endpoint.headers);
    }
  });

  // Through the client's config (region / useFipsEndpoint / useDualstackEndpoint / endpoint options mapped to the
  // rule set's built-ins by the command's endpoint instructions). Cases without Region cannot apply: a client
  // without a region fails before the rule set runs ("Region is missing"), so they are covered above only.
  const clientCases = testCases.filter((c) => c.params?.Region !== undefined);
  it.each(clientCases.map((c) => [c.documentation, c] as const))(
    'client config: %s',
    async (_name, testCase) => {
      // Prepare
      const params = testCase.params ?? {};
      const client = newClient({
        region: params.Region,
        useFipsEndpoint: params.UseFIPS ?? false,
        useDualstackEndpoint: params.UseDualStack ?? false,
        endpoint: params.Endpoint,
      });

      // Act
      let url: string | undefined;
      let message: string | undefined;
      try {
        const endpoint = await getEndpointFromInstructions(
          { appBundleIdentifier: BUNDLE_UUID, taskIdList: [] },
          BatchGetUserAccessTasksCommand,
          client.config,
        );
        url = endpoint.url.href;
      } catch (e) {
        message = (e as Error).message;
      }

      // Assess
      if (testCase.expect.error !== undefined) {
        expect(message).toBe(testCase.expect.error);
      } else {
        expect(message).toBeUndefined();
        expect(url).toBe(new URL(testCase.expect.endpoint?.url ?? '').href);
      }
    },
  );
});
