/**
 * The Step Functions execution behind a deployed run (the run ID is the execution name). A run stopped,
 * timed out or failed outside the function leaves its run record RUNNING: the execution says how it ended.
 */
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { redactEmails } from '../lambda/shared/redact';

export interface ExecutionStatus {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE' | string;
  stoppedAt?: string;
  error?: string;
  cause?: string;
}

/** The execution's status; undefined when it cannot be read (no such execution, no access). */
export type ExecutionLookup = (runId: string) => Promise<ExecutionStatus | undefined>;

/** `arn:...:stateMachine:Name` and run ID → `arn:...:execution:Name:runId`. */
const executionArn = (stateMachineArn: string, runId: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${runId}`;

export const sfnLookup =
  (stateMachineArn: string, makeClient: () => SFNClient = () => new SFNClient({})): ExecutionLookup =>
  async (runId) => {
    const client = makeClient();
    try {
      const out = await client.send(
        new DescribeExecutionCommand({ executionArn: executionArn(stateMachineArn, runId) }),
      );
      return {
        status: out.status ?? 'UNKNOWN',
        ...(out.stopDate ? { stoppedAt: out.stopDate.toISOString() } : {}),
        ...(out.error ? { error: out.error } : {}),
        ...(out.cause ? { cause: redactEmails(out.cause) } : {}),
      };
    } catch {
      return undefined;
    } finally {
      client.destroy();
    }
  };

/** The line saying a run ended outside the function, when the execution did and the record did not. */
export const endedOutside = (recordOutcome: string | undefined, execution: ExecutionStatus | undefined) => {
  if (!execution || execution.status === 'RUNNING' || execution.status === 'SUCCEEDED') return undefined;
  if (recordOutcome !== undefined && recordOutcome !== 'RUNNING') return undefined;
  const why = [execution.error, execution.cause].filter(Boolean).join(': ');
  return `execution ${execution.status}${execution.stoppedAt ? ` at ${execution.stoppedAt}` : ''}${why ? ` (${why})` : ''}: it ended outside the function, so the run record still says RUNNING`;
};
