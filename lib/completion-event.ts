/**
 * The completion event of a run: a native `events:putEvents` task (no function code) that sends one
 * event to the default bus as the run ends. Shape: lambda/contract/events.ts. Counts and links only.
 */
import { Aws, Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { type CompletionDetail, CompletionEvent, type CompletionOutcome } from '../lambda/contract/events';
import { TerminalStatuses } from '../lambda/contract/statuses';

export interface CompletionEventProps {
  readonly outcome: CompletionOutcome;
  /** JSONPath of the run's counts in the state's input. */
  readonly countsPath: string;
  /** JSONPath of the error name, for FAILED runs. */
  readonly errorNamePath?: string;
  /** Name of the results table (a token), for its console link. */
  readonly resultsTableName: string;
  /** The state the run goes on to, whether the event was sent or not. */
  readonly next: sfn.IChainable;
}

/** Console page of an execution, built from its ARN at run time. */
const EXECUTION_URL_FORMAT = `https://${Aws.REGION}.console.aws.amazon.com/states/home?region=${Aws.REGION}#/v2/executions/details/{}`;

/**
 * Sends the completion event, then goes on to `next`. Its result is discarded, so the state's output is
 * its input (the run summary a large run's parent reads). A failed send is retried, then skipped: the
 * event never changes how the run ends.
 */
export function completionEventTask(
  scope: Construct,
  id: string,
  props: CompletionEventProps,
): sfn.IChainable {
  const detail: Record<keyof CompletionDetail, unknown> = {
    runId: sfn.JsonPath.executionName,
    outcome: props.outcome,
    counts: sfn.JsonPath.objectAt(props.countsPath),
    startedAt: sfn.JsonPath.executionStartTime,
    endedAt: sfn.JsonPath.stateEnteredTime,
    executionArn: sfn.JsonPath.executionId,
    executionUrl: sfn.JsonPath.format(EXECUTION_URL_FORMAT, sfn.JsonPath.executionId),
    resultsTableUrl:
      `https://${Aws.REGION}.console.aws.amazon.com/dynamodbv2/home?region=${Aws.REGION}` +
      `#item-explorer?table=${props.resultsTableName}`,
    errorName: props.errorNamePath === undefined ? undefined : sfn.JsonPath.stringAt(props.errorNamePath),
  };
  if (detail.errorName === undefined) delete (detail as Partial<typeof detail>).errorName;
  const task = tasks.EventBridgePutEvents.jsonPath(scope, id, {
    comment: `Sends the "${CompletionEvent.detailType}" event (outcome ${props.outcome}) to the default bus`,
    entries: [
      {
        source: CompletionEvent.source,
        detailType: CompletionEvent.detailType,
        detail: sfn.TaskInput.fromObject(detail),
      },
    ],
    resultPath: sfn.JsonPath.DISCARD,
  });
  task.addRetry({
    errors: [sfn.Errors.TASKS_FAILED],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
  task.addCatch(props.next, { errors: [sfn.Errors.ALL], resultPath: sfn.JsonPath.DISCARD });
  return task.next(props.next);
}

/** The counts of a run that failed before any task had a record. */
export const zeroCounts = (): CompletionDetail['counts'] =>
  ({
    total: 0,
    pending: 0,
    ...Object.fromEntries(TerminalStatuses.map((s) => [s, 0])),
  }) as CompletionDetail['counts'];
