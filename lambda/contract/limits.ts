/** Hard limits from the AppFabric model and from Step Functions. */
export const Limits = {
  /** TaskIdList max in BatchGetUserAccessTasks. */
  batchGetMaxIds: 50,
  /** BatchWriteItem max items. */
  batchWriteMaxItems: 25,
  /** Most task IDs one execution accepts: the run state item (16 bytes an ID) stays far below 400 KB. */
  maxTasksPerRun: 10_000,
  /**
   * Most task IDs one execution input holds: 6,500 IDs as JSON (39 bytes each) stay under Step Functions'
   * 256 KiB input limit. Runs started from emails may reach maxTasksPerRun; larger lists go through large runs.
   */
  maxTaskIdsInInput: 6_500,
  /** Most addresses one execution accepts. */
  maxEmailsPerRun: 100,
  /** App authorizations an app bundle holds at most: StartUserAccessTasks starts one task each per address. */
  maxAppAuthorizationsPerBundle: 50,
  /** Distinct app/tenant pairs a run state remembers (a bundle has at most 50; room for tenants seen later). */
  maxAppRefsPerRun: 100,
  /** Step Functions' payload quota (execution input, state input and output), bytes: 256 KiB. */
  stepFunctionsPayloadBytes: 262_144,
  /** DynamoDB's item size limit, bytes: 400 KB. */
  dynamoDbItemBytes: 400 * 1024,
} as const;

/** Field Step Functions adds to a child execution's input to link it to its parent: accepted and ignored. */
export const PARENT_EXECUTION_ID_FIELD = 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID';

export const UUID_PATTERN = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
/** The model's Identifier pattern: an ARN or a lower-case UUID, 1 to 1011 characters. */
export const APP_BUNDLE_IDENTIFIER_PATTERN =
  /^(arn:.+|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;
