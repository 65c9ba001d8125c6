/**
 * The large-run workflow (lib/large-run-workflow.ts): the Distributed Map over an S3 list of task IDs that
 * runs the poll state machine once per batch. aws-local-stepfunctions cannot run a Distributed Map with an
 * ItemReader, so the definition is checked as ASL, the child input against the poll workflow's own input
 * check, the IAM and bucket in the template, and cdk-nag on the whole app.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import { Limits, PARENT_EXECUTION_ID_FIELD } from '../../lambda/contract/limits';
import { ErrorNames } from '../../lambda/contract/workflow';
import { parseExecutionInput } from '../../lambda/core/input';
import { buildApp } from '../../lib/app';
import { renderAsl as renderAslDefinition } from '../../lib/asl';
import {
  LARGE_RUN_DEFAULTS,
  LargeRunFormats,
  LargeRunLimits,
  LargeRunOutputs,
  LargeRunStateNames,
  LargeRunWorkflow,
  type LargeRunWorkflowProps,
  planLargeRun,
  pollInputAcceptsParentExecutionId,
  TASK_ID_COLUMN,
} from '../../lib/large-run-workflow';
import { expectNoUnacknowledgedFindings } from '../support/nag';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation and ASL JSON, read by shape
type Json = Record<string, any>;

const UUID = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Builds the app as bin/app.ts does, without bundling (and without cdk-nag unless asked). */
function synth(context: Record<string, unknown> = {}, nag = false) {
  const built = buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { nag });
  return { ...built, template: Template.fromStack(built.stack) };
}

const renderAsl = (definitionString: unknown): Json => renderAslDefinition(definitionString) as Json;

const stateMachines = (template: Template): [string, Json][] =>
  Object.entries(template.findResources('AWS::StepFunctions::StateMachine'));

/** The large-run state machine: the one whose definition holds a Map state. */
function largeRun(template: Template): { id: string; resource: Json; asl: Json } {
  const found = stateMachines(template)
    .map(([id, resource]) => ({ id, resource, asl: renderAsl(resource.Properties.DefinitionString) }))
    .filter(({ asl }) => Object.values(asl.States as Json).some((s) => s.Type === 'Map'));
  expect(found).toHaveLength(1);
  return found[0];
}

const pollStateMachineId = (template: Template, largeRunId: string): string => {
  const others = stateMachines(template).filter(([id]) => id !== largeRunId);
  expect(others).toHaveLength(1);
  return others[0][0];
};

const bucketId = (template: Template): string => {
  const buckets = Object.keys(template.findResources('AWS::S3::Bucket'));
  expect(buckets).toHaveLength(1);
  return buckets[0];
};

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of the policies attached to `roleId`. */
function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: Json) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/**
 * Evaluates a JSONPath Parameters template the way Step Functions does for the paths used here:
 * `$.a.b` and `$.a[*].b` (an indefinite path, always an array).
 */
function evaluate(template: Json, input: Json, context: Json = {}): Json {
  const at = (p: string): unknown => {
    const root = p.startsWith('$$.') ? context : input;
    const steps = p.replace(/^\$\$?\.?/, '').split('.');
    let values: unknown[] = [root];
    let indefinite = false;
    for (const step of steps) {
      const wildcard = step.endsWith('[*]');
      const key = wildcard ? step.slice(0, -3) : step;
      values = values.flatMap((v) => {
        const next = (v as Json)?.[key];
        if (next === undefined) return [];
        return wildcard ? (next as unknown[]) : [next];
      });
      if (wildcard) indefinite = true;
    }
    if (indefinite) return values;
    if (values.length !== 1) throw new Error(`States.Runtime: path ${p} not found`);
    return values[0];
  };
  return Object.fromEntries(
    Object.entries(template).map(([k, v]) => (k.endsWith('.$') ? [k.slice(0, -2), at(v as string)] : [k, v])),
  );
}

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
  let asl: Json;
  let states: Json;
  let ids: { largeRun: string; poll: string; bucket: string; role: string };

  beforeAll(() => {
    ({ template } = synth({ largeRuns: 'true' }));
    const found = largeRun(template);
    asl = found.asl;
    states = asl.States;
    ids = {
      largeRun: found.id,
      poll: pollStateMachineId(template, found.id),
      bucket: bucketId(template),
      role: found.resource.Properties.RoleArn['Fn::GetAtt'][0],
    };
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

  describe('definition', () => {
    test('applies the defaults, checks the input, then picks the reader by the key suffix', () => {
      expect(asl.StartAt).toBe(LargeRunStateNames.Defaults);
      expect(states.Defaults).toMatchObject({
        Type: 'Pass',
        Parameters: { defaults: { bucket: `<${ids.bucket}>`, maxWaitSeconds: 300 } },
        Next: LargeRunStateNames.ApplyDefaults,
      });
      expect(states.ApplyDefaults).toMatchObject({
        Type: 'Pass',
        Parameters: { 'run.$': 'States.JsonMerge($.defaults, $$.Execution.Input, false)' },
        OutputPath: '$.run',
        Next: LargeRunStateNames.CheckInput,
      });
      const check = states.CheckInput;
      expect(check.Type).toBe('Choice');
      expect(check.Default).toBe(LargeRunStateNames.InvalidKey);
      const routes = check.Choices.filter((c: Json) => c.StringMatches?.startsWith('*'));
      expect(routes).toEqual([
        { Variable: '$.key', StringMatches: '*.json', Next: LargeRunFormats.json.mapState },
        { Variable: '$.key', StringMatches: '*.csv', Next: LargeRunFormats.csv.mapState },
        { Variable: '$.key', StringMatches: '*.txt', Next: LargeRunFormats.lines.mapState },
      ]);
      // Every refusal comes before the first route, so no child starts on an input that is refused.
      const firstRoute = check.Choices.indexOf(routes[0]);
      const refusals = check.Choices.slice(0, firstRoute);
      expect(refusals).toEqual([
        { Not: { Variable: '$.key', IsPresent: true }, Next: 'InvalidKey' },
        { Not: { Variable: '$.key', IsString: true }, Next: 'InvalidKey' },
        { Not: { Variable: '$.key', StringMatches: 'input/*' }, Next: 'InvalidKey' },
        { Not: { Variable: '$.bucket', StringEquals: `<${ids.bucket}>` }, Next: 'InvalidBucket' },
        { Not: { Variable: '$.appBundleIdentifier', IsPresent: true }, Next: 'MissingAppBundle' },
        { Not: { Variable: '$.maxWaitSeconds', IsNumeric: true }, Next: 'InvalidMaxWait' },
        { Variable: '$.maxWaitSeconds', NumericLessThan: 10, Next: 'InvalidMaxWait' },
        { Variable: '$.maxWaitSeconds', NumericGreaterThan: 3600, Next: 'InvalidMaxWait' },
      ]);
      for (const name of ['InvalidKey', 'InvalidBucket', 'MissingAppBundle', 'InvalidMaxWait']) {
        expect(states[name]).toMatchObject({ Type: 'Fail', Error: ErrorNames.InvalidInput });
        expect(String(states[name].Cause).length).toBeGreaterThan(30);
      }
    });

    test.each(Object.entries(LargeRunFormats))(
      'the %s list is a Distributed Map: ItemReader s3:getObject, ItemBatcher, ResultWriter, MaxConcurrency',
      (format, names) => {
        const map = states[names.mapState];
        expect(map.Type).toBe('Map');
        expect(map.Next).toBe(LargeRunStateNames.Done);
        expect(map.Label).toBe(names.label);
        expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
        expect(map.ItemReader).toEqual({
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig:
            format === 'json'
              ? { InputType: 'JSON' }
              : format === 'csv'
                ? { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }
                : { InputType: 'CSV', CSVHeaderLocation: 'GIVEN', CSVHeaders: [TASK_ID_COLUMN] },
          Parameters: { Bucket: `<${ids.bucket}>`, 'Key.$': '$.key' },
        });
        expect(map.ItemBatcher).toEqual({
          MaxItemsPerBatch: 5000,
          MaxInputBytesPerBatch: LargeRunLimits.maxInputBytesPerBatch,
          BatchInput: {
            'appBundleIdentifier.$': '$.appBundleIdentifier',
            'maxWaitSeconds.$': '$.maxWaitSeconds',
          },
        });
        expect(map.MaxConcurrency).toBe(10);
        // 0 is the ASL default: the first failed child fails the Map Run.
        expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
        expect(map.ItemsPath).toBeUndefined();
        // The results go to S3, so the output stays small whatever the number of children.
        expect(map.ResultWriter).toEqual({
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { Bucket: `<${ids.bucket}>`, Prefix: 'results' },
        });
        expect(map.ResultSelector).toEqual({
          'mapRunArn.$': '$.MapRunArn',
          'results.$': '$.ResultWriterDetails',
        });
      },
    );

    test.each(Object.entries(LargeRunFormats))(
      'the %s map child starts the poll state machine with .sync:2 and keeps only the summary',
      (_format, names) => {
        const processor = states[names.mapState].ItemProcessor;
        expect(processor.StartAt).toBe(names.startState);
        expect(Object.keys(processor.States)).toEqual([names.startState]);
        const start = processor.States[names.startState];
        expect(start).toMatchObject({
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          End: true,
          ResultSelector: {
            'runId.$': '$.Output.runId',
            'executionArn.$': '$.ExecutionArn',
            'counts.$': '$.Output.counts',
            'cycles.$': '$.Output.cycles',
          },
        });
        expect(start.Parameters.StateMachineArn).toBe(`<${ids.poll}>`);
        // Retried only when the child could not start; a child that ran and failed is a failed item.
        expect(start.Retry.flatMap((r: Json) => r.ErrorEquals)).toEqual([
          'StepFunctions.ExecutionLimitExceeded',
        ]);
        expect(start.Catch).toBeUndefined();
        // A backstop just above the poll state machine's own timeout (deadline + wait + margin).
        const pollTimeout = template.toJSON().Resources[ids.poll].Properties;
        const pollAsl = renderAsl(pollTimeout.DefinitionString);
        expect(start.TimeoutSeconds).toBeGreaterThan(pollAsl.TimeoutSeconds);
        expect(start.TimeoutSeconds).toBeLessThanOrEqual(pollAsl.TimeoutSeconds + 3600);
      },
    );

    test.each(Object.entries(LargeRunFormats))(
      'a %s batch becomes an input the poll workflow accepts, with the IDs as taskIdList',
      (format, names) => {
        const start = states[names.mapState].ItemProcessor.States[names.startState];
        const ids3 = [uuid(1), uuid(2), uuid(3)];
        // What a map child receives: { Items, BatchInput }; JSON items are the strings, CSV rows objects.
        const batch = {
          Items: format === 'json' ? ids3 : ids3.map((id) => ({ [TASK_ID_COLUMN]: id })),
          BatchInput: { appBundleIdentifier: UUID, maxWaitSeconds: 120 },
        };
        const parent = 'arn:aws:states:eu-west-1:123456789012:execution:large:map-child';
        const childInput = evaluate(start.Parameters.Input, batch, { Execution: { Id: parent } });
        expect(childInput).toEqual({
          appBundleIdentifier: UUID,
          taskIdList: ids3,
          maxWaitSeconds: 120,
          ...(pollInputAcceptsParentExecutionId() ? { [PARENT_EXECUTION_ID_FIELD]: parent } : {}),
        });
        // The poll workflow's Start hands its whole input to this check.
        expect(parseExecutionInput(childInput, { minWaitSeconds: 10 })).toMatchObject({
          appBundleIdentifier: UUID,
          taskIdList: ids3,
          maxWaitSeconds: 120,
        });
        // A batch of one stays a list.
        const one = evaluate(
          start.Parameters.Input,
          { ...batch, Items: batch.Items.slice(0, 1) },
          { Execution: { Id: parent } },
        );
        expect(one.taskIdList).toEqual([ids3[0]]);
      },
    );

    test('links children to their parent only when the poll workflow accepts the field', () => {
      const accepts = pollInputAcceptsParentExecutionId();
      for (const names of Object.values(LargeRunFormats)) {
        const input = states[names.mapState].ItemProcessor.States[names.startState].Parameters.Input;
        expect(input[`${PARENT_EXECUTION_ID_FIELD}.$`]).toBe(accepts ? '$$.Execution.Id' : undefined);
      }
    });

    test('every state is reachable and the maps end in Done', () => {
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        expect(states[name]).toBeDefined();
        seen.add(name);
        const s = states[name];
        for (const next of [s.Next, s.Default, ...(s.Choices ?? []).map((c: Json) => c.Next)]) {
          if (next) visit(next);
        }
      };
      visit(asl.StartAt);
      expect([...seen].sort()).toEqual(Object.keys(states).sort());
      expect(states.Done.Type).toBe('Succeed');
    });

    test('is JSONPath only: no JSONata anywhere', () => {
      expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
      const walk = (v: unknown, key = ''): void => {
        if (key === 'QueryLanguage') expect(v).toBe('JSONPath');
        expect(['Arguments', 'Output', 'Assign', 'Items']).not.toContain(key);
        if (typeof v === 'string') expect(v).not.toMatch(/^\{%.*%\}$/s);
        if (typeof v === 'object' && v !== null) for (const [k, c] of Object.entries(v)) walk(c, k);
      };
      walk(asl);
    });
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

/** An app with only the feature flag the construct needs, for tests of the construct alone. */
function standaloneApp(flag = true): App {
  return new App({ context: flag ? { [STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2]: true } : {} });
}

function standaloneProps(stack: Stack): LargeRunWorkflowProps {
  const poll = new sfn.StateMachine(stack, 'Poll', {
    definitionBody: sfn.DefinitionBody.fromChainable(sfn.Pass.jsonPath(stack, 'Noop')),
  });
  return { pollStateMachine: poll, pollDefaults: { minWaitSeconds: 10, maxWaitSeconds: 300 } };
}

describe('LargeRunWorkflow construct', () => {
  test('associateWithParent (the default) passes the parent execution ID to each child', () => {
    const stack = new Stack(standaloneApp(), 'Standalone');
    const workflow = new LargeRunWorkflow(stack, 'LargeRuns', standaloneProps(stack));
    expect(workflow.associateWithParent).toBe(true);
    const { asl } = largeRun(Template.fromStack(stack));
    for (const names of Object.values(LargeRunFormats)) {
      const start = asl.States[names.mapState].ItemProcessor.States[names.startState];
      expect(start.Parameters.Input[`${PARENT_EXECUTION_ID_FIELD}.$`]).toBe('$$.Execution.Id');
      // Without pollTimeout the task has no timeout of its own.
      expect(start.TimeoutSeconds).toBeUndefined();
    }
  });

  test.each<[string, Partial<LargeRunWorkflowProps>, RegExp]>([
    ['maxItemsPerBatch above 5000', { maxItemsPerBatch: 5001 }, /maxItemsPerBatch/],
    ['maxItemsPerBatch of 0', { maxItemsPerBatch: 0 }, /maxItemsPerBatch/],
    ['maxConcurrency above 10000', { maxConcurrency: 10_001 }, /maxConcurrency/],
    [
      'toleratedFailurePercentage above 100',
      { toleratedFailurePercentage: 101 },
      /toleratedFailurePercentage/,
    ],
    [
      'maxWaitSeconds below minWaitSeconds',
      { pollDefaults: { minWaitSeconds: 60, maxWaitSeconds: 30 } },
      /maxWaitSeconds/,
    ],
  ])('refuses %s', (_name, props, message) => {
    const stack = new Stack(standaloneApp(), 'Standalone');
    expect(() => new LargeRunWorkflow(stack, 'LargeRuns', { ...standaloneProps(stack), ...props })).toThrow(
      message,
    );
  });

  test('refuses to build without the ResultWriterV2 feature flag (its ResultWriter would be dropped)', () => {
    const stack = new Stack(standaloneApp(false), 'Standalone');
    expect(() => new LargeRunWorkflow(stack, 'LargeRuns', standaloneProps(stack))).toThrow(
      /useDistributedMapResultWriterV2/,
    );
  });

  test('pollTimeout bounds each child task 15 minutes after it', () => {
    const stack = new Stack(standaloneApp(), 'Standalone');
    new LargeRunWorkflow(stack, 'LargeRuns', { ...standaloneProps(stack), pollTimeout: Duration.hours(2) });
    const { asl } = largeRun(Template.fromStack(stack));
    const start = asl.States.PollJsonList.ItemProcessor.States.StartPollRunJson;
    expect(start.TimeoutSeconds).toBe(2 * 3600 + 15 * 60);
  });
});

describe('batch arithmetic', () => {
  test('the batch limits keep a child inside one poll execution and its 256 KiB input', () => {
    expect(LargeRunLimits.maxItemsPerBatch).toBeLessThanOrEqual(Limits.maxTasksPerRun);
    expect(LARGE_RUN_DEFAULTS.maxItemsPerBatch).toBeLessThanOrEqual(LargeRunLimits.maxItemsPerBatch);
    const ids = Array.from({ length: LargeRunLimits.maxItemsPerBatch }, (_, i) => uuid(i));
    // A full JSON batch fits under the byte cap, so the byte cap does not shrink it...
    const jsonBatch = JSON.stringify({
      Items: ids,
      BatchInput: {
        appBundleIdentifier: `arn:aws:appfabric:eu-west-1:123456789012:appbundle/${UUID}`,
        maxWaitSeconds: 3600,
      },
    });
    expect(jsonBatch.length).toBeLessThan(LargeRunLimits.maxInputBytesPerBatch);
    // ...and the cap is below 256 KiB with room for the child's wrapper.
    expect(LargeRunLimits.maxInputBytesPerBatch).toBeLessThanOrEqual(256 * 1024 - 8 * 1024);
    // The child poll execution's input is smaller than the batch.
    const childInput = JSON.stringify({
      appBundleIdentifier: `arn:aws:appfabric:eu-west-1:123456789012:appbundle/${UUID}`,
      taskIdList: ids,
      maxWaitSeconds: 3600,
      [PARENT_EXECUTION_ID_FIELD]: `arn:aws:states:eu-west-1:123456789012:execution:${'x'.repeat(80)}:${'y'.repeat(80)}`,
    });
    expect(childInput.length).toBeLessThan(256 * 1024);
  });

  test.each([
    [0, {}, { children: 0, waves: 0, largestBatch: 0 }],
    [1, {}, { children: 1, waves: 1, largestBatch: 1 }],
    [10_000, {}, { children: 2, waves: 1, largestBatch: 5000 }],
    [10_001, {}, { children: 3, waves: 1, largestBatch: 5000 }],
    [1_000_000, {}, { children: 200, waves: 20, largestBatch: 5000 }],
    [
      1_000_000,
      { maxItemsPerBatch: 2500, maxConcurrency: 100 },
      { children: 400, waves: 4, largestBatch: 2500 },
    ],
  ])('planLargeRun(%i, %j)', (taskIds, options, plan) => {
    expect(planLargeRun(taskIds, options)).toEqual(plan);
  });

  test('planLargeRun refuses values the construct refuses', () => {
    expect(() => planLargeRun(-1)).toThrow(RangeError);
    expect(() => planLargeRun(10, { maxItemsPerBatch: 5001 })).toThrow(/maxItemsPerBatch/);
    expect(() => planLargeRun(10, { maxConcurrency: 0 })).toThrow(/maxConcurrency/);
  });
});
