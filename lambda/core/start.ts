/**
 * Start of a run: check the input, remember the task IDs to poll, and write the run record.
 * Idempotent per run ID: a retried or re-driven Start returns the state stored the first time.
 */
import { Limits } from '../contract/limits';
import { InvalidInputError } from '../shared/errors';
import type { PollerDeps } from './deps';
import { learnedWaitPolicy } from './history';
import { type ExecutionInput, parseExecutionInput } from './input';
import type { AppRef, LoopState, RunRecord } from './model';
import type { RunState, StartedTaskRef } from './ports';
import { appIndexOf, emptyCounts, expiresAt, loopStateOf } from './records';

export interface StartEvent {
  runId: unknown;
  startedAt?: unknown;
  input: unknown;
}

/** Turns the addresses of an input into tasks (StartUserAccessTasks); absent when emails are not served. */
export type StartTasksForEmails = (
  run: { runId: string; appBundleIdentifier: string },
  emails: readonly string[],
) => Promise<StartedTaskRef[]>;

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
  const pending = await collectTasks(input, run, startTasksForEmails);
  const taskIds = pending.pendingTaskIds;

  const deadlineAt = new Date(startedAt.getTime() + settings.deadlineSeconds * 1000).toISOString();
  const counts = emptyCounts(taskIds.length);
  const maxWaitSeconds = input.maxWaitSeconds ?? settings.maxWaitSeconds;
  // Earlier runs of the bundle say when its tasks finish: the first polls go where results are due.
  const waitPolicy =
    taskIds.length === 0
      ? undefined
      : await learnedWaitPolicy(deps.history, { ...run, startedAt, maxWaitSeconds }, deps.log);
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
    maxWaitSeconds,
    deadlineAt,
    counts,
    ...(waitPolicy ? { waitPolicy } : {}),
    ...pending,
    misses: taskIds.map(() => 0),
    expiresAt: record.expiresAt,
  };
  await deps.runState.save(state, undefined);
  deps.log.info('run started', {
    runId,
    tasks: taskIds.length,
    emails: input.emails.length,
    deadlineAt,
    learntFromHistory: waitPolicy !== undefined,
  });
  return loopStateOf(state);
}

/**
 * The run's tasks: the input's IDs, then those started for its addresses, each once, with what is known
 * of it (app and tenant from StartUserAccessTasks' answer, the address it was started for).
 */
async function collectTasks(
  input: ExecutionInput,
  run: { runId: string; appBundleIdentifier: string },
  startTasksForEmails?: StartTasksForEmails,
): Promise<Pick<RunState, 'pendingTaskIds' | 'appIndex' | 'personIndex' | 'apps' | 'people'>> {
  const byId = new Map<string, { appIndex: number; personIndex: number }>();
  for (const id of input.taskIdList) byId.set(id, { appIndex: -1, personIndex: -1 });
  const apps: AppRef[] = [];
  const people = [...input.emails];
  if (input.emails.length > 0) {
    if (!startTasksForEmails) throw new InvalidInputError('emails', 'starting from addresses is not enabled');
    const personOf = new Map(people.map((email, i) => [email.toLowerCase(), i]));
    for (const task of await startTasksForEmails(run, input.emails)) {
      const known = byId.get(task.taskId) ?? { appIndex: -1, personIndex: -1 };
      const appIndex = appIndexOf(apps, task, Limits.maxAppRefsPerRun);
      byId.set(task.taskId, {
        appIndex: appIndex >= 0 ? appIndex : known.appIndex,
        personIndex:
          task.email === undefined ? known.personIndex : (personOf.get(task.email.toLowerCase()) ?? -1),
      });
    }
  }
  const entries = [...byId.entries()];
  return {
    pendingTaskIds: entries.map(([id]) => id),
    appIndex: entries.map(([, c]) => c.appIndex),
    personIndex: entries.map(([, c]) => c.personIndex),
    apps,
    people,
  };
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
