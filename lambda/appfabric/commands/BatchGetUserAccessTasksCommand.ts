import type { MetadataBearer as __MetadataBearer } from '@smithy/types';
import { _ep0, _mw0, command } from '../commandBuilder';
import type { BatchGetUserAccessTasksRequest, BatchGetUserAccessTasksResponse } from '../models/models_0';
import { BatchGetUserAccessTasks$ } from '../schemas/schemas_0';

export type { __MetadataBearer };

export interface BatchGetUserAccessTasksCommandInput extends BatchGetUserAccessTasksRequest {}
export interface BatchGetUserAccessTasksCommandOutput
  extends BatchGetUserAccessTasksResponse,
    __MetadataBearer {}

/**
 * `POST /useraccess/batchget` (200): the results of up to 50 tasks started by StartUserAccessTasks.
 *
 * @throws {@link ValidationException} (400), {@link AccessDeniedException} (403),
 *   {@link ResourceNotFoundException} (404), {@link ThrottlingException} (429),
 *   {@link InternalServerException} (500), {@link AppFabricServiceException} for anything else.
 */
export class BatchGetUserAccessTasksCommand extends command<
  BatchGetUserAccessTasksCommandInput,
  BatchGetUserAccessTasksCommandOutput
>(_ep0, _mw0, 'BatchGetUserAccessTasks', BatchGetUserAccessTasks$) {
  /** @internal type navigation helper, not in runtime. */
  declare protected static __types: {
    api: { input: BatchGetUserAccessTasksRequest; output: BatchGetUserAccessTasksResponse };
    sdk: { input: BatchGetUserAccessTasksCommandInput; output: BatchGetUserAccessTasksCommandOutput };
  };
}
