/** Shapes of the two user-access operations, named and typed as in `@aws-sdk/client-appfabric`. */

export const ResultStatus = {
  COMPLETED: 'COMPLETED',
  EXPIRED: 'EXPIRED',
  FAILED: 'FAILED',
  IN_PROGRESS: 'IN_PROGRESS',
} as const;
export type ResultStatus = (typeof ResultStatus)[keyof typeof ResultStatus];

export const ValidationExceptionReason = {
  CANNOT_PARSE: 'cannotParse',
  FIELD_VALIDATION_FAILED: 'fieldValidationFailed',
  OTHER: 'other',
  UNKNOWN_OPERATION: 'unknownOperation',
} as const;
export type ValidationExceptionReason =
  (typeof ValidationExceptionReason)[keyof typeof ValidationExceptionReason];

/** The input failed a constraint in the named field. */
export interface ValidationExceptionField {
  name: string | undefined;
  message: string | undefined;
}

/** Error returned by one user access task. */
export interface TaskError {
  errorCode?: string | undefined;
  errorMessage?: string | undefined;
}

export interface BatchGetUserAccessTasksRequest {
  /** ARN or UUID of the app bundle. */
  appBundleIdentifier: string | undefined;
  /** 1 to 50 task IDs (lower-case UUIDs). */
  taskIdList: string[] | undefined;
}

/** A user's access to one application, as found by one task. */
export interface UserAccessResultItem {
  app?: string | undefined;
  tenantId?: string | undefined;
  tenantDisplayName?: string | undefined;
  taskId?: string | undefined;
  resultStatus?: ResultStatus | undefined;
  email?: string | undefined;
  userId?: string | undefined;
  userFullName?: string | undefined;
  userFirstName?: string | undefined;
  userLastName?: string | undefined;
  userStatus?: string | undefined;
  taskError?: TaskError | undefined;
}

export interface BatchGetUserAccessTasksResponse {
  userAccessResultsList?: UserAccessResultItem[] | undefined;
}

export interface StartUserAccessTasksRequest {
  appBundleIdentifier: string | undefined;
  email: string | undefined;
}

/** One task started for one app of the bundle (or the error that kept it from starting). */
export interface UserAccessTaskItem {
  app: string | undefined;
  tenantId: string | undefined;
  taskId?: string | undefined;
  error?: TaskError | undefined;
}

export interface StartUserAccessTasksResponse {
  userAccessTasksList?: UserAccessTaskItem[] | undefined;
}
