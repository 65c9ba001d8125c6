/**
 * Names shared by the CDK code (`lib/`) and the runtime (`lambda/`).
 *
 * The state machine's Retry and Catch match on error names and the table's keys are
 * read by both sides, so they live here once: renaming one breaks a test, not production.
 */

/** Error names the poller Lambda throws (the `name` of the Error, which Lambda reports as `errorType`). */
export const ErrorNames = {
  /** AppFabric answered 429: retried by the state machine with backoff. */
  AppFabricThrottled: 'AppFabricThrottledError',
  /** AppFabric answered 5xx, timed out, or the connection failed: retried. */
  AppFabricUnavailable: 'AppFabricUnavailableError',
  /** AppFabric answered with a body the client could not read (malformed, truncated): retried. */
  AppFabricInvalidResponse: 'AppFabricInvalidResponseError',
  /** DynamoDB throttled, failed, or left items unprocessed after every attempt: retried. */
  ResultsStoreUnavailable: 'ResultsStoreUnavailableError',
  /** Another attempt changed the run state first (optimistic lock): retried, the next attempt catches up. */
  RunStateConflict: 'RunStateConflictError',

  /** The execution input or event is not valid: caught, the run fails. */
  InvalidInput: 'InvalidInputError',
  /** AppFabric rejected the request as invalid (400): caught. */
  AppFabricValidation: 'AppFabricValidationError',
  /** AppFabric denied access (403): caught. */
  AppFabricAccessDenied: 'AppFabricAccessDeniedError',
  /** The app bundle does not exist (404): caught. */
  AppBundleNotFound: 'AppBundleNotFoundError',

  /** The overall deadline passed; remaining tasks were recorded as TIMED_OUT. Raised by the Fail state. */
  DeadlineExceeded: 'PollDeadlineExceeded',
} as const;

export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

/** Errors worth another attempt: the state machine retries these with backoff and jitter. */
export const RETRYABLE_ERRORS: readonly ErrorName[] = [
  ErrorNames.AppFabricThrottled,
  ErrorNames.AppFabricUnavailable,
  ErrorNames.AppFabricInvalidResponse,
  ErrorNames.ResultsStoreUnavailable,
  ErrorNames.RunStateConflict,
];

/** Errors that end the run: the state machine catches these, records the failure and fails. */
export const FATAL_ERRORS: readonly ErrorName[] = [
  ErrorNames.InvalidInput,
  ErrorNames.AppFabricValidation,
  ErrorNames.AppFabricAccessDenied,
  ErrorNames.AppBundleNotFound,
];

/** Statuses a task record can hold. The first three come from AppFabric; the last two are the poller's. */
export const TerminalStatuses = ['COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'] as const;
export type TerminalStatus = (typeof TerminalStatuses)[number];

/**
 * The results table: one table, keyed for these reads.
 *
 * | read                        | how                                                          |
 * |-----------------------------|--------------------------------------------------------------|
 * | a run's task records        | Query pk = RUN#<runId>, sk begins_with TASK#                 |
 * | a run's summary             | GetItem pk = RUN#<runId>, sk = RUN                           |
 * | a task, any run             | Query index byTask: taskId = <id>, newest first              |
 * | a person, newest first      | Query index byEmail: emailKey = <lower-case email>           |
 * | an app (and tenant)         | Query index byApp: app = <app> [, tenantKey begins_with <tenant>#] |
 * | runs, newest first          | Query index runsByStart: runListKey = RUN                    |
 */
export const Table = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes the item after it. Absent when retention is unlimited. */
  ttlAttribute: 'expiresAt',
  indexes: {
    byTask: { indexName: 'byTask', partitionKey: 'taskId', sortKey: 'recordedAt' },
    byEmail: { indexName: 'byEmail', partitionKey: 'emailKey', sortKey: 'recordedAt' },
    byApp: { indexName: 'byApp', partitionKey: 'app', sortKey: 'tenantKey' },
    runsByStart: { indexName: 'runsByStart', partitionKey: 'runListKey', sortKey: 'startedAt' },
  },
} as const;

/** Key values. Every item of a run shares its partition, so a run reads back with one Query. */
export const Keys = {
  runPk: (runId: string) => `RUN#${runId}`,
  taskSk: (taskId: string) => `TASK#${taskId}`,
  taskSkPrefix: 'TASK#',
  /** The run's summary record. */
  runSk: 'RUN',
  /** The run's loop state: pending task IDs, misses, counts, cycle. */
  stateSk: 'STATE',
  /** What StartUserAccessTasks returned for one address of the run (keyed by a hash, not the address). */
  startSk: (emailHash: string) => `START#${emailHash}`,
  startSkPrefix: 'START#',
  /** Constant partition of the runsByStart index. */
  runListKey: 'RUN',
  /** Sort key of the byApp index: tenant first so a tenant is a prefix, then time for newest-first. */
  tenantKey: (tenantId: string | undefined, recordedAt: string, taskId: string) =>
    `${tenantId ?? '-'}#${recordedAt}#${taskId}`,
} as const;

/** The stack and the outputs that tools (the query CLI) look up. */
export const StackNames = {
  stackName: 'AppFabricAccessPoller',
  outputs: {
    tableName: 'ResultsTableName',
    stateMachineArn: 'StateMachineArn',
    startExecutionUrl: 'StartExecutionConsoleUrl',
    deadLetterQueueUrl: 'DeadLetterQueueUrl',
  },
} as const;

/** Environment variables the CDK code sets on the poller function and the runtime reads. */
export const EnvNames = {
  tableName: 'RESULTS_TABLE_NAME',
  defaultAppBundleIdentifier: 'DEFAULT_APP_BUNDLE_IDENTIFIER',
  minWaitSeconds: 'MIN_WAIT_SECONDS',
  maxWaitSeconds: 'MAX_WAIT_SECONDS',
  deadlineSeconds: 'DEADLINE_SECONDS',
  notFoundAfterMisses: 'NOT_FOUND_AFTER_MISSES',
  retentionDays: 'RETENTION_DAYS',
  maxCycles: 'MAX_CYCLES',
} as const;

/** The actions the one poller function serves; the state machine names one in each payload. */
export const Actions = { start: 'start', poll: 'poll', fail: 'fail' } as const;
export type Action = (typeof Actions)[keyof typeof Actions];

/** CloudWatch metrics the function emits (embedded metric format, through Powertools Metrics). */
export const MetricNames = {
  namespace: 'AppFabricAccessPoller',
  /** Tasks that reached a status this cycle: `Tasks<Status>`, e.g. TasksCOMPLETED, TasksTIMED_OUT. */
  tasks: (status: string) => `Tasks${status}`,
  batchGetCalls: 'BatchGetCalls',
  batchGetFailedCalls: 'BatchGetFailedCalls',
  pollCycles: 'PollCycles',
  runsStarted: 'RunsStarted',
  runsFailed: 'RunsFailed',
} as const;

/** Defaults of the settings both the CDK code (context) and the runtime (environment) read. */
export const PollerDefaults = {
  minWaitSeconds: 10,
  maxWaitSeconds: 300,
  deadlineMinutes: 1440,
  notFoundAfterMisses: 5,
  retentionDays: 365,
  maxCycles: 1000,
} as const;

/** Hard limits from the AppFabric model and from Step Functions. */
export const Limits = {
  /** TaskIdList max in BatchGetUserAccessTasks. */
  batchGetMaxIds: 50,
  /** BatchWriteItem max items. */
  batchWriteMaxItems: 25,
  /** Most task IDs one execution accepts: the run state item (16 bytes an ID) stays far below 400 KB. */
  maxTasksPerRun: 10_000,
  /**
   * Most task IDs one execution input holds: 6,500 IDs as JSON (39 bytes each) stay under Step Functions'
   * 256 KiB input limit. Runs started from emails may reach maxTasksPerRun; larger lists go through large runs.
   */
  maxTaskIdsInInput: 6_500,
  /** Most addresses one execution accepts. */
  maxEmailsPerRun: 100,
} as const;

/** Field Step Functions adds to a child execution's input to link it to its parent: accepted and ignored. */
export const PARENT_EXECUTION_ID_FIELD = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

export const UUID_PATTERN = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
/** The model's Identifier pattern: an ARN or a lower-case UUID, 1 to 1011 characters. */
export const APP_BUNDLE_IDENTIFIER_PATTERN =
  /^(arn:.+|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;
