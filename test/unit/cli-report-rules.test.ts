/**
 * The report's rules in the reviewer's words (cli/report/matrix.ts, diff.ts): which record makes which
 * cell, and which pair of cells is which change. Pure functions, no servers.
 */
import { changeOf } from '../../cli/report/diff';
import { buildMatrix, type Cell, cellOf, isNoAccount, UNKNOWN_PERSON } from '../../cli/report/matrix';
import type { TaskRecord } from '../../lambda/core/model';

const record = (overrides: Partial<TaskRecord>): TaskRecord => ({
  runId: 'r',
  taskId: '00000000-0000-4000-8000-000000000001',
  resultStatus: 'COMPLETED',
  appBundleIdentifier: 'arn:aws:appfabric:us-east-1:1:appbundle/x',
  recordedAt: '2026-12-01T10:00:00.000Z',
  app: 'Slack',
  ...overrides,
});

describe('cells', () => {
  it.each([
    [{ resultStatus: 'COMPLETED', userStatus: 'SUSPENDED' }, 'access', 'has access (SUSPENDED)'],
    [{ resultStatus: 'COMPLETED' }, 'access', 'has access'],
    [{ resultStatus: 'FAILED', taskError: { errorCode: 'USER_NOT_FOUND' } }, 'no-account', 'no account'],
    [{ resultStatus: 'FAILED', taskError: { errorCode: 'UserNotFound' } }, 'no-account', 'no account'],
    [{ resultStatus: 'FAILED', taskError: { errorCode: 'user-does-not-exist' } }, 'no-account', 'no account'],
    [{ resultStatus: 'FAILED', taskError: { errorCode: 'RATE_LIMIT' } }, 'failed', 'failed (RATE_LIMIT)'],
    [{ resultStatus: 'FAILED' }, 'failed', 'failed'],
    [{ resultStatus: 'EXPIRED' }, 'expired', 'expired'],
    [{ resultStatus: 'NOT_FOUND' }, 'not-found', 'not found'],
    [{ resultStatus: 'TIMED_OUT' }, 'timed-out', 'timed out'],
  ] as [Partial<TaskRecord>, Cell['kind'], string][])('%j is %s: %s', (overrides, kind, text) => {
    // Act
    const cell = cellOf(record(overrides));

    // Assess
    expect([cell.kind, cell.text]).toEqual([kind, text]);
  });

  it('an error code only says "no account" when it names a missing user', () => {
    expect(['USER_NOT_FOUND', 'NoSuchUser', 'unknown_user'].map(isNoAccount)).toEqual([true, true, true]);
    expect(['NOT_FOUND', 'USER_SUSPENDED', undefined].map(isNoAccount)).toEqual([false, false, false]);
  });

  it('has access wins over another record of the same cell; a task without an address is its own row', () => {
    // Act
    const m = buildMatrix('r', [
      record({
        email: 'a@x.example',
        resultStatus: 'COMPLETED',
        userStatus: 'ACTIVE',
        recordedAt: '2026-01-01T00:00:00Z',
      }),
      record({
        email: 'A@x.example',
        resultStatus: 'FAILED',
        taskId: 't2',
        recordedAt: '2026-02-01T00:00:00Z',
      }),
      record({ taskId: 't3', resultStatus: 'TIMED_OUT' }),
    ]);

    // Assess
    expect(m.rows.map((r) => [r.person, r.taskId, Object.values(r.cells).map((c) => c.text)])).toEqual([
      ['a@x.example', undefined, ['has access (ACTIVE)']],
      [UNKNOWN_PERSON, 't3', ['timed out']],
    ]);
  });
});

describe('changes', () => {
  const c = (overrides: Partial<TaskRecord>) => cellOf(record(overrides));
  const access = (userStatus: string) => c({ resultStatus: 'COMPLETED', userStatus });
  const noAccount = c({ resultStatus: 'FAILED', taskError: { errorCode: 'USER_NOT_FOUND' } });
  const failed = c({ resultStatus: 'FAILED', taskError: { errorCode: 'E' } });
  const expired = c({ resultStatus: 'EXPIRED' });

  it.each([
    ['no account → access', noAccount, access('ACTIVE'), 'access gained'],
    ['nothing → access', undefined, access('ACTIVE'), 'access gained'],
    ['failed → access', failed, access('ACTIVE'), 'access gained'],
    ['access → no account', access('ACTIVE'), noAccount, 'access removed'],
    ['ACTIVE → SUSPENDED', access('ACTIVE'), access('SUSPENDED'), 'userStatus changed'],
    ['access → expired', access('ACTIVE'), expired, 'now unknown'],
    ['no account → failed', noAccount, failed, 'now unknown'],
    ['access → nothing', access('ACTIVE'), undefined, 'now unknown'],
    ['access → same access', access('ACTIVE'), access('ACTIVE'), undefined],
    ['failed → no account', failed, noAccount, undefined],
    ['failed → expired', failed, expired, undefined],
  ] as [string, Cell | undefined, Cell | undefined, string | undefined][])(
    '%s: %s',
    (_name, before, after, change) => {
      // Act + Assess
      expect(changeOf(before, after)).toBe(change);
    },
  );
});

describe('runs still going', () => {
  it('started tasks without a record are pending per person; refused addresses are refused', () => {
    // Act
    const m = buildMatrix(
      'r',
      [record({ email: 'a@x.example', taskId: 't1' })],
      [
        {
          runId: 'r',
          emailHash: 'h1',
          email: 'a@x.example',
          state: 'STARTED',
          taskIds: ['t1', 't2', 't3'],
          errors: [],
          at: 'x',
        },
        {
          runId: 'r',
          emailHash: 'h2',
          email: 'b@x.example',
          state: 'REJECTED',
          taskIds: [],
          errors: [{ app: 'Zoom', errorCode: 'E1' }],
          at: 'x',
        },
      ],
    );

    // Assess
    const cells = Object.fromEntries(
      m.rows.map((r) => [r.person, Object.values(r.cells).map((c) => c.text)]),
    );
    expect(cells).toEqual({ 'a@x.example': ['has access', 'pending (2)'], 'b@x.example': ['refused (E1)'] });
    expect(m.totals).toMatchObject({ access: 1, pending: 2, refused: 1 });
    expect(m.columns.map((c) => c.label)).toEqual(['Slack', 'Zoom', '(no app named)']);
  });
});
