import type { ExceptionOptionType as __ExceptionOptionType } from '@smithy/core/client';
import { AppFabricServiceException as __BaseException } from './AppFabricServiceException';
import type { ValidationExceptionField, ValidationExceptionReason } from './models_0';

/** 403: not authorized to perform the operation. */
export class AccessDeniedException extends __BaseException {
  readonly name = 'AccessDeniedException' as const;
  readonly $fault = 'client' as const;
  constructor(opts: __ExceptionOptionType<AccessDeniedException, __BaseException>) {
    super({ name: 'AccessDeniedException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, AccessDeniedException.prototype);
  }
}

/** 500: the service failed. `retryAfterSeconds` comes from the `Retry-After` header. */
export class InternalServerException extends __BaseException {
  readonly name = 'InternalServerException' as const;
  readonly $fault = 'server' as const;
  override $retryable = {};
  retryAfterSeconds?: number | undefined;
  constructor(opts: __ExceptionOptionType<InternalServerException, __BaseException>) {
    super({ name: 'InternalServerException', $fault: 'server', ...opts });
    Object.setPrototypeOf(this, InternalServerException.prototype);
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** 404: the resource (the app bundle) does not exist. */
export class ResourceNotFoundException extends __BaseException {
  readonly name = 'ResourceNotFoundException' as const;
  readonly $fault = 'client' as const;
  resourceId: string | undefined;
  resourceType: string | undefined;
  constructor(opts: __ExceptionOptionType<ResourceNotFoundException, __BaseException>) {
    super({ name: 'ResourceNotFoundException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ResourceNotFoundException.prototype);
    this.resourceId = opts.resourceId;
    this.resourceType = opts.resourceType;
  }
}

/** 429: request rate exceeded. `retryAfterSeconds` comes from the `Retry-After` header. */
export class ThrottlingException extends __BaseException {
  readonly name = 'ThrottlingException' as const;
  readonly $fault = 'client' as const;
  override $retryable = { throttling: true };
  serviceCode?: string | undefined;
  quotaCode?: string | undefined;
  retryAfterSeconds?: number | undefined;
  constructor(opts: __ExceptionOptionType<ThrottlingException, __BaseException>) {
    super({ name: 'ThrottlingException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ThrottlingException.prototype);
    this.serviceCode = opts.serviceCode;
    this.quotaCode = opts.quotaCode;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** 400: invalid or missing parameters. */
export class ValidationException extends __BaseException {
  readonly name = 'ValidationException' as const;
  readonly $fault = 'client' as const;
  reason: ValidationExceptionReason | undefined;
  fieldList?: ValidationExceptionField[] | undefined;
  constructor(opts: __ExceptionOptionType<ValidationException, __BaseException>) {
    super({ name: 'ValidationException', $fault: 'client', ...opts });
    Object.setPrototypeOf(this, ValidationException.prototype);
    this.reason = opts.reason;
    this.fieldList = opts.fieldList;
  }
}
