#!/usr/bin/env node
/** The CDK app: settings from context, one stack, cdk-nag AwsSolutions checks that fail synth on a finding. */
import { InvalidSettingError } from '../lambda/contract/settings';
import { buildApp } from '../lib/app';

try {
  buildApp().app.synth();
} catch (error) {
  // A wrong setting is the user's to fix: one line naming it, not a stack trace.
  if (!(error instanceof InvalidSettingError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
