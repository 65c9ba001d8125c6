/**
 * Runtime settings of the poller, read from the environment the CDK code sets (names in EnvNames).
 */

import { APP_BUNDLE_IDENTIFIER_PATTERN } from '../contract/limits';
import { EnvNames, PollerDefaults } from '../contract/settings';
import { InvalidInputError } from '../shared/errors';

export interface RuntimeSettings {
  tableName: string;
  /** Used when an execution names no app bundle. */
  defaultAppBundleIdentifier?: string;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  deadlineSeconds: number;
  /** Answers in a row that leave an ID out before it is recorded as NOT_FOUND. */
  notFoundAfterMisses: number;
  /** 0 keeps records forever (no TTL attribute). */
  retentionDays: number;
  /** Poll cycles after which the run ends as TIMED_OUT, whatever the clock says (history-size guard). */
  maxCycles: number;
  /** BatchGetUserAccessTasks calls in flight at once. */
  batchGetConcurrency: number;
}

export const DEFAULT_SETTINGS: Omit<RuntimeSettings, 'tableName'> = {
  minWaitSeconds: PollerDefaults.minWaitSeconds,
  maxWaitSeconds: PollerDefaults.maxWaitSeconds,
  deadlineSeconds: PollerDefaults.deadlineMinutes * 60,
  notFoundAfterMisses: PollerDefaults.notFoundAfterMisses,
  retentionDays: PollerDefaults.retentionDays,
  maxCycles: PollerDefaults.maxCycles,
  batchGetConcurrency: 4,
};

const int = (env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(`env.${name}`, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
};

/** Reads and checks the settings; a bad value names its variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const tableName = env[EnvNames.tableName];
  if (!tableName) throw new InvalidInputError(`env.${EnvNames.tableName}`, 'is not set');
  const defaultAppBundleIdentifier = env[EnvNames.defaultAppBundleIdentifier] || undefined;
  if (defaultAppBundleIdentifier && !APP_BUNDLE_IDENTIFIER_PATTERN.test(defaultAppBundleIdentifier)) {
    throw new InvalidInputError(
      `env.${EnvNames.defaultAppBundleIdentifier}`,
      'must be an app bundle ARN or lower-case UUID',
    );
  }
  const d = DEFAULT_SETTINGS;
  const minWaitSeconds = int(env, EnvNames.minWaitSeconds, d.minWaitSeconds, 1, 3600);
  const maxWaitSeconds = int(env, EnvNames.maxWaitSeconds, d.maxWaitSeconds, minWaitSeconds, 3600);
  return {
    tableName,
    defaultAppBundleIdentifier,
    minWaitSeconds,
    maxWaitSeconds,
    deadlineSeconds: int(env, EnvNames.deadlineSeconds, d.deadlineSeconds, 1, 366 * 24 * 3600),
    notFoundAfterMisses: int(env, EnvNames.notFoundAfterMisses, d.notFoundAfterMisses, 1, 255),
    retentionDays: int(env, EnvNames.retentionDays, d.retentionDays, 0, 36500),
    maxCycles: int(env, EnvNames.maxCycles, d.maxCycles, 1, 2000),
    batchGetConcurrency: d.batchGetConcurrency,
  };
}
