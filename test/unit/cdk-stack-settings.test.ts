/**
 * The synthesized stack with configured settings, the environment it hands the function, cdk-nag, and
 * the bundled function. Most tests synthesize without bundling (fast); the "bundling" block runs esbuild.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EnvNames } from '../../lambda/contract/settings';
import { settingsFromEnv } from '../../lambda/core/settings';
import { buildApp } from '../../lib/app';
import { parseSettings } from '../../lib/config';
import { APPFABRIC_ACTIONS, pollerEnvironment } from '../../lib/poller-function';
import { expectNoUnacknowledgedFindings } from '../support/nag';
import { BUNDLE_ARN, list, only, statements, synth, TOPIC_ARN, UUID } from '../support/template';

describe('configured settings', () => {
  test('a UUID app bundle scopes AppFabric to that bundle in this partition, region and account', () => {
    const { template } = synth({ appBundleIdentifier: UUID });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: [...APPFABRIC_ACTIONS],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':appfabric:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  `:appbundle/${UUID}`,
                ],
              ],
            },
          },
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [EnvNames.defaultAppBundleIdentifier]: UUID }) },
    });
  });

  test('an app bundle ARN is used as it is, and nothing else is allowed', () => {
    const { template } = synth({ appBundleIdentifier: BUNDLE_ARN });
    const appfabric = statements(template).filter(({ statement }) =>
      list(statement.Action).some((a) => a.startsWith('appfabric:')),
    );
    expect(appfabric.map(({ statement }) => statement.Resource)).toEqual([BUNDLE_ARN]);
  });

  test('every setting reaches the template', () => {
    const { template } = synth({
      minWaitSeconds: '5',
      maxWaitSeconds: '60',
      deadlineMinutes: '30',
      notFoundAfterMisses: '7',
      retentionDays: '0',
      maxCycles: '400',
      logLevel: 'DEBUG',
      reservedConcurrency: '3',
      removalPolicy: 'destroy',
      eventPattern: '{"source":["my.tool"],"detail-type":["Check access"]}',
      schedule: 'rate(1 day)',
      scheduleInput: `{"appBundleIdentifier":"${UUID}","taskIdList":["${UUID}"]}`,
      alarmTopicArn: TOPIC_ARN,
    });
    const [, fn] = only(template, 'AWS::Lambda::Function');
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(3);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      [EnvNames.minWaitSeconds]: '5',
      [EnvNames.maxWaitSeconds]: '60',
      [EnvNames.deadlineMinutes]: '30',
      [EnvNames.notFoundAfterMisses]: '7',
      [EnvNames.retentionDays]: '0',
      [EnvNames.maxCycles]: '400',
    });

    const [, table] = only(template, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Delete');
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    for (const logGroup of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }

    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    const eventRule = rules.find((r) => r.Properties.EventPattern);
    expect(eventRule?.Properties.EventPattern).toEqual({
      source: ['my.tool'],
      'detail-type': ['Check access'],
    });
    const scheduleRule = rules.find((r) => r.Properties.ScheduleExpression);
    expect(scheduleRule?.Properties.ScheduleExpression).toBe('rate(1 day)');
    const [target] = scheduleRule?.Properties.Targets ?? [];
    expect(JSON.parse(target.Input)).toEqual({ appBundleIdentifier: UUID, taskIdList: [UUID] });
    expect(target.DeadLetterConfig).toBeDefined();
    expect(target.RetryPolicy).toBeDefined();
    // Both rules use the one role that may only start this state machine.
    expect(target.RoleArn).toEqual(eventRule?.Properties.Targets[0].RoleArn);

    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(5);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([TOPIC_ARN]);
  });

  test('a wrong setting fails the build with its name', () => {
    expect(() => synth({ minWaitSeconds: 'abc' })).toThrow(/Invalid setting "minWaitSeconds"/);
  });
});

describe('pollerEnvironment', () => {
  test.each([
    ['defaults', {}],
    [
      'every runtime setting changed',
      {
        appBundleIdentifier: UUID,
        minWaitSeconds: 3,
        maxWaitSeconds: 90,
        deadlineMinutes: 45,
        notFoundAfterMisses: 9,
        retentionDays: 0,
        maxCycles: 999,
      },
    ],
  ])('the runtime reads back what the stack sets (%s)', (_name, context: Record<string, unknown>) => {
    const settings = parseSettings((key) => context[key]);
    const env = pollerEnvironment(settings, 'results');
    const expectedKeys = [...new Set(Object.values(EnvNames))].filter(
      (name) => settings.appBundleIdentifier !== undefined || name !== EnvNames.defaultAppBundleIdentifier,
    );
    expect(Object.keys(env).sort()).toEqual(expectedKeys.sort());
    expect(settingsFromEnv(env)).toMatchObject({
      tableName: 'results',
      defaultAppBundleIdentifier: settings.appBundleIdentifier,
      minWaitSeconds: settings.minWaitSeconds,
      maxWaitSeconds: settings.maxWaitSeconds,
      deadlineSeconds: settings.deadlineMinutes * 60,
      notFoundAfterMisses: settings.notFoundAfterMisses,
      retentionDays: settings.retentionDays,
      maxCycles: settings.maxCycles,
    });
  });
});

describe('cdk-nag (AwsSolutions)', () => {
  const nagBuild = (context: Record<string, unknown> = {}) =>
    buildApp({ 'aws:cdk:bundling-stacks': [], ...context });

  test.each([
    ['default settings', {}],
    [
      'a configured app bundle and schedule',
      { appBundleIdentifier: UUID, schedule: 'rate(6 hours)', scheduleInput: { taskIdList: [UUID] } },
    ],
  ])('finds nothing unacknowledged with %s', (_name, context) => {
    // Synth runs the plugin and throws on any unacknowledged finding (warnings included).
    expectNoUnacknowledgedFindings(nagBuild(context).app);
  });

  test('an unacknowledged finding fails synth', () => {
    const { app, stack } = nagBuild();
    new sqs.Queue(stack, 'Unencrypted');
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  test('every acknowledgement is narrow and gives a specific reason', () => {
    const acknowledged = (context: Record<string, unknown>) => {
      const { app } = nagBuild(context);
      const found: { path: string; id: string; reason: string }[] = [];
      for (const construct of app.node.findAll()) {
        for (const entry of construct.node.metadata) {
          if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
          for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
            found.push({ path: construct.node.path, id, reason });
          }
        }
      }
      return found;
    };
    const all = acknowledged({});
    expect(all.length).toBeGreaterThan(0);
    for (const { path: at, id, reason } of all) {
      expect(at).not.toBe('AppFabricAccessPoller');
      expect(id).toMatch(/AwsSolutions-(IAM5\[Resource::.+\]|SQS3)$/);
      expect(reason.length).toBeGreaterThanOrEqual(80);
    }
    expect(all.some(({ id }) => id.includes('appbundle/*'))).toBe(true);
    // With an app bundle configured nothing about app bundles needs acknowledging.
    expect(acknowledged({ appBundleIdentifier: UUID }).some(({ id }) => id.includes('appbundle'))).toBe(
      false,
    );
  });
});

describe('bundling (slow: runs esbuild)', () => {
  let outdir: string;
  let bundle: string;
  let sourceMap: { sources: string[] };

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'poller-synth-'));
    const { app, stack } = buildApp({}, { outdir });
    app.synth();
    const fn = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0];
    const hash = String(fn.Properties.Code.S3Key).replace(/\.zip$/, '');
    const assetDir = path.join(outdir, `asset.${hash}`);
    bundle = fs.readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    sourceMap = JSON.parse(fs.readFileSync(path.join(assetDir, 'index.js.map'), 'utf8'));
  });

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('bundles the AWS SDK and Smithy instead of leaving them to the runtime', () => {
    // With the SDK external, esbuild would leave require("@aws-sdk/client-dynamodb") and the like. The only
    // such strings allowed are optional packages the SDK names in error messages, which are not installed.
    const required = [...bundle.matchAll(/require\(["']((?:@aws-sdk|@smithy)\/[\w.-]+)["']\)/g)].map(
      (m) => m[1],
    );
    const installed = required.filter((name) =>
      fs.existsSync(path.join(__dirname, '..', '..', 'node_modules', name)),
    );
    expect(installed).toEqual([]);
    const sources = sourceMap.sources.map((s) => s.replace(/\\/g, '/'));
    for (const pkg of [
      '@aws-sdk/client-dynamodb',
      '@aws-sdk/lib-dynamodb',
      '@smithy/core',
      '@smithy/node-http-handler',
    ]) {
      expect(sources.some((s) => s.includes(`node_modules/${pkg}/`))).toBe(true);
    }
  });

  test('contains the AppFabric client and its operations', () => {
    expect(sourceMap.sources.some((s) => s.includes('lambda/appfabric/'))).toBe(true);
    expect(bundle).toContain('BatchGetUserAccessTasks');
    expect(bundle).toContain('StartUserAccessTasks');
  });

  test('is minified with a source map', () => {
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(2000);
    expect(bundle).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
  });
});
