/**
 * cfn-lint on every synthesized variant of the stack: the defaults, large runs, and a schedule with an alarm
 * topic. CDK's own W3005 (a DependsOn that a Ref already implies; CDK writes them) is the only rule allowed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp } from '../../lib/app';
import { missingPythonModules } from '../../local/emulator/emulator';

/** Rule IDs allowed, each with its reason. */
const ALLOWED_RULES: Record<string, string> = {
  W3005: 'CDK adds DependsOn on resources it also references (roles, policies)',
};

const REGION = 'us-east-1';
const TOPIC_ARN = `arn:aws:sns:${REGION}:123456789012:poller-alarms`;
const VARIANTS: Record<string, Record<string, string>> = {
  defaults: {},
  'large runs': { largeRuns: 'true' },
  'schedule with alarm topic': {
    appBundleIdentifier: 'a1b2c3d4-5678-90ab-cdef-0123456789ab',
    schedule: 'rate(1 day)',
    scheduleInput: '{"taskIdList":["3f0c7e6e-8f6a-4a55-9d0e-0b6f3c1b2a11"]}',
    alarmTopicArn: TOPIC_ARN,
  },
};

interface Finding {
  Rule: { Id: string };
  Message: string;
  Location: { Path: (string | number)[] };
}

/** The template as `cdk synth` writes it (bundling skipped: the asset hash is all it changes). */
function synthTemplate(context: Record<string, string>): unknown {
  const { app, stack } = buildApp({ 'aws:cdk:bundling-stacks': [], ...context }, { nag: false });
  return app.synth().getStackArtifact(stack.artifactId).template;
}

/** cfn-lint's findings on `file` (its JSON output; exit code 0 or its findings' bits). */
function cfnLint(file: string): Promise<Finding[]> {
  const run = 'import sys; from cfnlint.runner import main; sys.exit(main())';
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', run, '--format', 'json', '--regions', REGION, '--', file],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout || '[]') as Finding[]);
        } catch {
          reject(new Error(`cfn-lint gave no JSON (${error?.message ?? ''}): ${stderr.slice(0, 500)}`));
        }
      },
    );
  });
}

const unavailable = missingPythonModules(['cfnlint']);
// Straight to stderr: Jest does not print the console of a suite whose tests are all skipped.
if (unavailable) process.stderr.write(`cfn-lint suite skipped: ${unavailable}\n`);
const suite = unavailable ? describe.skip : describe;

suite('cfn-lint on the synthesized stack', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'cfn-lint-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(Object.entries(VARIANTS))(
    '%s: no finding but the allowed CDK rules',
    async (name, context) => {
      // Prepare
      const file = path.join(dir, `${name.replace(/\W+/g, '-')}.template.json`);
      writeFileSync(file, JSON.stringify(synthTemplate(context), null, 1));
      // Act
      const findings = await cfnLint(file);
      // Assess
      const rest = findings
        .filter((f) => !(f.Rule.Id in ALLOWED_RULES))
        .map((f) => `${f.Rule.Id} ${f.Location.Path.join('/')}: ${f.Message}`);
      expect(rest).toEqual([]);
    },
    120_000,
  );
});
