import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface PollAlarmsProps {
  /** The poller state machine. */
  readonly stateMachine: sfn.IStateMachine;
  /** The poller function. */
  readonly pollerFunction: lambda.IFunction;
  /** The trigger's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The large-run state machine, when large runs are deployed.
   *
   * @default - no large-run alarm
   */
  readonly largeRunStateMachine?: sfn.IStateMachine;
  /**
   * Topic notified when an alarm fires (and when it recovers).
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Function errors in 5 minutes that raise the alarm. Retryable errors (throttling) are expected now
   * and then and retried by the state machine; failed runs have their own alarm.
   *
   * @default 5
   */
  readonly functionErrorThreshold?: number;
}

/**
 * Alarms on the poller: executions failed, timed out or throttled, function errors, and events waiting
 * in the dead-letter queue.
 */
export class PollAlarms extends Construct {
  /** Executions that failed (fatal error, retries exhausted, deadline passed) in 5 minutes ≥ 1. */
  public readonly executionsFailed: cloudwatch.Alarm;
  /** Executions that hit the state machine timeout (the backstop) in 5 minutes ≥ 1. */
  public readonly executionsTimedOut: cloudwatch.Alarm;
  /** Execution starts throttled in 5 minutes ≥ 1. */
  public readonly executionsThrottled: cloudwatch.Alarm;
  /** Function errors in 5 minutes ≥ functionErrorThreshold. */
  public readonly functionErrors: cloudwatch.Alarm;
  /** Events in the dead-letter queue > 0. */
  public readonly deadLetterQueueDepth: cloudwatch.Alarm;
  /** Large runs that failed (a child over the tolerated share, an unreadable list) in 5 minutes ≥ 1. */
  public readonly largeRunsFailed?: cloudwatch.Alarm;
  /** Every alarm above. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: PollAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const sum = { period, statistic: cloudwatch.Stats.SUM };
    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      description: string,
      threshold = 1,
      comparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    ) =>
      new cloudwatch.Alarm(this, name, {
        metric,
        alarmDescription: description,
        threshold,
        comparisonOperator,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    this.executionsFailed = alarm(
      'ExecutionsFailed',
      props.stateMachine.metricFailed(sum),
      'AppFabric access poller: an execution failed (see RecordFailure / the run record for the error)',
    );
    this.executionsTimedOut = alarm(
      'ExecutionsTimedOut',
      props.stateMachine.metricTimedOut(sum),
      'AppFabric access poller: an execution hit the state machine timeout (deadline backstop)',
    );
    this.executionsThrottled = alarm(
      'ExecutionsThrottled',
      props.stateMachine.metricThrottled(sum),
      'AppFabric access poller: Step Functions throttled state transitions or execution starts',
    );
    this.functionErrors = alarm(
      'FunctionErrors',
      props.pollerFunction.metricErrors(sum),
      'AppFabric access poller: the function reported errors',
      props.functionErrorThreshold ?? 5,
    );
    this.deadLetterQueueDepth = alarm(
      'DeadLetterQueueDepth',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period,
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      'AppFabric access poller: EventBridge could not start executions; events wait in the dead-letter queue',
      0,
      cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    );

    if (props.largeRunStateMachine) {
      this.largeRunsFailed = alarm(
        'LargeRunsFailed',
        props.largeRunStateMachine.metricFailed(sum),
        'AppFabric access poller: a large run failed (see its map run and the failed children)',
      );
    }

    this.alarms = [
      this.executionsFailed,
      this.executionsTimedOut,
      this.executionsThrottled,
      this.functionErrors,
      this.deadLetterQueueDepth,
      ...(this.largeRunsFailed ? [this.largeRunsFailed] : []),
    ];
    if (props.alarmTopic) {
      const action = new actions.SnsAction(props.alarmTopic);
      for (const a of this.alarms) {
        a.addAlarmAction(action);
        a.addOkAction(action);
      }
    }
  }
}
