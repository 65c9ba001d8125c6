/**
 * Runtime settings of the poller, read from the environment the CDK code sets. Names, parsers, bounds
 * and defaults come from the settings table (contract/settings.ts), the one synth uses too.
 */

import {
  EnvNames,
  InvalidSettingError,
  parseSettingValues,
  RUNTIME_SETTING_KEYS,
  SETTINGS,
} from '../contract/settings';
import { ConfigurationError } from '../shared/errors';

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

/** BatchGetUserAccessTasks calls in flight at once (not a deployment setting). */
const BATCH_GET_CONCURRENCY = 4;

/**
 * Reads and checks the settings; a bad or missing value names its variable.
 *
 * @throws ConfigurationError: the deployment, not the execution input, is wrong
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const tableName = env[EnvNames.tableName];
  if (!tableName) throw new ConfigurationError(`env.${EnvNames.tableName}`, 'is not set');
  let s: ReturnType<typeof parseSettingValues<(typeof RUNTIME_SETTING_KEYS)[number]>>;
  try {
    s = parseSettingValues((key) => {
      const name = (SETTINGS[key] as { env?: string }).env;
      // An empty variable counts as unset, as in a shell.
      return name === undefined ? undefined : env[name] || undefined;
    }, RUNTIME_SETTING_KEYS);
  } catch (error) {
    if (!(error instanceof InvalidSettingError)) throw error;
    const name = (SETTINGS[error.setting as keyof typeof SETTINGS] as { env?: string }).env ?? error.setting;
    throw new ConfigurationError(`env.${name}`, error.problem, { cause: error });
  }
  return {
    tableName,
    defaultAppBundleIdentifier: s.appBundleIdentifier,
    minWaitSeconds: s.minWaitSeconds,
    maxWaitSeconds: s.maxWaitSeconds,
    deadlineSeconds: s.deadlineMinutes * 60,
    notFoundAfterMisses: s.notFoundAfterMisses,
    retentionDays: s.retentionDays,
    maxCycles: s.maxCycles,
    batchGetConcurrency: BATCH_GET_CONCURRENCY,
  };
}
