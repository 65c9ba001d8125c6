/** Reading the large-run state machine and its IAM in a synthesized template (the large-run tests). */
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import { buildApp } from '../../lib/app';
import { renderAsl as renderAslDefinition } from '../../lib/asl';
import type { LargeRunWorkflowProps } from '../../lib/large-run-workflow';

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation and ASL JSON, read by shape
export type Json = Record<string, any>;

export const UUID = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
export const list = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);
export const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/** Builds the app as bin/app.ts does, without bundling (and without cdk-nag unless asked). */
export function synth(context: Record<string, unknown> = {}, nag = false) {
  const built = buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { nag });
  return { ...built, template: Template.fromStack(built.stack) };
}

export const renderAsl = (definitionString: unknown): Json => renderAslDefinition(definitionString) as Json;

export const stateMachines = (template: Template): [string, Json][] =>
  Object.entries(template.findResources('AWS::StepFunctions::StateMachine'));

/** The large-run state machine: the one whose definition holds a Map state. */
export function largeRun(template: Template): { id: string; resource: Json; asl: Json } {
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

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of the policies attached to `roleId`. */
export function roleStatements(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles ?? []).some((r: Json) => r.Ref === roleId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/**
 * Evaluates a JSONPath Parameters template the way Step Functions does for the paths used here:
 * `$.a.b` and `$.a[*].b` (an indefinite path, always an array).
 */
export function evaluate(template: Json, input: Json, context: Json = {}): Json {
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

/** The stack with largeRuns on, its large-run definition and the logical IDs the tests compare with. */
export function largeRunFixture() {
  const { template } = synth({ largeRuns: 'true' });
  const found = largeRun(template);
  const ids = {
    largeRun: found.id,
    poll: pollStateMachineId(template, found.id),
    bucket: bucketId(template),
    role: found.resource.Properties.RoleArn['Fn::GetAtt'][0],
  };
  return { template, asl: found.asl, states: found.asl.States as Json, ids };
}

/** An app with (or without) the feature flag the construct needs, for the construct on its own. */
export function standaloneApp(flag = true): App {
  return new App({ context: flag ? { [STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2]: true } : {} });
}

/** Props of the construct around a no-op poll state machine. */
export function standaloneProps(stack: Stack): LargeRunWorkflowProps {
  const poll = new sfn.StateMachine(stack, 'Poll', {
    definitionBody: sfn.DefinitionBody.fromChainable(sfn.Pass.jsonPath(stack, 'Noop')),
  });
  return { pollStateMachine: poll, pollDefaults: { minWaitSeconds: 10, maxWaitSeconds: 300 } };
}
