/**
 * Faults through the real state machine: the definition rendered from the CDK code, run by
 * aws-local-stepfunctions with the real handler against the AppFabric stand-in and dynalite (local/harness).
 * Each case scripts what AppFabric answers for every task, injects faults, then checks that every input ID ends
 * with exactly one record whose status and fields match the script, and that the execution ends as it should.
 * Here: faults of the handler's DynamoDB client (unprocessed items, throttling, a Lambda dying mid-cycle).
 */
import { StateNames } from '../../lib/poll-workflow';
import {
  addTasks,
  batchWriteItems,
  dynamo,
  execute,
  expectOneCorrectRecordEach,
  expectRunRecord,
  expectSucceeded,
  mixed,
  nextRunId,
  THROTTLED,
  taskItems,
  useFaultsPoller,
} from '../support/faults-run';

useFaultsPoller();

describe('DynamoDB faults', () => {
  it('UnprocessedItems and UnprocessedKeys are resent within the invocation: SUCCEEDED, nothing lost', async () => {
    // Prepare: 60 records at the first cycle (3 BatchWriteItem batches); the first 5 writes keep a third of
    // their items, the first 2 reads of stored statuses half their keys.
    const planned = addTasks(60, (i) => ({ outcome: i % 4 === 0 ? 'FAILED' : 'COMPLETED' }));
    const runId = nextRunId('unprocessed');
    let writes = 0;
    let reads = 0;
    dynamo.plan = (call) => {
      if (call.operation === 'BatchWrite' && ++writes <= 5) return { keep: Math.floor(call.size! / 3) };
      if (call.operation === 'BatchGet' && ++reads <= 2) return { keep: Math.floor(call.size! / 2) };
      return undefined;
    };

    // Act
    const report = await execute(planned, runId);

    // Assess: the store absorbed it; the state machine did not need to retry.
    expectSucceeded(report);
    expect(dynamo.injected.map((f) => f.call.operation).sort()).toEqual([
      'BatchGet',
      'BatchGet',
      'BatchWrite',
      'BatchWrite',
      'BatchWrite',
      'BatchWrite',
      'BatchWrite',
    ]);
    expect(report.retries[StateNames.Poll] ?? 0).toBe(0);
    await expectOneCorrectRecordEach(runId, planned);
    await expectRunRecord(runId, planned);
  });

  it('throttling on every kind of call is retried by the state machine: SUCCEEDED, nothing lost', async () => {
    // Prepare: throttle, once each, the first run-record write (Start), the 2nd state read (twice more later,
    // in a row), the 2nd state save, the 2nd stored-status read and the 2nd BatchWriteItem. The reads and
    // writes of the run record at the end are left alone (see the failing tests below).
    const planned = addTasks(45, mixed(2));
    const runId = nextRunId('ddb-throttle');
    const faulted: Record<string, number[]> = {
      'Put RUN': [1],
      'Get STATE': [2, 6, 7],
      'Put STATE': [2],
      'BatchGet ': [2],
      'BatchWrite ': [2],
    };
    const seen = new Map<string, number>();
    dynamo.plan = (call) => {
      const kind = `${call.operation} ${call.sk ?? ''}`;
      const finishing = kind === 'Put RUN' && (call.input.Item as { outcome?: string }).outcome !== 'RUNNING';
      if (finishing || kind === 'Get RUN') return undefined;
      const n = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, n);
      return faulted[kind]?.includes(n) ? { throw: THROTTLED } : undefined;
    };

    // Act
    const report = await execute(planned, runId);

    // Assess
    expectSucceeded(report);
    const kinds = dynamo.injected.map((f) => `${f.call.operation} ${f.call.sk ?? ''}`);
    expect(kinds.sort()).toEqual(
      Object.entries(faulted)
        .flatMap(([kind, at]) => at.map(() => kind))
        .sort(),
    );
    expect(report.retries[StateNames.Start]).toBe(2);
    expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(4);
    await expectOneCorrectRecordEach(runId, planned);
    await expectRunRecord(runId, planned);
  });

  describe('the Lambda fails after writing some records: the cycle runs again, records unchanged, none twice', () => {
    type Crash = 'second batch write throws' | 'state save throws' | 'state save stored, answer lost';
    it.each<Crash>(['second batch write throws', 'state save throws', 'state save stored, answer lost'])(
      '%s',
      async (crash) => {
        // Prepare: 60 tasks, half finishing at the first poll (2 BatchWriteItem batches), half at the second.
        const planned = addTasks(60, (i) => ({
          inProgressPolls: i % 2,
          outcome: i % 5 === 0 ? 'EXPIRED' : 'COMPLETED',
        }));
        const runId = nextRunId('crash');
        let pollInvocation = 0;
        let crashed = false;
        const writtenFirst: Record<string, unknown>[] = [];
        dynamo.plan = (call) => {
          if (pollInvocation !== 1) return undefined;
          if (call.operation === 'BatchWrite') {
            if (crash === 'second batch write throws' && writtenFirst.length > 0) {
              crashed = true;
              return { throw: 'InternalServerError' };
            }
            writtenFirst.push(...batchWriteItems(call));
            return undefined;
          }
          if (call.operation === 'Put' && call.sk === 'STATE' && !crashed) {
            crashed = true;
            if (crash === 'state save throws') return { throw: 'InternalServerError' };
            if (crash === 'state save stored, answer lost') return { throwAfter: 'InternalServerError' };
          }
          return undefined;
        };

        // Act
        const report = await execute(planned, runId, {
          beforeInvoke: (stateName) => {
            if (stateName === StateNames.Poll) pollInvocation += 1;
          },
        });

        // Assess: one retry of the first cycle; what it wrote first is stored exactly as it was written.
        expectSucceeded(report);
        expect(crashed).toBe(true);
        expect(report.retries[StateNames.Poll]).toBe(1);
        expect(writtenFirst.length).toBeGreaterThanOrEqual(25);
        const stored = await taskItems(runId);
        for (const item of writtenFirst) expect(stored.get(String(item.sk))).toEqual(item);
        await expectOneCorrectRecordEach(runId, planned);
        await expectRunRecord(runId, planned);
      },
    );
  });

  // A repeat of the last cycle (its answer or run-record write lost) still finishes the run record.
  describe('the final run-record update is lost (run record stays RUNNING)', () => {
    it('the Lambda dies right after saving the final state: the run record still ends SUCCEEDED', async () => {
      // Prepare
      const planned = addTasks(6, (i) => ({ inProgressPolls: i % 2 }));
      const runId = nextRunId('final-save-lost');
      let injected = false;
      dynamo.plan = (call) => {
        if (call.operation !== 'Put' || call.sk !== 'STATE' || injected) return undefined;
        if ((call.input.Item as { status?: string }).status !== 'DONE') return undefined;
        injected = true;
        return { throwAfter: 'InternalServerError' };
      };

      // Act
      const report = await execute(planned, runId);

      // Assess
      expectSucceeded(report);
      expect(injected).toBe(true);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('the final run-record write is throttled once: the run record still ends SUCCEEDED', async () => {
      // Prepare
      const planned = addTasks(6, (i) => ({ inProgressPolls: i % 2 }));
      const runId = nextRunId('final-run-put-throttled');
      let injected = false;
      dynamo.plan = (call) => {
        if (call.operation !== 'Put' || call.sk !== 'RUN' || injected) return undefined;
        if ((call.input.Item as { outcome?: string }).outcome !== 'SUCCEEDED') return undefined;
        injected = true;
        return { throw: THROTTLED };
      };

      // Act
      const report = await execute(planned, runId);

      // Assess
      expectSucceeded(report);
      expect(injected).toBe(true);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });
  });
});
