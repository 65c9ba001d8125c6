import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { Actions, ErrorNames, FATAL_ERRORS, RETRYABLE_ERRORS } from '../lambda/contract/workflow';
import { completionEventTask, zeroCounts } from './completion-event';
import { acknowledgeWildcardResource } from './nag';

/** Names of the states: the local runner keys its task handlers by these. */
export const StateNames = {
  Start: 'Start',
  Poll: 'Poll',
  Done: 'Done?',
  Wait: 'Wait',
  Summarize: 'Summarize',
  Succeeded: 'Succeeded',
  DeadlineExceeded: 'DeadlineExceeded',
  RecordFailure: 'RecordFailure',
  Failed: 'Failed',
  /** Start failed: the run has no counts yet. */
  StartFailed: 'StartFailed',
  /** The completion event, one state per way a run ends. */
  AnnounceSucceeded: 'AnnounceSucceeded',
  AnnounceTimedOut: 'AnnounceTimedOut',
  AnnounceFailed: 'AnnounceFailed',
} as const;

type StateName = (typeof StateNames)[keyof typeof StateNames];

/** Errors of the Lambda service itself (not of our code): retried with backoff. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException',
] as const;

/**
 * The function ran out of time (`Sandbox.Timedout`), or failed unhandled, which Step Functions reports as
 * `Lambda.Unknown` (timeouts and out-of-memory included): retried, but only once, as a slow AppFabric
 * may stay slow.
 */
const LAMBDA_TIMEOUT_ERRORS = ['Sandbox.Timedout', 'Lambda.Unknown'] as const;

/** Retry policies of the three task states, in the order they are evaluated. */
const RETRY_POLICIES: readonly sfn.RetryProps[] = [
  {
    errors: [...RETRYABLE_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  },
  {
    errors: [...LAMBDA_SERVICE_ERRORS],
    interval: Duration.seconds(1),
    backoffRate: 2,
    maxAttempts: 5,
    maxDelay: Duration.seconds(20),
    jitterStrategy: sfn.JitterType.FULL,
  },
  {
    errors: [...LAMBDA_TIMEOUT_ERRORS],
    interval: Duration.seconds(5),
    backoffRate: 2,
    maxAttempts: 1,
    maxDelay: Duration.seconds(30),
    jitterStrategy: sfn.JitterType.FULL,
  },
];

/**
 * Time the state machine timeout adds to the deadline: the last Wait is cut at the deadline by the
 * function, then one Poll with its retries (6 attempts of at most 60 s plus backoff, about 10 minutes)
 * and RecordFailure must still fit.
 */
const TIMEOUT_MARGIN = Duration.minutes(30);

export interface PollWorkflowProps {
  /** The poller function the three task states invoke. */
  readonly pollerFunction: lambda.IFunction;
  /** The deadline of a run: the function records tasks still pending after it as TIMED_OUT. */
  readonly deadline: Duration;
  /**
   * Longest wait between two polls, added to the timeout margin.
   *
   * @default Duration.seconds(300)
   */
  readonly maxWait?: Duration;
  /**
   * How long the execution logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the execution log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Name of the results table: the completion event links to it. */
  readonly resultsTableName: string;
  /**
   * Name of the execution log group, under `/aws/vendedlogs/states/` as AWS advises (it keeps the
   * account's CloudWatch Logs resource policy small).
   *
   * @default `/aws/vendedlogs/states/<stack name>-poll`
   */
  readonly logGroupName?: string;
}

/**
 * The polling loop, a STANDARD state machine:
 *
 * Start → Poll → Done? ─ DONE → Summarize → AnnounceSucceeded → Succeeded
 *                      ├ TIMED_OUT → AnnounceTimedOut → DeadlineExceeded (Fail)
 *                      └ otherwise → Wait (SecondsPath $.waitSeconds) → Poll
 *
 * Start, Poll and RecordFailure retry the retryable errors and the Lambda service errors; Start (through
 * StartFailed) and Poll catch the fatal errors, then everything else, into RecordFailure →
 * AnnounceFailed → Failed. Each Announce* state sends the completion event (lib/completion-event.ts).
 */
export class PollWorkflow extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Its execution log group (level ALL, without execution data). */
  public readonly logGroup: logs.LogGroup;
  /** The state machine timeout: deadline plus margin, a backstop for the function's deadline. */
  public readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: PollWorkflowProps) {
    super(scope, id);
    const fn = props.pollerFunction;
    const maxWait = props.maxWait ?? Duration.seconds(300);

    const invoke = (
      name: StateName,
      comment: string,
      payload: Record<string, unknown>,
      output: Partial<tasks.LambdaInvokeJsonPathProps> = { outputPath: '$.Payload' },
    ) => {
      const task = tasks.LambdaInvoke.jsonPath(this, name, {
        comment,
        lambdaFunction: fn,
        payload: sfn.TaskInput.fromObject(payload),
        retryOnServiceExceptions: false,
        ...output,
      });
      for (const retry of RETRY_POLICIES) task.addRetry(retry);
      return task;
    };

    const start = invoke(
      StateNames.Start,
      'Validates the input, starts tasks for addresses, stores the run',
      {
        action: Actions.start,
        runId: sfn.JsonPath.executionName,
        startedAt: sfn.JsonPath.executionStartTime,
        // The execution's input from the context object, not `$`: an input of null has no `$` to point at,
        // and the function (not the engine) must say what is wrong with it.
        input: sfn.JsonPath.objectAt('$$.Execution.Input'),
      },
    );
    const poll = invoke(StateNames.Poll, 'One BatchGetUserAccessTasks round; records finished tasks', {
      action: Actions.poll,
      state: sfn.JsonPath.entirePayload,
    });
    const recordFailure = invoke(
      StateNames.RecordFailure,
      'Records the error on the run; returns it',
      {
        action: Actions.fail,
        runId: sfn.JsonPath.executionName,
        startedAt: sfn.JsonPath.executionStartTime,
        error: sfn.JsonPath.objectAt('$.error'),
      },
      // The recorded error (cleaned, addresses redacted) replaces the caught one; the counts stay.
      {
        resultSelector: { 'Error.$': '$.Payload.Error', 'Cause.$': '$.Payload.Cause' },
        resultPath: '$.error',
      },
    );

    const failed = sfn.Fail.jsonPath(this, StateNames.Failed, {
      comment: 'The run failed: the error of the state that failed',
      errorPath: '$.error.Error',
      causePath: '$.error.Cause',
    });
    const announceFailed = completionEventTask(this, StateNames.AnnounceFailed, {
      outcome: 'FAILED',
      countsPath: '$.counts',
      errorNamePath: '$.error.Error',
      resultsTableName: props.resultsTableName,
      next: failed,
    });
    // Even when the failure cannot be recorded, the execution fails with the original error.
    recordFailure.addCatch(announceFailed, { errors: [sfn.Errors.ALL], resultPath: '$.recordFailureError' });
    recordFailure.next(announceFailed);

    // Start's input is the execution input (addresses, maybe; not always an object): the caught error
    // is the whole output, and only it goes on, with zero counts.
    const startFailed = sfn.Pass.jsonPath(this, StateNames.StartFailed, {
      comment: 'Start failed: no task has a record yet',
      parameters: { 'error.$': '$', counts: zeroCounts() },
    }).next(recordFailure);
    start.addCatch(startFailed, { errors: [...FATAL_ERRORS] });
    start.addCatch(startFailed, { errors: [sfn.Errors.ALL] });
    // Poll's input is the loop state: the error goes next to its counts.
    poll.addCatch(recordFailure, { errors: [...FATAL_ERRORS], resultPath: '$.error' });
    poll.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.error' });

    const summarize = sfn.Pass.jsonPath(this, StateNames.Summarize, {
      comment: 'Every task has a record',
      parameters: {
        runId: sfn.JsonPath.stringAt('$.runId'),
        counts: sfn.JsonPath.objectAt('$.counts'),
        cycles: sfn.JsonPath.numberAt('$.cycle'),
      },
    });
    const succeeded = sfn.Succeed.jsonPath(this, StateNames.Succeeded);
    const announce = (id: StateName, outcome: 'SUCCEEDED' | 'TIMED_OUT', next: sfn.IChainable) =>
      completionEventTask(this, id, {
        outcome,
        countsPath: '$.counts',
        resultsTableName: props.resultsTableName,
        next,
      });
    const deadlineExceeded = sfn.Fail.jsonPath(this, StateNames.DeadlineExceeded, {
      comment: 'The deadline passed; tasks still pending were recorded as TIMED_OUT',
      error: ErrorNames.DeadlineExceeded,
      cause:
        'The deadline passed (or the cycle limit was reached) before every task finished; ' +
        'the tasks still in progress were recorded as TIMED_OUT.',
    });
    const wait = sfn.Wait.jsonPath(this, StateNames.Wait, {
      comment: 'Waits the seconds the function chose',
      time: sfn.WaitTime.secondsPath('$.waitSeconds'),
    });

    const done = sfn.Choice.jsonPath(this, StateNames.Done, { comment: 'Routes on the run status' })
      .when(
        sfn.Condition.stringEquals('$.status', 'DONE'),
        summarize.next(announce(StateNames.AnnounceSucceeded, 'SUCCEEDED', succeeded)),
      )
      .when(
        sfn.Condition.stringEquals('$.status', 'TIMED_OUT'),
        announce(StateNames.AnnounceTimedOut, 'TIMED_OUT', deadlineExceeded),
      )
      .otherwise(wait.next(poll));

    const definition = start.next(poll).next(done);

    this.timeout = Duration.seconds(
      props.deadline.toSeconds() + maxWait.toSeconds() + TIMEOUT_MARGIN.toSeconds(),
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName ?? `/aws/vendedlogs/states/${Stack.of(this).stackName}-poll`,
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Polls AppFabric user access tasks until every task has a result or the deadline passes',
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: this.timeout,
      tracingEnabled: true,
      // Inputs and outputs hold addresses and names: log the events, never the data.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    acknowledgeWildcardResource(
      this.stateMachine.role,
      `${fn.functionArn}:*`,
      'LambdaInvoke grants lambda:InvokeFunction on the poller function and on its versions and aliases ' +
        '(<function ARN>:*): still only the one poller function of this stack.',
    );
    acknowledgeWildcardResource(
      this.stateMachine.role,
      '*',
      'Only for actions without resource-level permissions: X-Ray tracing (xray:PutTraceSegments, ' +
        'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended delivery ' +
        '(logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
        'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) that tracing and execution logging need.',
    );
  }
}
