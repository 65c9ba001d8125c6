/**
 * The guards a first deployment needs (lib/guards.ts, lib/config.ts): AppFabric regions only, an app
 * bundle of the stack's region and account, a schedule with a valid input; and the README's deploy
 * command, whose `-c` values must synthesize.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { APPFABRIC_REGIONS, GuardRuleIds } from '../../lib/guards';

const UUID = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
const ACCOUNT = '111122223333';
const arn = (region: string, account = ACCOUNT) => `arn:aws:appfabric:${region}:${account}:appbundle/${UUID}`;

function synth(context: Record<string, unknown>, env?: { account?: string; region?: string }) {
  const { stack } = buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { nag: false, env: env ?? {} });
  return Template.fromStack(stack);
}

const rules = (
  template: Template,
): Record<string, { Assertions: { Assert: unknown; AssertDescription: string }[] }> =>
  (template.toJSON().Rules ?? {}) as never;

describe('AppFabric regions only', () => {
  test.each(APPFABRIC_REGIONS)('a stack in %s synthesizes, with no region rule', (region) => {
    const template = synth({}, { account: ACCOUNT, region });
    expect(rules(template)[GuardRuleIds.region]).toBeUndefined();
  });

  test('a stack in another known region fails synth in one line naming the region', () => {
    expect(() => synth({}, { account: ACCOUNT, region: 'eu-central-1' })).toThrow(
      /^Invalid setting "region": AppFabric runs in us-east-1, ap-northeast-1, eu-west-1 only: deploy the stack to one of them$/,
    );
  });

  test('an environment-agnostic stack carries a Rules assertion that stops the deploy elsewhere', () => {
    // Act
    const rule = rules(synth({}))[GuardRuleIds.region];
    // Assess: CloudFormation evaluates Rules before it creates any resource.
    expect(rule.Assertions).toEqual([
      {
        Assert: { 'Fn::Contains': [[...APPFABRIC_REGIONS], { Ref: 'AWS::Region' }] },
        AssertDescription: expect.stringMatching(
          /^AppFabric runs in us-east-1, ap-northeast-1, eu-west-1 only/,
        ),
      },
    ]);
  });
});

describe("an app bundle of the stack's region and account", () => {
  test('an ARN of the same region and account synthesizes', () => {
    expect(() =>
      synth({ appBundleIdentifier: arn('us-east-1') }, { account: ACCOUNT, region: 'us-east-1' }),
    ).not.toThrow();
  });

  test.each([
    ['region', arn('eu-west-1')],
    ['account', arn('us-east-1', '444455556666')],
  ])('an ARN of another %s fails synth naming appBundleIdentifier', (what, bundle) => {
    expect(() => synth({ appBundleIdentifier: bundle }, { account: ACCOUNT, region: 'us-east-1' })).toThrow(
      new RegExp(`^Invalid setting "appBundleIdentifier": must be an app bundle of the stack's ${what}$`),
    );
  });

  test('unknown at synth: a Rules assertion compares the ARN with the deploying region and account', () => {
    const rule = rules(synth({ appBundleIdentifier: arn('eu-west-1') }))[GuardRuleIds.appBundle];
    expect(rule.Assertions[0].Assert).toEqual({
      'Fn::And': [
        { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
        { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, ACCOUNT] },
      ],
    });
  });

  test('a UUID is built with the stack’s own region and account: no rule needed', () => {
    expect(rules(synth({ appBundleIdentifier: UUID }))[GuardRuleIds.appBundle]).toBeUndefined();
  });
});

describe('schedule needs a valid scheduleInput', () => {
  test('a schedule without scheduleInput fails synth', () => {
    expect(() => synth({ appBundleIdentifier: UUID, schedule: 'rate(1 day)' })).toThrow(
      /^Invalid setting "scheduleInput": is required with "schedule"/,
    );
  });

  test.each([
    ['a misspelt field', '{"taskIDList":[]}', /unknown field #1 "taskIDList"/],
    ['no tasks', `{"appBundleIdentifier":"${UUID}","taskIdList":[]}`, /taskIdList/],
    ['no app bundle and no default', `{"taskIdList":["${UUID}"]}`, /appBundleIdentifier/],
  ])('an input the execution check refuses (%s) fails synth', (_what, scheduleInput, reason) => {
    const context = { schedule: 'rate(1 day)', scheduleInput };
    let error: Error | undefined;
    try {
      synth(context);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(/^Invalid setting "scheduleInput": is not a valid execution input: /);
    expect(error?.message).toMatch(reason);
  });

  test('an input the execution check accepts synthesizes, with the rule carrying it', () => {
    const template = synth({
      appBundleIdentifier: UUID,
      schedule: 'rate(1 day)',
      scheduleInput: `{"taskIdList":["${UUID}"]}`,
    });
    const scheduled = Object.values(template.findResources('AWS::Events::Rule')).find(
      (r) => r.Properties.ScheduleExpression,
    );
    expect(JSON.parse(scheduled?.Properties.Targets[0].Input)).toEqual({ taskIdList: [UUID] });
  });
});

describe('the trigger never starts a run from a completion event', () => {
  test.each([
    ['no detail-type, our source', '{"source":["appfabric-access-poller"]}'],
    ['no source, its detail-type', '{"detail-type":["Access Review Completed"]}'],
    ['account only', '{"account":["111122223333"]}'],
  ])('a pattern matching it (%s) fails synth naming eventPattern', (_what, eventPattern) => {
    expect(() => synth({ eventPattern })).toThrow(
      /^Invalid setting "eventPattern": must not match the completion event/,
    );
  });

  test.each([
    ['a detail-type of its own', '{"detail-type":["Check access"]}'],
    ['a source of its own', '{"source":["my.tool"]}'],
  ])('a pattern with %s synthesizes', (_what, eventPattern) => {
    expect(() => synth({ eventPattern })).not.toThrow();
  });
});

describe("the README's deploy command", () => {
  test('its -c values synthesize, in the region and account of its app bundle and without', () => {
    // Prepare: the `npx cdk deploy` line of the Deploy section.
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
    const deploy = readme.slice(readme.indexOf('## Deploy'));
    const line = /^npx cdk deploy (.+)$/m.exec(deploy)?.[1] ?? '';
    const context = Object.fromEntries(
      [...line.matchAll(/-c\s+([^=\s]+)=(\S+)/g)].map(([, key, value]) => [key, value.replace(/^'|'$/g, '')]),
    );
    expect(Object.keys(context)).toContain('appBundleIdentifier');
    const [, , , region, account] = String(context.appBundleIdentifier).split(':');
    // Act / Assess
    expect(() => synth(context)).not.toThrow();
    expect(() => synth(context, { account, region })).not.toThrow();
  });
});
