import fc from 'fast-check';
import {
  DEFAULT_EVENT_PATTERN,
  EVENTS_PER_CYCLE,
  HISTORY_EVENT_LIMIT,
  InvalidSettingError,
  MAX_CYCLES_LIMIT,
  type PollerSettings,
  SETTING_KEYS,
} from '../../lambda/contract/settings';
import { parseSettings } from '../../lib/config';

const from =
  (values: Record<string, unknown>) =>
  (key: string): unknown =>
    values[key];

const parse = (values: Record<string, unknown> = {}): PollerSettings => parseSettings(from(values));

const UUID = '0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9';
const BUNDLE_ARN = `arn:aws:appfabric:eu-west-1:123456789012:appbundle/${UUID}`;

describe('parseSettings', () => {
  test('applies the documented defaults', () => {
    expect(parse()).toEqual({
      appBundleIdentifier: undefined,
      minWaitSeconds: 5,
      maxWaitSeconds: 600,
      deadlineMinutes: 1440,
      notFoundAfterMisses: 5,
      retentionDays: 365,
      maxCycles: 1000,
      eventPattern: DEFAULT_EVENT_PATTERN,
      schedule: undefined,
      scheduleInput: undefined,
      removalPolicy: 'retain',
      logLevel: 'INFO',
      reservedConcurrency: undefined,
      alarmTopicArn: undefined,
      largeRuns: false,
      largeRunBatchSize: 5000,
      largeRunMaxConcurrency: 10,
      largeRunToleratedFailurePercentage: 0,
    } satisfies PollerSettings);
  });

  test('reads every setting under its own name, and only those', () => {
    const asked: string[] = [];
    parseSettings((key) => {
      asked.push(key);
      return undefined;
    });
    expect([...asked].sort()).toEqual([...SETTING_KEYS].sort());
  });

  test('null (a cdk.json "key": null) counts as not set', () => {
    expect(parse({ minWaitSeconds: null, appBundleIdentifier: null }).minWaitSeconds).toBe(5);
  });

  test('parses the strings `-c key=value` gives', () => {
    const settings = parse({
      appBundleIdentifier: UUID,
      minWaitSeconds: '20',
      maxWaitSeconds: ' 600 ',
      deadlineMinutes: '120',
      notFoundAfterMisses: '3',
      retentionDays: '0',
      maxCycles: '50',
      eventPattern: '{"source":["my.app"],"detail":{"kind":["poll"]}}',
      schedule: 'rate(1 day)',
      scheduleInput: `{"taskIdList":["${UUID}"]}`,
      removalPolicy: 'destroy',
      logLevel: 'DEBUG',
      reservedConcurrency: '2',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
      largeRuns: 'true',
      largeRunBatchSize: '2500',
      largeRunMaxConcurrency: '20',
      largeRunToleratedFailurePercentage: '5',
    });
    expect(settings).toEqual({
      appBundleIdentifier: UUID,
      minWaitSeconds: 20,
      maxWaitSeconds: 600,
      deadlineMinutes: 120,
      notFoundAfterMisses: 3,
      retentionDays: 0,
      maxCycles: 50,
      eventPattern: { source: ['my.app'], detail: { kind: ['poll'] } },
      schedule: 'rate(1 day)',
      scheduleInput: { taskIdList: [UUID] },
      removalPolicy: 'destroy',
      logLevel: 'DEBUG',
      reservedConcurrency: 2,
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
      largeRuns: true,
      largeRunBatchSize: 2500,
      largeRunMaxConcurrency: 20,
      largeRunToleratedFailurePercentage: 5,
    });
  });

  test('takes typed values from cdk.json as they are', () => {
    const settings = parse({
      minWaitSeconds: 5,
      eventPattern: { 'detail-type': ['x'] },
      schedule: 'cron(0 6 * * ? *)',
      scheduleInput: { emails: ['a@example.com'] },
      appBundleIdentifier: UUID,
    });
    expect(settings.minWaitSeconds).toBe(5);
    expect(settings.eventPattern).toEqual({ 'detail-type': ['x'] });
    expect(settings.scheduleInput).toEqual({ emails: ['a@example.com'] });
  });

  test('accepts an app bundle ARN', () => {
    expect(parse({ appBundleIdentifier: BUNDLE_ARN }).appBundleIdentifier).toBe(BUNDLE_ARN);
  });

  test('the example message', () => {
    // Prepare / Act / Assess: one line naming the setting and the bounds, never the value.
    expect(() => parse({ minWaitSeconds: 'abc' })).toThrow(
      new InvalidSettingError('minWaitSeconds', 'must be an integer between 1 and 3600'),
    );
    expect(() => parse({ minWaitSeconds: 'abc' })).toThrow(
      /^Invalid setting "minWaitSeconds": must be an integer between 1 and 3600$/,
    );
  });

  test.each<[string, unknown, Record<string, unknown>?]>([
    ['appBundleIdentifier', 'not-a-bundle'],
    ['appBundleIdentifier', UUID.toUpperCase()],
    ['appBundleIdentifier', ''],
    ['appBundleIdentifier', `arn:aws:s3:::bucket/${UUID}`],
    ['appBundleIdentifier', 42],
    ['minWaitSeconds', '0'],
    ['minWaitSeconds', 3601],
    ['minWaitSeconds', 1.5],
    ['minWaitSeconds', '1e1'],
    ['minWaitSeconds', ''],
    ['maxWaitSeconds', 3601],
    ['maxWaitSeconds', '5', { minWaitSeconds: 10 }],
    ['deadlineMinutes', 0],
    ['deadlineMinutes', 43_201],
    ['deadlineMinutes', 'tomorrow'],
    ['notFoundAfterMisses', 0],
    ['notFoundAfterMisses', 256],
    ['retentionDays', -1],
    ['retentionDays', '36501'],
    ['maxCycles', 0],
    ['maxCycles', MAX_CYCLES_LIMIT + 1],
    ['eventPattern', '{not json'],
    ['eventPattern', '[]'],
    ['eventPattern', {}],
    ['eventPattern', { source: 'my.app' }],
    ['eventPattern', { source: [] }],
    ['eventPattern', { detailType: ['x'] }],
    ['eventPattern', { detail: ['x'] }],
    ['schedule', 'every day'],
    ['schedule', 'rate(1 days)'],
    ['schedule', 'rate(2 day)'],
    ['schedule', 'rate(0 minutes)'],
    ['schedule', 'cron(0 6 * * ?)'],
    ['scheduleInput', '{"a":1}'],
    ['scheduleInput', '"text"', { schedule: 'rate(1 hour)' }],
    ['scheduleInput', [1], { schedule: 'rate(1 hour)' }],
    ['removalPolicy', 'delete'],
    ['removalPolicy', 'RETAIN'],
    ['logLevel', 'verbose'],
    ['reservedConcurrency', 0],
    ['reservedConcurrency', 'many'],
    ['alarmTopicArn', 'arn:aws:sqs:eu-west-1:123456789012:q'],
    ['largeRuns', 'yes'],
    ['largeRuns', 1],
    ['largeRunBatchSize', 0, { largeRuns: true }],
    ['largeRunBatchSize', 5001, { largeRuns: true }],
    ['largeRunBatchSize', 10_000, { largeRuns: true }],
    ['largeRunMaxConcurrency', 0, { largeRuns: true }],
    ['largeRunMaxConcurrency', 10_001, { largeRuns: true }],
    ['largeRunToleratedFailurePercentage', -1, { largeRuns: true }],
    ['largeRunToleratedFailurePercentage', 101, { largeRuns: true }],
    ['largeRunBatchSize', 100],
    ['largeRunMaxConcurrency', 5, { largeRuns: 'false' }],
    ['largeRunToleratedFailurePercentage', 10, { largeRuns: false }],
  ])('%s = %j is refused with the setting named', (key, value, others = {}) => {
    let error: unknown;
    try {
      parse({ ...others, [key]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSettingError);
    expect((error as InvalidSettingError).setting).toBe(key);
    expect((error as Error).message).toMatch(new RegExp(`^Invalid setting "${key}": `));
  });

  test('large runs are off unless asked for, and their tuning needs them on', () => {
    expect(parse().largeRuns).toBe(false);
    expect(parse({ largeRuns: 'false' }).largeRuns).toBe(false);
    expect(parse({ largeRuns: true }).largeRuns).toBe(true);
    expect(() => parse({ largeRunBatchSize: 100 })).toThrow(
      'Invalid setting "largeRunBatchSize": is only used with "largeRuns", which is not true',
    );
  });

  describe('history budget', () => {
    test('the default maxCycles is derived: enough to reach the deadline at minWait, at most 1000', () => {
      expect(parse({ deadlineMinutes: 10, minWaitSeconds: 10 }).maxCycles).toBe(61);
      expect(parse({ deadlineMinutes: 60, minWaitSeconds: 7 }).maxCycles).toBe(Math.ceil(3600 / 7) + 1);
      expect(parse({ deadlineMinutes: 1440, minWaitSeconds: 10 }).maxCycles).toBe(MAX_CYCLES_LIMIT);
    });

    test('1000 cycles stay far below the 25,000 history events of a Standard execution', () => {
      expect(MAX_CYCLES_LIMIT * EVENTS_PER_CYCLE).toBeLessThanOrEqual(0.4 * HISTORY_EVENT_LIMIT);
    });

    test('a deadline that needs more cycles than the budget allows fails, naming the deadline', () => {
      // 30 days at 600 s a cycle = 4320 cycles > 1000.
      expect(() => parse({ deadlineMinutes: 43_200 })).toThrow(
        /^Invalid setting "deadlineMinutes": .*4320 poll cycles/,
      );
      // One day with waits of at most 60 s = 1440 cycles > 1000.
      expect(() => parse({ minWaitSeconds: 1, maxWaitSeconds: 60 })).toThrow(/"deadlineMinutes"/);
      // An explicit maxCycles below what the deadline needs at maxWait (288).
      expect(() => parse({ maxCycles: 100 })).toThrow(/"deadlineMinutes".*maxCycles=100/);
      // The same deadline is fine with longer waits.
      expect(parse({ deadlineMinutes: 43_200, maxWaitSeconds: 3600, minWaitSeconds: 60 }).maxCycles).toBe(
        1000,
      );
    });

    test('every accepted combination keeps the worst-case history within budget and the deadline reachable', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 3600 }),
          fc.integer({ min: 1, max: 3600 }),
          fc.integer({ min: 1, max: 43_200 }),
          fc.option(fc.integer({ min: 1, max: MAX_CYCLES_LIMIT }), { nil: undefined }),
          (minWaitSeconds, maxWaitSeconds, deadlineMinutes, maxCycles) => {
            let settings: PollerSettings;
            try {
              settings = parse({ minWaitSeconds, maxWaitSeconds, deadlineMinutes, maxCycles });
            } catch (error) {
              expect(error).toBeInstanceOf(InvalidSettingError);
              return;
            }
            expect(settings.maxCycles * EVENTS_PER_CYCLE).toBeLessThanOrEqual(0.4 * HISTORY_EVENT_LIMIT);
            expect(Math.ceil((deadlineMinutes * 60) / settings.maxWaitSeconds)).toBeLessThanOrEqual(
              settings.maxCycles,
            );
            expect(settings.minWaitSeconds).toBeLessThanOrEqual(settings.maxWaitSeconds);
          },
        ),
      );
    });
  });
});
