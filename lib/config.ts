/**
 * Deployment settings of the poller, read from CDK context (`cdk.json` "context" or `-c key=value`).
 * The settings themselves (parsers, bounds, defaults, docs) are the table in
 * lambda/contract/settings.ts, which the function's environment parsing reads too; this file adds what
 * only synth checks: combinations of deploy-time settings and unknown context keys.
 */
import { CompletionEvent } from '../lambda/contract/events';
import {
  InvalidSettingError,
  type PollerSettings,
  parseSettingValues,
  SETTING_KEYS,
  type SettingKey,
} from '../lambda/contract/settings';
import { parseExecutionInput } from '../lambda/core/input';

export {
  DEFAULT_EVENT_PATTERN,
  type EventPatternSetting,
  type PollerSettings,
} from '../lambda/contract/settings';

/** The large-run tuning settings: refused unless `largeRuns` is on. */
const LARGE_RUN_TUNING = [
  'largeRunBatchSize',
  'largeRunMaxConcurrency',
  'largeRunToleratedFailurePercentage',
] as const;

/**
 * Reads every setting through `context` (e.g. `(key) => app.node.tryGetContext(key)`), applies the
 * defaults and checks each value and the combinations.
 *
 * @throws InvalidSettingError naming the first setting that is wrong
 */
export function parseSettings(context: (key: string) => unknown): PollerSettings {
  const raw = new Map(SETTING_KEYS.map((key) => [key, context(key)]));
  const given = (key: SettingKey) => raw.get(key) !== undefined && raw.get(key) !== null;
  const settings = parseSettingValues((key) => raw.get(key)) as PollerSettings;

  if (given('scheduleInput') && settings.schedule === undefined) {
    throw new InvalidSettingError('scheduleInput', 'is only used with "schedule", which is not set');
  }
  if (settings.schedule !== undefined) {
    if (settings.scheduleInput === undefined) {
      throw new InvalidSettingError(
        'scheduleInput',
        'is required with "schedule": the execution input of scheduled runs (e.g. {"taskIdList":["<task id>"]})',
      );
    }
    // The same check every execution's input goes through: a scheduled run never fails at Start on it.
    try {
      parseExecutionInput(settings.scheduleInput, {
        appBundleIdentifier: settings.appBundleIdentifier,
        minWaitSeconds: settings.minWaitSeconds,
      });
    } catch (error) {
      throw new InvalidSettingError(
        'scheduleInput',
        `is not a valid execution input: ${(error as Error).message}`,
      );
    }
  }
  // A pattern that matches the completion event would start a run from each run's end, forever.
  const { source, 'detail-type': detailType } = settings.eventPattern;
  if (
    (source === undefined || source.includes(CompletionEvent.source)) &&
    (detailType === undefined || detailType.includes(CompletionEvent.detailType))
  ) {
    throw new InvalidSettingError(
      'eventPattern',
      `must not match the completion event (source "${CompletionEvent.source}", detail-type ` +
        `"${CompletionEvent.detailType}"): name a "detail-type" or a "source" of your own`,
    );
  }
  const tuning = LARGE_RUN_TUNING.find(given);
  if (!settings.largeRuns && tuning !== undefined) {
    throw new InvalidSettingError(tuning, 'is only used with "largeRuns", which is not true');
  }
  return settings;
}

/** Seconds after the start at which the run's deadline falls. */
export const deadlineSeconds = (settings: PollerSettings): number => settings.deadlineMinutes * 60;

/**
 * Context keys that are not settings but belong to the CDK: feature flags (`@aws-cdk/…`), the CLI's
 * own (`aws:cdk:…`, `cdk-…`, lookups such as `availability-zones:…`, which all hold a colon) and a few
 * the CLI writes without a prefix.
 */
const CDK_KEY = /^(@|aws:cdk:|aws-cdk|cdk-|cdk:)|:/;
const CDK_PLAIN_KEYS = new Set(['acknowledged-issue-numbers', 'notices', 'cli-telemetry']);

/** A context key that is no setting (a typo, most likely). */
class UnknownSettingError extends InvalidSettingError {
  constructor(key: string, closest: SettingKey) {
    super(key, `is not a setting; did you mean "${closest}"?`);
    this.message = `Unknown setting "${key}": did you mean "${closest}"?`;
  }
}

/** Levenshtein distance, case-insensitive: how far a typo is from a setting. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const current = [i];
    for (let j = 1; j <= y.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[y.length];
}

/** How far `key` is from `setting`: a key that is a setting's start with a typo or two counts as close. */
const score = (key: string, setting: string): number =>
  Math.min(distance(key, setting), distance(key, setting.slice(0, key.length)) + 0.5);

/** The setting closest to `key`. */
export function closestSetting(key: string): SettingKey {
  return SETTING_KEYS.reduce((best, k) => (score(key, k) < score(key, best) ? k : best));
}

/**
 * Refuses a context key that is neither a setting nor the CDK's: a typo (`minWaitsecs`) would
 * otherwise be ignored silently and deploy the default.
 *
 * @throws InvalidSettingError naming the key and the closest setting
 */
export function checkContextKeys(keys: Iterable<string>): void {
  for (const key of keys) {
    if ((SETTING_KEYS as string[]).includes(key) || CDK_KEY.test(key) || CDK_PLAIN_KEYS.has(key)) continue;
    throw new UnknownSettingError(key, closestSetting(key));
  }
}
