import fc from 'fast-check';
import { Limits, PARENT_EXECUTION_ID_FIELD } from '../../lambda/contract/limits';
import { ErrorNames } from '../../lambda/contract/workflow';
import { parseExecutionInput, parseLoopState, parseTaskIdList } from '../../lambda/core/input';
import { InvalidInputError } from '../../lambda/shared/errors';

const BUNDLE = 'arn:aws:appfabric:us-east-1:123456789012:appbundle/a1b2c3d4-0000-4000-8000-000000000001';
const ID = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const defaults = { minWaitSeconds: 10 };

function fieldOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as Error).name).toBe(ErrorNames.InvalidInput);
    return (e as InvalidInputError).field;
  }
  throw new Error('expected an InvalidInputError');
}

describe('parseExecutionInput', () => {
  it('lower-cases, trims and de-duplicates task IDs in first-seen order', () => {
    // Act
    const input = parseExecutionInput(
      { appBundleIdentifier: BUNDLE, taskIdList: [ID(2), ` ${ID(1).toUpperCase()} `, ID(2), ID(1)] },
      defaults,
    );
    // Assess
    expect(input.taskIdList).toEqual([ID(2), ID(1)]);
    expect(input.appBundleIdentifier).toBe(BUNDLE);
  });

  it('falls back to the configured app bundle, and requires one when none is configured', () => {
    expect(
      parseExecutionInput({ taskIdList: [ID(1)] }, { ...defaults, appBundleIdentifier: BUNDLE })
        .appBundleIdentifier,
    ).toBe(BUNDLE);
    expect(fieldOf(() => parseExecutionInput({ taskIdList: [ID(1)] }, defaults))).toBe('appBundleIdentifier');
  });

  it.each([
    ['a non-object input', 'nope', 'input'],
    ['an array input', [ID(1)], 'input'],
    ['a missing list', { appBundleIdentifier: BUNDLE }, 'taskIdList'],
    ['an empty list', { appBundleIdentifier: BUNDLE, taskIdList: [] }, 'taskIdList'],
    ['a list that is a string', { appBundleIdentifier: BUNDLE, taskIdList: ID(1) }, 'taskIdList'],
    ['a non-UUID', { appBundleIdentifier: BUNDLE, taskIdList: [ID(1), 'not-a-task'] }, 'taskIdList[1]'],
    ['a number in the list', { appBundleIdentifier: BUNDLE, taskIdList: [7] }, 'taskIdList[0]'],
    ['a bad bundle', { appBundleIdentifier: 'bundle-1', taskIdList: [ID(1)] }, 'appBundleIdentifier'],
    [
      'an upper-case UUID bundle',
      { appBundleIdentifier: 'A1B2C3D4-0000-4000-8000-00000000000F', taskIdList: [ID(1)] },
      'appBundleIdentifier',
    ],
    ['a bundle of the wrong type', { appBundleIdentifier: 5, taskIdList: [ID(1)] }, 'appBundleIdentifier'],
    ['an unknown field (typo)', { appBundleIdentifier: BUNDLE, taskIDList: [ID(1)] }, 'input'],
    [
      'a wait below the minimum',
      { appBundleIdentifier: BUNDLE, taskIdList: [ID(1)], maxWaitSeconds: 5 },
      'maxWaitSeconds',
    ],
    [
      'a fractional wait',
      { appBundleIdentifier: BUNDLE, taskIdList: [ID(1)], maxWaitSeconds: 30.5 },
      'maxWaitSeconds',
    ],
    [
      'a bad address',
      { appBundleIdentifier: BUNDLE, emails: ['a@example.com', 'not an address'] },
      'emails[1]',
    ],
  ])('rejects %s, naming the field', (_case, raw, field) => {
    expect(fieldOf(() => parseExecutionInput(raw, defaults))).toBe(field);
  });

  it('accepts the field Step Functions adds to a child execution, and ignores it', () => {
    const input = parseExecutionInput(
      { taskIdList: [ID(1)], [PARENT_EXECUTION_ID_FIELD]: 'arn:aws:states:us-east-1:1:execution:x:y' },
      { ...defaults, appBundleIdentifier: BUNDLE },
    );
    expect(input).toEqual({
      appBundleIdentifier: BUNDLE,
      taskIdList: [ID(1)],
      emails: [],
      maxWaitSeconds: undefined,
    });
  });

  it.each([
    ['a task ID that is an address', { taskIdList: ['jane@corp'] }, 'taskIdList[0]: is not a task ID (UUID)'],
    [
      'an unknown key that is an address',
      { taskIdList: [ID(1)], 'jane.doe@corp': 1 },
      'input: unknown field #2 (not shown: it looks like an address)',
    ],
    [
      'an unknown key with odd characters',
      { 'x y': 1, taskIdList: [ID(1)] },
      'input: unknown field #1 (not shown)',
    ],
    ['a plain typo', { taskIds: [ID(1)] }, 'input: unknown field #1 "taskIds"'],
    ['null', null, 'input: must be a JSON object, got null'],
    [
      'maxWaitSeconds: 1e400 (Infinity once parsed)',
      { taskIdList: [ID(1)], maxWaitSeconds: JSON.parse('1e400') },
      'maxWaitSeconds: is out of range',
    ],
    [
      'maxWaitSeconds: 10 ** 9',
      { taskIdList: [ID(1)], maxWaitSeconds: 1e9 },
      'maxWaitSeconds: is out of range',
    ],
    [
      'maxWaitSeconds as text',
      { taskIdList: [ID(1)], maxWaitSeconds: '60' },
      'maxWaitSeconds: must be a whole number from 10 to 3600, got string',
    ],
  ])('says what is wrong with %s, never the value', (_case, raw, message) => {
    // Act
    const error = (() => {
      try {
        parseExecutionInput(raw, { ...defaults, appBundleIdentifier: BUNDLE });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a rejection');
    })();

    // Assess
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.message).not.toMatch(/jane|@|1e\+?400|Infinity|null.*null/);
  });

  it('refuses, before anything starts, addresses and IDs that could exceed the per-run task limit', () => {
    // Prepare
    const emails = Array.from({ length: 100 }, (_, i) => `p${i}@example.com`);
    const taskIdList = Array.from({ length: 6500 }, (_, i) => ID(i));

    // Act
    const error = (() => {
      try {
        parseExecutionInput({ emails, taskIdList }, { ...defaults, appBundleIdentifier: BUNDLE });
      } catch (e) {
        return e as InvalidInputError;
      }
      throw new Error('expected a rejection');
    })();

    // Assess
    expect(error.field).toBe('emails');
    expect(error.message).toContain('taskIdList');
    expect(error.message).toContain('100 × 50 + 6500 = 11500 > 10000');
  });

  it('never echoes a rejected address in the message', () => {
    try {
      parseExecutionInput({ appBundleIdentifier: BUNDLE, emails: ['secret-person@@example.com'] }, defaults);
      throw new Error('expected a rejection');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret-person');
    }
  });

  it(`rejects more than ${Limits.maxTaskIdsInInput} distinct IDs`, () => {
    const ids = Array.from({ length: Limits.maxTaskIdsInInput + 1 }, (_, i) => ID(i));
    expect(fieldOf(() => parseTaskIdList(ids))).toBe('taskIdList');
  });

  it('accepts any list of valid UUIDs in any case, and only those (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.uuid(), { minLength: 1, maxLength: 60 }), fc.boolean(), (ids, upper) => {
        const raw = ids.map((id) => (upper ? id.toUpperCase() : id));
        const parsed = parseTaskIdList(raw);
        expect(new Set(parsed)).toEqual(new Set(ids.map((id) => id.toLowerCase())));
      }),
    );
  });

  it('rejects every malformed value with a named InvalidInputError, never another error (property)', () => {
    fc.assert(
      fc.property(fc.anything(), (raw) => {
        try {
          parseExecutionInput(raw, defaults);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidInputError);
          expect((e as InvalidInputError).field.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseLoopState', () => {
  const good = {
    runId: 'run-1',
    appBundleIdentifier: BUNDLE,
    status: 'PENDING',
    cycle: 2,
    waitSeconds: 20,
    minWaitSeconds: 10,
    maxWaitSeconds: 300,
    deadlineAt: '2026-01-01T00:00:00.000Z',
    counts: { total: 3, pending: 1, COMPLETED: 1, FAILED: 1, EXPIRED: 0, NOT_FOUND: 0, TIMED_OUT: 0 },
  };

  it('keeps a well-formed state and drops unknown fields', () => {
    expect(parseLoopState({ ...good, extra: 'x' })).toEqual(good);
  });

  it.each([
    ['status', { ...good, status: 'RUNNING' }, 'state.status'],
    ['cycle', { ...good, cycle: -1 }, 'state.cycle'],
    ['counts', { ...good, counts: { ...good.counts, FAILED: 'one' } }, 'state.counts.FAILED'],
    ['deadline', { ...good, deadlineAt: 'tomorrow' }, 'state.deadlineAt'],
  ])('rejects a bad %s, naming the field', (_case, raw, field) => {
    expect(fieldOf(() => parseLoopState(raw))).toBe(field);
  });
});
