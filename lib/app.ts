/**
 * Builds the app exactly as `cdk synth` does (bin/app.ts), so tests and the local runner get the same
 * stack: the feature flags of cdk.json, the settings from context, and the cdk-nag checks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StackNames } from '../lambda/contract/stack';
import { checkContextKeys, type PollerSettings, parseSettings } from './config';
import { AppFabricPollerStack } from './poller-stack';

/** Construct id (and default name) of the stack. */
const STACK_ID = StackNames.stackName;

/** Path of cdk.json, whose "context" (feature flags, settings) the app starts from. */
const CDK_JSON = path.join(__dirname, '..', 'cdk.json');

export interface BuildAppOptions {
  /**
   * Run the cdk-nag AwsSolutions checks at synth: any unacknowledged finding fails synth.
   *
   * @default true
   */
  readonly nag?: boolean;
  /**
   * Where the cloud assembly goes.
   *
   * @default - `CDK_OUTDIR` when run by the CLI, a temporary directory otherwise
   */
  readonly outdir?: string;
  /**
   * Account and region of the stack.
   *
   * @default - `CDK_DEFAULT_ACCOUNT` and `CDK_DEFAULT_REGION` (set by the CLI from the credentials), or
   *   an environment-agnostic stack when unset
   */
  readonly env?: { readonly account?: string; readonly region?: string };
}

export interface BuiltApp {
  readonly app: App;
  readonly stack: AppFabricPollerStack;
  readonly settings: PollerSettings;
}

/** The "context" of cdk.json. */
export function cdkJsonContext(): Record<string, unknown> {
  const json = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> };
  return json.context ?? {};
}

/**
 * Creates the app and the stack. `context` is laid over cdk.json's context; when the CLI runs the app,
 * its context (`-c`, cdk.context.json) comes on top of both.
 *
 * @throws InvalidSettingError when a setting is wrong
 */
export function buildApp(context: Record<string, unknown> = {}, options: BuildAppOptions = {}): BuiltApp {
  const props: AppProps = { context: { ...cdkJsonContext(), ...context }, outdir: options.outdir };
  const app = new App(props);
  checkContextKeys(Object.keys(app.node.getAllContext()));
  const settings = parseSettings((key) => app.node.tryGetContext(key));
  const stack = new AppFabricPollerStack(app, STACK_ID, {
    description:
      'AppFabric access poller: polls user access tasks with Step Functions, stores results in DynamoDB',
    env: options.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    settings,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, settings };
}
