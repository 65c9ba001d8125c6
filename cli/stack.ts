/**
 * What the CLIs need from the deployed stack: the results table and the state machine. From the stack's
 * outputs (`ResultsTableName`, `StateMachineArn`), else from its resources (the one AWS::DynamoDB::Table
 * and AWS::StepFunctions::StateMachine): AWS emulators often return a stack without outputs.
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  ListStackResourcesCommand,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { StackNames } from '../lambda/contract/stack';

export const DEFAULT_STACK = StackNames.stackName;

interface StackInfo {
  tableName?: string;
  stateMachineArn?: string;
}

/** Looks the stack up; undefined when there is no such stack or it cannot be read. Injected into the CLIs. */
export type StackLookup = (stackName: string) => Promise<StackInfo | undefined>;

const arnFromResource = (
  r: StackResourceSummary | undefined,
  region: string | undefined,
  account: string | undefined,
) => {
  const id = r?.PhysicalResourceId;
  if (id === undefined) return undefined;
  // CloudFormation's physical ID of a state machine is its ARN; an emulator may give the name only.
  if (id.startsWith('arn:')) return id;
  return region && account ? `arn:aws:states:${region}:${account}:stateMachine:${id}` : undefined;
};

/** The real lookup through CloudFormation (default credentials and region, or the given client). */
export const cloudFormationLookup =
  (makeClient: () => CloudFormationClient = () => new CloudFormationClient({})): StackLookup =>
  async (stackName) => {
    const client = makeClient();
    try {
      let stack: DescribeStacksCommandOutput;
      try {
        stack = await client.send(new DescribeStacksCommand({ StackName: stackName }));
      } catch {
        return undefined;
      }
      const found = stack.Stacks?.[0];
      if (found === undefined) return undefined;
      const output = (key: string) =>
        found.Outputs?.find((o) => o.OutputKey === key)?.OutputValue || undefined;
      const info: StackInfo = {};
      const tableName = output(StackNames.outputs.tableName);
      const stateMachineArn = output(StackNames.outputs.stateMachineArn);
      if (tableName) info.tableName = tableName;
      if (stateMachineArn) info.stateMachineArn = stateMachineArn;
      if (info.tableName && info.stateMachineArn) return info;

      const resources: StackResourceSummary[] = [];
      let token: string | undefined;
      try {
        do {
          const page = await client.send(
            new ListStackResourcesCommand({ StackName: stackName, ...(token ? { NextToken: token } : {}) }),
          );
          resources.push(...(page.StackResourceSummaries ?? []));
          token = page.NextToken;
        } while (token);
      } catch {
        return info;
      }
      const ofType = (type: string) => resources.filter((r) => r.ResourceType === type);
      const tables = ofType('AWS::DynamoDB::Table');
      if (!info.tableName && tables.length === 1 && tables[0]?.PhysicalResourceId) {
        info.tableName = tables[0].PhysicalResourceId;
      }
      const machines = ofType('AWS::StepFunctions::StateMachine');
      // The stack ID is arn:aws:cloudformation:<region>:<account>:stack/...: the state machine's region and account.
      const [, , , region, account] = (found.StackId ?? '').split(':');
      // With large runs on, the stack has two: the poll loop is the one under the `Workflow` construct.
      const machine =
        machines.length === 1
          ? machines[0]
          : machines.find((m) => m.LogicalResourceId?.startsWith('Workflow'));
      if (!info.stateMachineArn && machine) {
        const arn = arnFromResource(machine, region, account);
        if (arn) info.stateMachineArn = arn;
      }
      return info;
    } finally {
      client.destroy();
    }
  };
