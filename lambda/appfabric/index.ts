/**
 * A compact AppFabric client with the public names of `@aws-sdk/client-appfabric` (two operations).
 * To switch to the official package, import from '@aws-sdk/client-appfabric' instead of this folder.
 */

export type {
  AppFabricClientConfig,
  AppFabricClientResolvedConfig,
  ServiceInputTypes,
  ServiceOutputTypes,
} from './AppFabricClient';
export { AppFabricClient } from './AppFabricClient';
export {
  BatchGetUserAccessTasksCommand,
  type BatchGetUserAccessTasksCommandInput,
  type BatchGetUserAccessTasksCommandOutput,
} from './commands/BatchGetUserAccessTasksCommand';
export {
  StartUserAccessTasksCommand,
  type StartUserAccessTasksCommandInput,
  type StartUserAccessTasksCommandOutput,
} from './commands/StartUserAccessTasksCommand';
export type { EndpointParameters } from './endpoint/EndpointParameters';
export { AppFabricServiceException } from './models/AppFabricServiceException';
export {
  AccessDeniedException,
  InternalServerException,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
} from './models/errors';
export {
  type BatchGetUserAccessTasksRequest,
  type BatchGetUserAccessTasksResponse,
  ResultStatus,
  type StartUserAccessTasksRequest,
  type StartUserAccessTasksResponse,
  type TaskError,
  type UserAccessResultItem,
  type UserAccessTaskItem,
  type ValidationExceptionField,
  ValidationExceptionReason,
} from './models/models_0';
