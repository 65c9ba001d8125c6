#!/usr/bin/env node
/** The CDK app: settings from context, one stack, cdk-nag AwsSolutions checks that fail synth on a finding. */
import { buildApp } from '../lib/app';

buildApp().app.synth();
