/**
 * The deploy suite: the real `cdk bootstrap` and `cdk deploy` of this app to moto (local/emulator), then the
 * deployed stack, read back only through what the emulator returns, and run there: the poll state machine in
 * moto's Step Functions engine, its Lambda tasks served by the deployed code package, against the AppFabric
 * stand-in. What moto cannot run is asserted as such here and listed in docs/emulator.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CloudFormationClient, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetBucketEncryptionCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeStateMachineCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { EnvNames } from '../../lambda/contract/settings';
import { StackNames } from '../../lambda/contract/stack';
import { TableSchema } from '../../lambda/contract/table';
import { ErrorNames } from '../../lambda/contract/workflow';
import { DEFAULT_EVENT_PATTERN } from '../../lib/config';
import { LargeRunFormats, LargeRunLimits, TASK_ID_COLUMN } from '../../lib/large-run-workflow';
import { StateNames } from '../../lib/poll-workflow';
import { runQueryCli } from '../../local/emulator/emulator';
import { expectedRecord } from '../support/local-e2e';
import {
  BUNDLE_ARN,
  DEPLOY_CONTEXT,
  type DeployedStack,
  deployStack,
  emulatorUnavailable,
  figures,
  finished,
  history,
  PROJECT_ROOT,
  startExecution,
  statesEntered,
  taskRecords,
} from './support/deployed';
import { queueAttributes } from './support/sqs';

const unavailable = emulatorUnavailable();
// Straight to stderr: Jest does not print the console of a suite whose tests are all skipped.
if (unavailable)
  process.stderr.write(
    `deploy suite skipped: ${unavailable} (it needs python3 with moto, boto3 and cfn-lint)\n`,
  );
const suite = unavailable ? describe.skip : describe;

const example = (name: string) => JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'examples', name), 'utf8'));

suite('the stack deployed to the emulator', () => {
  let stack: DeployedStack;
  let tableName: string;
  let pollArn: string;

  beforeAll(async () => {
    stack = await deployStack();
    tableName = stack.physicalId('AWS::DynamoDB::Table', 'Results');
    pollArn = stack.physicalId('AWS::StepFunctions::StateMachine', 'Workflow');
  });

  afterAll(async () => {
    if (!stack) return;
    console.log(
      `deploy suite: deploy ${stack.deployment.seconds.toFixed(1)} s (bootstrap + deploy), ` +
        `${stack.resources.filter((r) => r.ResourceStatus === 'CREATE_COMPLETE').length} resources created, ` +
        `${figures.executions} executions run, ${figures.records} records checked`,
    );
    await stack.stop();
  });

  describe('resources', () => {
    it('the table has the keys, indexes, TTL and point-in-time recovery of TableSchema', async () => {
      // Prepare
      const cfn = new CloudFormationClient(stack.emulator.clientConfig);
      // Act
      const { Table } = await stack.doc.send(new DescribeTableCommand({ TableName: tableName }));
      // moto's CloudFormation drops the table's TimeToLiveSpecification and PointInTimeRecoverySpecification
      // (docs/emulator.md): those two are read from the template the emulator deployed.
      const { TemplateBody } = await cfn.send(new GetTemplateCommand({ StackName: StackNames.stackName }));
      cfn.destroy();
      // Assess
      expect(Table?.TableName).toBe(tableName);
      expect(Table?.KeySchema).toEqual([
        { AttributeName: TableSchema.partitionKey, KeyType: 'HASH' },
        { AttributeName: TableSchema.sortKey, KeyType: 'RANGE' },
      ]);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      const indexes = Object.fromEntries(
        (Table?.GlobalSecondaryIndexes ?? []).map((i) => [
          i.IndexName,
          i.KeySchema?.map((k) => k.AttributeName),
        ]),
      );
      expect(indexes).toEqual(
        Object.fromEntries(
          Object.values(TableSchema.indexes).map((i) => [i.indexName, [i.partitionKey, i.sortKey]]),
        ),
      );
      const resources = JSON.parse(TemplateBody ?? '{}').Resources as Record<
        string,
        { Type: string; Properties: Record<string, unknown> }
      >;
      const [table] = Object.values(resources).filter((r) => r.Type === 'AWS::DynamoDB::Table');
      expect(table?.Properties).toMatchObject({
        TimeToLiveSpecification: { AttributeName: TableSchema.ttlAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it('the function has the runtime, handler, environment, timeout and memory the stack sets', async () => {
      // Prepare
      const lambda = new LambdaClient(stack.emulator.clientConfig);
      // Act
      const fn = await lambda.send(
        new GetFunctionCommand({ FunctionName: stack.physicalId('AWS::Lambda::Function', 'Poller') }),
      );
      lambda.destroy();
      // Assess
      const c = fn.Configuration;
      expect(c).toMatchObject({
        Runtime: 'nodejs24.x',
        Handler: 'index.handler',
        Timeout: 60,
        MemorySize: 512,
      });
      expect(c?.Environment?.Variables).toMatchObject({
        [EnvNames.tableName]: tableName,
        [EnvNames.defaultAppBundleIdentifier]: BUNDLE_ARN,
        [EnvNames.minWaitSeconds]: DEPLOY_CONTEXT.minWaitSeconds,
        [EnvNames.maxWaitSeconds]: DEPLOY_CONTEXT.maxWaitSeconds,
        [EnvNames.deadlineMinutes]: DEPLOY_CONTEXT.deadlineMinutes,
      });
      expect(c?.CodeSize).toBeGreaterThan(100_000);
      expect(c?.Role).toContain(stack.physicalId('AWS::IAM::Role', 'PollerRole'));
    });

    it('the poll state machine has the workflow states, calls the deployed function and runs as its role', async () => {
      // Prepare
      const fnName = stack.physicalId('AWS::Lambda::Function', 'Poller');
      // Act
      const sm = await stack.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: pollArn }));
      // Assess
      const definition = JSON.parse(sm.definition ?? '{}');
      expect(definition.StartAt).toBe(StateNames.Start);
      expect(Object.keys(definition.States).sort()).toEqual(
        expect.arrayContaining(Object.values(StateNames).sort()),
      );
      const tasks = Object.values(definition.States as Record<string, Record<string, unknown>>).filter(
        (s) => s.Type === 'Task',
      );
      const invokes = tasks.filter((t) => String(t.Resource).includes(':lambda:invoke'));
      const announces = tasks.filter((t) => String(t.Resource).endsWith(':events:putEvents'));
      expect(invokes.length).toBeGreaterThanOrEqual(3);
      for (const task of invokes) expect(JSON.stringify(task.Parameters)).toContain(fnName);
      // The completion event: one PutEvents state per way a run ends, and no other kind of task.
      expect(announces).toHaveLength(3);
      expect(invokes.length + announces.length).toBe(tasks.length);
      expect(sm.roleArn).toContain(stack.physicalId('AWS::IAM::Role', 'WorkflowStateMachineRole'));
    });

    it('the rule has the default pattern, starts the poll state machine with the detail, and has the DLQ', async () => {
      // Prepare
      const events = new EventBridgeClient(stack.emulator.clientConfig);
      const ruleName = stack.physicalId('AWS::Events::Rule', 'TriggerRule');
      // Act
      const rule = await events.send(new DescribeRuleCommand({ Name: ruleName }));
      const { Targets = [] } = await events.send(new ListTargetsByRuleCommand({ Rule: ruleName }));
      const queue = await queueAttributes(
        stack.emulator,
        stack.physicalId('AWS::SQS::Queue', 'TriggerDeadLetterQueue'),
      );
      events.destroy();
      // Assess
      expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual(DEFAULT_EVENT_PATTERN);
      expect(rule.State).toBe('ENABLED');
      expect(Targets).toHaveLength(1);
      expect(Targets[0]).toMatchObject({
        Arn: pollArn,
        InputPath: '$.detail',
        DeadLetterConfig: { Arn: queue.QueueArn },
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 86_400 },
      });
      expect(Targets[0]?.RoleArn).toContain(stack.physicalId('AWS::IAM::Role', 'TriggerStartExecutionRole'));
      expect(queue).toMatchObject({ SqsManagedSseEnabled: 'true', MessageRetentionPeriod: '1209600' });
    });

    it('the large-run bucket is encrypted and its state machine maps batches onto the poll state machine', async () => {
      // Prepare
      const s3 = new S3Client({ ...stack.emulator.clientConfig, forcePathStyle: true });
      const bucket = stack.physicalId('AWS::S3::Bucket', 'LargeRunsBucket');
      // Act
      const encryption = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      const sm = await stack.sfn.send(
        new DescribeStateMachineCommand({
          stateMachineArn: stack.physicalId('AWS::StepFunctions::StateMachine', 'LargeRunsStateMachine'),
        }),
      );
      s3.destroy();
      // Assess
      expect(
        encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault,
      ).toEqual({
        SSEAlgorithm: 'AES256',
      });
      const states = JSON.parse(sm.definition ?? '{}').States as Record<string, Record<string, unknown>>;
      for (const format of Object.values(LargeRunFormats)) {
        const map = states[format.mapState];
        expect(map?.Type).toBe('Map');
        expect(map?.ItemBatcher).toMatchObject({ MaxItemsPerBatch: LargeRunLimits.maxItemsPerBatch });
        expect(JSON.stringify(map?.ItemProcessor)).toContain(pollArn);
        expect(JSON.stringify(map?.ResultWriter)).toContain(bucket);
      }
    });
  });

  describe('executions in the emulator, the Lambda tasks served by the deployed code', () => {
    it('a console input polls every task to one right record, through the workflow states', async () => {
      // Prepare: the console example, its three task IDs scripted in the stand-in's bundle.
      const input = example('console-input.json');
      const outcomes = ['COMPLETED', 'FAILED', 'EXPIRED'] as const;
      input.taskIdList.forEach((taskId: string, i: number) => {
        stack.standIn.addTask(BUNDLE_ARN, {
          taskId,
          outcome: outcomes[i],
          inProgressPolls: i,
          email: `person${i}@example.com`,
        });
      });
      // Act
      const runId = 'console-example';
      const arn = await startExecution(stack.sfn, pollArn, runId, {
        ...input,
        appBundleIdentifier: BUNDLE_ARN,
        maxWaitSeconds: Number(DEPLOY_CONTEXT.maxWaitSeconds),
      });
      const result = await finished(stack.sfn, arn);
      // Assess
      expect({ status: result.status, error: result.error }).toEqual({
        status: 'SUCCEEDED',
        error: undefined,
      });
      const records = await taskRecords(stack.doc, tableName, runId);
      expect(records).toHaveLength(input.taskIdList.length);
      for (const taskId of input.taskIdList as string[]) {
        const task = stack.standIn.getTask(taskId);
        if (!task) throw new Error(`the stand-in lost ${taskId}`);
        expect(records.find((r) => r.taskId === taskId)).toMatchObject({
          ...expectedRecord(task),
          runId,
          appBundleIdentifier: BUNDLE_ARN,
        });
      }
      const states = statesEntered(await history(stack.sfn, arn));
      expect(states[0]).toBe(StateNames.Start);
      expect(states).toEqual(expect.arrayContaining([StateNames.Poll, StateNames.Done, StateNames.Wait]));
      const { Summarize, AnnounceSucceeded, Succeeded } = StateNames;
      expect(states.slice(-3)).toEqual([Summarize, AnnounceSucceeded, Succeeded]);
    });

    it("the function's error reaches the state machine by name: AppFabric's 403 fails the run through RecordFailure", async () => {
      // Prepare: one task, and an AppFabric that refuses every call.
      const taskId = stack.standIn.addTask(BUNDLE_ARN, {});
      stack.standIn.setFaults({ accessDenied: true });
      // Act
      const runId = 'access-denied';
      const arn = await startExecution(stack.sfn, pollArn, runId, {
        appBundleIdentifier: BUNDLE_ARN,
        taskIdList: [taskId],
      });
      const result = await finished(stack.sfn, arn);
      stack.standIn.clearFaults();
      // Assess
      expect({ status: result.status, error: result.error }).toEqual({
        status: 'FAILED',
        error: ErrorNames.AppFabricAccessDenied,
      });
      const events = await history(stack.sfn, arn);
      const failures = events.flatMap((e) =>
        e.taskFailedEventDetails?.error ? [e.taskFailedEventDetails.error] : [],
      );
      expect(failures).toEqual([ErrorNames.AppFabricAccessDenied]);
      const { RecordFailure, AnnounceFailed, Failed } = StateNames;
      expect(statesEntered(events).slice(-3)).toEqual([RecordFailure, AnnounceFailed, Failed]);
      expect(await taskRecords(stack.doc, tableName, runId)).toEqual([]);
    });

    it('a matching event sent with PutEvents starts one execution with its detail; another event none', async () => {
      // Prepare: the README's PutEvents entry with the stand-in's bundle, and the same with another detail-type.
      // moto matches the event against the deployed rule's pattern; it cannot deliver to a Step Functions
      // target, so the launcher starts the execution the target describes (docs/emulator.md).
      const [entry] = example('put-events.json');
      const detail = { ...JSON.parse(entry.Detail), appBundleIdentifier: BUNDLE_ARN };
      const events = new EventBridgeClient(stack.emulator.clientConfig);
      const list = async () =>
        (await stack.sfn.send(new ListExecutionsCommand({ stateMachineArn: pollArn }))).executions ?? [];
      const before = new Set((await list()).map((e) => e.executionArn));
      // Act
      const other = await events.send(
        new PutEventsCommand({
          Entries: [{ ...entry, DetailType: 'Something else', Detail: JSON.stringify(detail) }],
        }),
      );
      const afterOther = (await list()).filter((e) => !before.has(e.executionArn));
      const put = await events.send(
        new PutEventsCommand({ Entries: [{ ...entry, Detail: JSON.stringify(detail) }] }),
      );
      events.destroy();
      // Assess
      expect([other.FailedEntryCount, put.FailedEntryCount]).toEqual([0, 0]);
      expect(afterOther).toEqual([]);
      const started = (await list()).filter((e) => !before.has(e.executionArn));
      expect(started).toHaveLength(1);
      figures.executions += 1;
      const arn = started[0]?.executionArn ?? '';
      expect((await finished(stack.sfn, arn)).status).toBe('SUCCEEDED');
      const records = await taskRecords(stack.doc, tableName, started[0]?.name ?? '');
      expect(records.map((r) => r.taskId)).toEqual(detail.taskIdList);
    });

    it('a large run of 12,000 IDs, as JSON and as CSV, lands in the bucket; moto cannot run its Distributed Map', async () => {
      // Prepare: 12,000 tasks in the stand-in, their IDs as a JSON array and as a CSV with a taskId column.
      const ids = Array.from({ length: 12_000 }, () => stack.standIn.addTask(BUNDLE_ARN, {}));
      const s3 = new S3Client({ ...stack.emulator.clientConfig, forcePathStyle: true });
      const bucket = stack.physicalId('AWS::S3::Bucket', 'LargeRunsBucket');
      const objects = {
        'input/deploy-suite.json': JSON.stringify(ids),
        'input/deploy-suite.csv': `${TASK_ID_COLUMN},note\n${ids.map((id) => `${id},x`).join('\n')}\n`,
      };
      for (const [Key, Body] of Object.entries(objects))
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
      const largeArn = stack.physicalId('AWS::StepFunctions::StateMachine', 'LargeRunsStateMachine');
      // Act
      const heads = await Promise.all(
        Object.keys(objects).map((Key) => s3.send(new HeadObjectCommand({ Bucket: bucket, Key }))),
      );
      s3.destroy();
      const started = await startExecution(stack.sfn, largeArn, 'large-json', {
        key: 'input/deploy-suite.json',
      }).then(
        () => 'started',
        (error: Error) => `${error.name}: ${error.message}`,
      );
      // Assess: both lists are in the bucket. The run is refused where docs/emulator.md says: moto's ASL grammar
      // has no ItemBatcher. When moto gains it this fails: then wait for the run, and assert its children ran,
      // one record per ID in each child's run and the result files under results/.
      expect(heads.map((h) => h.ContentLength)).toEqual(
        Object.values(objects).map((b) => Buffer.byteLength(b)),
      );
      expect(started).toMatch(
        /^ValidationException: the emulator cannot execute this state machine: .*no ItemBatcher/,
      );
    });

    it('the query CLI reads the run from the deployed table', async () => {
      // Prepare: the console example's run, from the test above; the table named as the stack's resources say.
      const runId = 'console-example';
      // Act
      const out = await runQueryCli(stack.emulator, [
        '--run',
        runId,
        '--format',
        'json',
        '--table',
        tableName,
      ]);
      // Assess
      expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
      const printed = JSON.parse(out.stdout) as Record<string, unknown>[];
      expect(printed.map((r) => r.taskId).sort()).toEqual(
        [...example('console-input.json').taskIdList].sort(),
      );
      figures.records += printed.length;
    });

    // moto's describe-stacks has no Outputs: the CLI falls back to the stack's resources.
    it('the query CLI with no --table finds the table through the deployed stack', async () => {
      // Prepare
      const runId = 'console-example';
      // Act
      const out = await runQueryCli(stack.emulator, ['--run', runId, '--format', 'json']);
      // Assess
      expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
      const printed = JSON.parse(out.stdout) as Record<string, unknown>[];
      expect(printed.map((r) => r.taskId).sort()).toEqual(
        [...example('console-input.json').taskIdList].sort(),
      );
    });
  });
});
