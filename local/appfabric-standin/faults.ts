/**
 * Server-wide faults (see {@link Faults}): which error answer an authenticated call gets instead of its
 * operation, and which successful answers are sent malformed or cut off. `...Next` counts are consumed
 * one per affected call.
 */
import { HttpError } from './protocol';
import type { FaultKind, Faults, Operation } from './types';

export class FaultInjector {
  private faults: Faults = {};
  private throttleCounter = 0;

  set(next: Faults): void {
    if (next.throttleEvery !== undefined) this.throttleCounter = 0;
    this.faults = { ...this.faults, ...next };
  }

  clear(): void {
    this.faults = {};
    this.throttleCounter = 0;
  }

  /** Faults touch only their `operations` (default: both). */
  affects(operation: Operation): boolean {
    return !this.faults.operations || this.faults.operations.includes(operation);
  }

  /** Delay before the answer, ms (0: none). */
  latencyMs(operation: Operation): number {
    return this.affects(operation) ? (this.faults.latencyMs ?? 0) : 0;
  }

  /** Extra COMPLETED results nobody asked for, in BatchGetUserAccessTasks answers. */
  get extraResults(): number {
    return this.faults.extraResults ?? 0;
  }

  /** The error answer that replaces the operation, in the documented order, or undefined. */
  errorFor(operation: Operation): HttpError | undefined {
    const f = this.faults;
    if (!this.affects(operation)) return undefined;
    if (f.accessDenied) {
      return new HttpError(
        403,
        'AccessDeniedException',
        'User is not authorized to perform this action',
        {},
        {},
        'accessDenied',
      );
    }
    if ((f.customErrorNext ?? 0) > 0 && f.customError) {
      f.customErrorNext = (f.customErrorNext ?? 0) - 1;
      const c = f.customError;
      return new HttpError(c.status, c.errorType, c.message ?? c.errorType, c.members, c.headers, 'custom');
    }
    if (this.throttles()) {
      const retryAfter = f.throttleRetryAfterSeconds === undefined ? 1 : f.throttleRetryAfterSeconds;
      return new HttpError(
        429,
        'ThrottlingException',
        'Rate exceeded',
        { serviceCode: f.throttleServiceCode ?? 'appfabric', quotaCode: f.throttleQuotaCode ?? 'L-STANDIN' },
        retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
        'throttle',
      );
    }
    if ((f.serverErrorNext ?? 0) > 0) {
      f.serverErrorNext = (f.serverErrorNext ?? 0) - 1;
      const retryAfter = f.serverErrorRetryAfterSeconds;
      return new HttpError(
        500,
        'InternalServerException',
        'Internal server error',
        {},
        retryAfter === undefined || retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
        'serverError',
      );
    }
    return undefined;
  }

  /** How a successful answer's body is damaged, if it is (`malformed` before `truncated`). */
  bodyFaultFor(operation: Operation): Extract<FaultKind, 'malformed' | 'truncated'> | undefined {
    const f = this.faults;
    if (!this.affects(operation)) return undefined;
    if ((f.malformedNext ?? 0) > 0) {
      f.malformedNext = (f.malformedNext ?? 0) - 1;
      return 'malformed';
    }
    if ((f.truncatedNext ?? 0) > 0) {
      f.truncatedNext = (f.truncatedNext ?? 0) - 1;
      return 'truncated';
    }
    return undefined;
  }

  private throttles(): boolean {
    const f = this.faults;
    if ((f.throttleNext ?? 0) > 0) {
      f.throttleNext = (f.throttleNext ?? 0) - 1;
      return true;
    }
    if (f.throttleEvery && f.throttleEvery > 0) {
      this.throttleCounter += 1;
      return this.throttleCounter % f.throttleEvery === 0;
    }
    return false;
  }
}
