/** Reading a synthesized template in the stack tests: the app built as bin/app.ts does, roles and statements. */
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, read by shape in each test
export type Json = Record<string, any>;

export const UUID = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
export const BUNDLE_ARN = `arn:aws:appfabric:eu-west-1:123456789012:appbundle/${UUID}`;
export const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:poller-alarms';

/** Builds the app as bin/app.ts does, without bundling the function (and without cdk-nag). */
export function synth(context: Record<string, unknown> = {}) {
  const built = buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { nag: false });
  return { ...built, template: Template.fromStack(built.stack) };
}

export const only = (template: Template, type: string): [string, Json] => {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0];
};

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}
export const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Every policy statement of the template, with the logical IDs of the roles it applies to. */
export function statements(template: Template): { roles: string[]; statement: Statement }[] {
  const out: { roles: string[]; statement: Statement }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []).map((r: Json) => r.Ref);
    for (const statement of policy.Properties.PolicyDocument.Statement) out.push({ roles, statement });
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const p of role.Properties.Policies ?? []) {
      for (const statement of p.PolicyDocument.Statement) out.push({ roles: [id], statement });
    }
  }
  return out;
}

export const roleOf = (template: Template, type: string): string => {
  const [, resource] = only(template, type);
  const arn = resource.Properties.Role ?? resource.Properties.RoleArn;
  return arn['Fn::GetAtt'][0];
};

export const statementsOf = (template: Template, roleId: string) =>
  statements(template)
    .filter((s) => s.roles.includes(roleId))
    .map((s) => s.statement);
