/**
 * The AppFabric client against the stand-in over real HTTP on 127.0.0.1: each error answer mapped to its exception.
 */
import {
  AccessDeniedException,
  AppFabricServiceException,
  BatchGetUserAccessTasksCommand,
  InternalServerException,
  ResourceNotFoundException,
  StartUserAccessTasksCommand,
  ThrottlingException,
  ValidationException,
} from '../../lambda/appfabric';
import { BUNDLE_UUID, failure, newClient, standIn, useClientStandIn } from '../support/appfabric-client';

useClientStandIn();

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
