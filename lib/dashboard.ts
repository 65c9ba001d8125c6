/**
 * A CloudWatch dashboard of the poller: runs started and failed, tasks by outcome, AppFabric calls,
 * throttles, function errors and duration, dead-letter queue depth. The function's metrics are its own
 * (lambda/contract/stack.ts MetricNames, Powertools' `service` dimension); the rest are AWS's.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { MetricNames } from '../lambda/contract/stack';
import { TerminalStatuses } from '../lambda/contract/statuses';

export interface PollDashboardProps {
  readonly stateMachine: sfn.IStateMachine;
  readonly pollerFunction: lambda.IFunction;
  readonly deadLetterQueue: sqs.IQueue;
  /** The Powertools service name of the function (its metrics' `service` dimension). */
  readonly serviceName: string;
  /** @default Duration.minutes(5) */
  readonly period?: Duration;
}

export class PollDashboard extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  /** Console page of the dashboard. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: PollDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    const sum = { period, statistic: cloudwatch.Stats.SUM };
    const own = (metricName: string, label: string) =>
      new cloudwatch.Metric({
        namespace: MetricNames.namespace,
        metricName,
        dimensionsMap: { service: props.serviceName },
        label,
        ...sum,
      });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    const sm = props.stateMachine;
    const fn = props.pollerFunction;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          graph('Runs started and failed', [
            own(MetricNames.runsStarted, 'runs started'),
            own(MetricNames.runsFailed, 'runs failed'),
            sm.metricFailed({ ...sum, label: 'executions failed' }),
            sm.metricTimedOut({ ...sum, label: 'executions timed out' }),
          ]),
          graph(
            'Tasks by outcome',
            TerminalStatuses.map((status) => own(MetricNames.tasks(status), status)),
          ),
          graph('BatchGetUserAccessTasks calls', [
            own(MetricNames.batchGetCalls, 'calls'),
            own(MetricNames.batchGetFailedCalls, 'failed calls'),
          ]),
        ],
        [
          graph('Throttles', [
            sm.metricThrottled({ ...sum, label: 'state machine throttled' }),
            fn.metricThrottles({ ...sum, label: 'function throttled' }),
          ]),
          graph(
            'Function errors and duration',
            [fn.metricErrors({ ...sum, label: 'errors' })],
            [fn.metricDuration({ period, statistic: cloudwatch.Stats.p(99), label: 'duration p99' })],
          ),
          graph('Dead-letter queue depth', [
            props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
              period,
              statistic: cloudwatch.Stats.MAXIMUM,
              label: 'events waiting',
            }),
          ]),
        ],
      ],
    });
    this.url =
      `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}` +
      `#dashboards/dashboard/${this.dashboard.dashboardName}`;
  }
}
