/**
 * Faults through the real state machine: the definition rendered from the CDK code, run by
 * aws-local-stepfunctions with the real handler against the AppFabric stand-in and dynalite (local/harness).
 * Each case scripts what AppFabric answers for every task, injects faults, then checks that every input ID ends
 * with exactly one record whose status and fields match the script, and that the execution ends as it should.
 * Here: AppFabric faults (throttling, 500s, slow, malformed and truncated answers, IDs left out or never
 * asked for) with one attempt per call, so every fault is a state machine retry.
 */
import { StateNames } from '../../lib/poll-workflow';
import {
  addTasks,
  batchGets,
  execute,
  expectOneCorrectRecordEach,
  expectRunRecord,
  expectSucceeded,
  mixed,
  NOT_FOUND_AFTER,
  nextRunId,
  onPollInvocation,
  poller,
  REQUEST_TIMEOUT_MS,
  unknownIds,
  useFaultsPoller,
} from '../support/faults-run';

useFaultsPoller();

describe('AppFabric faults', () => {
  describe('one attempt per call (appFabricMaxAttempts 1): every fault is a state machine retry', () => {
    it('a throttle storm (every call 429 for several cycles) is waited out: SUCCEEDED, one correct record per ID', async () => {
      // Prepare: 60 tasks (two BatchGet chunks, then one); the first 10 calls are throttled (5 attempts),
      // then the next 5 after cycles 1 and 2 (5 attempts each).
      const planned = addTasks(60, mixed(3));
      const runId = nextRunId('throttle');
      poller.appFabric.setFaults({ throttleNext: 10, throttleRetryAfterSeconds: 2 });

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.cycle <= 2) poller.appFabric.setFaults({ throttleNext: 5 });
        },
      });

      // Assess
      expectSucceeded(report);
      expect(batchGets().filter((c) => c.status === 429)).toHaveLength(20);
      expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(15);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('500 bursts are retried: SUCCEEDED, one correct record per ID', async () => {
      // Prepare: 55 tasks (two chunks, then one); 8 calls answer 500 at the start (4 attempts), 4 more after
      // cycles 1 and 2.
      const planned = addTasks(55, mixed(2));
      const runId = nextRunId('500');
      poller.appFabric.setFaults({ serverErrorNext: 8, serverErrorRetryAfterSeconds: 5 });

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.cycle <= 2) poller.appFabric.setFaults({ serverErrorNext: 4 });
        },
      });

      // Assess
      expectSucceeded(report);
      expect(batchGets().filter((c) => c.status === 500)).toHaveLength(16);
      expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(12);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('answers slower than the client timeout, then normal ones: SUCCEEDED, one correct record per ID', async () => {
      // Prepare: the first two Poll invocations meet answers 3x slower than the request timeout.
      jest.spyOn(console, 'warn').mockImplementation(() => {});
      const planned = addTasks(20, mixed(1));
      const runId = nextRunId('slow');
      poller.appFabric.setFaults({ latencyMs: REQUEST_TIMEOUT_MS * 3 });

      // Act
      const report = await execute(planned, runId, {
        beforeInvoke: onPollInvocation((n) => {
          if (n === 3) poller.appFabric.setFaults({ latencyMs: 0 });
        }),
      });

      // Assess
      expectSucceeded(report);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    // @smithy/node-http-handler only logs a warning at requestTimeout unless throwOnRequestTimeout is set
    // (lambda/runtime.ts sets it): without it a hung call would run into the Lambda's own timeout.
    it('a slow answer is cut off at the request timeout and retried as AppFabricUnavailableError', async () => {
      // Prepare
      jest.spyOn(console, 'warn').mockImplementation(() => {});
      const planned = addTasks(5);
      const runId = nextRunId('slow-cut');
      poller.appFabric.setFaults({ latencyMs: REQUEST_TIMEOUT_MS * 3 });
      const attemptMs: number[] = [];
      let started = 0;

      // Act
      const report = await execute(planned, runId, {
        beforeInvoke: onPollInvocation((n) => {
          if (n > 1) attemptMs.push(Date.now() - started);
          started = Date.now();
          if (n === 3) poller.appFabric.setFaults({ latencyMs: 0 });
        }),
      });

      // Assess: the two slow attempts failed (retried) and each gave up near the timeout, not at the latency.
      expectSucceeded(report);
      expect(report.retries[StateNames.Poll]).toBe(2);
      expect(Math.max(...attemptMs.slice(0, 2))).toBeLessThan(REQUEST_TIMEOUT_MS * 2);
      await expectOneCorrectRecordEach(runId, planned);
    });

    it('malformed and truncated bodies are retried (AppFabricInvalidResponseError): SUCCEEDED, one correct record per ID', async () => {
      // Prepare: 3 malformed and 3 truncated answers at the start, one of each again after cycle 1. The
      // stand-in counts a poll even when it garbles the answer, so tasks answer IN_PROGRESS 4 to 6 times.
      const planned = addTasks(60, (i) => ({ ...mixed(2)(i), inProgressPolls: 4 + (i % 3) }));
      const runId = nextRunId('garbled');
      poller.appFabric.setFaults({ malformedNext: 3, truncatedNext: 3 });

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.cycle === 1) poller.appFabric.setFaults({ malformedNext: 1, truncatedNext: 1 });
        },
      });

      // Assess
      expectSucceeded(report);
      const faults = batchGets().map((c) => c.fault);
      expect(faults.filter((f) => f === 'malformed')).toHaveLength(4);
      expect(faults.filter((f) => f === 'truncated')).toHaveLength(4);
      expect(report.retries[StateNames.Poll]).toBeGreaterThanOrEqual(4);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it(`IDs left out of answers are NOT_FOUND after ${NOT_FOUND_AFTER} misses; IDs nobody asked for are ignored`, async () => {
      // Prepare: always left out, left out twice then COMPLETED, unknown to AppFabric, ordinary; and every
      // answer carries 4 COMPLETED results for IDs that are not in the run.
      const planned = [
        ...addTasks(8, () => ({ missing: true })),
        ...addTasks(8, (i) => ({ missing: 2, inProgressPolls: i % 2 })),
        ...unknownIds(4),
        ...addTasks(20, mixed(1)),
      ];
      const runId = nextRunId('missing');
      poller.appFabric.setFaults({ extraResults: 4 });
      const notFoundAt: number[] = [];

      // Act
      const report = await execute(planned, runId, {
        onCycle: (c) => {
          if (c.state.counts.NOT_FOUND > 0) notFoundAt.push(c.cycle);
        },
      });

      // Assess: the 12 missing IDs are NOT_FOUND exactly at cycle NOT_FOUND_AFTER, and nothing else is recorded.
      expectSucceeded(report);
      expect(notFoundAt[0]).toBe(NOT_FOUND_AFTER);
      expect(report.cycles.find((c) => c.cycle === NOT_FOUND_AFTER)?.state.counts.NOT_FOUND).toBe(12);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });
  });
});
