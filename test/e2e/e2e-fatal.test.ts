/**
 * Local end-to-end runs: the state machine definition rendered from the CDK code, run by aws-local-stepfunctions
 * with the real handler, against the AppFabric stand-in and dynalite over HTTP (`startLocalPoller`). Nothing is
 * mocked; every expectation is derived from the stand-in's task scripts.
 * Here: fatal AppFabric errors and the poll deadline.
 */
import { ErrorNames } from '../../lambda/contract/workflow';
import { StateNames } from '../../lib/poll-workflow';
import {
  addAll,
  BUNDLE_ARN,
  completed,
  expectRecordsMatch,
  mixedScripts,
  poller,
  recordsOf,
  useLocalPoller,
} from '../support/e2e-run';
import { countsOf, expectedRecords, NEVER } from '../support/local-e2e';
import { sorted } from '../support/run';

describe('with the default settings', () => {
  useLocalPoller();

  describe('fatal errors', () => {
    it('access denied mid-run: fails with AppFabricAccessDeniedError, records the failure, keeps only right records', async () => {
      // Prepare: tasks finish over several cycles; access is withdrawn after the second.
      const ids = addAll(Array.from({ length: 30 }, (_, i) => completed(i, i % 5)));
      const expected = expectedRecords(poller, ids);
      const deny = (cycle: { cycle: number }) => {
        if (cycle.cycle === 2) poller.appFabric.setFaults({ accessDenied: true });
      };

      // Act
      const report = await poller.execute(
        { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids },
        { onCycle: deny },
      );

      // Assess
      expect(report.status).toBe('FAILED');
      expect(report.error?.Error).toBe(ErrorNames.AppFabricAccessDenied);
      expect(report.error?.Cause).toMatch(/AccessDeniedException/);
      expect(report.retries).toEqual({});
      expect(report.entered[StateNames.RecordFailure]).toBe(1);
      const records = await recordsOf(report.runId);
      // The tasks that finished in the first two cycles, each as scripted; nothing else.
      expect(records.size).toBe(ids.filter((_, i) => i % 5 <= 1).length);
      expectRecordsMatch(records, expected, report.runId);
      const run = await poller.reader.getRun(report.runId);
      expect(run).toMatchObject({
        outcome: 'FAILED',
        errorName: ErrorNames.AppFabricAccessDenied,
        errorCause: expect.stringContaining('AccessDeniedException'),
        endedAt: expect.any(String),
      });
      expect(run?.counts).toEqual({ ...countsOf(records.values()), total: 30, pending: 30 - records.size });
    });

    it('unknown app bundle: fails with AppBundleNotFoundError and records the failure, no task record', async () => {
      // Prepare: a bundle the stand-in has never heard of.
      const unknown =
        'arn:aws:appfabric:us-east-1:123456789012:appbundle/00000000-dead-4bee-8f00-000000000000';
      const ids = addAll([completed(1), completed(2)]);

      // Act
      const report = await poller.execute({ appBundleIdentifier: unknown, taskIdList: ids });

      // Assess
      expect(report.status).toBe('FAILED');
      expect(report.error?.Error).toBe(ErrorNames.AppBundleNotFound);
      expect(report.error?.Cause).toMatch(/ResourceNotFoundException/);
      expect(await poller.reader.byRun(report.runId)).toEqual([]);
      expect(await poller.reader.getRun(report.runId)).toMatchObject({
        appBundleIdentifier: unknown,
        outcome: 'FAILED',
        errorName: ErrorNames.AppBundleNotFound,
        counts: { total: 2, pending: 2 },
      });
    });
  });
});

describe('with a 30-minute deadline', () => {
  useLocalPoller({ seed: 5, context: { deadlineMinutes: 30 } });

  it('records the tasks that never finish as TIMED_OUT and fails with PollDeadlineExceeded', async () => {
    // Prepare: a third never finish; the others end with their real status.
    const scripts = mixedScripts(30).map((s, i) =>
      i % 3 === 0 ? { ...completed(i), inProgressPolls: NEVER } : s,
    );
    const ids = addAll(scripts);
    const expected = expectedRecords(poller, ids, 'TIMED_OUT');

    // Act
    const report = await poller.execute({ appBundleIdentifier: BUNDLE_ARN, taskIdList: ids });

    // Assess
    expect(poller.settings.deadlineMinutes).toBe(30);
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe(ErrorNames.DeadlineExceeded);
    expect(report.error?.Cause).toMatch(/deadline passed .*recorded as TIMED_OUT/);
    expect(report.entered[StateNames.DeadlineExceeded]).toBe(1);
    expect(report.entered[StateNames.RecordFailure]).toBeUndefined();
    const last = report.cycles.at(-1)!;
    expect(last.state.status).toBe('TIMED_OUT');
    // The last wait was cut at the deadline: the run ended at 30 minutes, not a wait later.
    expect(last.atSeconds).toBeGreaterThanOrEqual(30 * 60);
    expect(last.atSeconds).toBeLessThan(30 * 60 + 60);
    const records = await recordsOf(report.runId);
    expect(sorted(records.keys())).toEqual(sorted(ids));
    expectRecordsMatch(records, expected, report.runId);
    const counts = countsOf(expected.values());
    expect(counts.TIMED_OUT).toBe(10);
    expect(last.state.counts).toEqual(counts);
    expect(await poller.reader.getRun(report.runId)).toMatchObject({ outcome: 'TIMED_OUT', counts });
  });
});
