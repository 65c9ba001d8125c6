/**
 * cdk-nag, seen both ways: the report the plugin writes at synth (synth throws on an unacknowledged finding),
 * and the AwsSolutions pack run directly on the tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

export function expectNoUnacknowledgedFindings(app: App): void {
  const assembly = app.synth();
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
  expect(report.pluginReports.flatMap((r: { violations?: unknown[] }) => r.violations ?? [])).toEqual([]);
  const direct = new AwsSolutionsChecks().validateScope(app);
  expect(direct.violations).toEqual([]);
  expect(direct.success).toBe(true);
}
