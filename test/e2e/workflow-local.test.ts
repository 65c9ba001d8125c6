/**
 * Runs the rendered definition (the one that deploys) on aws-local-stepfunctions, the function
 * replaced by stubs keyed by state name: the loop, the deadline, retries and failures behave as designed.
 */
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { CompletionEvent } from '../../lambda/contract/events';
import { ErrorNames } from '../../lambda/contract/workflow';
import type { LoopState } from '../../lambda/core/model';
import { StateNames } from '../../lib/poll-workflow';
import { PLACEHOLDER_FUNCTION_ARN, renderStateMachineDefinition } from '../../lib/render';

// aws-local-stepfunctions 3 uses Promise.withResolvers (Node 22+); the project runs tests on Node 20.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

type Payload = Record<string, unknown>;

const EXECUTION_ARN = 'arn:aws:states:us-east-1:000000000000:execution:poller:run-1';
type Stub = (payload: Payload) => Promise<unknown>;

let machine: StateMachine;

beforeAll(() => {
  const { definition } = renderStateMachineDefinition();
  machine = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
});

const loopState = (over: Partial<LoopState> = {}): LoopState => ({
  runId: 'run-1',
  appBundleIdentifier: '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9',
  status: 'PENDING',
  cycle: 0,
  waitSeconds: 10,
  minWaitSeconds: 10,
  maxWaitSeconds: 300,
  deadlineAt: '2030-01-01T00:00:00.000Z',
  counts: { total: 2, pending: 2, COMPLETED: 0, FAILED: 0, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
  ...over,
});

const named = (name: string, message: string) => Object.assign(new Error(message), { name });

/** Runs the machine; each task state calls its stub with the Lambda payload, as lambda:invoke would. */
async function run(stubs: Partial<Record<string, Stub>>, input: unknown = { taskIdList: ['t-1', 't-2'] }) {
  const calls: Record<string, { FunctionName: unknown; Payload: Payload }[]> = {};
  const handler =
    (name: string) =>
    async (request: { FunctionName: unknown; Payload: Payload }): Promise<{ Payload: unknown }> => {
      calls[name] = [...(calls[name] ?? []), structuredClone(request)];
      const stub = stubs[name];
      if (!stub) throw new Error(`no stub for ${name}`);
      return { Payload: await stub(request.Payload) };
    };
  // The completion event's putEvents states: collected, as the local runner does.
  const events: { Source: string; DetailType: string; Detail: Payload }[] = [];
  const announce = async (request: { Entries: typeof events }) => {
    events.push(...request.Entries);
    return { Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 };
  };
  const execution = machine.run(input as Parameters<StateMachine['run']>[0], {
    overrides: {
      taskResourceLocalHandlers: {
        [StateNames.Start]: handler(StateNames.Start),
        [StateNames.Poll]: handler(StateNames.Poll),
        [StateNames.RecordFailure]: handler(StateNames.RecordFailure),
        [StateNames.AnnounceSucceeded]: announce,
        [StateNames.AnnounceTimedOut]: announce,
        [StateNames.AnnounceFailed]: announce,
      } as never,
      waitTimeOverrides: { [StateNames.Wait]: 0 },
      retryIntervalOverrides: { [StateNames.Start]: 0, [StateNames.Poll]: 0, [StateNames.RecordFailure]: 0 },
    },
    // Step Functions sets these context fields; the local engine only what it is given.
    context: {
      Execution: { Id: EXECUTION_ARN, Name: 'run-1' },
      State: { EnteredTime: '2030-01-01T01:00:00.000Z' },
    } as never,
  });
  try {
    return { output: await execution.result, calls, events, error: undefined };
  } catch (error) {
    const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
    return { output: undefined, calls, events, error: { name: cause.name, message: cause.message } };
  }
}

/** Poll answers in turn; the last one repeats. */
const answers = (...replies: (LoopState | Error)[]): Stub => {
  let i = 0;
  return async () => {
    const reply = replies[Math.min(i++, replies.length - 1)];
    if (reply instanceof Error) throw reply;
    return reply;
  };
};

const recordFailure: Stub = async (payload) => payload.error;

describe('the rendered definition on a local engine', () => {
  test('polls until DONE, waiting between polls, and summarizes', async () => {
    // Prepare
    const done = loopState({
      status: 'DONE',
      cycle: 3,
      counts: { total: 2, pending: 0, COMPLETED: 1, FAILED: 1, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
    });

    // Act: the stubs script what each task state answers
    const { output, calls, error } = await run({
      [StateNames.Start]: async () => loopState(),
      [StateNames.Poll]: answers(loopState({ cycle: 1 }), loopState({ cycle: 2 }), done),
    });

    // Assess
    expect(error).toBeUndefined();
    expect(output).toEqual({ runId: 'run-1', counts: done.counts, cycles: 3 });
    expect(calls[StateNames.Start]).toEqual([
      {
        FunctionName: PLACEHOLDER_FUNCTION_ARN,
        Payload: {
          action: 'start',
          runId: 'run-1',
          startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/),
          input: { taskIdList: ['t-1', 't-2'] },
        },
      },
    ]);
    // Each poll gets the state the previous step returned, whole.
    expect(calls[StateNames.Poll].map((c) => c.Payload)).toEqual([
      { action: 'poll', state: loopState() },
      { action: 'poll', state: loopState({ cycle: 1 }) },
      { action: 'poll', state: loopState({ cycle: 2 }) },
    ]);
    expect(calls[StateNames.RecordFailure]).toBeUndefined();
  });

  test('fails with PollDeadlineExceeded when the function reports TIMED_OUT', async () => {
    // Act: the stubs script what each task state answers
    const { error, calls } = await run({
      [StateNames.Start]: async () => loopState(),
      [StateNames.Poll]: answers(loopState({ cycle: 1 }), loopState({ status: 'TIMED_OUT', cycle: 2 })),
    });

    // Assess
    expect(error?.name).toBe(ErrorNames.DeadlineExceeded);
    expect(calls[StateNames.Poll]).toHaveLength(2);
    expect(calls[StateNames.RecordFailure]).toBeUndefined();
  });

  test('a fatal error is not retried: it is recorded and the run fails with it', async () => {
    // Act: the stubs script what each task state answers
    const { error, calls } = await run({
      [StateNames.Start]: async () => loopState(),
      [StateNames.Poll]: answers(named(ErrorNames.AppBundleNotFound, 'no such app bundle')),
      [StateNames.RecordFailure]: recordFailure,
    });

    // Assess
    expect(calls[StateNames.Poll]).toHaveLength(1);
    expect(calls[StateNames.RecordFailure].map((c) => c.Payload)).toEqual([
      {
        action: 'fail',
        runId: 'run-1',
        startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        error: { Error: ErrorNames.AppBundleNotFound, Cause: 'no such app bundle' },
      },
    ]);
    expect(error).toEqual({ name: ErrorNames.AppBundleNotFound, message: 'no such app bundle' });
  });

  test('an invalid input fails the run at Start', async () => {
    // Act: the stubs script what each task state answers
    const { error, calls } = await run({
      [StateNames.Start]: answers(named(ErrorNames.InvalidInput, 'taskIdList: must be an array')),
      [StateNames.RecordFailure]: recordFailure,
    });

    // Assess
    expect(calls[StateNames.Start]).toHaveLength(1);
    expect(calls[StateNames.Poll]).toBeUndefined();
    expect(error?.name).toBe(ErrorNames.InvalidInput);
  });

  test('a retryable error is retried, and the run goes on', async () => {
    // Act: the stubs script what each task state answers
    const { output, calls } = await run({
      [StateNames.Start]: answers(named('Lambda.TooManyRequestsException', 'rate'), loopState()),
      [StateNames.Poll]: answers(
        named(ErrorNames.AppFabricThrottled, 'slow down'),
        named(ErrorNames.RunStateConflict, 'raced'),
        loopState({ status: 'DONE', cycle: 1 }),
      ),
    });

    // Assess
    expect(output).toMatchObject({ runId: 'run-1', cycles: 1 });
    expect(calls[StateNames.Start]).toHaveLength(2);
    expect(calls[StateNames.Poll]).toHaveLength(3);
  });

  test('when retries run out the error is recorded and the run fails with it', async () => {
    // Act: the stubs script what each task state answers
    const { error, calls } = await run({
      [StateNames.Start]: async () => loopState(),
      [StateNames.Poll]: answers(named(ErrorNames.AppFabricUnavailable, 'down')),
      [StateNames.RecordFailure]: recordFailure,
    });

    // Assess
    expect(calls[StateNames.Poll]).toHaveLength(1 + 6);
    expect(calls[StateNames.RecordFailure]).toHaveLength(1);
    expect(error).toEqual({ name: ErrorNames.AppFabricUnavailable, message: 'down' });
  });

  test('an unexpected error is not retried but is recorded', async () => {
    // Act: the stubs script what each task state answers
    const { error, calls } = await run({
      [StateNames.Start]: async () => loopState(),
      [StateNames.Poll]: answers(named('TypeError', 'x is undefined')),
      [StateNames.RecordFailure]: recordFailure,
    });

    // Assess
    expect(calls[StateNames.Poll]).toHaveLength(1);
    expect(error).toEqual({ name: 'TypeError', message: 'x is undefined' });
  });

  test('if the failure cannot be recorded the run still fails with the original error', async () => {
    // Act: the stubs script what each task state answers
    const { error, calls } = await run({
      [StateNames.Start]: async () => loopState(),
      [StateNames.Poll]: answers(named(ErrorNames.AppFabricAccessDenied, 'denied')),
      [StateNames.RecordFailure]: answers(named('TypeError', 'broken')),
    });

    // Assess
    expect(calls[StateNames.RecordFailure]).toHaveLength(1);
    expect(error).toEqual({ name: ErrorNames.AppFabricAccessDenied, message: 'denied' });
  });
});

describe('the completion event on a local engine', () => {
  const counts = (over: Partial<LoopState['counts']>) => ({ ...loopState().counts, ...over });
  const emails = { appBundleIdentifier: loopState().appBundleIdentifier, emails: ['jane.doe@example.com'] };

  test.each([
    [
      'SUCCEEDED',
      {
        [StateNames.Start]: async () => loopState(),
        [StateNames.Poll]: answers(
          loopState({ status: 'DONE', cycle: 1, counts: counts({ pending: 0, COMPLETED: 2 }) }),
        ),
      },
      counts({ pending: 0, COMPLETED: 2 }),
      undefined,
    ],
    [
      'TIMED_OUT',
      {
        [StateNames.Start]: async () => loopState(),
        [StateNames.Poll]: answers(
          loopState({
            status: 'TIMED_OUT',
            cycle: 1,
            counts: counts({ pending: 0, COMPLETED: 1, TIMED_OUT: 1 }),
          }),
        ),
      },
      counts({ pending: 0, COMPLETED: 1, TIMED_OUT: 1 }),
      undefined,
    ],
    [
      'FAILED',
      {
        [StateNames.Start]: async () => loopState({ counts: counts({ pending: 1, COMPLETED: 1 }) }),
        [StateNames.Poll]: answers(
          named(ErrorNames.AppFabricAccessDenied, 'denied for jane.doe@example.com'),
        ),
        [StateNames.RecordFailure]: async () => ({
          Error: ErrorNames.AppFabricAccessDenied,
          Cause: 'denied',
        }),
      },
      counts({ pending: 1, COMPLETED: 1 }),
      ErrorNames.AppFabricAccessDenied,
    ],
    [
      'FAILED',
      {
        [StateNames.Start]: answers(named(ErrorNames.InvalidInput, 'input.emails[0]: bad')),
        [StateNames.RecordFailure]: recordFailure,
      },
      counts({ total: 0, pending: 0 }),
      ErrorNames.InvalidInput,
    ],
  ] as const)(
    'a run that ends %s sends one event with its counts and no address',
    async (outcome, stubs, expected, errorName) => {
      // Act: a run started from an address, through the rendered definition.
      const { events } = await run(stubs as never, emails);
      // Assess: one event of the contract; counts as the run last reported them; links; no personal data.
      expect(events).toHaveLength(1);
      const [event] = events;
      expect(event).toMatchObject({ Source: CompletionEvent.source, DetailType: CompletionEvent.detailType });
      expect(event.Detail).toEqual({
        runId: 'run-1',
        outcome,
        counts: expected,
        startedAt: expect.any(String),
        endedAt: '2030-01-01T01:00:00.000Z',
        executionArn: EXECUTION_ARN,
        executionUrl: `https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/${EXECUTION_ARN}`,
        resultsTableUrl: expect.stringMatching(
          /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/dynamodbv2\//,
        ),
        ...(errorName === undefined ? {} : { errorName }),
      });
      expect(JSON.stringify(event)).not.toMatch(/jane|doe|example\.com|@/i);
    },
  );

  test('a failed send never changes how the run ends', async () => {
    // Prepare: the event's state throws as a failing PutEvents would.
    const { definition } = renderStateMachineDefinition();
    const local = new StateMachine(definition as unknown as ConstructorParameters<typeof StateMachine>[0]);
    const failing = async () => {
      throw named('States.TaskFailed', 'EventBridge unavailable');
    };
    // Act
    const execution = local.run({ taskIdList: ['t-1'] } as never, {
      overrides: {
        taskResourceLocalHandlers: {
          [StateNames.Start]: async () => ({ Payload: loopState() }),
          [StateNames.Poll]: async () => ({ Payload: loopState({ status: 'DONE', cycle: 1 }) }),
          [StateNames.AnnounceSucceeded]: failing,
        } as never,
        retryIntervalOverrides: { [StateNames.AnnounceSucceeded]: 0 },
      },
      context: { Execution: { Id: EXECUTION_ARN, Name: 'run-1' }, State: { EnteredTime: 'now' } } as never,
    });
    // Assess: the run succeeds with its summary.
    await expect(execution.result).resolves.toEqual({
      runId: 'run-1',
      counts: loopState().counts,
      cycles: 1,
    });
  });
});
