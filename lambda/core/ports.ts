/**
 * Ports: what the use cases need from the outside world. Adapters in `lambda/adapters/` implement
 * them over the AWS SDK; tests may pass their own. Every method throws the errors of
 * `lambda/shared/errors.ts`, never raw SDK errors.
 */
import type { TerminalStatus } from '../contract/statuses';
import type {
  AppRef,
  LoopState,
  RunRecord,
  StatusCounts,
  TaskContext,
  TaskRecord,
  UserAccessResult,
} from './model';

export interface AccessTasksGateway {
  /** One BatchGetUserAccessTasks call for at most 50 IDs. */
  batchGet(appBundleIdentifier: string, taskIds: readonly string[]): Promise<UserAccessResult[]>;
  /** One StartUserAccessTasks call: the tasks started for one address. */
  start(appBundleIdentifier: string, email: string): Promise<StartedTask[]>;
}

export interface StartedTask {
  app?: string;
  tenantId?: string;
  taskId?: string;
  error?: { errorCode?: string; errorMessage?: string };
}

/**
 * Loop state plus the pending task IDs: one item per run, written with an optimistic lock on `cycle`.
 * What the run knows about each pending task is an index into two small per-run tables (`apps`: the
 * distinct app/tenant pairs, a bundle holds at most 50; `people`: the run's addresses, at most 100), so a
 * 10,000-task run still fits one item. -1 (or an absent list) means "not known".
 */
export interface RunState extends LoopState {
  /** Task IDs still being polled. */
  pendingTaskIds: string[];
  /** For each pending ID (same order): answers in a row that left it out. */
  misses: number[];
  /** For each pending ID: index into `apps`, or -1. */
  appIndex?: number[];
  /** For each pending ID: index into `people`, or -1. */
  personIndex?: number[];
  /** Distinct app/tenant pairs of the run (at most {@link Limits.maxAppRefsPerRun}). */
  apps?: AppRef[];
  /** The run's addresses (personal data: stored in the run state item, never in the loop state). */
  people?: string[];
  /** Epoch seconds after which DynamoDB TTL removes the item, with the run's other records. */
  expiresAt?: number;
}

export interface RunStateStore {
  load(runId: string): Promise<RunState | undefined>;
  /**
   * Writes the state if the stored one is at `expectedCycle` (or absent when `expectedCycle` is undefined).
   * Throws RunStateConflictError otherwise.
   */
  save(state: RunState, expectedCycle: number | undefined): Promise<void>;
}

export interface WriteReport {
  /** Records written. */
  written: number;
  /** Records already stored with the same status, left as they were. */
  skipped: number;
  /** BatchWriteItem requests sent, retries of unprocessed items included. */
  writeRequests: number;
  /**
   * Records not written because the stored one already holds AppFabric's own result: a poller status
   * (NOT_FOUND, TIMED_OUT) never replaces COMPLETED, FAILED or EXPIRED. The stored status stands.
   */
  kept: { taskId: string; resultStatus: TerminalStatus }[];
}

export interface ResultsStore {
  /**
   * Stores task records, 25 a BatchWriteItem, retrying UnprocessedItems with backoff. A record whose key
   * is already stored with the same `resultStatus` is left as it is, so writing a result twice leaves one
   * identical record; a NOT_FOUND or TIMED_OUT record never replaces a stored AppFabric result (see `kept`).
   */
  putTaskRecords(records: readonly TaskRecord[]): Promise<WriteReport>;
  putRunRecord(run: RunRecord): Promise<void>;
  /**
   * Live progress of a RUNNING run: one write that sets counts, cycle and lastPolledAt, only while the
   * stored record is RUNNING and at an earlier cycle (a late attempt never moves it back).
   */
  putRunProgress(progress: RunProgress): Promise<void>;
  getRun(runId: string): Promise<RunRecord | undefined>;
}

export interface RunProgress {
  runId: string;
  counts: StatusCounts;
  cycle: number;
  lastPolledAt: string;
}

/** A task StartUserAccessTasks started, with what the run will need for its record. */
export interface StartedTaskRef extends TaskContext {
  taskId: string;
}

/** What StartUserAccessTasks did for one address of a run. Stored before and after the call. */
export interface StartRecord {
  runId: string;
  /** SHA-256 of the lower-cased address: the key, so the address itself is not a key. */
  emailHash: string;
  email: string;
  /** STARTING: the call may be under way (or died); STARTED: tasks known; REJECTED: AppFabric refused it. */
  state: 'STARTING' | 'STARTED' | 'REJECTED';
  taskIds: string[];
  /** For each of `taskIds` (same order): its app and tenant, from the answer. Absent in older records. */
  apps?: AppRef[];
  errors: { app?: string; tenantId?: string; errorCode?: string; errorMessage?: string }[];
  at: string;
  expiresAt?: number;
}

export interface StartLedger {
  get(runId: string, emailHash: string): Promise<StartRecord | undefined>;
  /** Creates the STARTING marker; false when a record for the address already exists. */
  claim(record: StartRecord): Promise<boolean>;
  /** Stores the record; with `ifState`, only while the stored one is in that state (false otherwise). */
  put(record: StartRecord, options?: { ifState?: StartRecord['state'] }): Promise<boolean>;
  remove(runId: string, emailHash: string): Promise<void>;
}

/**
 * What earlier runs of an app bundle tell about when tasks finish: for each of its newest finished
 * (SUCCEEDED) runs, newest first, the seconds from the run's start to each AppFabric result it recorded
 * (COMPLETED, FAILED, EXPIRED; never NOT_FOUND or TIMED_OUT, which the poller decided, not AppFabric).
 * Times only: no task ID, no person. Bounded so Start stays fast: at most `runs` runs, `maxRecords` in all.
 */
export interface RunHistory {
  recentFinishSeconds(
    appBundleIdentifier: string,
    limits: { runs: number; maxRecords: number },
  ): Promise<number[][]>;
}
