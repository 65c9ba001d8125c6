import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { StackNames } from '../lambda/contract/stack';
import { PollAlarms } from './alarms';
import { deadlineSeconds, type PollerSettings } from './config';
import { PollDashboard } from './dashboard';
import { addDeploymentGuards } from './guards';
import { LargeRunOutputs, LargeRunWorkflow } from './large-run-workflow';
import { PollWorkflow } from './poll-workflow';
import { PollerFunction, SERVICE_NAME } from './poller-function';
import { ResultsTable } from './results-table';
import { PollTrigger } from './trigger';

export interface AppFabricPollerStackProps extends StackProps {
  /** The deployment settings (see config.ts and parseSettings). */
  readonly settings: PollerSettings;
}

/**
 * The AppFabric access poller: results table, poller function, polling state machine, EventBridge
 * trigger with its dead-letter queue, alarms, a dashboard, and the deployment guards (lib/guards.ts).
 */
export class AppFabricPollerStack extends Stack {
  public readonly settings: PollerSettings;
  public readonly results: ResultsTable;
  public readonly poller: PollerFunction;
  public readonly workflow: PollWorkflow;
  public readonly trigger: PollTrigger;
  public readonly alarms: PollAlarms;
  public readonly dashboard: PollDashboard;
  /** The large-run workflow (bucket + Distributed Map state machine), when `largeRuns` is on. */
  public readonly largeRuns?: LargeRunWorkflow;

  constructor(scope: Construct, id: string, props: AppFabricPollerStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.settings = settings;
    addDeploymentGuards(this, settings);
    const removalPolicy = settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;

    this.results = new ResultsTable(this, 'Results', { removalPolicy });
    this.poller = new PollerFunction(this, 'Poller', { table: this.results.table, settings });
    this.workflow = new PollWorkflow(this, 'Workflow', {
      pollerFunction: this.poller.lambdaFunction,
      deadline: Duration.seconds(deadlineSeconds(settings)),
      maxWait: Duration.seconds(settings.maxWaitSeconds),
      logRemovalPolicy: removalPolicy,
      resultsTableName: this.results.table.tableName,
    });
    this.trigger = new PollTrigger(this, 'Trigger', {
      stateMachine: this.workflow.stateMachine,
      eventPattern: settings.eventPattern,
      schedule: settings.schedule,
      scheduleInput: settings.scheduleInput,
    });

    const stateMachineArn = this.workflow.stateMachine.stateMachineArn;
    new CfnOutput(this, StackNames.outputs.stateMachineArn, {
      description: 'The poller state machine',
      value: stateMachineArn,
    });
    new CfnOutput(this, StackNames.outputs.tableName, {
      description: 'The results table',
      value: this.results.table.tableName,
    });
    new CfnOutput(this, StackNames.outputs.startExecutionUrl, {
      description: 'Console page of the state machine, to start an execution',
      value: `https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}#/statemachines/view/${stateMachineArn}`,
    });
    new CfnOutput(this, StackNames.outputs.deadLetterQueueUrl, {
      description: 'Events EventBridge could not deliver to the state machine',
      value: this.trigger.deadLetterQueue.queueUrl,
    });

    this.dashboard = new PollDashboard(this, 'Dashboard', {
      stateMachine: this.workflow.stateMachine,
      pollerFunction: this.poller.lambdaFunction,
      deadLetterQueue: this.trigger.deadLetterQueue,
      serviceName: SERVICE_NAME,
    });
    new CfnOutput(this, StackNames.outputs.dashboardUrl, {
      description: 'Console page of the CloudWatch dashboard of the poller',
      value: this.dashboard.url,
    });

    if (settings.largeRuns) {
      this.largeRuns = new LargeRunWorkflow(this, 'LargeRuns', {
        pollStateMachine: this.workflow.stateMachine,
        pollTimeout: this.workflow.timeout,
        pollDefaults: {
          appBundleIdentifier: settings.appBundleIdentifier,
          minWaitSeconds: settings.minWaitSeconds,
          maxWaitSeconds: settings.maxWaitSeconds,
        },
        maxItemsPerBatch: settings.largeRunBatchSize,
        maxConcurrency: settings.largeRunMaxConcurrency,
        toleratedFailurePercentage: settings.largeRunToleratedFailurePercentage,
        resultsExpiration: settings.retentionDays === 0 ? null : Duration.days(settings.retentionDays),
        removalPolicy,
      });
      new CfnOutput(this, LargeRunOutputs.bucketName, {
        description: 'Bucket of large runs: put task ID lists under input/, results appear under results/',
        value: this.largeRuns.bucket.bucketName,
      });
      new CfnOutput(this, LargeRunOutputs.stateMachineArn, {
        description: 'The large-run state machine (input: { "key": "input/<list>.json|.csv|.txt" })',
        value: this.largeRuns.stateMachine.stateMachineArn,
      });
    }

    this.alarms = new PollAlarms(this, 'Alarms', {
      stateMachine: this.workflow.stateMachine,
      pollerFunction: this.poller.lambdaFunction,
      deadLetterQueue: this.trigger.deadLetterQueue,
      largeRunStateMachine: this.largeRuns?.stateMachine,
      alarmTopic:
        settings.alarmTopicArn === undefined
          ? undefined
          : sns.Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn),
    });
  }
}
