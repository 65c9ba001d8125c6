/**
 * Deployment settings of the poller, read from CDK context (`cdk.json` "context" or `-c key=value`).
 *
 * Values given with `-c` arrive as strings, so every number and JSON object is parsed here.
 * A bad value throws an {@link InvalidSettingError} whose message names the setting.
 */
import { APP_BUNDLE_IDENTIFIER_PATTERN, UUID_PATTERN } from '../lambda/contract/limits';
import { PollerDefaults } from '../lambda/contract/settings';
import { LARGE_RUN_DEFAULTS, LargeRunLimits } from './large-run-workflow';

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
export const MAX_CYCLES_LIMIT = PollerDefaults.maxCycles;

/** The event pattern used when none is configured. */
export const DEFAULT_EVENT_PATTERN: EventPatternSetting = {
  source: ['appfabric-access-poller'],
  'detail-type': ['Poll AppFabric User Access Tasks'],
};

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

/** The top-level fields an EventBridge pattern may match on. */
export const EVENT_PATTERN_FIELDS = [
  'source',
  'detail-type',
  'detail',
  'account',
  'region',
  'resources',
  'id',
  'time',
  'version',
] as const;

export type RemovalPolicySetting = 'retain' | 'destroy';
export type LogLevelSetting = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Every setting of a deployment, defaults applied. */
export interface PollerSettings {
  /**
   * App bundle polled when an execution names none, and the only one the function may call.
   * An app bundle ARN or its lower-case UUID (then the ARN is built with this stack's partition,
   * region and account).
   *
   * @default - none: every execution must name its app bundle, and the function may call any app
   *   bundle of this account and region (`appbundle/*`)
   */
  readonly appBundleIdentifier?: string;
  /**
   * Shortest wait between two polls, in seconds (1 to 3600).
   *
   * @default 10
   */
  readonly minWaitSeconds: number;
  /**
   * Longest wait between two polls, in seconds (minWaitSeconds to 3600). The wait doubles while
   * nothing finishes and halves while results arrive.
   *
   * @default 300
   */
  readonly maxWaitSeconds: number;
  /**
   * Minutes after the start at which tasks still in progress are recorded as TIMED_OUT and the
   * execution fails with `PollDeadlineExceeded` (1 to 43200, i.e. 30 days).
   *
   * @default 1440 (one day)
   */
  readonly deadlineMinutes: number;
  /**
   * Answers in a row that leave a task ID out before it is recorded as NOT_FOUND (1 to 255).
   *
   * @default 5
   */
  readonly notFoundAfterMisses: number;
  /**
   * Days a record is kept before DynamoDB TTL deletes it (0 to 36500). 0 keeps records forever:
   * no TTL value is written.
   *
   * @default 365
   */
  readonly retentionDays: number;
  /**
   * Poll cycles after which the run ends as TIMED_OUT whatever the clock says: the guard that keeps
   * an execution's history far below the 25,000-event quota (1 to 1000).
   *
   * @default - min(1000, ceil(deadline / minWaitSeconds) + 1): enough cycles to reach the deadline
   *   even if every wait were the shortest, at most 1,000 (about 9,000 history events)
   */
  readonly maxCycles: number;
  /**
   * EventBridge pattern (JSON form) whose events start an execution with the event's `detail` as input.
   *
   * @default { source: ['appfabric-access-poller'], 'detail-type': ['Poll AppFabric User Access Tasks'] }
   */
  readonly eventPattern: EventPatternSetting;
  /**
   * EventBridge schedule expression (`rate(1 day)`, `cron(0 6 * * ? *)`) that starts an execution
   * with `scheduleInput`.
   *
   * @default - no schedule
   */
  readonly schedule?: string;
  /**
   * Execution input of scheduled runs (a JSON object). Only with `schedule`.
   *
   * @default {}
   */
  readonly scheduleInput: Record<string, unknown>;
  /**
   * What happens to the results table and the log groups when they leave the stack.
   *
   * @default 'retain'
   */
  readonly removalPolicy: RemovalPolicySetting;
  /**
   * Log level of the function (Powertools `POWERTOOLS_LOG_LEVEL`).
   *
   * @default 'INFO'
   */
  readonly logLevel: LogLevelSetting;
  /**
   * Reserved concurrency of the function (1 to 1000).
   *
   * @default - none: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;
  /**
   * ARN of an existing SNS topic the alarms notify.
   *
   * @default - the alarms have no actions
   */
  readonly alarmTopicArn?: string;
  /**
   * Deploy the large-run workflow (docs/scale.md): a bucket for task ID lists and a state machine whose
   * Distributed Map runs the poll state machine once per batch, for runs larger than one execution holds.
   * Off by default: it adds a bucket and a second state machine that most deployments do not need.
   *
   * @default false
   */
  readonly largeRuns: boolean;
  /**
   * Task IDs of one child poll execution of a large run (1 to 5000). Only with `largeRuns`.
   *
   * @default 5000
   */
  readonly largeRunBatchSize: number;
  /**
   * Child poll executions of a large run running at once (1 to 10000). Only with `largeRuns`.
   *
   * @default 10
   */
  readonly largeRunMaxConcurrency: number;
  /**
   * Percentage of a large run's task IDs in failed children it tolerates before it fails (0 to 100).
   * Only with `largeRuns`.
   *
   * @default 0
   */
  readonly largeRunToleratedFailurePercentage: number;
}

/** The context keys read by {@link parseSettings}: the setting names. */
export const SETTING_KEYS = [
  'appBundleIdentifier',
  'minWaitSeconds',
  'maxWaitSeconds',
  'deadlineMinutes',
  'notFoundAfterMisses',
  'retentionDays',
  'maxCycles',
  'eventPattern',
  'schedule',
  'scheduleInput',
  'removalPolicy',
  'logLevel',
  'reservedConcurrency',
  'alarmTopicArn',
  'largeRuns',
  'largeRunBatchSize',
  'largeRunMaxConcurrency',
  'largeRunToleratedFailurePercentage',
] as const satisfies readonly (keyof PollerSettings)[];

export type SettingKey = (typeof SETTING_KEYS)[number];

/** Defaults of the settings that have one (`maxCycles` is derived, see {@link PollerSettings.maxCycles}). */
export const SETTING_DEFAULTS = {
  minWaitSeconds: PollerDefaults.minWaitSeconds,
  maxWaitSeconds: PollerDefaults.maxWaitSeconds,
  deadlineMinutes: PollerDefaults.deadlineMinutes,
  notFoundAfterMisses: PollerDefaults.notFoundAfterMisses,
  retentionDays: PollerDefaults.retentionDays,
  eventPattern: DEFAULT_EVENT_PATTERN,
  scheduleInput: {},
  removalPolicy: 'retain',
  logLevel: 'INFO',
  largeRuns: false,
  largeRunBatchSize: LARGE_RUN_DEFAULTS.maxItemsPerBatch,
  largeRunMaxConcurrency: LARGE_RUN_DEFAULTS.maxConcurrency,
  largeRunToleratedFailurePercentage: LARGE_RUN_DEFAULTS.toleratedFailurePercentage,
} as const satisfies Partial<PollerSettings>;

/** A setting has a value it cannot take. */
export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError';
  constructor(
    readonly setting: string,
    problem: string,
    value?: unknown,
  ) {
    super(`Invalid setting "${setting}": ${problem}${value === undefined ? '' : `, got ${show(value)}`}`);
  }
}

const show = (value: unknown): string => {
  if (typeof value === 'string') return `"${value}"`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
};

/**
 * Reads every setting through `context` (e.g. `(key) => app.node.tryGetContext(key)`), applies the
 * defaults and checks each value and the combinations.
 *
 * @throws InvalidSettingError naming the first setting that is wrong
 */
export function parseSettings(context: (key: string) => unknown): PollerSettings {
  const read = (key: SettingKey): unknown => {
    const value = context(key);
    return value === null ? undefined : value;
  };

  const appBundleIdentifier = optionalAppBundle(read('appBundleIdentifier'));
  const minWaitSeconds = integer(
    'minWaitSeconds',
    read('minWaitSeconds'),
    SETTING_DEFAULTS.minWaitSeconds,
    1,
    3600,
  );
  const maxWaitSeconds = integer(
    'maxWaitSeconds',
    read('maxWaitSeconds'),
    SETTING_DEFAULTS.maxWaitSeconds,
    1,
    3600,
  );
  if (maxWaitSeconds < minWaitSeconds) {
    throw new InvalidSettingError(
      'maxWaitSeconds',
      `must not be less than minWaitSeconds (${minWaitSeconds})`,
      maxWaitSeconds,
    );
  }
  const deadlineMinutes = integer(
    'deadlineMinutes',
    read('deadlineMinutes'),
    SETTING_DEFAULTS.deadlineMinutes,
    1,
    43_200,
  );
  const notFoundAfterMisses = integer(
    'notFoundAfterMisses',
    read('notFoundAfterMisses'),
    SETTING_DEFAULTS.notFoundAfterMisses,
    1,
    255,
  );
  const retentionDays = integer(
    'retentionDays',
    read('retentionDays'),
    SETTING_DEFAULTS.retentionDays,
    0,
    36_500,
  );

  const deadlineSec = deadlineMinutes * 60;
  const maxCycles = integer(
    'maxCycles',
    read('maxCycles'),
    Math.min(MAX_CYCLES_LIMIT, Math.ceil(deadlineSec / minWaitSeconds) + 1),
    1,
    MAX_CYCLES_LIMIT,
  );
  // Even waiting the longest every time, the run must be able to reach its deadline within maxCycles;
  // otherwise the cycle guard, not the deadline, would end every long run.
  const cyclesAtMaxWait = Math.ceil(deadlineSec / maxWaitSeconds);
  if (cyclesAtMaxWait > maxCycles) {
    throw new InvalidSettingError(
      'deadlineMinutes',
      `a ${deadlineMinutes}-minute deadline needs at least ${cyclesAtMaxWait} poll cycles even at ` +
        `maxWaitSeconds=${maxWaitSeconds}, more than maxCycles=${maxCycles} (at most ${MAX_CYCLES_LIMIT}: ` +
        `each cycle costs about ${EVENTS_PER_CYCLE} of the ${HISTORY_EVENT_LIMIT} history events of an ` +
        'execution); shorten the deadline or raise maxWaitSeconds',
    );
  }

  const schedule = optionalSchedule(read('schedule'));
  const rawScheduleInput = read('scheduleInput');
  if (rawScheduleInput !== undefined && schedule === undefined) {
    throw new InvalidSettingError('scheduleInput', 'is only used with "schedule", which is not set');
  }
  const scheduleInput =
    rawScheduleInput === undefined
      ? { ...SETTING_DEFAULTS.scheduleInput }
      : jsonObject('scheduleInput', rawScheduleInput);

  return {
    appBundleIdentifier,
    minWaitSeconds,
    maxWaitSeconds,
    deadlineMinutes,
    notFoundAfterMisses,
    retentionDays,
    maxCycles,
    eventPattern: eventPattern(read('eventPattern')),
    schedule,
    scheduleInput,
    removalPolicy: oneOf(
      'removalPolicy',
      read('removalPolicy'),
      ['retain', 'destroy'],
      SETTING_DEFAULTS.removalPolicy,
    ),
    logLevel: oneOf(
      'logLevel',
      read('logLevel'),
      ['DEBUG', 'INFO', 'WARN', 'ERROR'],
      SETTING_DEFAULTS.logLevel,
    ),
    reservedConcurrency: optionalInteger('reservedConcurrency', read('reservedConcurrency'), 1, 1000),
    alarmTopicArn: optionalTopicArn(read('alarmTopicArn')),
    ...largeRunSettings(read),
  };
}

/** The large-run settings: the three tuning values are refused unless `largeRuns` is on. */
function largeRunSettings(read: (key: SettingKey) => unknown) {
  const largeRuns = boolean('largeRuns', read('largeRuns'), SETTING_DEFAULTS.largeRuns);
  const batchSize = read('largeRunBatchSize');
  const maxConcurrency = read('largeRunMaxConcurrency');
  const tolerated = read('largeRunToleratedFailurePercentage');
  const given = (
    [
      ['largeRunBatchSize', batchSize],
      ['largeRunMaxConcurrency', maxConcurrency],
      ['largeRunToleratedFailurePercentage', tolerated],
    ] as const
  ).find(([, value]) => value !== undefined);
  if (!largeRuns && given !== undefined) {
    throw new InvalidSettingError(given[0], 'is only used with "largeRuns", which is not true');
  }
  const d = SETTING_DEFAULTS;
  return {
    largeRuns,
    largeRunBatchSize: integer(
      'largeRunBatchSize',
      batchSize,
      d.largeRunBatchSize,
      1,
      LargeRunLimits.maxItemsPerBatch,
    ),
    largeRunMaxConcurrency: integer(
      'largeRunMaxConcurrency',
      maxConcurrency,
      d.largeRunMaxConcurrency,
      1,
      LargeRunLimits.maxConcurrency,
    ),
    largeRunToleratedFailurePercentage: integer(
      'largeRunToleratedFailurePercentage',
      tolerated,
      d.largeRunToleratedFailurePercentage,
      0,
      100,
    ),
  };
}

function boolean(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new InvalidSettingError(name, 'must be true or false', value);
}

/** Seconds after the start at which the run's deadline falls. */
export const deadlineSeconds = (settings: PollerSettings): number => settings.deadlineMinutes * 60;

function optionalInteger(name: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InvalidSettingError(name, `must be an integer between ${min} and ${max}`, value);
  }
  return parsed;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  return optionalInteger(name, value, min, max) ?? fallback;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidSettingError(name, `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  }
  return value as T;
}

const APP_BUNDLE_ARN = /^arn:aws[a-z-]*:appfabric:[a-z0-9-]+:\d{12}:appbundle\/[a-f0-9-]{36}$/;

function optionalAppBundle(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value !== 'string' ||
    value.length > 1011 ||
    !APP_BUNDLE_IDENTIFIER_PATTERN.test(value) ||
    !(UUID_PATTERN.test(value) || APP_BUNDLE_ARN.test(value))
  ) {
    throw new InvalidSettingError(
      'appBundleIdentifier',
      'must be an app bundle ARN (arn:<partition>:appfabric:<region>:<account>:appbundle/<id>) or a lower-case UUID',
      value,
    );
  }
  return value;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+ ){5}\S+\)$/;

function optionalSchedule(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const rate = typeof value === 'string' ? RATE.exec(value) : null;
  const validRate =
    rate !== null && Number(rate[1]) >= 1 && (Number(rate[1]) === 1) === !rate[2].endsWith('s');
  if (typeof value !== 'string' || !(validRate || CRON.test(value))) {
    throw new InvalidSettingError(
      'schedule',
      'must be an EventBridge schedule expression: "rate(<n> minute[s]|hour[s]|day[s])" (singular unit for 1) ' +
        'or "cron(<6 fields>)"',
      value,
    );
  }
  return value;
}

function jsonObject(name: string, value: unknown): Record<string, unknown> {
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new InvalidSettingError(name, 'must be a JSON object', value);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidSettingError(name, 'must be a JSON object', value);
  }
  return parsed as Record<string, unknown>;
}

function eventPattern(value: unknown): EventPatternSetting {
  if (value === undefined) return structuredClone(DEFAULT_EVENT_PATTERN) as EventPatternSetting;
  const pattern = jsonObject('eventPattern', value);
  const keys = Object.keys(pattern);
  if (keys.length === 0) {
    throw new InvalidSettingError('eventPattern', 'must match on at least one field', value);
  }
  for (const key of keys) {
    if (!(EVENT_PATTERN_FIELDS as readonly string[]).includes(key)) {
      throw new InvalidSettingError(
        'eventPattern',
        `has unknown field "${key}" (allowed: ${EVENT_PATTERN_FIELDS.join(', ')})`,
        value,
      );
    }
    const field = pattern[key];
    const ok =
      key === 'detail'
        ? typeof field === 'object' && field !== null && !Array.isArray(field)
        : Array.isArray(field) && field.length > 0;
    if (!ok) {
      throw new InvalidSettingError(
        'eventPattern',
        key === 'detail' ? 'field "detail" must be an object' : `field "${key}" must be a non-empty array`,
        value,
      );
    }
  }
  return pattern as EventPatternSetting;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

function optionalTopicArn(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !TOPIC_ARN.test(value)) {
    throw new InvalidSettingError('alarmTopicArn', 'must be an SNS topic ARN', value);
  }
  return value;
}
