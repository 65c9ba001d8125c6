/**
 * The poller function. Thin: it checks which action the state machine asks for and hands the event
 * to the use case. Events and answers are never logged whole: they hold addresses and names.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { MetricNames, SERVICE_NAME } from './contract/stack';
import { Actions } from './contract/workflow';
import { recordFailure } from './core/fail';
import { parseLoopState } from './core/input';
import type { LoopState } from './core/model';
import { type CycleReport, pollCycle } from './core/poll';
import { startRun } from './core/start';
import { createRuntime, type PollerRuntime } from './runtime';
import { InvalidInputError, isPollerError } from './shared/errors';
import { redactAndTruncate } from './shared/redact';

export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: MetricNames.namespace, serviceName: SERVICE_NAME });

/** What a poll cycle did, as metrics: counts only, never task IDs or people. */
function addCycleMetrics(report: CycleReport): void {
  metrics.addMetric(MetricNames.pollCycles, MetricUnit.Count, 1);
  metrics.addMetric(MetricNames.batchGetCalls, MetricUnit.Count, report.calls);
  metrics.addMetric(MetricNames.batchGetFailedCalls, MetricUnit.Count, report.failedCalls);
  for (const [status, n] of Object.entries(report.finished)) {
    metrics.addMetric(MetricNames.tasks(status), MetricUnit.Count, n ?? 0);
  }
}

type PollerEvent = { action?: unknown; [key: string]: unknown };

export function makeHandler(getRuntime: () => PollerRuntime) {
  return async (
    event: PollerEvent,
    context?: Context,
  ): Promise<LoopState | { Error: string; Cause: string }> => {
    if (context) logger.addContext(context);
    try {
      if (typeof event !== 'object' || event === null) {
        throw new InvalidInputError('event', 'must be an object with an action');
      }
      const runtime = getRuntime();
      switch (event.action) {
        case Actions.start: {
          const state = await startRun(
            { runId: event.runId, startedAt: event.startedAt, input: event.input },
            runtime.deps,
            runtime.startTasksForEmails,
          );
          metrics.addMetric(MetricNames.runsStarted, MetricUnit.Count, 1);
          return state;
        }
        case Actions.poll: {
          // The invocation's own clock: the cycle starts no call that would run past the function's timeout.
          const remainingTimeMs = context ? () => context.getRemainingTimeInMillis() : undefined;
          const { state, report } = await pollCycle(parseLoopState(event.state), runtime.deps, {
            remainingTimeMs,
          });
          addCycleMetrics(report);
          return state;
        }
        case Actions.fail: {
          const failure = await recordFailure(
            { runId: event.runId, startedAt: event.startedAt, error: event.error },
            runtime.deps,
          );
          metrics.addMetric(MetricNames.runsFailed, MetricUnit.Count, 1);
          return failure;
        }
        default:
          throw new InvalidInputError('action', `must be one of ${Object.values(Actions).join(', ')}`);
      }
    } catch (error) {
      // Our messages name fields, never personal values; the SDK's raw errors are wrapped before here.
      logger.error('action failed', {
        action: String(event?.action),
        errorName: (error as Error)?.name,
        errorMessage: redactAndTruncate(String((error as Error)?.message), 1000),
        retryable: isPollerError(error) ? error.retryable : undefined,
      });
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

let runtime: PollerRuntime | undefined;
export const handler = makeHandler(() => {
  runtime ??= createRuntime({
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
  });
  return runtime;
});
