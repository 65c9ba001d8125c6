/**
 * The AppFabric stand-in's authentication and its validation per the model. Driven through the AppFabric client
 * (real HTTP), and with raw `fetch` where the client cannot err.
 */
import {
  BatchGetUserAccessTasksCommand,
  ResourceNotFoundException,
  StartUserAccessTasksCommand,
  ValidationException,
} from '../../lambda/appfabric';
import {
  BUNDLE_UUID,
  FAKE_AUTH,
  failure,
  newClient,
  poll,
  post,
  standIn,
  UNKNOWN_ID,
  useStandIn,
} from '../support/standin-suite';

useStandIn();

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
