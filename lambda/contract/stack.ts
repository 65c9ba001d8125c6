/** The Powertools service name of the function (its logs and metrics). */
export const SERVICE_NAME = 'appfabric-access-poller';

/** The stack and the outputs that tools (the query CLI) look up. */
export const StackNames = {
  stackName: 'AppFabricAccessPoller',
  outputs: {
    tableName: 'ResultsTableName',
    stateMachineArn: 'StateMachineArn',
    startExecutionUrl: 'StartExecutionConsoleUrl',
    deadLetterQueueUrl: 'DeadLetterQueueUrl',
    dashboardUrl: 'DashboardUrl',
  },
} as const;

/** CloudWatch metrics the function emits (embedded metric format, through Powertools Metrics). */
export const MetricNames = {
  namespace: 'AppFabricAccessPoller',
  /** Tasks that reached a status this cycle: `Tasks<Status>`, e.g. TasksCOMPLETED, TasksTIMED_OUT. */
  tasks: (status: string) => `Tasks${status}`,
  batchGetCalls: 'BatchGetCalls',
  batchGetFailedCalls: 'BatchGetFailedCalls',
  pollCycles: 'PollCycles',
  runsStarted: 'RunsStarted',
  runsFailed: 'RunsFailed',
} as const;
