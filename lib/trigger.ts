import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { EventPatternSetting } from './config';

/** Converts an event pattern from its JSON form (`detail-type`) to the CDK's (`detailType`). */
function toEventPattern(pattern: EventPatternSetting): events.EventPattern {
  const { 'detail-type': detailType, ...rest } = pattern;
  return { ...rest, ...(detailType === undefined ? {} : { detailType }) };
}

export interface PollTriggerProps {
  /** The state machine the rules start. */
  readonly stateMachine: sfn.IStateMachine;
  /** Events that start an execution; the event's `detail` is the execution input. */
  readonly eventPattern: EventPatternSetting;
  /**
   * Schedule expression (`rate(...)` or `cron(...)`) of a second rule that starts an execution.
   *
   * @default - no schedule rule
   */
  readonly schedule?: string;
  /**
   * Execution input of scheduled runs.
   *
   * @default {}
   */
  readonly scheduleInput?: Record<string, unknown>;
  /**
   * How long EventBridge keeps retrying to start an execution before the event goes to the DLQ.
   *
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;
  /**
   * How many times EventBridge retries to start an execution before the event goes to the DLQ.
   *
   * @default 10
   */
  readonly retryAttempts?: number;
}

/**
 * Starts the state machine: an EventBridge rule on the configured pattern (input: the event's detail),
 * and optionally a schedule rule. Events that could not start an execution land in an encrypted SQS
 * dead-letter queue kept 14 days.
 */
export class PollTrigger extends Construct {
  /** The rule on the event pattern. */
  public readonly rule: events.Rule;
  /** The schedule rule, when a schedule is configured. */
  public readonly scheduleRule?: events.Rule;
  /** Events EventBridge failed to deliver. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The role EventBridge assumes: it may only start executions of this state machine. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PollTriggerProps) {
    super(scope, id);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: EventBridge sends it the events of the poller rules it ' +
        'could not deliver to the state machine. A DLQ of a DLQ has nothing to redrive to.',
    });

    this.role = new iam.Role(this, 'StartExecutionRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
      description: 'EventBridge: start executions of the AppFabric access poller state machine',
    });

    const target = (input: events.RuleTargetInput) =>
      new targets.SfnStateMachine(props.stateMachine, {
        input,
        role: this.role,
        deadLetterQueue: this.deadLetterQueue,
        maxEventAge: props.maxEventAge ?? Duration.hours(24),
        retryAttempts: props.retryAttempts ?? 10,
      });

    this.rule = new events.Rule(this, 'Rule', {
      description: 'Starts an AppFabric access poll; the event detail is the execution input',
      eventPattern: toEventPattern(props.eventPattern),
      targets: [target(events.RuleTargetInput.fromEventPath('$.detail'))],
    });

    if (props.schedule !== undefined) {
      this.scheduleRule = new events.Rule(this, 'ScheduleRule', {
        description: 'Starts a scheduled AppFabric access poll',
        schedule: events.Schedule.expression(props.schedule),
        targets: [target(events.RuleTargetInput.fromObject(props.scheduleInput ?? {}))],
      });
    }
  }
}
