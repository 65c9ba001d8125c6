/**
 * Errors the poller throws. Each has a literal `name` from {@link ErrorNames}: Lambda reports it as
 * the `errorType` that the state machine's Retry and Catch match on. `cause` keeps the original error.
 */
import { ErrorContract, ErrorNames } from '../contract/workflow';

abstract class PollerError extends Error {
  abstract override readonly name: string;
  /** Whether the state machine retries it (true) or catches it and fails the run (false): the contract's class. */
  get retryable(): boolean {
    return Object.values(ErrorContract).some((e) => e.name === this.name && e.retry === 'retry');
  }
}

/** A field of the input is missing or wrong. `field` is its JSON path, e.g. `taskIdList[3]`. */
export class InvalidInputError extends PollerError {
  override readonly name = ErrorNames.InvalidInput;
  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** The function's configuration (its environment) is missing or wrong: `setting` names it, never its value. */
export class ConfigurationError extends PollerError {
  override readonly name = ErrorNames.Configuration;
  constructor(
    readonly setting: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${setting}: ${problem}`, options);
  }
}

/** A stored item of the run cannot be read back (`item` names it, e.g. `run state`): not an input error. */
export class CorruptStateError extends PollerError {
  override readonly name = ErrorNames.CorruptState;
  constructor(
    readonly item: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${item}: ${problem}`, options);
  }
}

/** A transient AppFabric failure that may say when to try again (`Retry-After`). */
export abstract class RetryAfterError extends PollerError {
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class AppFabricThrottledError extends RetryAfterError {
  override readonly name = ErrorNames.AppFabricThrottled;
}

export class AppFabricUnavailableError extends RetryAfterError {
  override readonly name = ErrorNames.AppFabricUnavailable;
}

export class AppFabricInvalidResponseError extends PollerError {
  override readonly name = ErrorNames.AppFabricInvalidResponse;
}

export class AppFabricValidationError extends PollerError {
  override readonly name = ErrorNames.AppFabricValidation;
}

export class AppFabricAccessDeniedError extends PollerError {
  override readonly name = ErrorNames.AppFabricAccessDenied;
}

export class AppBundleNotFoundError extends PollerError {
  override readonly name = ErrorNames.AppBundleNotFound;
}

export class ResultsStoreUnavailableError extends PollerError {
  override readonly name = ErrorNames.ResultsStoreUnavailable;
}

/** The run state changed under this attempt (another attempt of the same cycle won). */
export class RunStateConflictError extends PollerError {
  override readonly name = ErrorNames.RunStateConflict;
}

export type { PollerError };
export const isPollerError = (e: unknown): e is PollerError =>
  e instanceof Error && typeof (e as { retryable?: unknown }).retryable === 'boolean';
