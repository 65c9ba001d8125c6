/**
 * Starts AppFabric tasks for the addresses of a run. StartUserAccessTasks is not idempotent, so each
 * address is claimed in the ledger before the call and its answer stored after: a retried or re-driven
 * Start reuses what was started and never starts a second set for an address.
 */
import { createHash } from 'node:crypto';
import { UUID_PATTERN } from '../contract/limits';
import { ErrorNames } from '../contract/workflow';
import { isPollerError } from '../shared/errors';
import { redactEmails } from '../shared/redact';
import { mapWithConcurrency } from './concurrency';
import type { Log } from './deps';
import type { AppRef } from './model';
import type { AccessTasksGateway, StartedTaskRef, StartLedger, StartRecord } from './ports';
import { expiresAt } from './records';
import type { StartTasksForEmails } from './start';

export const emailHash = (email: string): string =>
  createHash('sha256').update(email.trim().toLowerCase()).digest('hex');

export interface EmailStartDeps {
  gateway: AccessTasksGateway;
  ledger: StartLedger;
  log: Log;
  now: () => Date;
  retentionDays: number;
  concurrency?: number;
}

export function makeStartTasksForEmails(deps: EmailStartDeps): StartTasksForEmails {
  return async (run, emails) => {
    // Every address settles before an error is raised: an address still in flight when another fails
    // must not be left half-recorded for the retry.
    const outcomes = await mapWithConcurrency(emails, deps.concurrency ?? 4, (email) =>
      startOne(run, email, deps).then(
        (tasks) => ({ tasks }),
        (error: unknown) => ({ error }),
      ),
    );
    const failed = outcomes.find((o): o is { error: unknown } => 'error' in o);
    if (failed) throw failed.error;
    return outcomes.flatMap((o) => ('tasks' in o ? o.tasks : []));
  };
}

async function startOne(
  run: { runId: string; appBundleIdentifier: string },
  email: string,
  deps: EmailStartDeps,
): Promise<StartedTaskRef[]> {
  const hash = emailHash(email);
  const at = deps.now();
  const base: StartRecord = {
    runId: run.runId,
    emailHash: hash,
    email,
    state: 'STARTING',
    taskIds: [],
    errors: [],
    at: at.toISOString(),
    expiresAt: expiresAt(at, deps.retentionDays),
  };
  if (!(await deps.ledger.claim(base))) {
    const known = await deps.ledger.get(run.runId, hash);
    if (known?.state === 'STARTING') {
      // An earlier attempt died during the call: its tasks may exist, so do not start another set.
      await deps.ledger.put({
        ...known,
        state: 'REJECTED',
        errors: [
          {
            errorCode: 'START_OUTCOME_UNKNOWN',
            errorMessage:
              'an earlier attempt called StartUserAccessTasks but did not record what it started; those tasks, if any, are not polled',
          },
        ],
      });
      return [];
    }
    return refsOf(known?.taskIds ?? [], known?.apps, email);
  }
  let tasks: Awaited<ReturnType<AccessTasksGateway['start']>>;
  try {
    tasks = await deps.gateway.start(run.appBundleIdentifier, email);
  } catch (error) {
    if (isPollerError(error) && error.retryable) {
      // Throttled or unavailable: nothing was started, so free the address for the retry.
      await deps.ledger.remove(run.runId, hash);
      throw error;
    }
    if (isPollerError(error) && error.name === ErrorNames.AppFabricValidation) {
      // This address was refused; the other addresses go on. The message may echo the address: keep only the code.
      await deps.ledger.put({ ...base, state: 'REJECTED', errors: [{ errorCode: 'ValidationException' }] });
      deps.log.warn('address rejected', { runId: run.runId, emailHash: hash.slice(0, 12) });
      return [];
    }
    await deps.ledger.remove(run.runId, hash);
    throw error;
  }
  const started = tasks
    .map((t): AppRef & { taskId?: string } => ({
      taskId: t.taskId?.toLowerCase(),
      app: t.app,
      tenantId: t.tenantId,
    }))
    .filter((t): t is AppRef & { taskId: string } => t.taskId !== undefined && UUID_PATTERN.test(t.taskId));
  const taskIds = started.map((t) => t.taskId);
  const apps = started.map(({ app, tenantId }) => ({ app, tenantId }));
  const errors = tasks
    .filter((t) => t.error || !t.taskId)
    .map((t) => ({
      app: t.app,
      tenantId: t.tenantId,
      errorCode: t.error?.errorCode ?? 'NO_TASK_ID',
      // AppFabric's text may echo the address: stored redacted, like every error field.
      errorMessage: t.error?.errorMessage === undefined ? undefined : redactEmails(t.error.errorMessage),
    }));
  const state = taskIds.length === 0 && errors.length > 0 ? 'REJECTED' : 'STARTED';
  if (!(await deps.ledger.put({ ...base, state, taskIds, apps, errors }, { ifState: 'STARTING' }))) {
    // Another attempt settled this address meanwhile (as START_OUTCOME_UNKNOWN); these tasks are polled anyway.
    deps.log.warn('start record changed during the call', { runId: run.runId, emailHash: hash.slice(0, 12) });
  }
  return refsOf(taskIds, apps, email);
}

/** The started tasks of one address with what their records will need: app, tenant and the address. */
const refsOf = (
  taskIds: readonly string[],
  apps: readonly AppRef[] | undefined,
  email: string,
): StartedTaskRef[] =>
  taskIds.map((taskId, i) => ({ taskId, app: apps?.[i]?.app, tenantId: apps?.[i]?.tenantId, email }));
