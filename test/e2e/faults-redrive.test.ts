/**
 * Faults through the real state machine: the definition rendered from the CDK code, run by
 * aws-local-stepfunctions with the real handler against the AppFabric stand-in and dynalite (local/harness).
 * Each case scripts what AppFabric answers for every task, injects faults, then checks that every input ID ends
 * with exactly one record whose status and fields match the script, and that the execution ends as it should.
 * Here: executions that fail and are re-driven.
 */
import { ErrorNames } from '../../lambda/contract/workflow';
import {
  addTasks,
  execute,
  expectOneCorrectRecordEach,
  expectRunRecord,
  expectSucceeded,
  mixed,
  nextRunId,
  poller,
  taskItems,
  unknownIds,
  useFaultsPoller,
} from '../support/faults-run';

useFaultsPoller();

describe('an execution re-driven after a failure', () => {
  type Failure = { label: string; error: string; inject: () => void };
  const failures: Failure[] = [
    {
      label: 'a fatal error (access denied) in the middle of the run',
      error: ErrorNames.AppFabricAccessDenied,
      inject: () => poller.appFabric.setFaults({ accessDenied: true }),
    },
    {
      label: 'a throttle storm that outlasts the retries',
      error: ErrorNames.AppFabricThrottled,
      inject: () => poller.appFabric.setFaults({ throttleNext: 1000 }),
    },
  ];

  /** Runs until cycle 1 is done, then injects the fault: the run fails; then runs the same run ID again. */
  async function failThenRedrive(failure: Failure) {
    const planned = [...addTasks(50, mixed(3)), ...addTasks(4, () => ({ missing: true })), ...unknownIds(2)];
    const runId = nextRunId('redrive');
    const first = await execute(planned, runId, {
      onCycle: (c) => {
        if (c.cycle === 1) failure.inject();
      },
    });
    const afterFailure = { run: await poller.reader.getRun(runId), items: await taskItems(runId) };
    poller.appFabric.clearFaults();
    const second = await execute(planned, runId);
    return { planned, runId, first, second, afterFailure };
  }

  it.each(failures)(
    '$label: FAILED with the error, then SUCCEEDED with every ID recorded once',
    async (failure) => {
      // Prepare + Act
      const { planned, runId, first, second, afterFailure } = await failThenRedrive(failure);

      // Assess: the failed execution and what it left.
      expect(first.status).toBe('FAILED');
      expect(first.error?.Error).toBe(failure.error);
      expect(afterFailure.run).toMatchObject({ outcome: 'FAILED', errorName: failure.error });
      expect(afterFailure.items.size).toBeGreaterThan(0);
      expect(afterFailure.items.size).toBeLessThan(planned.length);
      // The re-driven one: picks up at the stored cycle, records every ID once, keeps the earlier records.
      expectSucceeded(second);
      expect(second.cycles[0]?.cycle).toBeGreaterThan(1);
      await expectOneCorrectRecordEach(runId, planned);
      await expectRunRecord(runId, planned);
      const stored = await taskItems(runId);
      for (const [sk, item] of afterFailure.items) expect(stored.get(sk)).toEqual(item);
    },
  );

  // A re-driven run that succeeds drops the error of its failed attempt.
  it('a re-driven run that succeeds no longer carries the earlier error on its run record', async () => {
    // Prepare + Act
    const { runId, second } = await failThenRedrive(failures[0]!);

    // Assess
    expectSucceeded(second);
    const run = await poller.reader.getRun(runId);
    expect(run?.outcome).toBe('SUCCEEDED');
    expect({ errorName: run?.errorName, errorCause: run?.errorCause }).toEqual({
      errorName: undefined,
      errorCause: undefined,
    });
  });
});
