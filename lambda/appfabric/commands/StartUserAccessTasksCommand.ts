import type { MetadataBearer as __MetadataBearer } from '@smithy/types';
import { _ep0, _mw0, command } from '../commandBuilder';
import type { StartUserAccessTasksRequest, StartUserAccessTasksResponse } from '../models/models_0';
import { StartUserAccessTasks$ } from '../schemas/schemas_0';

export type { __MetadataBearer };

export interface StartUserAccessTasksCommandInput extends StartUserAccessTasksRequest {}
export interface StartUserAccessTasksCommandOutput extends StartUserAccessTasksResponse, __MetadataBearer {}

/**
 * `POST /useraccess/start` (201): starts one task per app of the bundle to find the user with this email.
 *
 * @throws {@link ValidationException} (400), {@link AccessDeniedException} (403),
 *   {@link ResourceNotFoundException} (404), {@link ThrottlingException} (429),
 *   {@link InternalServerException} (500), {@link AppFabricServiceException} for anything else.
 */
export class StartUserAccessTasksCommand extends command<
  StartUserAccessTasksCommandInput,
  StartUserAccessTasksCommandOutput
>(_ep0, _mw0, 'StartUserAccessTasks', StartUserAccessTasks$) {
  /** @internal type navigation helper, not in runtime. */
  declare protected static __types: {
    api: { input: StartUserAccessTasksRequest; output: StartUserAccessTasksResponse };
    sdk: { input: StartUserAccessTasksCommandInput; output: StartUserAccessTasksCommandOutput };
  };
}
