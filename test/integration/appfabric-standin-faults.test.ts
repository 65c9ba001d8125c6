/**
 * The AppFabric stand-in's faults and its call log.
 */
import { StartUserAccessTasksCommand, ThrottlingException } from '../../lambda/appfabric';
import {
  BUNDLE_UUID,
  failure,
  newClient,
  poll,
  standIn,
  UNKNOWN_ID,
  useStandIn,
} from '../support/standin-suite';

useStandIn();

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
