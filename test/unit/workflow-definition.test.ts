/**
 * The state machine definition that deploys (rendered from the synthesized template), checked as ASL.
 */
import { COMPLETION_DETAIL_FIELDS, CompletionEvent } from '../../lambda/contract/events';
import { Actions, ErrorNames, FATAL_ERRORS, RETRYABLE_ERRORS } from '../../lambda/contract/workflow';
import { StateNames } from '../../lib/poll-workflow';
import { PLACEHOLDER_FUNCTION_ARN, renderStateMachineDefinition } from '../../lib/render';

type Json = Record<string, unknown>;
interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}
interface State extends Json {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Variable: string; StringEquals?: string; Next: string }[];
  Retry?: Retrier[];
  ResultPath?: string | null;
  Catch?: Catcher[];
  Parameters?: Json;
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
  QueryLanguage?: string;
}

const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
];

let definition: Definition;
let states: Record<string, State>;

beforeAll(() => {
  definition = renderStateMachineDefinition().definition as unknown as Definition;
  states = definition.States;
});

/** Where a state goes when nothing fails: Next, the Choice rules and Default. */
const normalNext = (state: State): string[] => [
  ...(state.Next ? [state.Next] : []),
  ...(state.Choices ?? []).map((c) => c.Next),
  ...(state.Default ? [state.Default] : []),
];
const allNext = (state: State): string[] => [...normalNext(state), ...(state.Catch ?? []).map((c) => c.Next)];

/** Every value in the definition, with its key, depth first. */
function* walk(value: unknown, key = ''): Generator<[string, unknown]> {
  yield [key, value];
  if (Array.isArray(value)) for (const v of value) yield* walk(v, key);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) yield* walk(v, k);
  }
}

describe('the rendered definition', () => {
  test('has exactly the states of StateNames, all reachable, every Next defined', () => {
    expect(Object.keys(states).sort()).toEqual(Object.values(StateNames).sort());
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      expect(states[name]).toBeDefined();
      seen.add(name);
      for (const next of allNext(states[name])) visit(next);
    };
    visit(definition.StartAt);
    expect([...seen].sort()).toEqual(Object.keys(states).sort());
  });

  test('loops Start → Poll → Done? → Wait → Poll', () => {
    expect(definition.StartAt).toBe(StateNames.Start);
    expect(states[StateNames.Start].Next).toBe(StateNames.Poll);
    expect(states[StateNames.Poll].Next).toBe(StateNames.Done);
    expect(states[StateNames.Done].Type).toBe('Choice');
    expect(states[StateNames.Done].Default).toBe(StateNames.Wait);
    expect(states[StateNames.Wait]).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.waitSeconds',
      Next: StateNames.Poll,
    });
  });

  test('Done? routes DONE to Summarize → AnnounceSucceeded → Succeeded, TIMED_OUT to AnnounceTimedOut → DeadlineExceeded', () => {
    expect(states[StateNames.Done].Choices).toEqual([
      { Variable: '$.status', StringEquals: 'DONE', Next: StateNames.Summarize },
      { Variable: '$.status', StringEquals: 'TIMED_OUT', Next: StateNames.AnnounceTimedOut },
    ]);
    expect(states[StateNames.Summarize]).toMatchObject({
      Type: 'Pass',
      Parameters: { 'runId.$': '$.runId', 'counts.$': '$.counts', 'cycles.$': '$.cycle' },
      Next: StateNames.AnnounceSucceeded,
    });
    expect(states[StateNames.AnnounceSucceeded].Next).toBe(StateNames.Succeeded);
    expect(states[StateNames.AnnounceTimedOut].Next).toBe(StateNames.DeadlineExceeded);
    expect(states[StateNames.Succeeded].Type).toBe('Succeed');
  });

  describe('the completion event', () => {
    const announcers = [
      [StateNames.AnnounceSucceeded, 'SUCCEEDED', StateNames.Succeeded],
      [StateNames.AnnounceTimedOut, 'TIMED_OUT', StateNames.DeadlineExceeded],
      [StateNames.AnnounceFailed, 'FAILED', StateNames.Failed],
    ] as const;

    test.each(announcers)(
      '%s sends one event to the default bus, outcome %s, then goes on to %s',
      (name, outcome, next) => {
        // Prepare: the state as rendered.
        const state = states[name];
        const entries = (state.Parameters as { Entries: Json[] }).Entries;
        // Assess: a native putEvents task, one entry, our source and detail-type, no bus named (default).
        expect(state).toMatchObject({
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          ResultPath: null,
          Next: next,
        });
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({
          Source: CompletionEvent.source,
          DetailType: CompletionEvent.detailType,
        });
        expect(entries[0].EventBusName).toBeUndefined();
        const detail = entries[0].Detail as Json;
        expect(detail.outcome).toBe(outcome);
        expect(Object.keys(detail).map((k) => k.replace(/\.\$$/, ''))).toEqual(
          COMPLETION_DETAIL_FIELDS.filter((f) => f !== 'errorName' || outcome === 'FAILED'),
        );
        expect(detail).toMatchObject({
          'runId.$': '$$.Execution.Name',
          'counts.$': '$.counts',
          'startedAt.$': '$$.Execution.StartTime',
          'endedAt.$': '$$.State.EnteredTime',
          'executionArn.$': '$$.Execution.Id',
        });
        expect(String(detail['executionUrl.$'])).toMatch(
          /^States\.Format\('https:\/\/us-east-1\.console\.aws\.amazon\.com\/states\/.*\{\}', \$\$\.Execution\.Id\)$/,
        );
        expect(String(detail.resultsTableUrl)).toMatch(
          /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/dynamodbv2\/.*table=<\w+>$/,
        );
        // A failed send never changes the outcome: retried on task failures, then caught into the next state.
        expect(state.Retry?.map((r) => r.ErrorEquals)).toEqual([['States.TaskFailed']]);
        expect(state.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }]);
      },
    );

    test('holds no address or name: no path of the detail reads the input beyond the counts and the error name', () => {
      for (const [name] of announcers) {
        const detail = (states[name].Parameters as { Entries: { Detail: Json }[] }).Entries[0].Detail;
        const paths = Object.entries(detail)
          .filter(([k]) => k.endsWith('.$'))
          .map(([, v]) => String(v))
          .filter((v) => v.startsWith('$.'));
        expect(paths.every((p) => p === '$.counts' || p === '$.error.Error')).toBe(true);
        expect(JSON.stringify(detail)).not.toMatch(/email|fullName|firstName|lastName|userId|\$\.input/i);
      }
    });

    test('a run that fails at Start goes through StartFailed: only the error and zero counts go on', () => {
      expect(states[StateNames.StartFailed]).toMatchObject({
        Type: 'Pass',
        Parameters: {
          'error.$': '$',
          counts: { total: 0, pending: 0, COMPLETED: 0, FAILED: 0, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
        },
        Next: StateNames.RecordFailure,
      });
    });
  });

  test('the deadline path ends in a Fail with PollDeadlineExceeded and a cause', () => {
    const fail = states[StateNames.DeadlineExceeded];
    expect(fail.Type).toBe('Fail');
    expect(fail.Error).toBe(ErrorNames.DeadlineExceeded);
    expect(String(fail.Cause)).toMatch(/TIMED_OUT/);
  });

  test('a poll cycle costs at most 3 transitions: Poll, Done?, Wait', () => {
    const cycles: string[][] = [];
    const explore = (path: string[]) => {
      for (const next of normalNext(states[path[path.length - 1]])) {
        if (next === StateNames.Poll) cycles.push(path);
        else if (!path.includes(next)) explore([...path, next]);
      }
    };
    explore([StateNames.Poll]);
    expect(cycles).toEqual([[StateNames.Poll, StateNames.Done, StateNames.Wait]]);
    for (const cycle of cycles) expect(cycle.length).toBeLessThanOrEqual(3);
  });

  test.each([
    [
      StateNames.Start,
      {
        action: Actions.start,
        'runId.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
        'input.$': '$$.Execution.Input',
      },
    ],
    [StateNames.Poll, { action: Actions.poll, 'state.$': '$' }],
  ])('%s invokes the function through lambda:invoke with its payload, keeping $.Payload', (name, payload) => {
    expect(states[name]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      OutputPath: '$.Payload',
      Parameters: { FunctionName: PLACEHOLDER_FUNCTION_ARN, Payload: payload },
    });
  });

  test('RecordFailure hands the caught error to the function and puts the recorded one in its place', () => {
    expect(states[StateNames.RecordFailure]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: {
        FunctionName: PLACEHOLDER_FUNCTION_ARN,
        Payload: { action: Actions.fail, 'runId.$': '$$.Execution.Name', 'error.$': '$.error' },
      },
      ResultSelector: { 'Error.$': '$.Payload.Error', 'Cause.$': '$.Payload.Cause' },
      ResultPath: '$.error',
    });
  });

  test('an unhandled function error (Lambda.Unknown) is retried as the timeout is, once', () => {
    for (const name of [StateNames.Start, StateNames.Poll, StateNames.RecordFailure]) {
      const timeout = (states[name].Retry ?? []).find((r) => r.ErrorEquals.includes('Sandbox.Timedout'));
      expect(timeout?.ErrorEquals).toEqual(['Sandbox.Timedout', 'Lambda.Unknown']);
      expect(timeout?.MaxAttempts).toBe(1);
    }
  });

  test.each([StateNames.Start, StateNames.Poll, StateNames.RecordFailure])(
    '%s retries every retryable error and the Lambda service errors, with backoff, full jitter and a bound',
    (name) => {
      const retry = states[name].Retry ?? [];
      const retried = retry.flatMap((r) => r.ErrorEquals);
      for (const error of [...RETRYABLE_ERRORS, ...LAMBDA_SERVICE_ERRORS]) expect(retried).toContain(error);
      for (const error of [...FATAL_ERRORS, 'States.ALL', 'States.TaskFailed'])
        expect(retried).not.toContain(error);
      for (const retrier of retry) {
        expect(retrier.BackoffRate).toBeGreaterThan(1);
        expect(retrier.JitterStrategy).toBe('FULL');
        expect(retrier.MaxAttempts).toBeGreaterThanOrEqual(1);
        expect(retrier.MaxDelaySeconds).toBeGreaterThan(0);
        expect(retrier.MaxDelaySeconds).toBeLessThanOrEqual(300);
      }
    },
  );

  test.each([
    [StateNames.Start, StateNames.StartFailed, undefined],
    [StateNames.Poll, StateNames.RecordFailure, '$.error'],
  ])('%s catches exactly the fatal errors first, then everything, into %s', (name, target, resultPath) => {
    const [fatal, rest, ...more] = states[name].Catch ?? [];
    expect(fatal.ErrorEquals).toEqual([...FATAL_ERRORS]);
    expect(fatal.Next).toBe(target);
    expect(fatal.ResultPath).toBe(resultPath);
    expect(rest.ErrorEquals).toEqual(['States.ALL']);
    expect(rest.Next).toBe(target);
    expect(rest.ResultPath).toBe(resultPath);
    expect(more).toEqual([]);
  });

  test('RecordFailure ends in AnnounceFailed → Failed, which fails with the error even if recording fails', () => {
    const record = states[StateNames.RecordFailure];
    expect(record.Next).toBe(StateNames.AnnounceFailed);
    expect(record.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailureError', Next: StateNames.AnnounceFailed },
    ]);
    expect(states[StateNames.Failed]).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.error.Error',
      CausePath: '$.error.Cause',
    });
  });

  test('never sets ResultPath "$" explicitly', () => {
    const resultPaths = [...walk(definition)].filter(([key]) => key === 'ResultPath').map(([, v]) => v);
    expect(resultPaths).not.toContain('$');
  });

  test('is JSONPath only: no JSONata anywhere', () => {
    expect(definition.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    for (const [key, value] of walk(definition)) {
      if (key === 'QueryLanguage') expect(value).toBe('JSONPath');
      expect(['Arguments', 'Output', 'Assign']).not.toContain(key);
      if (typeof value === 'string') expect(value).not.toMatch(/^\{%.*%\}$/s);
    }
  });

  test('times out after the deadline plus a margin that covers the last wait', () => {
    const rendered = renderStateMachineDefinition({ deadlineMinutes: '60', maxWaitSeconds: '120' });
    const timeout = (rendered.definition as unknown as Definition).TimeoutSeconds ?? 0;
    expect(rendered.settings.deadlineMinutes).toBe(60);
    expect(timeout).toBeGreaterThanOrEqual(3600 + 120 + 15 * 60);
    expect(timeout).toBeLessThanOrEqual(3600 + 120 + 60 * 60);
    expect(definition.TimeoutSeconds).toBeGreaterThanOrEqual(1440 * 60 + 300);
  });
});

describe('rendering with more than one state machine in the stack', () => {
  it('renders the poll workflow when large runs add a second state machine', () => {
    const rendered = renderStateMachineDefinition({ largeRuns: true }).definition as unknown as Definition;
    expect(rendered.StartAt).toBe(StateNames.Start);
    expect(Object.keys(rendered.States)).toEqual(expect.arrayContaining([StateNames.Poll, StateNames.Wait]));
  });
});
