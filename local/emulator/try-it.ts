/**
 * `npm run emulator`: the deployed stack without an AWS account. Starts the AppFabric stand-in and the AWS
 * emulator (moto, local/emulator/launcher.py), runs the real `cdk bootstrap` and `cdk deploy` against it,
 * starts an execution of the deployed state machine with examples/console-input.json, waits for it, prints
 * the results through the query CLI, and stops everything (also on Ctrl-C). Needs python3 with moto.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFormationClient, DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StackNames } from '../../lambda/contract/stack';
import { type AppFabricStandIn, startAppFabricStandIn } from '../appfabric-standin';
import {
  deployToEmulator,
  EMULATOR_ACCOUNT,
  EMULATOR_REGION,
  type Emulator,
  emulatorUnavailable,
  PROJECT_ROOT,
  runQueryCli,
  startEmulator,
} from './emulator';

// The function runs on Node 24 in Lambda; this script may run on Node 20: the SDK's notice about it is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BUNDLE_ARN = `arn:aws:appfabric:${EMULATOR_REGION}:${EMULATOR_ACCOUNT}:appbundle/a1b2c3d4-5678-40ab-8def-0000000000e1`;
const CONTEXT = {
  appBundleIdentifier: BUNDLE_ARN,
  minWaitSeconds: '1',
  maxWaitSeconds: '2',
  deadlineMinutes: '30',
  removalPolicy: 'destroy',
};

const say = (line: string) => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let standIn: AppFabricStandIn | undefined;
let emulator: Emulator | undefined;

async function stopAll(): Promise<void> {
  await emulator?.stop();
  await standIn?.close();
  emulator = undefined;
  standIn = undefined;
}

async function physicalId(e: Emulator, type: string, prefix: string): Promise<string> {
  const cfn = new CloudFormationClient(e.clientConfig);
  const { StackResources = [] } = await cfn.send(
    new DescribeStackResourcesCommand({ StackName: StackNames.stackName }),
  );
  cfn.destroy();
  const id = StackResources.find(
    (r) => r.ResourceType === type && r.LogicalResourceId?.startsWith(prefix),
  )?.PhysicalResourceId;
  if (!id) throw new Error(`the deployed stack has no ${type}`);
  return id;
}

async function main(): Promise<number> {
  const missing = emulatorUnavailable();
  if (missing) {
    say(`npm run emulator needs python3 with moto, boto3 and cfn-lint: ${missing}`);
    return 2;
  }
  const input = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', 'console-input.json'), 'utf8'));
  standIn = await startAppFabricStandIn();
  standIn.addBundle(BUNDLE_ARN, [
    { app: 'Slack', tenantId: 'T0EXAMPLE', tenantDisplayName: 'Example workspace' },
  ]);
  const outcomes = ['COMPLETED', 'FAILED', 'EXPIRED'] as const;
  (input.taskIdList as string[]).forEach((taskId, i) => {
    standIn?.addTask(BUNDLE_ARN, {
      taskId,
      outcome: outcomes[i % 3],
      inProgressPolls: i,
      email: `person${i}@example.com`,
    });
  });
  emulator = await startEmulator({ appfabricEndpoint: standIn.url });
  say(`AppFabric stand-in ${standIn.url}, AWS emulator (moto) ${emulator.url}`);
  say('cdk bootstrap + cdk deploy (a minute or two) ...');
  const deployment = await deployToEmulator(emulator, CONTEXT);
  say(`deployed ${StackNames.stackName} in ${deployment.seconds.toFixed(0)} s`);

  const stateMachineArn = await physicalId(emulator, 'AWS::StepFunctions::StateMachine', 'Workflow');
  const tableName = await physicalId(emulator, 'AWS::DynamoDB::Table', 'Results');
  const sfn = new SFNClient(emulator.clientConfig);
  const runId = `try-it-${Date.now().toString(36)}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn,
      name: runId,
      input: JSON.stringify({ ...input, appBundleIdentifier: BUNDLE_ARN, maxWaitSeconds: 2 }),
    }),
  );
  say(`execution ${runId} of ${stateMachineArn.split(':').pop()} started (examples/console-input.json)`);
  let status = 'RUNNING';
  while (status === 'RUNNING') {
    await sleep(1000);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    status = d.status ?? 'UNKNOWN';
    if (d.error) say(`  ${d.error}: ${d.cause ?? ''}`);
  }
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  const states = events.flatMap((e) =>
    e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : [],
  );
  sfn.destroy();
  say(`execution ${status}: ${states.join(' → ')}`);

  // The emulator's describe-stacks has no Outputs, so the table is named as the stack's resources say.
  say(`\n$ npm run query -- --run ${runId} --table ${tableName}`);
  const query = await runQueryCli(emulator, ['--run', runId, '--table', tableName]);
  process.stdout.write(query.stdout);
  process.stderr.write(query.stderr);
  return status === 'SUCCEEDED' && query.code === 0 ? 0 : 1;
}

let stopping = false;
const interrupt = () => {
  if (stopping) return;
  stopping = true;
  say('\nstopping the emulator and the stand-in ...');
  void stopAll().then(() => process.exit(130));
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: Error) => {
    if (stopping) return; // Ctrl-C: the children it interrupted fail; interrupt() exits.
    say(`error: ${error.message.split('\n').slice(0, 12).join('\n')}`);
    await stopAll();
    process.exit(1);
  });
