/**
 * The state machine definition that deploys (rendered from the synthesized template), checked as ASL.
 */
import { Actions, ErrorNames, FATAL_ERRORS, RETRYABLE_ERRORS } from '../../lambda/contract/workflow';
import { buildApp } from '../../lib/app';
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

  test('Done? routes DONE to Summarize → Succeeded and TIMED_OUT to DeadlineExceeded', () => {
    expect(states[StateNames.Done].Choices).toEqual([
      { Variable: '$.status', StringEquals: 'DONE', Next: StateNames.Summarize },
      { Variable: '$.status', StringEquals: 'TIMED_OUT', Next: StateNames.DeadlineExceeded },
    ]);
    expect(states[StateNames.Summarize]).toMatchObject({
      Type: 'Pass',
      Parameters: { 'runId.$': '$.runId', 'counts.$': '$.counts', 'cycles.$': '$.cycle' },
      Next: StateNames.Succeeded,
    });
    expect(states[StateNames.Succeeded].Type).toBe('Succeed');
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
    [StateNames.RecordFailure, { action: Actions.fail, 'runId.$': '$$.Execution.Name', 'error.$': '$' }],
  ])('%s invokes the function through lambda:invoke with its payload, keeping $.Payload', (name, payload) => {
    expect(states[name]).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      OutputPath: '$.Payload',
      Parameters: { FunctionName: PLACEHOLDER_FUNCTION_ARN, Payload: payload },
    });
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

  test.each([StateNames.Start, StateNames.Poll])(
    '%s catches exactly the fatal errors first, then everything, into RecordFailure',
    (name) => {
      const [fatal, rest, ...more] = states[name].Catch ?? [];
      expect(fatal.ErrorEquals).toEqual([...FATAL_ERRORS]);
      expect(fatal.Next).toBe(StateNames.RecordFailure);
      expect(rest.ErrorEquals).toEqual(['States.ALL']);
      expect(rest.Next).toBe(StateNames.RecordFailure);
      expect(more).toEqual([]);
    },
  );

  test('RecordFailure ends in Failed, which fails with the caught error even if recording fails', () => {
    const record = states[StateNames.RecordFailure];
    expect(record.Next).toBe(StateNames.Failed);
    expect(record.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordFailureError', Next: StateNames.Failed },
    ]);
    expect(states[StateNames.Failed]).toMatchObject({
      Type: 'Fail',
      ErrorPath: '$.Error',
      CausePath: '$.Cause',
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

  test('is what PollWorkflow.renderDefinition() gives without a synth', () => {
    const { stack } = buildApp({ 'aws:cdk:bundling-stacks': [] }, { nag: false });
    expect(stack.workflow.renderDefinition()).toEqual(definition);
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
