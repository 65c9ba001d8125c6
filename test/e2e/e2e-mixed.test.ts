/**
 * Local end-to-end runs: the state machine definition rendered from the CDK code, run by aws-local-stepfunctions
 * with the real handler, against the AppFabric stand-in and dynalite over HTTP (`startLocalPoller`). Nothing is
 * mocked; every expectation is derived from the stand-in's task scripts.
 * Here: 120 tasks of mixed outcomes, and a rerun of the same run ID.
 */
import { randomUUID } from 'node:crypto';
import { Keys, TableSchema } from '../../lambda/contract/table';
import { StateNames } from '../../lib/poll-workflow';
import type { RecordedCall } from '../../local/appfabric-standin';
import type { ExecutionReport } from '../../local/harness';
import { partitionItems } from '../support/dynamo';
import {
  addAll,
  BUNDLE_ARN,
  doc,
  expectRecordsMatch,
  mixedScripts,
  poller,
  recordsOf,
  useLocalPoller,
} from '../support/e2e-run';
import { countsOf, type ExpectedRecord, expectedRecords } from '../support/local-e2e';
import { sorted } from '../support/run';

describe('with the default settings', () => {
  useLocalPoller();

  describe('120 tasks with mixed outcomes', () => {
    let ids: string[];
    let expected: Map<string, ExpectedRecord>;
    let report: ExecutionReport;
    let calls: RecordedCall[];

    beforeAll(async () => {
      // Prepare: the input also names one task twice, once in upper case.
      ids = addAll(mixedScripts(120));
      expected = expectedRecords(poller, ids);
      const input = { appBundleIdentifier: BUNDLE_ARN, taskIdList: [...ids, ids[0].toUpperCase()] };

      poller.appFabric.resetCalls();

      // Act
      report = await poller.execute(input, { runId: `mixed-${randomUUID()}` });
      calls = [...poller.appFabric.calls];
    });

    it('succeeds with exactly one record per input ID, status and fields as the stand-in scripted them', async () => {
      // Assess (the run of beforeAll)
      expect(report.status).toBe('SUCCEEDED');
      const records = await recordsOf(report.runId);
      expect(sorted(records.keys())).toEqual(sorted(ids));
      expectRecordsMatch(records, expected, report.runId);
      // Every kind of outcome is there.
      expect(countsOf(expected.values())).toEqual({
        total: 120,
        pending: 0,
        COMPLETED: 72,
        FAILED: 24,
        EXPIRED: 12,
        NOT_FOUND: 12,
        TIMED_OUT: 0,
      });
    });

    it('reports the same counts in the Summarize output, the run record and the records', async () => {
      // Assess (the run of beforeAll)
      const counts = countsOf(expected.values());
      expect(report.output).toEqual({ runId: report.runId, counts, cycles: report.cycles.length });
      expect(await poller.reader.getRun(report.runId)).toEqual({
        runId: report.runId,
        appBundleIdentifier: BUNDLE_ARN,
        inputKind: 'taskIds',
        outcome: 'SUCCEEDED',
        startedAt: expect.any(String),
        endedAt: expect.any(String),
        counts,
        cycle: report.cycles.length,
        lastPolledAt: expect.any(String),
        expiresAt: expect.any(Number),
      });
      expect(countsOf((await recordsOf(report.runId)).values())).toEqual(counts);
    });

    it('asks for every pending task each cycle in ceil(pending / 50) BatchGetUserAccessTasks calls', () => {
      // Assess (the run of beforeAll)
      // NOT_FOUND needs 5 answers in a row without the ID: at least 5 cycles.
      expect(report.cycles.length).toBeGreaterThanOrEqual(5);
      expect(report.cycles[0].pendingBefore).toBe(120);
      for (const cycle of report.cycles) {
        expect({ cycle: cycle.cycle, calls: cycle.batchGetCalls }).toEqual({
          cycle: cycle.cycle,
          calls: Math.ceil(cycle.pendingBefore / 50),
        });
      }
      // No other call, no failed call, never more than 50 IDs a call.
      expect(calls.length).toBe(report.cycles.reduce((n, c) => n + c.batchGetCalls, 0));
      expect(calls.every((c) => c.operation === 'BatchGetUserAccessTasks' && c.status === 200)).toBe(true);
      const idLists = calls.map((c) => (c.requestBody as { taskIdList: string[] }).taskIdList);
      expect(Math.max(...idLists.map((l) => l.length))).toBeLessThanOrEqual(50);
      // The first cycle asks for each input ID once.
      expect(sorted(idLists.slice(0, 3).flat())).toEqual(sorted(ids));
    });

    it('takes at most 3 state transitions per poll cycle (Poll, Done?, Wait)', () => {
      // Assess (the run of beforeAll)
      const cycles = report.cycles.length;
      const { entered } = report;
      expect(entered[StateNames.Poll]).toBe(cycles);
      expect(entered[StateNames.Done]).toBe(cycles);
      expect(entered[StateNames.Wait]).toBe(cycles - 1);
      expect(
        entered[StateNames.Poll] + entered[StateNames.Done] + entered[StateNames.Wait],
      ).toBeLessThanOrEqual(3 * cycles);
      // Start, the loop, Summarize, the completion event and Succeeded: nothing else.
      expect(report.transitions).toBe(1 + (3 * cycles - 1) + 3);
      expect(report.retries).toEqual({});
    });
  });

  it('a rerun of the same run ID leaves the same items: no duplicates, nothing rewritten', async () => {
    // Prepare
    const ids = addAll(mixedScripts(30));
    const runId = `rerun-${randomUUID()}`;
    const input = { appBundleIdentifier: BUNDLE_ARN, taskIdList: ids };
    const first = await poller.execute(input, { runId });
    const before = await partitionItems(doc, poller.tableName, runId);
    poller.appFabric.resetCalls();

    // Act
    const second = await poller.execute(input, { runId });

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(second.output).toEqual(first.output);
    const after = await partitionItems(doc, poller.tableName, runId);
    expect(after).toEqual(before);
    expect(after.filter((i) => String(i[TableSchema.sortKey]).startsWith(Keys.taskSkPrefix))).toHaveLength(
      30,
    );
    // The finished run is answered from what is stored: AppFabric is not asked again.
    expect(poller.appFabric.calls).toEqual([]);
  });
});
