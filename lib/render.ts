/**
 * The state machine definition that deploys, as Amazon States Language a local engine can run.
 */
import type { CfnResource } from 'aws-cdk-lib';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildApp } from './app';
import { PLACEHOLDER_FUNCTION_ARN, renderAsl } from './asl';
import type { PollerSettings } from './config';

export { PLACEHOLDER_FUNCTION_ARN };

export interface RenderedDefinition {
  /** The ASL definition (JSON). Task states name `PLACEHOLDER_FUNCTION_ARN` as FunctionName. */
  readonly definition: Record<string, unknown>;
  /** The settings it was built with. */
  readonly settings: PollerSettings;
}

/**
 * Synthesizes the stack of `buildApp(context)` without bundling the function (no esbuild, no network,
 * no credentials) and returns its state machine definition: the DefinitionString joined, the function's
 * ARN replaced with PLACEHOLDER_FUNCTION_ARN, pseudo parameters with fixed values, other references
 * with `<LogicalId>` (see asl.ts).
 */
export function renderStateMachineDefinition(context: Record<string, unknown> = {}): RenderedDefinition {
  const { app, stack, settings } = buildApp({ ...context, 'aws:cdk:bundling-stacks': [] }, { nag: false });
  const artifact = app.synth().getStackArtifact(stack.artifactId) as CloudFormationStackArtifact;
  // The poll workflow's state machine, by its logical ID: the stack may hold others (large runs).
  const logicalId = stack.getLogicalId(stack.workflow.stateMachine.node.defaultChild as CfnStateMachine);
  const resource = (
    artifact.template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }
  ).Resources[logicalId];
  if (resource?.Type !== 'AWS::StepFunctions::StateMachine') {
    throw new Error(`The poll workflow's state machine (${logicalId}) is not in the template`);
  }
  const functionId = stack.getLogicalId(stack.poller.lambdaFunction.node.defaultChild as CfnResource);
  const definition = renderAsl(resource.Properties.DefinitionString, {
    functionArn: PLACEHOLDER_FUNCTION_ARN,
    functionIds: [functionId],
  });
  return { definition, settings };
}
