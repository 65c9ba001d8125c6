/** Environment variables the CDK code sets on the poller function and the runtime reads. */
export const EnvNames = {
  tableName: 'RESULTS_TABLE_NAME',
  defaultAppBundleIdentifier: 'DEFAULT_APP_BUNDLE_IDENTIFIER',
  minWaitSeconds: 'MIN_WAIT_SECONDS',
  maxWaitSeconds: 'MAX_WAIT_SECONDS',
  deadlineSeconds: 'DEADLINE_SECONDS',
  notFoundAfterMisses: 'NOT_FOUND_AFTER_MISSES',
  retentionDays: 'RETENTION_DAYS',
  maxCycles: 'MAX_CYCLES',
} as const;

/** Defaults of the settings both the CDK code (context) and the runtime (environment) read. */
export const PollerDefaults = {
  minWaitSeconds: 10,
  maxWaitSeconds: 300,
  deadlineMinutes: 1440,
  notFoundAfterMisses: 5,
  retentionDays: 365,
  maxCycles: 1000,
} as const;
