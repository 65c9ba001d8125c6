/**
 * The one table of deployment settings, shared by the CDK code (context, `-c key=value`) and the
 * runtime (the function's environment): key, parser, bounds, default, one-line doc, and the environment
 * variable of the settings the function reads. The `PollerSettings` type, the defaults, both parsers and
 * the README's settings table (`renderSettingsTable`) all derive from it, so synth time and run time
 * cannot disagree. Pure TypeScript: it is bundled into the function.
 */

import { LargeRunLimits } from './large-run';
import {
  appBundle,
  boolean,
  eventPattern,
  integer,
  jsonObject,
  oneOf,
  Problem,
  schedule,
  topicArn,
} from './setting-parsers';

/** A setting has a value it cannot take. The message names the setting, never the value. */
export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError';
  constructor(
    readonly setting: string,
    readonly problem: string,
  ) {
    super(`Invalid setting "${setting}": ${problem}`);
  }
}

/** An EventBridge event pattern in its JSON form (`detail-type`, not `detailType`). */
export interface EventPatternSetting {
  readonly source?: string[];
  readonly 'detail-type'?: string[];
  readonly detail?: Record<string, unknown>;
  readonly account?: string[];
  readonly region?: string[];
  readonly resources?: string[];
  readonly id?: string[];
  readonly time?: string[];
  readonly version?: string[];
}

/** The event pattern used when none is configured. */
export const DEFAULT_EVENT_PATTERN: EventPatternSetting = {
  source: ['appfabric-access-poller'],
  'detail-type': ['Poll AppFabric User Access Tasks'],
};

/** Most history events one Standard execution may hold (a Step Functions quota). */
export const HISTORY_EVENT_LIMIT = 25_000;

/**
 * History events of one poll cycle without retries: Poll (TaskStateEntered, TaskScheduled,
 * TaskStarted, TaskSucceeded, TaskStateExited), the Choice (entered, exited), the Wait (entered, exited).
 */
export const EVENTS_PER_CYCLE = 9;

/**
 * Upper bound of `maxCycles`. 1,000 cycles cost about 9,000 events, leaving 16,000 (64 % of the quota)
 * for Start, the end states and retries (a failed attempt costs 3 events: some 5,000 retries).
 */
export const MAX_CYCLES_LIMIT = 1000;

/** Longest wait between two polls, and the bound of both wait settings (one hour). */
export const MAX_WAIT_LIMIT_SECONDS = 3600;

/** One row of the table. */
interface Setting<T> {
  /** One line for the README. */
  readonly doc: string;
  /** Parses a context value (string from `-c`, typed from cdk.json) or an environment variable. */
  readonly parse: (raw: unknown) => T;
  /** The default; `undefined`: the setting is optional (or derived, see `defaultDoc`). */
  readonly default?: T;
  /** The default as the README shows it, when it is not the value itself. */
  readonly defaultDoc?: string;
  /** Bounds of a numeric setting (for the README and the bounds test). */
  readonly bounds?: { readonly min: number; readonly max: number };
  /** Environment variable the function reads it from; absent: a deploy-time setting only. */
  readonly env?: string;
}

// biome-ignore lint/suspicious/noExplicitAny: each row keeps its own value type
const row = <S extends Setting<any>>(setting: S): S => setting;

const intRow = <R extends Omit<Setting<number>, 'parse' | 'bounds'>>(min: number, max: number, rest: R) => ({
  ...rest,
  parse: integer(min, max),
  bounds: { min, max },
});

/** Every setting, in the README's order. */
export const SETTINGS = {
  appBundleIdentifier: row({
    doc:
      'App bundle ARN or lower-case UUID: the default for executions and the only bundle the function may call. ' +
      'Unset: every execution names its bundle and IAM allows `appbundle/*` of this account and region.',
    parse: appBundle,
    env: 'DEFAULT_APP_BUNDLE_IDENTIFIER',
  }),
  minWaitSeconds: intRow(1, MAX_WAIT_LIMIT_SECONDS, {
    doc: 'Shortest wait between polls.',
    default: 5,
    env: 'MIN_WAIT_SECONDS',
  }),
  maxWaitSeconds: intRow(1, MAX_WAIT_LIMIT_SECONDS, {
    doc:
      'Longest wait between polls (at least minWaitSeconds). The wait grows ×1.2 after a cycle in which nothing ' +
      'finishes and shortens as results arrive faster (lambda/core/wait.ts).',
    default: 600,
    env: 'MAX_WAIT_SECONDS',
  }),
  deadlineMinutes: intRow(1, 43_200, {
    doc: 'After this, pending tasks become `TIMED_OUT` and the execution fails with `PollDeadlineExceeded` (30 days at most).',
    default: 1440,
    env: 'DEADLINE_MINUTES',
  }),
  notFoundAfterMisses: intRow(1, 255, {
    doc: 'Answers in a row that leave an ID out before it is recorded as `NOT_FOUND`.',
    default: 5,
    env: 'NOT_FOUND_AFTER_MISSES',
  }),
  retentionDays: intRow(0, 36_500, {
    doc: 'Days until DynamoDB TTL deletes a record; 0 keeps records forever.',
    default: 365,
    env: 'RETENTION_DAYS',
  }),
  maxCycles: intRow(1, MAX_CYCLES_LIMIT, {
    doc:
      `Poll cycles after which the run ends as \`TIMED_OUT\` whatever the clock says: keeps an execution far below the ` +
      `${HISTORY_EVENT_LIMIT.toLocaleString('en-US')}-event history quota (about ${EVENTS_PER_CYCLE} events a cycle). ` +
      'The deadline must be reachable within it at maxWaitSeconds.',
    defaultDoc: `min(${MAX_CYCLES_LIMIT}, ceil(deadline / minWaitSeconds) + 1)`,
    env: 'MAX_CYCLES',
  }),
  eventPattern: row({
    doc:
      "EventBridge pattern (JSON); a matching event's `detail` becomes the execution input. It must not match " +
      'the completion event (`Access Review Completed`).',
    parse: eventPattern,
    default: DEFAULT_EVENT_PATTERN,
  }),
  schedule: row({
    doc: '`rate(...)` or `cron(...)`: also start an execution on a schedule (needs `scheduleInput`).',
    parse: schedule,
  }),
  scheduleInput: row({
    doc: 'Execution input of scheduled runs (JSON object), checked at synth as an execution input is. Only with `schedule`.',
    parse: jsonObject,
  }),
  removalPolicy: row({
    doc: '`retain` or `destroy`, for the table, the bucket and the log groups.',
    parse: oneOf('retain', 'destroy'),
    default: 'retain' as 'retain' | 'destroy',
  }),
  logLevel: row({
    doc: 'Powertools log level of the function.',
    parse: oneOf('DEBUG', 'INFO', 'WARN', 'ERROR'),
    default: 'INFO' as 'DEBUG' | 'INFO' | 'WARN' | 'ERROR',
  }),
  reservedConcurrency: intRow(1, 1000, {
    doc:
      "Reserved concurrency of the function. The account's unreserved concurrency must stay at or above its " +
      'minimum of 100 after it, or the deploy fails.',
  }),
  alarmTopicArn: row({ doc: 'SNS topic the alarms notify.', parse: topicArn }),
  largeRuns: row({
    doc: 'Also deploy the large-run path: a bucket and a state machine that polls a list of any size from S3.',
    parse: boolean,
    default: false,
  }),
  largeRunBatchSize: intRow(1, LargeRunLimits.maxItemsPerBatch, {
    doc: 'Task IDs per child execution of a large run. Only with `largeRuns`.',
    default: LargeRunLimits.maxItemsPerBatch,
  }),
  largeRunMaxConcurrency: intRow(1, LargeRunLimits.maxConcurrency, {
    doc: 'Child executions of a large run at once. Only with `largeRuns`.',
    default: 10,
  }),
  largeRunToleratedFailurePercentage: intRow(0, 100, {
    doc: 'Percentage of task IDs in failed children a large run tolerates. Only with `largeRuns`.',
    default: 0,
  }),
} as const;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

type ValueOf<K extends SettingKey> = ReturnType<(typeof SETTINGS)[K]['parse']>;
type Defaulted =
  | 'maxCycles'
  | {
      [K in SettingKey]: (typeof SETTINGS)[K] extends { default: unknown } ? K : never;
    }[SettingKey];

/** Every setting of a deployment, defaults applied (docs: {@link SETTINGS}). */
export type PollerSettings = { readonly [K in Defaulted]: ValueOf<K> } & {
  readonly [K in Exclude<SettingKey, Defaulted>]?: ValueOf<K>;
};

/** The settings the function reads from its environment. */
export type RuntimeSettingKey = {
  [K in SettingKey]: (typeof SETTINGS)[K] extends { env: string } ? K : never;
}[SettingKey];

/** Environment variables the CDK code sets on the poller function and the runtime reads. */
export const EnvNames = {
  tableName: 'RESULTS_TABLE_NAME',
  /** The same as `appBundleIdentifier`, by the name the runtime gives it. */
  defaultAppBundleIdentifier: SETTINGS.appBundleIdentifier.env,
  ...(Object.fromEntries(
    Object.entries(SETTINGS).flatMap(([key, s]) => ('env' in s && s.env ? [[key, s.env]] : [])),
  ) as { readonly [K in RuntimeSettingKey]: string }),
} as const;

/** Reads one setting: undefined (or null, a cdk.json `"key": null`) is unset. */
const readOne = <K extends SettingKey>(key: K, raw: unknown): ValueOf<K> | undefined => {
  if (raw === undefined || raw === null) return undefined;
  try {
    return SETTINGS[key].parse(raw) as ValueOf<K>;
  } catch (error) {
    if (error instanceof Problem) throw new InvalidSettingError(key, error.message);
    throw error;
  }
};

/** The default of `maxCycles`: enough cycles to reach the deadline even if every wait were the shortest. */
const defaultMaxCycles = (deadlineMinutes: number, minWaitSeconds: number): number =>
  Math.min(MAX_CYCLES_LIMIT, Math.ceil((deadlineMinutes * 60) / minWaitSeconds) + 1);

/**
 * Parses `keys` through `read` (context or environment), applies the defaults and checks the
 * combinations. Synth time reads every key; the runtime reads those with an environment variable.
 *
 * @throws InvalidSettingError naming the first setting that is wrong
 */
export function parseSettingValues<K extends SettingKey>(
  read: (key: SettingKey) => unknown,
  keys: readonly K[] = SETTING_KEYS as K[],
): Pick<PollerSettings, K> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const s = SETTINGS[key] as Setting<unknown>;
    const value = readOne(key, read(key));
    out[key] = value ?? (s.default === undefined ? undefined : structuredClone(s.default));
  }
  const v = out as Partial<Record<SettingKey, number>>;
  const min = v.minWaitSeconds ?? (SETTINGS.minWaitSeconds.default as number);
  const max = v.maxWaitSeconds ?? (SETTINGS.maxWaitSeconds.default as number);
  const deadline = v.deadlineMinutes ?? (SETTINGS.deadlineMinutes.default as number);
  if (max < min) {
    throw new InvalidSettingError('maxWaitSeconds', `must not be less than minWaitSeconds (${min})`);
  }
  if ((keys as readonly SettingKey[]).includes('maxCycles')) {
    out.maxCycles ??= defaultMaxCycles(deadline, min);
    // Even waiting the longest every time, the run must reach its deadline within maxCycles; otherwise
    // the cycle guard, not the deadline, would end every long run.
    const cyclesAtMaxWait = Math.ceil((deadline * 60) / max);
    if (cyclesAtMaxWait > (out.maxCycles as number)) {
      throw new InvalidSettingError(
        'deadlineMinutes',
        `a ${deadline}-minute deadline needs at least ${cyclesAtMaxWait} poll cycles even at ` +
          `maxWaitSeconds=${max}, more than maxCycles=${out.maxCycles} (at most ${MAX_CYCLES_LIMIT}: ` +
          `each cycle costs about ${EVENTS_PER_CYCLE} of the ${HISTORY_EVENT_LIMIT} history events of an ` +
          'execution); shorten the deadline or raise maxWaitSeconds',
      );
    }
  }
  return out as Pick<PollerSettings, K>;
}

/** The keys of the runtime settings, in table order. */
export const RUNTIME_SETTING_KEYS = SETTING_KEYS.filter(
  (key): key is RuntimeSettingKey => 'env' in SETTINGS[key],
);

/** The default shown in the README: `defaultDoc`, the value as code, or "none". */
const defaultCell = (s: Setting<unknown>): string => {
  if (s.defaultDoc) return s.defaultDoc;
  if (s.default === undefined) return 'none';
  return `\`${typeof s.default === 'string' ? s.default : JSON.stringify(s.default)}\``;
};

/** The README's settings table (Markdown), rendered from {@link SETTINGS}. */
export function renderSettingsTable(): string {
  const lines = ['| setting | default | bounds | meaning |', '|---|---|---|---|'];
  for (const key of SETTING_KEYS) {
    const s = SETTINGS[key] as Setting<unknown>;
    const bounds = s.bounds ? `${s.bounds.min}–${s.bounds.max}` : '';
    lines.push(`| \`${key}\` | ${defaultCell(s)} | ${bounds} | ${s.doc.replace(/\|/g, '\\|')} |`);
  }
  return lines.join('\n');
}
