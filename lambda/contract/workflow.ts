/**
 * The contract between the state machine (`lib/`) and the function (`lambda/`): the actions the one
 * function serves, and the error names its Retry and Catch match on, each with its retry class declared
 * once. Renaming one breaks a test, not production.
 */

/** The actions the one poller function serves; the state machine names one in each payload. */
export const Actions = { start: 'start', poll: 'poll', fail: 'fail' } as const;

/** `retry`: the state machine retries it with backoff; `fatal`: caught, recorded, the run fails. */
export type RetryClass = 'retry' | 'fatal';

const contract = <T extends Record<string, { name: string; retry: RetryClass | 'raised-by-state' }>>(c: T) =>
  c;

/** Every error the workflow knows, by key: its literal `name` (Lambda's `errorType`) and its retry class. */
export const ErrorContract = contract({
  /** AppFabric answered 429. */
  AppFabricThrottled: { name: 'AppFabricThrottledError', retry: 'retry' },
  /** AppFabric answered 5xx, timed out, or the connection failed. */
  AppFabricUnavailable: { name: 'AppFabricUnavailableError', retry: 'retry' },
  /** AppFabric answered with a body the client could not read (malformed, truncated). */
  AppFabricInvalidResponse: { name: 'AppFabricInvalidResponseError', retry: 'retry' },
  /** DynamoDB throttled, failed, or left items unprocessed after every attempt. */
  ResultsStoreUnavailable: { name: 'ResultsStoreUnavailableError', retry: 'retry' },
  /** Another attempt changed the run state first (optimistic lock): the next attempt catches up. */
  RunStateConflict: { name: 'RunStateConflictError', retry: 'retry' },

  /** The execution input or event is not valid. */
  InvalidInput: { name: 'InvalidInputError', retry: 'fatal' },
  /** The deployment is misconfigured (a missing or bad environment setting): an operator must fix it. */
  Configuration: { name: 'ConfigurationError', retry: 'fatal' },
  /** A stored item of the run (its state, a start record) cannot be read: not the caller's input. */
  CorruptState: { name: 'CorruptStateError', retry: 'fatal' },
  /** AppFabric rejected the request as invalid (400). */
  AppFabricValidation: { name: 'AppFabricValidationError', retry: 'fatal' },
  /** AppFabric denied access (403). */
  AppFabricAccessDenied: { name: 'AppFabricAccessDeniedError', retry: 'fatal' },
  /** The app bundle does not exist (404). */
  AppBundleNotFound: { name: 'AppBundleNotFoundError', retry: 'fatal' },

  /** The overall deadline passed; remaining tasks were recorded as TIMED_OUT. Raised by the Fail state. */
  DeadlineExceeded: { name: 'PollDeadlineExceeded', retry: 'raised-by-state' },
});

type Contract = typeof ErrorContract;
/** Error names by key, e.g. `ErrorNames.InvalidInput === 'InvalidInputError'`. */
export const ErrorNames = Object.fromEntries(
  Object.entries(ErrorContract).map(([key, { name }]) => [key, name]),
) as { [K in keyof Contract]: Contract[K]['name'] };
export type ErrorName = (typeof ErrorNames)[keyof typeof ErrorNames];

const namesOf = (retry: RetryClass) =>
  Object.values(ErrorContract)
    .filter((e) => e.retry === retry)
    .map((e) => e.name as ErrorName);

/** Errors worth another attempt: the state machine retries these with backoff and jitter. */
export const RETRYABLE_ERRORS: readonly ErrorName[] = namesOf('retry');
/** Errors that end the run: the state machine catches these, records the failure and fails. */
export const FATAL_ERRORS: readonly ErrorName[] = namesOf('fatal');
