/**
 * "Longest Poll invocation": one Poll of 10,000 pending tasks through the real handler, every AppFabric
 * call 300 ms late and every 3rd one throttled (`Retry-After: 1`), given a Lambda context whose
 * getRemainingTimeInMillis() counts down from the function timeout. Its wall time against the timeout.
 * Real time, not virtual: the latency and the SDK's retry waits are real sleeps. Past the timeout the
 * bench stops waiting (Lambda would have killed the invocation) and reports it missed. The stand-in
 * must know DEMO_BUNDLE_ARN.
 */
import type { Context } from 'aws-lambda';
import { Actions } from '../../lambda/contract/workflow';
import type { RunState } from '../../lambda/core/ports';
import { emptyCounts, loopStateOf } from '../../lambda/core/records';
import { makeHandler } from '../../lambda/handler';
import type { LocalPoller } from '../harness';
import { DEMO_BUNDLE_ARN } from '../scenarios';

/** The function's timeout as deployed (lib/poller-function.ts, the default of its `timeout` prop). */
export const FUNCTION_TIMEOUT_MS = 60_000;

export interface LongestInvocation {
  pendingTasks: number;
  latencyMs: number;
  throttleEvery: number;
  /** Wall ms of the invocation, or the timeout when it ran past it. */
  ms: number;
  timedOut: boolean;
  /** Tasks still pending after the cycle (when it ended). */
  pendingAfter?: number;
  calls: number;
  throttled: number;
  error?: string;
  met: boolean;
}

/** Runs on `poller` (its stand-in gets the tasks and, for the while, the faults). */
export async function longestPollInvocation(
  poller: LocalPoller,
  pendingTasks = 10_000,
): Promise<LongestInvocation> {
  const latencyMs = 300;
  const throttleEvery = 3;

  try {
    const ids = Array.from({ length: pendingTasks }, () =>
      poller.appFabric.addTask(DEMO_BUNDLE_ARN, { inProgressMs: 24 * 3600_000 }),
    );
    const { deps } = poller.runtime;
    const runId = 'bench-longest-poll';
    const now = deps.now();
    const state: RunState = {
      runId,
      appBundleIdentifier: DEMO_BUNDLE_ARN,
      status: 'PENDING',
      cycle: 0,
      waitSeconds: 0,
      minWaitSeconds: deps.settings.minWaitSeconds,
      maxWaitSeconds: deps.settings.maxWaitSeconds,
      deadlineAt: new Date(now.getTime() + 3600_000).toISOString(),
      counts: emptyCounts(ids.length),
      pendingTaskIds: ids,
      misses: ids.map(() => 0),
    };
    await deps.results.putRunRecord({
      runId,
      appBundleIdentifier: DEMO_BUNDLE_ARN,
      inputKind: 'taskIds',
      outcome: 'RUNNING',
      startedAt: now.toISOString(),
      counts: state.counts,
    });
    await deps.runState.save(state, undefined);
    poller.appFabric.setFaults({
      operations: ['BatchGetUserAccessTasks'],
      latencyMs,
      throttleEvery,
      throttleRetryAfterSeconds: 1,
    });
    const callsBefore = poller.appFabric.calls.length;
    const handler = makeHandler(() => poller.runtime);
    const started = Date.now();
    const context = {
      functionName: 'bench-poller',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench-poller',
      memoryLimitInMB: '512',
      awsRequestId: '00000000-0000-4000-8000-000000000001',
      logGroupName: '/aws/lambda/bench-poller',
      logStreamName: 'bench',
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, FUNCTION_TIMEOUT_MS - (Date.now() - started)),
      done: () => {},
      fail: () => {},
      succeed: () => {},
    } satisfies Context;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), FUNCTION_TIMEOUT_MS);
    });
    const call = handler({ action: Actions.poll, state: loopStateOf(state) }, context);
    const result = await Promise.race([call, timeout]);
    clearTimeout(timer);
    const ms = Date.now() - started;
    const calls = poller.appFabric.calls
      .slice(callsBefore)
      .filter((c) => c.operation === 'BatchGetUserAccessTasks');
    const timedOut = result === 'timeout';
    if (timedOut) {
      // Lambda would have ended it here; let it fail quietly once its servers are gone.
      call.catch(() => undefined);
    }
    const output = timedOut ? undefined : (result as { counts?: { pending?: number }; Error?: string });
    return {
      pendingTasks,
      latencyMs,
      throttleEvery,
      ms,
      timedOut,
      pendingAfter: output?.counts?.pending,
      calls: calls.length,
      throttled: calls.filter((c) => (c as { status?: number }).status === 429).length,
      error: output?.Error,
      met: !timedOut && ms < FUNCTION_TIMEOUT_MS && output?.Error === undefined,
    };
  } finally {
    poller.appFabric.clearFaults();
  }
}
