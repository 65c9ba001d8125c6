/**
 * Records a run's failure and hands the state machine a clean error for its Fail state.
 */
import { redactAndTruncate } from '../shared/redact';
import type { PollerDeps } from './deps';
import type { RunRecord } from './model';
import { emptyCounts, expiresAt } from './records';

export interface FailEvent {
  runId: unknown;
  /** When the execution started; the run record of a run that failed at Start takes it. */
  startedAt?: unknown;
  /** The error a Catch caught: `{ Error, Cause }`; Cause is the Lambda's JSON error when it threw. */
  error: unknown;
}

export interface FailOutput {
  Error: string;
  Cause: string;
}

const MAX_CAUSE = 1000;

function describeError(error: unknown): FailOutput {
  const e = (typeof error === 'object' && error !== null ? error : {}) as {
    Error?: unknown;
    Cause?: unknown;
  };
  const name = typeof e.Error === 'string' && e.Error ? e.Error : 'UnknownError';
  let cause = typeof e.Cause === 'string' ? e.Cause : '';
  try {
    // A Lambda error arrives as {"errorType","errorMessage","trace"}: keep the message, drop the stack.
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // Not JSON: keep it as it is.
  }
  return { Error: redactAndTruncate(name, 200), Cause: redactAndTruncate(cause || name, MAX_CAUSE) };
}

export async function recordFailure(event: FailEvent, deps: PollerDeps): Promise<FailOutput> {
  const failure = describeError(event.error);
  const runId = typeof event.runId === 'string' && event.runId ? event.runId : undefined;
  if (!runId) return failure;
  const now = deps.now();
  const [run, state] = await Promise.all([deps.results.getRun(runId), deps.runState.load(runId)]);
  const base: RunRecord = run ?? {
    runId,
    appBundleIdentifier: state?.appBundleIdentifier ?? '-',
    inputKind: 'taskIds',
    outcome: 'FAILED',
    startedAt:
      typeof event.startedAt === 'string' && !Number.isNaN(Date.parse(event.startedAt))
        ? new Date(event.startedAt).toISOString()
        : now.toISOString(),
    counts: emptyCounts(0),
    expiresAt: expiresAt(now, deps.settings.retentionDays),
  };
  await deps.results.putRunRecord({
    ...base,
    outcome: 'FAILED',
    counts: state?.counts ?? base.counts,
    endedAt: now.toISOString(),
    errorName: failure.Error,
    errorCause: failure.Cause,
  });
  deps.log.warn('run failed', { runId, errorName: failure.Error });
  return failure;
}
