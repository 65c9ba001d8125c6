import { ServiceException as __ServiceException, type ServiceExceptionOptions } from '@smithy/core/client';

export { __ServiceException };

/** Base of every AppFabric service error; thrown as is for error codes this client does not model. */
export class AppFabricServiceException extends __ServiceException {
  constructor(options: ServiceExceptionOptions) {
    super(options);
    Object.setPrototypeOf(this, AppFabricServiceException.prototype);
  }
}
