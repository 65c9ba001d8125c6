/**
 * The one settings table (lambda/contract/settings.ts) as both parsers read it: synth time (context,
 * lib/config.ts) and run time (the function's environment, lambda/core/settings.ts); the README's
 * settings table; unknown context keys; the one-line error of `cdk synth`.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  EnvNames,
  InvalidSettingError,
  RUNTIME_SETTING_KEYS,
  renderSettingsTable,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
} from '../../lambda/contract/settings';
import { settingsFromEnv } from '../../lambda/core/settings';
import { ConfigurationError } from '../../lambda/shared/errors';
import { buildApp } from '../../lib/app';
import { closestSetting, parseSettings } from '../../lib/config';

const ROOT = path.join(__dirname, '..', '..');

/** Other settings a value at a bound needs to form a valid combination (waits, deadline, cycles). */
const companions: Partial<Record<SettingKey, Record<string, number | boolean>>> = {
  minWaitSeconds: { maxWaitSeconds: 3600, deadlineMinutes: 60 },
  maxWaitSeconds: { minWaitSeconds: 1, deadlineMinutes: 1 },
  deadlineMinutes: { minWaitSeconds: 60, maxWaitSeconds: 3600 },
  maxCycles: { deadlineMinutes: 1, maxWaitSeconds: 60 },
  largeRunBatchSize: { largeRuns: true },
  largeRunMaxConcurrency: { largeRuns: true },
  largeRunToleratedFailurePercentage: { largeRuns: true },
};

const synthParse = (values: Record<string, unknown>) => parseSettings((key) => values[key]);

/** The environment the stack would set for `values` (runtime settings only), through the table's names. */
const envOf = (values: Record<string, unknown>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { [EnvNames.tableName]: 'results' };
  for (const [key, value] of Object.entries(values)) {
    const name = (SETTINGS[key as SettingKey] as { env?: string }).env;
    if (name !== undefined) env[name] = String(value);
  }
  return env;
};

const numeric = SETTING_KEYS.filter((key) => (SETTINGS[key] as { bounds?: unknown }).bounds !== undefined);

describe('every bounded setting, through both parsers from the same table', () => {
  test.each(numeric)(
    '%s: its bounds are accepted, one past them refused, at synth and at run time',
    (key) => {
      // Prepare: the bounds from the table and the settings a valid combination needs.
      const { min, max } = (SETTINGS[key] as unknown as { bounds: { min: number; max: number } }).bounds;
      const others = companions[key] ?? {};
      const atRuntime = (RUNTIME_SETTING_KEYS as SettingKey[]).includes(key);

      for (const value of [min, max]) {
        // Act / Assess: accepted at synth, and the runtime reads back the same value.
        const settings = synthParse({ ...others, [key]: String(value) });
        expect(settings[key]).toBe(value);
        if (atRuntime) {
          const runtime = settingsFromEnv(envOf({ ...others, [key]: value }));
          const read = key === 'deadlineMinutes' ? runtime.deadlineSeconds / 60 : runtime[key as 'maxCycles'];
          expect(read).toBe(value);
        }
      }
      for (const value of [min - 1, max + 1]) {
        // Act / Assess: refused at synth naming the setting, at run time naming its variable.
        expect(() => synthParse({ ...others, [key]: String(value) })).toThrow(
          new RegExp(`^Invalid setting "${key}": must be an integer between ${min} and ${max}$`),
        );
        if (atRuntime) {
          let error: unknown;
          try {
            settingsFromEnv(envOf({ ...others, [key]: value }));
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(ConfigurationError);
          expect((error as Error).message).toBe(
            `env.${(SETTINGS[key] as { env: string }).env}: must be an integer between ${min} and ${max}`,
          );
        }
      }
    },
  );

  test('the combination checks are the same at run time: maxWaitSeconds below minWaitSeconds', () => {
    expect(() => synthParse({ minWaitSeconds: 60, maxWaitSeconds: 30 })).toThrow(/"maxWaitSeconds"/);
    expect(() => settingsFromEnv(envOf({ minWaitSeconds: 60, maxWaitSeconds: 30 }))).toThrow(
      /^env\.MAX_WAIT_SECONDS: must not be less than minWaitSeconds/,
    );
  });

  test('the defaults are the same at synth and at run time', () => {
    const synth = synthParse({});
    const runtime = settingsFromEnv({ [EnvNames.tableName]: 'results' });
    expect(runtime).toMatchObject({
      minWaitSeconds: synth.minWaitSeconds,
      maxWaitSeconds: synth.maxWaitSeconds,
      deadlineSeconds: synth.deadlineMinutes * 60,
      notFoundAfterMisses: synth.notFoundAfterMisses,
      retentionDays: synth.retentionDays,
      maxCycles: synth.maxCycles,
    });
  });
});

describe('runtime configuration faults', () => {
  test('a missing table name is a ConfigurationError naming the variable, not an input error', () => {
    expect(() => settingsFromEnv({})).toThrow(ConfigurationError);
    expect(() => settingsFromEnv({})).toThrow(`env.${EnvNames.tableName}: is not set`);
  });

  test('a bad app bundle in the environment names the variable, never the value', () => {
    const env = { [EnvNames.tableName]: 'results', [EnvNames.appBundleIdentifier]: 'Not-A-Bundle' };
    expect(() => settingsFromEnv(env)).toThrow(ConfigurationError);
    expect(() => settingsFromEnv(env)).toThrow(
      /^env\.DEFAULT_APP_BUNDLE_IDENTIFIER: must be an app bundle ARN/,
    );
    expect(() => settingsFromEnv(env)).not.toThrow(/Not-A-Bundle/);
  });
});

describe('the README settings table', () => {
  test('is the one rendered from the table', () => {
    // Prepare: the table between the markers in README.md.
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const found = /<!-- settings-table:start -->\n([\s\S]*?)\n<!-- settings-table:end -->/.exec(readme);
    // Assess: regenerate with the command in the README comment above the table when it differs.
    expect(found?.[1]).toBe(renderSettingsTable());
  });

  test('has a row for every setting, with its bounds', () => {
    const rendered = renderSettingsTable();
    for (const key of SETTING_KEYS) expect(rendered).toContain(`| \`${key}\` |`);
    expect(rendered).toContain('| `minWaitSeconds` | `5` | 1–3600 |');
  });
});

describe('unknown context keys', () => {
  test('a typo fails synth naming it and the closest setting', () => {
    expect(() => buildApp({ minWaitsecs: '20' }, { nag: false })).toThrow(InvalidSettingError);
    expect(() => buildApp({ minWaitsecs: '20' }, { nag: false })).toThrow(
      /^Unknown setting "minWaitsecs": did you mean "minWaitSeconds"\?$/,
    );
  });

  test.each([
    ['maxwait', 'maxWaitSeconds'],
    ['deadline', 'deadlineMinutes'],
    ['largeRun', 'largeRuns'],
    ['appBundleId', 'appBundleIdentifier'],
  ])('%s suggests %s', (typo, setting) => {
    expect(closestSetting(typo)).toBe(setting);
  });

  test("the CDK's own keys are not settings and pass", () => {
    // Prepare: feature flags, CLI keys and a lookup key as cdk.context.json holds them.
    const context = {
      '@aws-cdk/core:newStyleStackSynthesis': true,
      'aws:cdk:enable-path-metadata': true,
      'aws:cdk:bundling-stacks': [],
      'cdk-default-qualifier': 'x',
      'availability-zones:account=111122223333:region=us-east-1': ['us-east-1a'],
      'acknowledged-issue-numbers': [],
    };
    // Act / Assess
    expect(() => buildApp(context, { nag: false })).not.toThrow();
  });
});

describe('bin/app.ts', () => {
  test('a bad setting prints one line and exits 1, no stack trace', async () => {
    // Prepare: context as the CDK CLI hands it to the app (CDK_CONTEXT_JSON), to a scratch outdir.
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'poller-synth-'));
    const env = {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ minWaitsecs: '20', 'aws:cdk:bundling-stacks': [] }),
      CDK_OUTDIR: outdir,
    };
    // Act
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/app.ts'], { cwd: ROOT, env });
    const failure = (await run.then(
      () => undefined,
      (e) => e,
    )) as { code?: number; stderr?: string } | undefined;
    fs.rmSync(outdir, { recursive: true, force: true });
    // Assess
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toBe('Unknown setting "minWaitsecs": did you mean "minWaitSeconds"?\n');
  });
});
