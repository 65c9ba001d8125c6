// The synthesized stack with the default settings: what each construct creates and its permissions.
// Configured settings, cdk-nag and bundling: cdk-stack-settings.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import * as esbuild from 'esbuild';
import { EnvNames } from '../../lambda/contract/settings';
import { MetricNames } from '../../lambda/contract/stack';
import { TableSchema as TableNames } from '../../lambda/contract/table';
import { APPFABRIC_ACTIONS, HANDLER_ENTRY, QUERY_ACTIONS, TABLE_ACTIONS } from '../../lib/poller-function';
import { type Json, list, only, roleOf, statements, statementsOf, synth } from '../support/template';

describe('default settings', () => {
  let template: Template;
  let ids: { table: string; fn: string; stateMachine: string; queue: string; rule: string };

  beforeAll(() => {
    ({ template } = synth());
    ids = {
      table: only(template, 'AWS::DynamoDB::Table')[0],
      fn: only(template, 'AWS::Lambda::Function')[0],
      stateMachine: only(template, 'AWS::StepFunctions::StateMachine')[0],
      queue: only(template, 'AWS::SQS::Queue')[0],
      rule: only(template, 'AWS::Events::Rule')[0],
    };
  });

  describe('poller function', () => {
    test('runs on Node.js 22 or newer, on arm64, 512 MB, about a minute', () => {
      const [, fn] = only(template, 'AWS::Lambda::Function');
      const version = /^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime);
      expect(version).not.toBeNull();
      expect(Number(version?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.MemorySize).toBe(512);
      expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(30);
      expect(fn.Properties.Timeout).toBeLessThanOrEqual(120);
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    test('is traced with X-Ray, whose two actions are its only grant on "*"', () => {
      const [, fn] = only(template, 'AWS::Lambda::Function');
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
      const onEverything = statementsOf(template, roleOf(template, 'AWS::Lambda::Function')).filter(
        (st) => st.Resource === '*',
      );
      expect(onEverything.flatMap((st) => [st.Action].flat()).sort()).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });

    test('gets its settings from the environment names the runtime reads', () => {
      const [, fn] = only(template, 'AWS::Lambda::Function');
      expect(fn.Properties.Environment.Variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'appfabric-access-poller',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: MetricNames.namespace,
        [EnvNames.tableName]: { Ref: ids.table },
        [EnvNames.minWaitSeconds]: '5',
        [EnvNames.maxWaitSeconds]: '600',
        [EnvNames.deadlineMinutes]: '1440',
        [EnvNames.notFoundAfterMisses]: '5',
        [EnvNames.retentionDays]: '365',
        [EnvNames.maxCycles]: '1000',
      });
    });

    test('logs to its own log group with a retention', () => {
      const [, fn] = only(template, 'AWS::Lambda::Function');
      const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref;
      const logGroup = template.toJSON().Resources[logGroupId];
      expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
      expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    });

    test('has an explicit role without AWS managed policies', () => {
      const role = template.toJSON().Resources[roleOf(template, 'AWS::Lambda::Function')];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    });
  });

  describe('IAM', () => {
    test('no statement allows a wildcard action, Scan or a table-level action', () => {
      const actions = statements(template).flatMap(({ statement }) => list(statement.Action));
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) {
        expect(action).not.toContain('*');
        expect(action).not.toMatch(/^dynamodb:(Scan|DeleteTable|UpdateTable|CreateTable|PartiQL)/);
      }
      expect(statements(template).every(({ statement }) => statement.Effect === 'Allow')).toBe(true);
    });

    test('the function may call the AppFabric actions on every app bundle of its account and region only', () => {
      const appfabric = statements(template).filter(({ statement }) =>
        list(statement.Action).some((a) => a.startsWith('appfabric:')),
      );
      expect(appfabric).toHaveLength(1);
      expect(appfabric[0].roles).toEqual([roleOf(template, 'AWS::Lambda::Function')]);
      expect(list(appfabric[0].statement.Action).sort()).toEqual([...APPFABRIC_ACTIONS].sort());
      expect(appfabric[0].statement.Resource).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':appfabric:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':appbundle/*',
          ],
        ],
      });
    });

    test('the function has only the DynamoDB actions it needs, on its table (Query: and runsByStart) only', () => {
      const dynamo = statements(template).filter(({ statement }) =>
        list(statement.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo).toHaveLength(2);
      for (const d of dynamo) expect(d.roles).toEqual([roleOf(template, 'AWS::Lambda::Function')]);
      const arn = { 'Fn::GetAtt': [ids.table, 'Arn'] };
      expect(list(dynamo[0].statement.Action).sort()).toEqual([...TABLE_ACTIONS].sort());
      expect(dynamo[0].statement.Resource).toEqual(arn);
      expect(list(dynamo[1].statement.Action)).toEqual([...QUERY_ACTIONS]);
      expect(dynamo[1].statement.Resource).toEqual([arn, { 'Fn::Join': ['', [arn, '/index/runsByStart']] }]);
    });

    test('every AWS command the function code sends is allowed (code reachable from the handler)', () => {
      const root = path.join(__dirname, '..', '..');
      const { metafile } = esbuild.buildSync({
        entryPoints: [HANDLER_ENTRY],
        absWorkingDir: root,
        bundle: true,
        write: false,
        metafile: true,
        platform: 'node',
        outfile: 'out.js',
        logLevel: 'silent',
      });
      const sources = Object.keys(metafile.inputs).filter((f) => f.startsWith('lambda/'));
      expect(sources).toContain('lambda/handler.ts');
      const commands = new Set(
        sources.flatMap((f) =>
          [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(/new (\w+)Command\(/g)].map((m) => m[1]),
        ),
      );
      const dynamo: Record<string, string> = {
        Get: 'GetItem',
        Put: 'PutItem',
        Update: 'UpdateItem',
        Delete: 'DeleteItem',
        BatchGet: 'BatchGetItem',
        BatchWrite: 'BatchWriteItem',
        Query: 'Query',
        Scan: 'Scan',
        TransactWrite: 'TransactWriteItems',
        TransactGet: 'TransactGetItems',
      };
      const appfabric = ['BatchGetUserAccessTasks', 'StartUserAccessTasks'];
      const needed = [...commands].map((c) => {
        const name = c.replace(/Item$/, '');
        if (dynamo[name]) return `dynamodb:${dynamo[name]}`;
        if (appfabric.includes(c)) return `appfabric:${c}`;
        throw new Error(`The function sends ${c}Command: map it to its IAM action in this test`);
      });
      expect(needed.length).toBeGreaterThan(0);
      const granted = statementsOf(template, roleOf(template, 'AWS::Lambda::Function')).flatMap((s) =>
        list(s.Action),
      );
      for (const action of needed) expect(granted).toContain(action);
    });

    test('the state machine may invoke the poller function only, and needs "*" only for X-Ray and log delivery', () => {
      const own = statementsOf(template, roleOf(template, 'AWS::StepFunctions::StateMachine'));
      const invoke = own.filter((s) => list(s.Action).includes('lambda:InvokeFunction'));
      expect(invoke).toHaveLength(1);
      expect(list(invoke[0].Action)).toEqual(['lambda:InvokeFunction']);
      expect(invoke[0].Resource).toEqual([
        { 'Fn::GetAtt': [ids.fn, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.fn, 'Arn'] }, ':*']] },
      ]);
      const star = own.filter((s) => list(s.Resource).includes('*'));
      expect(star).toHaveLength(1);
      for (const action of list(star[0].Action)) {
        expect(action).toMatch(
          /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/,
        );
      }
      // The completion event: PutEvents on the default bus of this account and region only.
      const put = own.filter((s) => list(s.Action).includes('events:PutEvents'));
      expect(put).toHaveLength(1);
      expect(list(put[0].Action)).toEqual(['events:PutEvents']);
      expect(put[0].Resource).toEqual({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':events:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':event-bus/default',
          ],
        ],
      });
      expect(own).toHaveLength(3);
    });

    test('the rule role may only start executions of this state machine, and only EventBridge assumes it', () => {
      const [, rule] = only(template, 'AWS::Events::Rule');
      const roleIds = new Set(rule.Properties.Targets.map((t: Json) => t.RoleArn['Fn::GetAtt'][0]));
      expect(roleIds.size).toBe(1);
      const [roleId] = roleIds as Set<string>;
      expect(statementsOf(template, roleId)).toEqual([
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: ids.stateMachine } },
      ]);
      const role = template.toJSON().Resources[roleId];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' }),
      ]);
    });
  });

  describe('results table', () => {
    test('is keyed pk/sk with the four indexes of the table contract, all string keys, projecting ALL', () => {
      const [, table] = only(template, 'AWS::DynamoDB::Table');
      const p = table.Properties;
      expect(p.TableName).toBeUndefined();
      expect(p.KeySchema).toEqual([
        { AttributeName: TableNames.partitionKey, KeyType: 'HASH' },
        { AttributeName: TableNames.sortKey, KeyType: 'RANGE' },
      ]);
      const indexes = Object.values(TableNames.indexes);
      expect(p.GlobalSecondaryIndexes).toHaveLength(indexes.length);
      expect(indexes).toHaveLength(4);
      for (const index of indexes) {
        expect(p.GlobalSecondaryIndexes).toContainEqual({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        });
      }
      for (const attribute of p.AttributeDefinitions) expect(attribute.AttributeType).toBe('S');
    });

    test('is on-demand, encrypted, with point-in-time recovery and TTL', () => {
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: TableNames.ttlAttribute, Enabled: true },
      });
    });

    test('is retained, with deletion protection', () => {
      const [, table] = only(template, 'AWS::DynamoDB::Table');
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    });
  });

  describe('trigger', () => {
    test('the rule matches the default pattern and passes the event detail as input', () => {
      const [, rule] = only(template, 'AWS::Events::Rule');
      expect(rule.Properties.EventPattern).toEqual({
        source: ['appfabric-access-poller'],
        'detail-type': ['Poll AppFabric User Access Tasks'],
      });
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { Ref: ids.stateMachine },
          InputPath: '$.detail',
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] } },
          RetryPolicy: {
            MaximumEventAgeInSeconds: expect.any(Number),
            MaximumRetryAttempts: expect.any(Number),
          },
        }),
      ]);
      expect(rule.Properties.ScheduleExpression).toBeUndefined();
    });

    test('the dead-letter queue is encrypted, TLS-only, kept 14 days, and writable by the rule', () => {
      const [, queue] = only(template, 'AWS::SQS::Queue');
      expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(queue.Properties.SqsManagedSseEnabled ?? Boolean(queue.Properties.KmsMasterKeyId)).toBe(true);
      const [, policy] = only(template, 'AWS::SQS::QueuePolicy');
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'events.amazonaws.com' },
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.rule, 'Arn'] } } },
          }),
        ]),
      );
    });
  });

  describe('state machine', () => {
    test('is STANDARD, traced, and logs every event without execution data', () => {
      const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
      expect(sm.Properties.StateMachineType).toBe('STANDARD');
      expect(sm.Properties.StateMachineName).toBeUndefined();
      expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(sm.Properties.LoggingConfiguration).toEqual({
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
        ],
        IncludeExecutionData: false,
        Level: expect.stringMatching(/^(ALL|ERROR)$/),
      });
      const logGroupId =
        sm.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn[
          'Fn::GetAtt'
        ][0];
      expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
    });
  });

  describe('alarms', () => {
    const alarmOn = (namespace: string, metricName: string): Json => {
      const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
        (a) => a.Properties.Namespace === namespace && a.Properties.MetricName === metricName,
      );
      expect(found).toHaveLength(1);
      return found[0].Properties;
    };

    test.each([['ExecutionsFailed'], ['ExecutionsTimedOut'], ['ExecutionThrottled']])(
      'state machine %s ≥ 1',
      (metric) => {
        const alarm = alarmOn('AWS/States', metric);
        expect(alarm.Dimensions).toEqual([{ Name: 'StateMachineArn', Value: { Ref: ids.stateMachine } }]);
        expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 });
      },
    );

    test('function errors', () => {
      const alarm = alarmOn('AWS/Lambda', 'Errors');
      expect(alarm.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: ids.fn } }]);
      expect(alarm.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
    });

    test('messages visible in the dead-letter queue > 0', () => {
      const alarm = alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible');
      expect(alarm.Dimensions).toEqual([
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } },
      ]);
      expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 });
    });

    test('there are exactly these five, without actions when no topic is configured', () => {
      const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms).toHaveLength(5);
      for (const alarm of alarms) {
        expect(alarm.Properties.AlarmActions).toBeUndefined();
        expect(alarm.Properties.AlarmName).toBeUndefined();
      }
    });
  });

  test('outputs the state machine ARN, table name, console URL and DLQ URL', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.StateMachineArn.Value).toEqual({ Ref: ids.stateMachine });
    expect(outputs.ResultsTableName.Value).toEqual({ Ref: ids.table });
    expect(outputs.DeadLetterQueueUrl.Value).toEqual({ Ref: ids.queue });
    expect(outputs.StartExecutionConsoleUrl.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'AWS::Region' },
          '.console.aws.amazon.com/states/home?region=',
          { Ref: 'AWS::Region' },
          '#/statemachines/view/',
          { Ref: ids.stateMachine },
        ],
      ],
    });
  });
});
