/**
 * The state machine definition that deploys, as Amazon States Language a local engine can run.
 */
import type { CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { buildApp } from './app';
import { joinDefinitionString, PLACEHOLDER_FUNCTION_ARN } from './asl';
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
 * ARN replaced with PLACEHOLDER_FUNCTION_ARN and pseudo parameters with fixed values.
 */
export function renderStateMachineDefinition(context: Record<string, unknown> = {}): RenderedDefinition {
  const { app, stack, settings } = buildApp({ ...context, 'aws:cdk:bundling-stacks': [] }, { nag: false });
  const artifact = app.synth().getStackArtifact(stack.artifactId) as CloudFormationStackArtifact;
  const resources = Object.values(
    (
      artifact.template as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      }
    ).Resources,
  ).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (resources.length !== 1) {
    throw new Error(
      `Expected one AWS::StepFunctions::StateMachine in the template, found ${resources.length}`,
    );
  }
  const definition = JSON.parse(
    joinDefinitionString(resources[0].Properties.DefinitionString, PLACEHOLDER_FUNCTION_ARN),
  );
  return { definition, settings };
}
