/**
 * Start of a run: check the input, remember the task IDs to poll, and write the run record.
 * Idempotent per run ID: a retried or re-driven Start returns the state stored the first time.
 */
import { InvalidInputError } from '../shared/errors';
import type { PollerDeps } from './deps';
import { type ExecutionInput, parseExecutionInput } from './input';
import type { LoopState, RunRecord } from './model';
import type { RunState } from './ports';
import { emptyCounts, expiresAt, loopStateOf } from './records';

export interface StartEvent {
  runId: unknown;
  startedAt?: unknown;
  input: unknown;
}

/** Turns the addresses of an input into task IDs (StartUserAccessTasks); absent when emails are not served. */
export type StartTasksForEmails = (
  run: { runId: string; appBundleIdentifier: string },
  emails: readonly string[],
) => Promise<string[]>;

export async function startRun(
  event: StartEvent,
  deps: PollerDeps,
  startTasksForEmails?: StartTasksForEmails,
): Promise<LoopState> {
  const { settings } = deps;
  if (typeof event.runId !== 'string' || event.runId.length === 0 || event.runId.length > 80) {
    throw new InvalidInputError('runId', 'must be a string of 1 to 80 characters (the execution name)');
  }
  const runId = event.runId;
  const existing = await deps.runState.load(runId);
  if (existing) return loopStateOf(existing);

  const input = parseExecutionInput(event.input, {
    appBundleIdentifier: settings.defaultAppBundleIdentifier,
    minWaitSeconds: settings.minWaitSeconds,
  });
  const startedAt = parseStartedAt(event.startedAt, deps.now());
  const run = { runId, appBundleIdentifier: input.appBundleIdentifier };
  const taskIds = await collectTaskIds(input, run, startTasksForEmails);

  const deadlineAt = new Date(startedAt.getTime() + settings.deadlineSeconds * 1000).toISOString();
  const counts = emptyCounts(taskIds.length);
  const record: RunRecord = {
    ...run,
    inputKind:
      input.emails.length === 0 ? 'taskIds' : input.taskIdList.length === 0 ? 'emails' : 'taskIds+emails',
    outcome: taskIds.length === 0 ? 'SUCCEEDED' : 'RUNNING',
    startedAt: startedAt.toISOString(),
    ...(taskIds.length === 0 ? { endedAt: deps.now().toISOString() } : {}),
    counts,
    expiresAt: expiresAt(startedAt, settings.retentionDays),
  };
  // The run record first: if this attempt dies before the state is saved, a retry writes both again.
  await deps.results.putRunRecord(record);
  const state: RunState = {
    ...run,
    status: taskIds.length === 0 ? 'DONE' : 'PENDING',
    cycle: 0,
    waitSeconds: 0,
    minWaitSeconds: settings.minWaitSeconds,
    maxWaitSeconds: input.maxWaitSeconds ?? settings.maxWaitSeconds,
    deadlineAt,
    counts,
    pendingTaskIds: taskIds,
    misses: taskIds.map(() => 0),
    expiresAt: record.expiresAt,
  };
  await deps.runState.save(state, undefined);
  deps.log.info('run started', { runId, tasks: taskIds.length, emails: input.emails.length, deadlineAt });
  return loopStateOf(state);
}

async function collectTaskIds(
  input: ExecutionInput,
  run: { runId: string; appBundleIdentifier: string },
  startTasksForEmails?: StartTasksForEmails,
): Promise<string[]> {
  if (input.emails.length === 0) return input.taskIdList;
  if (!startTasksForEmails) throw new InvalidInputError('emails', 'starting from addresses is not enabled');
  const started = await startTasksForEmails(run, input.emails);
  return [...new Set([...input.taskIdList, ...started])];
}

function parseStartedAt(value: unknown, fallback: Date): Date {
  if (value === undefined) return fallback;
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  // Years 2000 to 9999: the deadline after it must still be a date.
  if (Number.isNaN(ms) || ms < Date.UTC(2000, 0, 1) || ms >= Date.UTC(10_000, 0, 1)) {
    throw new InvalidInputError('startedAt', 'must be an ISO date-time (the execution start time)');
  }
  return new Date(ms);
}
