/**
 * The large-run workflow (lib/large-run-workflow.ts): the Distributed Map over an S3 list of task IDs that
 * runs the poll state machine once per batch. aws-local-stepfunctions cannot run a Distributed Map with an
 * ItemReader, so the definition is checked as ASL, the child input against the poll workflow's own input
 * check, the IAM and bucket in the template, and cdk-nag on the whole app.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LargeRunFormats, LargeRunOutputs, LargeRunWorkflow } from '../../lib/large-run-workflow';
import {
  type Json,
  largeRun,
  largeRunFixture,
  list,
  roleStatements,
  type Statement,
  standaloneApp,
  standaloneProps,
  stateMachines,
  synth,
  UUID,
} from '../support/large-run';
import { expectNoUnacknowledgedFindings } from '../support/nag';

describe('with default settings (largeRuns off)', () => {
  test('nothing of the large-run path is deployed', () => {
    const { template, stack, settings } = synth();
    expect(settings.largeRuns).toBe(false);
    expect(stack.largeRuns).toBeUndefined();
    expect(stateMachines(template)).toHaveLength(1);
    template.resourceCountIs('AWS::S3::Bucket', 0);
    const outputs = Object.keys(template.toJSON().Outputs);
    expect(outputs).not.toContain(LargeRunOutputs.bucketName);
    expect(outputs).not.toContain(LargeRunOutputs.stateMachineArn);
  });

  test('largeRuns=false given as a -c string is off too', () => {
    const { template } = synth({ largeRuns: 'false' });
    expect(stateMachines(template)).toHaveLength(1);
  });
});

describe('with largeRuns on', () => {
  let template: Template;
  let ids: ReturnType<typeof largeRunFixture>['ids'];

  beforeAll(() => {
    ({ template, ids } = largeRunFixture());
  });

  test("has an alarm on failed large runs, beside the poll workflow's own", () => {
    const failedAlarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties.Namespace === 'AWS/States' && a.Properties.MetricName === 'ExecutionsFailed',
    );
    expect(failedAlarms.map((a) => a.Properties.Dimensions[0].Value)).toEqual(
      expect.arrayContaining([{ Ref: ids.largeRun }, { Ref: ids.poll }]),
    );
    expect(failedAlarms).toHaveLength(2);
  });

  describe('IAM of the large-run state machine', () => {
    let own: Statement[];
    beforeAll(() => {
      own = roleStatements(template, ids.role);
    });

    test('no statement in the stack allows a wildcard action', () => {
      const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) =>
        p.Properties.PolicyDocument.Statement.flatMap((s: Statement) => list(s.Action)),
      );
      expect(actions.length).toBeGreaterThan(0);
      for (const action of actions) expect(action).not.toContain('*');
      for (const s of own) expect(s.Effect).toBe('Allow');
    });

    test('S3: read input/ objects only, write results/ objects only, of its own bucket', () => {
      const s3Statements = own.filter((s) => list(s.Action).some((a) => a.startsWith('s3:')));
      const objects = (prefix: string) => ({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, `/${prefix}*`]],
      });
      expect(s3Statements).toHaveLength(2);
      const read = s3Statements.find((s) => JSON.stringify(s.Resource).includes('/input/*'));
      expect(read).toEqual({ Effect: 'Allow', Action: 's3:GetObject', Resource: objects('input/') });
      const write = s3Statements.find((s) => JSON.stringify(s.Resource).includes('/results/*'));
      expect(list(write?.Action ?? []).sort()).toEqual([
        's3:AbortMultipartUpload',
        's3:GetObject',
        's3:ListMultipartUploadParts',
        's3:PutObject',
      ]);
      expect(write?.Resource).toEqual(objects('results/'));
    });

    test('states:StartExecution only on the poll state machine (and itself, for the map children)', () => {
      const start = own.filter((s) => list(s.Action).includes('states:StartExecution'));
      const resources = start.flatMap((s) => list(s.Resource));
      expect(resources).toContainEqual({ Ref: ids.poll });
      for (const r of resources) expect([{ Ref: ids.poll }, { Ref: ids.largeRun }]).toContainEqual(r);
      for (const s of start) expect(list(s.Action)).toEqual(['states:StartExecution']);
    });

    test('Describe/StopExecution on executions of the poll state machine and its own only', () => {
      const executions = own.filter((s) => list(s.Action).includes('states:DescribeExecution'));
      expect(executions).toHaveLength(2);
      const names = executions.map((s) => {
        expect(list(s.Action).sort()).toEqual(['states:DescribeExecution', 'states:StopExecution']);
        const parts = (s.Resource as Json)['Fn::Join'][1];
        expect(parts.slice(0, 7)).toEqual([
          'arn:',
          { Ref: 'AWS::Partition' },
          ':states:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':execution:',
        ]);
        return parts[7]['Fn::Select'][1]['Fn::Split'][1].Ref;
      });
      expect(names.sort()).toEqual([ids.largeRun, ids.poll].sort());
    });

    test('the .sync events permissions name the managed rule only', () => {
      const eventsStatements = own.filter((s) => list(s.Action).some((a) => a.startsWith('events:')));
      expect(eventsStatements).toHaveLength(1);
      expect(list(eventsStatements[0].Action).sort()).toEqual([
        'events:DescribeRule',
        'events:PutRule',
        'events:PutTargets',
      ]);
      expect(JSON.stringify(eventsStatements[0].Resource)).toContain(
        ':rule/StepFunctionsGetEventsForStepFunctionsExecutionRule',
      );
    });

    test('"*" only for X-Ray and log delivery; nothing else, no Lambda', () => {
      const star = own.filter((s) => list(s.Resource).includes('*'));
      expect(star).toHaveLength(1);
      for (const action of list(star[0].Action)) {
        expect(action).toMatch(
          /^(xray:(PutTraceSegments|PutTelemetryRecords|GetSamplingRules|GetSamplingTargets)|logs:(CreateLogDelivery|GetLogDelivery|UpdateLogDelivery|DeleteLogDelivery|ListLogDeliveries|PutResourcePolicy|DescribeResourcePolicies|DescribeLogGroups))$/,
        );
      }
      const services = new Set(own.flatMap((s) => list(s.Action).map((a) => a.split(':')[0])));
      expect([...services].sort()).toEqual(['events', 'logs', 's3', 'states', 'xray']);
    });
  });

  describe('bucket', () => {
    let bucket: Json;
    beforeAll(() => {
      bucket = template.toJSON().Resources[ids.bucket];
    });

    test('is encrypted, blocks public access, owner-enforced', () => {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ]);
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.OwnershipControls.Rules).toEqual([{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    });

    test('refuses requests without TLS (1.2 or newer)', () => {
      const [, policy] = Object.entries(template.findResources('AWS::S3::BucketPolicy'))[0];
      expect(policy.Properties.Bucket).toEqual({ Ref: ids.bucket });
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
      // The bucket policy only denies: access comes from the state machine's role.
      for (const s of policy.Properties.PolicyDocument.Statement) expect(s.Effect).toBe('Deny');
    });

    test('expires input/ and results/ objects and stale uploads; is retained', () => {
      expect(bucket.Properties.LifecycleConfiguration.Rules).toEqual([
        { Id: 'ExpireInput', Prefix: 'input/', ExpirationInDays: 90, Status: 'Enabled' },
        { Id: 'ExpireResults', Prefix: 'results/', ExpirationInDays: 365, Status: 'Enabled' },
        {
          Id: 'AbortIncompleteUploads',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          Status: 'Enabled',
        },
      ]);
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties.BucketName).toBeUndefined();
    });
  });

  test('logs every event without execution data to its own log group, and is traced', () => {
    const sm = template.toJSON().Resources[ids.largeRun];
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(sm.Properties.LoggingConfiguration).toEqual({
      Destinations: [
        { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] } } },
      ],
      IncludeExecutionData: false,
      Level: 'ALL',
    });
    const logGroupId =
      sm.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    const poll = template.toJSON().Resources[ids.poll];
    expect(logGroupId).not.toBe(
      poll.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn[
        'Fn::GetAtt'
      ][0],
    );
    expect(template.toJSON().Resources[logGroupId].Properties.RetentionInDays).toBeGreaterThan(0);
  });

  test('outputs the bucket name and the state machine ARN', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs[LargeRunOutputs.bucketName].Value).toEqual({ Ref: ids.bucket });
    expect(outputs[LargeRunOutputs.stateMachineArn].Value).toEqual({ Ref: ids.largeRun });
  });
});

describe('large-run settings', () => {
  test('batch size, concurrency and tolerated failures reach every map', () => {
    const { template } = synth({
      largeRuns: true,
      largeRunBatchSize: '1000',
      largeRunMaxConcurrency: '25',
      largeRunToleratedFailurePercentage: '5',
    });
    const { asl } = largeRun(template);
    for (const names of Object.values(LargeRunFormats)) {
      const map = asl.States[names.mapState];
      expect(map.ItemBatcher.MaxItemsPerBatch).toBe(1000);
      expect(map.MaxConcurrency).toBe(25);
      expect(map.ToleratedFailurePercentage).toBe(5);
    }
  });

  test('a configured app bundle and waits become the defaults; no MissingAppBundle check is needed', () => {
    const { template } = synth({
      largeRuns: true,
      appBundleIdentifier: UUID,
      minWaitSeconds: 5,
      maxWaitSeconds: 120,
    });
    const { asl } = largeRun(template);
    expect(asl.States.Defaults.Parameters.defaults).toMatchObject({
      appBundleIdentifier: UUID,
      maxWaitSeconds: 120,
    });
    expect(asl.States.MissingAppBundle).toBeUndefined();
    expect(asl.States.CheckInput.Choices).toContainEqual({
      Variable: '$.maxWaitSeconds',
      NumericLessThan: 5,
      Next: 'InvalidMaxWait',
    });
  });

  test('removalPolicy=destroy and retentionDays=0 reach the bucket and the log group', () => {
    const { template } = synth({ largeRuns: true, removalPolicy: 'destroy', retentionDays: 0 });
    const [, bucket] = Object.entries(template.findResources('AWS::S3::Bucket'))[0];
    expect(bucket.DeletionPolicy).toBe('Delete');
    const rules = bucket.Properties.LifecycleConfiguration.Rules.map((r: Json) => r.Id);
    expect(rules).toEqual(['ExpireInput', 'AbortIncompleteUploads']);
    const { resource } = largeRun(template);
    const logGroupId =
      resource.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn[
        'Fn::GetAtt'
      ][0];
    expect(template.toJSON().Resources[logGroupId].DeletionPolicy).toBe('Delete');
  });

  test('a tuning setting without largeRuns fails the build with its name', () => {
    expect(() => synth({ largeRunBatchSize: 100 })).toThrow(/Invalid setting "largeRunBatchSize"/);
    expect(() => synth({ largeRuns: true, largeRunBatchSize: 6000 })).toThrow(
      /Invalid setting "largeRunBatchSize"/,
    );
  });
});

describe('cdk-nag (AwsSolutions) with largeRuns on', () => {
  test.each([
    ['default settings', {}],
    [
      'a configured app bundle, schedule and tuning',
      {
        appBundleIdentifier: UUID,
        schedule: 'rate(1 day)',
        scheduleInput: { taskIdList: [UUID] },
        largeRunMaxConcurrency: 50,
      },
    ],
  ])('finds nothing unacknowledged with %s', (_name, context) => {
    expectNoUnacknowledgedFindings(synth({ largeRuns: true, ...context }, true).app);
  });

  test('every acknowledgement of the large-run path is narrow and gives a specific reason', () => {
    const { app } = synth({ largeRuns: true });
    const found: { at: string; id: string; reason: string }[] = [];
    for (const construct of app.node.findAll()) {
      if (!construct.node.path.includes('/LargeRuns')) continue;
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
          found.push({ at: construct.node.path, id, reason });
        }
      }
    }
    const ids = found.map((f) => f.id.replace(/^Annotation::/, ''));
    for (const { reason } of found) expect(reason.length).toBeGreaterThanOrEqual(80);
    for (const id of ids) expect(id).toMatch(/^AwsSolutions-(IAM5\[Resource::.+\]|S1)$/);
    // The wildcards: the bucket's two prefixes, executions of the poll state machine and its own, and "*".
    expect(ids.filter((id) => id.startsWith('AwsSolutions-IAM5'))).toHaveLength(8);
    expect(ids).toContain('AwsSolutions-IAM5[Resource::<LargeRunsBucket4F3B9508.Arn>/input/*]');
    expect(ids).toContain('AwsSolutions-IAM5[Resource::<LargeRunsBucket4F3B9508.Arn>/results/*]');
    expect(ids).toContain('AwsSolutions-S1');
  });

  test('an access-log bucket replaces the S1 acknowledgement', () => {
    const app = standaloneApp();
    const stack = new Stack(app, 'Standalone');
    const logs = new s3.Bucket(stack, 'AccessLogs', { enforceSSL: true });
    const workflow = new LargeRunWorkflow(stack, 'LargeRuns', {
      ...standaloneProps(stack),
      serverAccessLogsBucket: logs,
    });
    const bucket =
      Template.fromStack(stack).toJSON().Resources[
        stack.getLogicalId(workflow.bucket.node.defaultChild as s3.CfnBucket)
      ];
    expect(bucket.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: stack.getLogicalId(logs.node.defaultChild as s3.CfnBucket) },
      LogFilePrefix: 'large-run-bucket/',
    });
    const acknowledged = workflow.bucket.node.metadata.filter(
      (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    );
    expect(acknowledged).toEqual([]);
  });
});
