/**
 * Errors the poller throws. Each has a literal `name` from {@link ErrorNames}: Lambda reports it as
 * the `errorType` that the state machine's Retry and Catch match on. `cause` keeps the original error.
 */
import { ErrorNames } from './names';

abstract class PollerError extends Error {
  abstract override readonly name: string;
  /** Whether the state machine retries it (true) or catches it and fails the run (false). */
  abstract readonly retryable: boolean;
}

/** A field of the input is missing or wrong. `field` is its JSON path, e.g. `taskIdList[3]`. */
export class InvalidInputError extends PollerError {
  override readonly name = ErrorNames.InvalidInput;
  readonly retryable = false;
  constructor(
    readonly field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** A transient AppFabric failure that may say when to try again (`Retry-After`). */
export abstract class RetryAfterError extends PollerError {
  readonly retryable = true;
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
  readonly retryable = true;
}

export class AppFabricValidationError extends PollerError {
  override readonly name = ErrorNames.AppFabricValidation;
  readonly retryable = false;
}

export class AppFabricAccessDeniedError extends PollerError {
  override readonly name = ErrorNames.AppFabricAccessDenied;
  readonly retryable = false;
}

export class AppBundleNotFoundError extends PollerError {
  override readonly name = ErrorNames.AppBundleNotFound;
  readonly retryable = false;
}

export class ResultsStoreUnavailableError extends PollerError {
  override readonly name = ErrorNames.ResultsStoreUnavailable;
  readonly retryable = true;
}

/** The run state changed under this attempt (another attempt of the same cycle won). */
export class RunStateConflictError extends PollerError {
  override readonly name = ErrorNames.RunStateConflict;
  readonly retryable = true;
}

export type { PollerError };
export const isPollerError = (e: unknown): e is PollerError =>
  e instanceof Error && typeof (e as { retryable?: unknown }).retryable === 'boolean';
