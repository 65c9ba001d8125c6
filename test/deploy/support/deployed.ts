/**
 * The deploy suite's parts: the AppFabric stand-in, the emulator (moto with the Lambda route into Node) and
 * this app deployed to it with the real CDK CLI; then reads of what the emulator returns about the stack.
 */
import {
  CloudFormationClient,
  DescribeStackResourcesCommand,
  type StackResource,
} from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { StackNames } from '../../../lambda/contract/stack';
import { Keys, TableSchema } from '../../../lambda/contract/table';
import { type AppFabricStandIn, startAppFabricStandIn } from '../../../local/appfabric-standin';
import {
  type Deployment,
  deployToEmulator,
  EMULATOR_ACCOUNT,
  EMULATOR_REGION,
  type Emulator,
  emulatorUnavailable,
  PROJECT_ROOT,
  startEmulator,
} from '../../../local/emulator/emulator';
import { partitionItems } from '../../support/dynamo';

/** The stand-in's bundle, in the emulator's account and region (the UUID of the examples' bundle). */
export const BUNDLE_ARN = `arn:aws:appfabric:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:appbundle/a1b2c3d4-5678-40ab-8def-0000000000e1`;

/** Large runs on, short waits (the settings table's lower bounds), a deadline the cycles can reach. */
export const DEPLOY_CONTEXT = {
  appBundleIdentifier: BUNDLE_ARN,
  largeRuns: 'true',
  minWaitSeconds: '1',
  maxWaitSeconds: '2',
  deadlineMinutes: '30',
  removalPolicy: 'destroy',
};

export interface DeployedStack {
  readonly standIn: AppFabricStandIn;
  readonly emulator: Emulator;
  readonly deployment: Deployment;
  readonly resources: StackResource[];
  readonly sfn: SFNClient;
  readonly doc: DynamoDBDocumentClient;
  /** The physical ID of the stack's only resource of `type` whose logical ID starts with `prefix`. */
  physicalId(type: string, prefix?: string): string;
  stop(): Promise<void>;
}

export async function deployStack(): Promise<DeployedStack> {
  const standIn = await startAppFabricStandIn({ seed: 11 });
  standIn.addBundle(BUNDLE_ARN, [
    { app: 'Slack', tenantId: 'T0EXAMPLE', tenantDisplayName: 'Example workspace' },
    { app: 'Okta', tenantId: 'example.okta.com', tenantDisplayName: 'Example Okta' },
  ]);
  const emulator = await startEmulator({ appfabricEndpoint: standIn.url });
  try {
    const deployment = await deployToEmulator(emulator, DEPLOY_CONTEXT);
    const cfn = new CloudFormationClient(emulator.clientConfig);
    const { StackResources = [] } = await cfn.send(
      new DescribeStackResourcesCommand({ StackName: StackNames.stackName }),
    );
    cfn.destroy();
    const sfn = new SFNClient(emulator.clientConfig);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient(emulator.clientConfig));
    const physicalId = (type: string, prefix = '') => {
      const found = StackResources.filter(
        (r) => r.ResourceType === type && (r.LogicalResourceId ?? '').startsWith(prefix),
      );
      if (found.length !== 1 || !found[0]?.PhysicalResourceId) {
        throw new Error(`expected one ${type} ${prefix}, the stack has ${found.length}`);
      }
      return found[0].PhysicalResourceId;
    };
    return {
      standIn,
      emulator,
      deployment,
      resources: StackResources,
      sfn,
      doc,
      physicalId,
      stop: async () => {
        sfn.destroy();
        doc.destroy();
        await emulator.stop();
        await standIn.close();
      },
    };
  } catch (error) {
    await emulator.stop();
    await standIn.close();
    throw error;
  }
}

/** Counts for the suite's closing note. */
export const figures = { executions: 0, records: 0 };

export async function startExecution(sfn: SFNClient, stateMachineArn: string, name: string, input: unknown) {
  const out = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  figures.executions += 1;
  if (!out.executionArn) throw new Error('StartExecution returned no executionArn');
  return out.executionArn;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls DescribeExecution until the execution leaves RUNNING. */
export async function finished(
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  for (;;) {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (out.status !== 'RUNNING') return out;
    await sleep(500);
  }
}

export async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }));
    events.push(...(out.events ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

/** Names of the states entered, in order. */
export const statesEntered = (events: HistoryEvent[]): string[] =>
  events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));

/** A run's task records in the deployed table (its partition's TASK# items, every page). */
export async function taskRecords(
  doc: DynamoDBDocumentClient,
  tableName: string,
  runId: string,
): Promise<Record<string, unknown>[]> {
  const items = (await partitionItems(doc, tableName, runId)).filter((item) =>
    String(item[TableSchema.sortKey]).startsWith(Keys.taskSkPrefix),
  );
  figures.records += items.length;
  return items;
}

export { emulatorUnavailable, PROJECT_ROOT };
