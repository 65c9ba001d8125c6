/**
 * The data the poller passes around: what the state machine holds between cycles, what the
 * results table stores, and the ports the use cases reach AWS through.
 */
import type { TerminalStatus } from '../contract/statuses';
import type { WaitMemory } from './wait';

/** Status of one task as AppFabric reports it. */
type ResultStatus = 'IN_PROGRESS' | 'COMPLETED' | 'FAILED' | 'EXPIRED';

/** One item of a BatchGetUserAccessTasks answer. Every field is optional in the model. */
export interface UserAccessResult {
  app?: string;
  tenantId?: string;
  tenantDisplayName?: string;
  taskId?: string;
  resultStatus?: ResultStatus | string;
  email?: string;
  userId?: string;
  userFullName?: string;
  userFirstName?: string;
  userLastName?: string;
  userStatus?: string;
  taskError?: { errorCode?: string; errorMessage?: string };
}

/** Counts by status for a run. `pending` is what is still being polled. */
export interface StatusCounts {
  total: number;
  pending: number;
  COMPLETED: number;
  FAILED: number;
  EXPIRED: number;
  NOT_FOUND: number;
  TIMED_OUT: number;
}

/**
 * What the state machine carries between states. Small and free of personal data:
 * the pending IDs themselves live in the run state item, not here.
 */
export interface LoopState {
  runId: string;
  appBundleIdentifier: string;
  /** PENDING: wait and poll again; DONE: every task has a record; TIMED_OUT: deadline passed. */
  status: 'PENDING' | 'DONE' | 'TIMED_OUT';
  /** Poll cycles completed so far. */
  cycle: number;
  /** Seconds the Wait state waits before the next poll. */
  waitSeconds: number;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  /** ISO time after which remaining tasks are recorded as TIMED_OUT. */
  deadlineAt: string;
  counts: StatusCounts;
  /** What the wait policy keeps between cycles (wait.ts): the first poll's time and a finish profile. */
  waitPolicy?: WaitMemory;
}

/** A stored task result: every answer field plus where and when it was recorded. */
export interface TaskRecord extends Omit<UserAccessResult, 'resultStatus' | 'taskId'> {
  taskId: string;
  resultStatus: TerminalStatus;
  runId: string;
  appBundleIdentifier: string;
  recordedAt: string;
  /** Epoch seconds after which DynamoDB TTL removes the record. */
  expiresAt?: number;
}

/** A run's summary record. */
export interface RunRecord {
  runId: string;
  appBundleIdentifier: string;
  inputKind: 'taskIds' | 'emails' | 'taskIds+emails';
  outcome: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  startedAt: string;
  endedAt?: string;
  counts: StatusCounts;
  errorName?: string;
  errorCause?: string;
  /** Poll cycles done so far; written each cycle with the counts. */
  cycle?: number;
  /** When the last poll cycle ended (ISO). */
  lastPolledAt?: string;
  expiresAt?: number;
}

/** Where a task belongs, as far as the run knows: from StartUserAccessTasks or an IN_PROGRESS answer. */
export interface AppRef {
  app?: string;
  tenantId?: string;
}

/**
 * What the run knows about one task before its result: its app and tenant, and (for runs started from
 * addresses) the person's address. Lives in the run state item only, never in the loop state.
 */
export interface TaskContext extends AppRef {
  email?: string;
}
