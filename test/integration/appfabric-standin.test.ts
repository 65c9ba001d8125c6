/**
 * The AppFabric stand-in's own behaviour: authentication, validation per the model, task scripts, faults and the
 * call log. Driven through the AppFabric client (real HTTP), and with raw `fetch` where the client cannot err.
 */
import {
  AppFabricClient,
  type AppFabricClientConfig,
  BatchGetUserAccessTasksCommand,
  ResourceNotFoundException,
  StartUserAccessTasksCommand,
  ThrottlingException,
  ValidationException,
} from '../../lambda/appfabric';
import { type AppFabricStandIn, startAppFabricStandIn } from '../../local/appfabric-standin';

const BUNDLE_UUID = '1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d';
const BUNDLE_ARN = `arn:aws:appfabric:eu-west-1:210987654321:appbundle/${BUNDLE_UUID}`;
const UNKNOWN_ID = '9abcdef9-9999-4999-8999-99999999abcd';
const FAKE_AUTH =
  'AWS4-HMAC-SHA256 Credential=AKIDRAW/20260101/us-east-1/appfabric/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=' +
  'a'.repeat(64);

let standIn: AppFabricStandIn;
const clients: AppFabricClient[] = [];

const newClient = (config: AppFabricClientConfig = {}) => {
  const client = new AppFabricClient({
    region: 'us-east-1',
    endpoint: standIn.url,
    credentials: { accessKeyId: 'AKIDSTANDIN', secretAccessKey: 'standin-secret' },
    maxAttempts: 1,
    ...config,
  });
  clients.push(client);
  return client;
};

const poll = (taskIdList: string[], appBundleIdentifier = BUNDLE_UUID, client = newClient()) =>
  client.send(new BatchGetUserAccessTasksCommand({ appBundleIdentifier, taskIdList }));

const statuses = async (taskIdList: string[]) =>
  ((await poll(taskIdList)).userAccessResultsList ?? []).map((r) => r.resultStatus);

const failure = async (promise: Promise<unknown>): Promise<Error> => {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to fail');
};

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${standIn.url}${path}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });

beforeAll(async () => {
  standIn = await startAppFabricStandIn();
  standIn.addBundle(BUNDLE_ARN, [
    { app: 'SLACK', tenantId: 'T01', tenantDisplayName: 'Acme' },
    { app: 'GITHUB', tenantId: 'acme-org' },
  ]);
});

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
  standIn.clearFaults();
  standIn.resetCalls();
});

afterAll(async () => {
  await standIn.close();
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['a scope for another service', FAKE_AUTH.replace('/appfabric/', '/execute-api/')],
    ['a non-SigV4 scheme', 'Bearer abc'],
    ['no host among the signed headers', FAKE_AUTH.replace('content-type;host;x-amz-date', 'x-amz-date')],
  ])('answers 403 AccessDeniedException in restJson1 form for %s', async (_name, authorization) => {
    // Prepare
    const headers: Record<string, string> = authorization ? { authorization } : {};

    // Act
    const response = await post('/useraccess/batchget', '{}', headers);

    // Assess
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^AccessDeniedException:/);
    expect(await response.json()).toEqual({ message: expect.stringContaining('SigV4') });
    expect(standIn.calls[0]).toMatchObject({
      status: 403,
      fault: 'unauthenticated',
      errorType: 'AccessDeniedException',
    });
  });

  it('accepts a structurally valid SigV4 header (signature not verified)', async () => {
    // Prepare
    const body = JSON.stringify({ appBundleIdentifier: BUNDLE_UUID, taskIdList: [UNKNOWN_ID] });

    // Act
    const response = await post('/useraccess/batchget', body, { authorization: FAKE_AUTH });

    // Assess
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ userAccessResultsList: [] });
  });

  it('answers 400 cannotParse to a body that is not JSON, and 404 to an unknown path', async () => {
    // Act
    const bad = await post('/useraccess/batchget', '{not json', { authorization: FAKE_AUTH });
    const unknown = await post('/useraccess/other', '{}', { authorization: FAKE_AUTH });

    // Assess
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ reason: 'cannotParse', fieldList: [] });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toMatch(/^UnknownOperationException:/);
    expect(standIn.calls.map((c) => [c.operation, c.requestBody])).toEqual([
      ['BatchGetUserAccessTasks', '{not json'],
      ['Unknown', {}],
    ]);
  });
});

describe('validation', () => {
  const uuids = (n: number) =>
    Array.from({ length: n }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

  it.each<[string, { appBundleIdentifier?: string; taskIdList?: string[] }, string]>([
    ['taskIdList missing', { appBundleIdentifier: BUNDLE_UUID }, 'taskIdList'],
    ['taskIdList empty', { appBundleIdentifier: BUNDLE_UUID, taskIdList: [] }, 'taskIdList'],
    ['51 task IDs', { appBundleIdentifier: BUNDLE_UUID, taskIdList: uuids(51) }, 'taskIdList'],
    [
      'an upper-case task ID',
      { appBundleIdentifier: BUNDLE_UUID, taskIdList: [UNKNOWN_ID, UNKNOWN_ID.toUpperCase()] },
      'taskIdList[1]',
    ],
    [
      'a task ID inside other text',
      { appBundleIdentifier: BUNDLE_UUID, taskIdList: [`x${UNKNOWN_ID}`] },
      'taskIdList[0]',
    ],
    ['appBundleIdentifier missing', { taskIdList: [UNKNOWN_ID] }, 'appBundleIdentifier'],
    [
      'appBundleIdentifier neither ARN nor UUID',
      { appBundleIdentifier: 'my-bundle', taskIdList: [UNKNOWN_ID] },
      'appBundleIdentifier',
    ],
    [
      'appBundleIdentifier over 1011 characters',
      { appBundleIdentifier: `arn:${'a'.repeat(1008)}`, taskIdList: [UNKNOWN_ID] },
      'appBundleIdentifier',
    ],
  ])('BatchGetUserAccessTasks rejects %s', async (_name, input, field) => {
    // Act
    const error = await failure(
      newClient().send(
        new BatchGetUserAccessTasksCommand(input as { appBundleIdentifier: string; taskIdList: string[] }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    const e = error as ValidationException;
    expect(e.reason).toBe('fieldValidationFailed');
    expect(e.fieldList?.map((f) => f.name)).toEqual([field]);
    expect(e.fieldList?.[0]?.message).toEqual(expect.any(String));
  });

  it('BatchGetUserAccessTasks accepts exactly 50 IDs and an identifier of 1011 characters', async () => {
    // Act
    const fifty = await poll(uuids(50));
    const long = await failure(poll([UNKNOWN_ID], `arn:${'a'.repeat(1007)}`));

    // Assess
    expect(fifty.userAccessResultsList).toEqual([]);
    expect(long).toBeInstanceOf(ResourceNotFoundException);
  });

  it.each<[string, { appBundleIdentifier?: string; email?: string }, string]>([
    ['email missing', { appBundleIdentifier: BUNDLE_UUID }, 'email'],
    ['email without @', { appBundleIdentifier: BUNDLE_UUID, email: 'nobody.example.com' }, 'email'],
    [
      'email over 320 characters',
      { appBundleIdentifier: BUNDLE_UUID, email: `${'a'.repeat(310)}@example.com` },
      'email',
    ],
    ['appBundleIdentifier missing', { email: 'a@example.com' }, 'appBundleIdentifier'],
  ])('StartUserAccessTasks rejects %s', async (_name, input, field) => {
    // Act
    const error = await failure(
      newClient().send(
        new StartUserAccessTasksCommand(input as { appBundleIdentifier: string; email: string }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).fieldList?.map((f) => f.name)).toEqual([field]);
  });

  it('answers 404 ResourceNotFoundException for an unknown bundle, in either form', async () => {
    // Prepare
    const arn = `arn:aws:appfabric:us-east-1:123456789012:appbundle/${UNKNOWN_ID}`;

    // Act
    const byArn = (await failure(poll([UNKNOWN_ID], arn))) as ResourceNotFoundException;
    const byUuid = (await failure(poll([UNKNOWN_ID], UNKNOWN_ID))) as ResourceNotFoundException;

    // Assess
    expect(byArn).toBeInstanceOf(ResourceNotFoundException);
    expect([byArn.resourceId, byArn.resourceType]).toEqual([arn, 'AppBundle']);
    expect([byUuid.resourceId, byUuid.resourceType]).toEqual([UNKNOWN_ID, 'AppBundle']);
  });
  it.each([
    ['BatchGetUserAccessTasks', (id: string) => poll([UNKNOWN_ID], id)],
    [
      'StartUserAccessTasks',
      (id: string) =>
        newClient().send(
          new StartUserAccessTasksCommand({ appBundleIdentifier: id, email: 'a@example.com' }),
        ),
    ],
  ])(
    '%s answers a malformed bundle (ARN:AWS:x) with 400 ValidationException on appBundleIdentifier',
    async (_op, call) => {
      // Act
      const error = await failure(call('ARN:AWS:x'));

      // Assess: the model's shape (reason, fieldList), and the value is not echoed back.
      expect(error).toBeInstanceOf(ValidationException);
      const e = error as ValidationException;
      expect(e.$metadata.httpStatusCode).toBe(400);
      expect(e.reason).toBe('fieldValidationFailed');
      expect(e.fieldList?.map((f) => f.name)).toEqual(['appBundleIdentifier']);
      expect(e.message).not.toContain('ARN:AWS:x');
    },
  );

  it('StartUserAccessTasks answers an unknown bundle with 404 ResourceNotFoundException, no stack trace', async () => {
    // Act
    const error = (await failure(
      newClient().send(
        new StartUserAccessTasksCommand({ appBundleIdentifier: UNKNOWN_ID, email: 'a@example.com' }),
      ),
    )) as ResourceNotFoundException;

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect([error.resourceId, error.resourceType]).toEqual([UNKNOWN_ID, 'AppBundle']);
    expect(error.message).not.toMatch(/addBundle|\n\s+at /);
  });
});

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

describe('faults', () => {
  it('throttles every k-th call with Retry-After', async () => {
    // Prepare
    standIn.setFaults({ throttleEvery: 3, throttleRetryAfterSeconds: 2 });

    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await poll([UNKNOWN_ID]).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      );
    }

    // Assess
    expect(outcomes).toEqual(['ok', 'ok', 'ThrottlingException', 'ok', 'ok', 'ThrottlingException']);
    const throttled = standIn.calls.filter((c) => c.status === 429);
    expect(throttled.map((c) => c.fault)).toEqual(['throttle', 'throttle']);
  });

  it('throttles the next N calls, then answers again; faults can be limited to one operation', async () => {
    // Prepare
    standIn.setFaults({ throttleNext: 2, operations: ['StartUserAccessTasks'] });
    const client = newClient();
    const start = () =>
      client.send(
        new StartUserAccessTasksCommand({ appBundleIdentifier: BUNDLE_UUID, email: 'n@example.com' }),
      );

    // Act
    const polled = await poll([UNKNOWN_ID], BUNDLE_UUID, client);
    const first = await failure(start());
    const second = await failure(start());
    const third = await start();

    // Assess
    expect(polled.$metadata.httpStatusCode).toBe(200);
    expect(first).toBeInstanceOf(ThrottlingException);
    expect((second as ThrottlingException).retryAfterSeconds).toBe(1);
    expect(third.$metadata.httpStatusCode).toBe(201);
  });

  it('answers 500 bursts', async () => {
    // Prepare
    standIn.setFaults({ serverErrorNext: 2 });

    // Act
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push(
        await poll([UNKNOWN_ID]).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      );
    }

    // Assess
    expect(outcomes).toEqual(['InternalServerException', 'InternalServerException', 'ok']);
  });

  it('sends a malformed body: the client fails to parse a 200 and does not retry', async () => {
    // Prepare
    standIn.setFaults({ malformedNext: 1 });

    // Act
    const error = await failure(poll([UNKNOWN_ID], BUNDLE_UUID, newClient({ maxAttempts: 3 })));

    // Assess
    expect(error.name).toBe('SyntaxError');
    expect((error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode).toBe(
      200,
    );
    expect(standIn.calls.map((c) => c.fault)).toEqual(['malformed']);
  });

  it('truncates a body: the client sees a connection error and retries it', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {});
    standIn.setFaults({ truncatedNext: 1 });

    // Act
    const output = await poll([taskId], BUNDLE_UUID, newClient({ maxAttempts: 2 }));
    standIn.setFaults({ truncatedNext: 1 });
    const error = await failure(poll([taskId]));

    // Assess
    expect(output.userAccessResultsList?.[0]?.taskId).toBe(taskId);
    expect(output.$metadata.attempts).toBe(2);
    // Outside jest the error keeps `code: 'ECONNRESET'`; under jest Node's http error comes from another realm,
    // fails `instanceof Error`, and the SDK wraps it ("AWS SDK error wrapper for Error: aborted").
    expect(error.message).toMatch(/aborted/);
    expect(standIn.calls.map((c) => c.fault)).toEqual(['truncated', undefined, 'truncated']);
  });

  it('adds latency to every answer', async () => {
    // Prepare
    standIn.setFaults({ latencyMs: 200 });
    const started = Date.now();

    // Act
    await poll([UNKNOWN_ID]);

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('adds results nobody asked for', async () => {
    // Prepare
    const taskId = standIn.addTask(BUNDLE_UUID, {});
    standIn.setFaults({ extraResults: 2 });

    // Act
    const output = await poll([taskId]);

    // Assess
    const ids = (output.userAccessResultsList ?? []).map((r) => r.taskId);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe(taskId);
    expect(new Set(ids).size).toBe(3);
  });

  it('denies every call while accessDenied is set', async () => {
    // Prepare
    standIn.setFaults({ accessDenied: true });

    // Act
    const error = await failure(poll([UNKNOWN_ID]));
    standIn.setFaults({ accessDenied: false });
    const after = await poll([UNKNOWN_ID]);

    // Assess
    expect(error.name).toBe('AccessDeniedException');
    expect(after.$metadata.httpStatusCode).toBe(200);
  });
});

describe('call log', () => {
  it('records operation, method, path, status, body, headers and time of every call; resetCalls empties it', async () => {
    // Prepare
    const before = Date.now();

    // Act
    await poll([UNKNOWN_ID]);
    await failure(poll([]));
    const recorded = [...standIn.calls];
    standIn.resetCalls();

    // Assess
    expect(recorded).toEqual([
      {
        operation: 'BatchGetUserAccessTasks',
        method: 'POST',
        path: '/useraccess/batchget',
        status: 200,
        requestBody: { appBundleIdentifier: BUNDLE_UUID, taskIdList: [UNKNOWN_ID] },
        headers: expect.objectContaining({
          authorization: expect.stringContaining('/appfabric/aws4_request'),
        }),
        at: expect.any(Number),
      },
      expect.objectContaining({
        status: 400,
        errorType: 'ValidationException',
        requestBody: expect.any(Object),
      }),
    ]);
    expect(recorded[0].at).toBeGreaterThanOrEqual(before);
    expect(standIn.calls).toEqual([]);
  });
});
