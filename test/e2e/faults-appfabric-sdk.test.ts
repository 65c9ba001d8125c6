/**
 * Faults through the real state machine: the definition rendered from the CDK code, run by
 * aws-local-stepfunctions with the real handler against the AppFabric stand-in and dynalite (local/harness).
 * Each case scripts what AppFabric answers for every task, injects faults, then checks that every input ID ends
 * with exactly one record whose status and fields match the script, and that the execution ends as it should.
 * Here: AppFabric faults with the SDK's 3 attempts per call, on a LocalPoller of their own.
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
  nextRunId,
  poller,
  THREE_ATTEMPTS,
  useFaultsPoller,
} from '../support/faults-run';

useFaultsPoller(THREE_ATTEMPTS);

describe('AppFabric faults', () => {
  describe('three attempts per call: the SDK retries inside the invocation, then the state machine', () => {
    const statuses = () => batchGets().map((c) => c.status);

    it('every 2nd answer 429 (Retry-After 1) is retried by the client: no state machine retry, every record', async () => {
      // Prepare: 60 tasks, two chunks then one.
      const planned = addTasks(60, mixed(1));
      const runId = nextRunId('throttle-every');
      poller.appFabric.setFaults({ throttleEvery: 2, throttleRetryAfterSeconds: 1 });

      // Act
      const report = await execute(planned, runId);

      // Assess: every 429 is followed by a success, within the same invocation.
      expectSucceeded(report);
      expect(report.retries).toEqual({});
      const seen = statuses();
      expect(seen.filter((s) => s === 429).length).toBeGreaterThan(0);
      seen.forEach((s, i) => {
        if (s === 429) expect(seen[i + 1]).toBe(200);
      });
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('a throttling storm that outlasts the client attempts is retried by the state machine', async () => {
      // Prepare: one chunk (40 IDs); 6 throttles fail two Poll attempts of 3 calls each.
      const planned = addTasks(40, mixed(2));
      const runId = nextRunId('throttle-storm');
      poller.appFabric.setFaults({ throttleNext: 6, throttleRetryAfterSeconds: 0 });

      // Act
      const report = await execute(planned, runId);

      // Assess
      expectSucceeded(report);
      expect(report.retries).toEqual({ [StateNames.Poll]: 2 });
      expect(statuses().slice(0, 7)).toEqual([429, 429, 429, 429, 429, 429, 200]);
      expect(
        statuses()
          .slice(6)
          .every((s) => s === 200),
      ).toBe(true);
      await expectOneCorrectRecordEach(runId, planned);
    });

    it('a burst of 500s is retried inside the client and in the state machine, and loses nothing', async () => {
      // Prepare: 4 answers of 500 from the second cycle on: 3 fail one Poll attempt, the 4th is retried by the client.
      const planned = addTasks(45, mixed(2));
      const runId = nextRunId('500-layers');
      let armed = false;

      // Act
      const report = await execute(planned, runId, {
        onCycle: () => {
          if (!armed) poller.appFabric.setFaults({ serverErrorNext: 4 });
          armed = true;
        },
      });

      // Assess
      expectSucceeded(report);
      expect(report.retries).toEqual({ [StateNames.Poll]: 1 });
      const first500 = statuses().indexOf(500);
      expect(first500).toBeGreaterThan(0);
      expect(statuses().slice(first500, first500 + 5)).toEqual([500, 500, 500, 500, 200]);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
    });

    it('a retried Poll does not move the virtual clock a second wait', async () => {
      // Prepare: from the second cycle on, 3 answers of 500 fail one Poll attempt (3 client attempts).
      const planned = addTasks(45, mixed(2));
      const runId = nextRunId('500-clock');
      let armed = false;

      // Act
      const report = await execute(planned, runId, {
        onCycle: () => {
          if (!armed) poller.appFabric.setFaults({ serverErrorNext: 3 });
          armed = true;
        },
      });

      // Assess: each cycle starts one wait (plus real milliseconds) after the previous one.
      expect(report.retries).toEqual({ [StateNames.Poll]: 1 });
      for (let i = 1; i < report.cycles.length; i++) {
        const gap = report.cycles[i].atSeconds - report.cycles[i - 1].atSeconds;
        expect(gap).toBeLessThan(report.cycles[i - 1].state.waitSeconds + 5);
      }
    });
  });
});
