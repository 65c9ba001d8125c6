/**
 * The event the poll state machine sends to the default EventBridge bus when a run ends: its shape is
 * defined here once, for the state machine (lib/completion-event.ts), the local runner and the tests.
 * Counts and links only: never an address or a name.
 */
import type { TerminalStatus } from './statuses';

export const CompletionEvent = {
  source: 'appfabric-access-poller',
  detailType: 'Access Review Completed',
} as const;

/** How the run ended. */
export type CompletionOutcome = 'SUCCEEDED' | 'TIMED_OUT' | 'FAILED';

/** The `detail` of the completion event. */
export interface CompletionDetail {
  runId: string;
  outcome: CompletionOutcome;
  /** Tasks by status as of the last finished poll cycle (all 0 when the run failed at Start). */
  counts: { total: number; pending: number } & Record<TerminalStatus, number>;
  /** ISO times of the execution's start and of the event. */
  startedAt: string;
  endedAt: string;
  executionArn: string;
  /** Console page of the execution. */
  executionUrl: string;
  /** Console page of the results table (item explorer). */
  resultsTableUrl: string;
  /** The error name of a FAILED run (never its cause, which may quote input). */
  errorName?: string;
}

/** The detail's fields, in order (the template test checks that nothing else is sent). */
export const COMPLETION_DETAIL_FIELDS = [
  'runId',
  'outcome',
  'counts',
  'startedAt',
  'endedAt',
  'executionArn',
  'executionUrl',
  'resultsTableUrl',
  'errorName',
] as const satisfies readonly (keyof CompletionDetail)[];
