/**
 * The poller function. Thin: it checks which action the state machine asks for and hands the event
 * to the use case. Events and answers are never logged whole: they hold addresses and names.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { recordFailure } from './core/fail';
import { parseLoopState } from './core/input';
import type { LoopState } from './core/model';
import { pollCycle } from './core/poll';
import { startRun } from './core/start';
import { createRuntime, type PollerRuntime } from './runtime';
import { InvalidInputError, isPollerError } from './shared/errors';
import { Actions } from './shared/names';
import { redactEmails } from './shared/redact';

export const logger = new Logger({ serviceName: 'appfabric-access-poller' });

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
        case Actions.start:
          return await startRun(
            { runId: event.runId, startedAt: event.startedAt, input: event.input },
            runtime.deps,
            runtime.startTasksForEmails,
          );
        case Actions.poll:
          return (await pollCycle(parseLoopState(event.state), runtime.deps)).state;
        case Actions.fail:
          return await recordFailure(
            { runId: event.runId, startedAt: event.startedAt, error: event.error },
            runtime.deps,
          );
        default:
          throw new InvalidInputError('action', `must be one of ${Object.values(Actions).join(', ')}`);
      }
    } catch (error) {
      // Our messages name fields, never personal values; the SDK's raw errors are wrapped before here.
      logger.error('action failed', {
        action: String(event?.action),
        errorName: (error as Error)?.name,
        errorMessage: redactEmails(String((error as Error)?.message)),
        retryable: isPollerError(error) ? error.retryable : undefined,
      });
      throw error;
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
