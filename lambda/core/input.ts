/**
 * Checks what comes in from outside: the execution input (console or EventBridge `detail`) and the
 * loop state the state machine hands back. Every problem names its field; values that may be personal
 * data (addresses) are never echoed, only their position.
 */

import {
  APP_BUNDLE_IDENTIFIER_PATTERN,
  Limits,
  PARENT_EXECUTION_ID_FIELD,
  UUID_PATTERN,
} from '../contract/limits';
import { InvalidInputError } from '../shared/errors';
import type { LoopState, StatusCounts } from './model';

/** What a user may put in an execution input. */
export interface ExecutionInput {
  appBundleIdentifier: string;
  /** Lower-cased, de-duplicated, in first-seen order. */
  taskIdList: string[];
  /** Trimmed, de-duplicated case-insensitively. */
  emails: string[];
  maxWaitSeconds?: number;
}

const INPUT_FIELDS = new Set(['appBundleIdentifier', 'taskIdList', 'emails', 'maxWaitSeconds']);
/** The model's Email pattern, anchored. */
const EMAIL_PATTERN = /^[a-zA-Z0-9.!#$%&\u2019*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function parseAppBundleIdentifier(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new InvalidInputError(field, `must be a string, got ${typeOf(value)}`);
  const trimmed = value.trim();
  if (trimmed.length < 1 || trimmed.length > 1011 || !APP_BUNDLE_IDENTIFIER_PATTERN.test(trimmed)) {
    throw new InvalidInputError(field, 'must be an app bundle ARN or a lower-case UUID');
  }
  return trimmed;
}

/** Lower-cases and de-duplicates task IDs; each must be a UUID. */
export function parseTaskIdList(value: unknown, field = 'taskIdList'): string[] {
  if (!Array.isArray(value))
    throw new InvalidInputError(field, `must be an array of task IDs, got ${typeOf(value)}`);
  const seen = new Set<string>();
  value.forEach((id, i) => {
    if (typeof id !== 'string')
      throw new InvalidInputError(`${field}[${i}]`, `must be a string, got ${typeOf(id)}`);
    const normalized = id.trim().toLowerCase();
    if (!UUID_PATTERN.test(normalized)) {
      throw new InvalidInputError(`${field}[${i}]`, 'is not a task ID (UUID)');
    }
    seen.add(normalized);
  });
  if (seen.size > Limits.maxTaskIdsInInput) {
    throw new InvalidInputError(
      field,
      `holds ${seen.size} distinct IDs; one execution takes at most ${Limits.maxTaskIdsInInput} (large runs take more)`,
    );
  }
  return [...seen];
}

function parseEmails(value: unknown, field = 'emails'): string[] {
  if (!Array.isArray(value))
    throw new InvalidInputError(field, `must be an array of email addresses, got ${typeOf(value)}`);
  const seen = new Map<string, string>();
  value.forEach((email, i) => {
    if (typeof email !== 'string')
      throw new InvalidInputError(`${field}[${i}]`, `must be a string, got ${typeOf(email)}`);
    const trimmed = email.trim();
    // The address is personal data: name its position, never its value.
    if (trimmed.length > 320 || !EMAIL_PATTERN.test(trimmed)) {
      throw new InvalidInputError(`${field}[${i}]`, 'is not a valid email address');
    }
    if (!seen.has(trimmed.toLowerCase())) seen.set(trimmed.toLowerCase(), trimmed);
  });
  if (seen.size > Limits.maxEmailsPerRun) {
    throw new InvalidInputError(
      field,
      `holds ${seen.size} addresses; one run takes at most ${Limits.maxEmailsPerRun}`,
    );
  }
  return [...seen.values()];
}

/**
 * Checks an execution input. `defaults` supplies the app bundle when the input names none, and the
 * bounds of `maxWaitSeconds`.
 */
export function parseExecutionInput(
  raw: unknown,
  defaults: { appBundleIdentifier?: string; minWaitSeconds: number },
): ExecutionInput {
  if (!isRecord(raw)) throw new InvalidInputError('input', `must be a JSON object, got ${typeOf(raw)}`);
  Object.keys(raw).forEach((key, i) => {
    if (!INPUT_FIELDS.has(key) && key !== PARENT_EXECUTION_ID_FIELD) {
      throw new InvalidInputError(
        'input',
        `${describeUnknownKey(key, i)} (expected ${[...INPUT_FIELDS].join(', ')})`,
      );
    }
  });
  const appBundleIdentifier =
    raw.appBundleIdentifier !== undefined
      ? parseAppBundleIdentifier(raw.appBundleIdentifier, 'appBundleIdentifier')
      : defaults.appBundleIdentifier;
  if (appBundleIdentifier === undefined) {
    throw new InvalidInputError('appBundleIdentifier', 'is required: no default app bundle is configured');
  }
  const taskIdList = raw.taskIdList === undefined ? [] : parseTaskIdList(raw.taskIdList);
  const emails = raw.emails === undefined ? [] : parseEmails(raw.emails);
  if (taskIdList.length === 0 && emails.length === 0) {
    const neither = raw.taskIdList === undefined && raw.emails === undefined;
    throw new InvalidInputError(
      'taskIdList',
      neither ? 'is required (or give emails)' : 'must hold at least one task ID (or give emails)',
    );
  }
  checkWorstCase(emails.length, taskIdList.length);
  const maxWaitSeconds =
    raw.maxWaitSeconds === undefined
      ? undefined
      : parseWholeNumber(raw.maxWaitSeconds, 'maxWaitSeconds', defaults.minWaitSeconds, MAX_WAIT_SECONDS);
  return { appBundleIdentifier, taskIdList, emails, maxWaitSeconds };
}

/** The longest wait an input may ask for: one hour, as the settings allow. */
const MAX_WAIT_SECONDS = 3600;

/** A whole number within bounds; the message says which way it is wrong, never echoes the value. */
function parseWholeNumber(v: unknown, field: string, min: number, max: number): number {
  const bounds = `from ${min} to ${max}`;
  if (typeof v !== 'number')
    throw new InvalidInputError(field, `must be a whole number ${bounds}, got ${typeOf(v)}`);
  // JSON's 1e400 arrives as Infinity: out of range, not "null".
  if (!Number.isFinite(v) || v < min || v > max)
    throw new InvalidInputError(field, `is out of range (${bounds})`);
  if (!Number.isInteger(v)) throw new InvalidInputError(field, `must be a whole number ${bounds}`);
  return v;
}

/**
 * A run may poll at most Limits.maxTasksPerRun tasks. Checked before any StartUserAccessTasks call, from
 * the worst case (every address gets a task for each of the bundle's app authorizations): tasks started
 * and then refused would never be polled.
 */
function checkWorstCase(emails: number, taskIds: number): void {
  const perEmail = Limits.maxAppAuthorizationsPerBundle;
  const worst = emails * perEmail + taskIds;
  if (emails > 0 && worst > Limits.maxTasksPerRun) {
    throw new InvalidInputError(
      'emails',
      `with taskIdList, a run could reach more than ${Limits.maxTasksPerRun} tasks: emails × ${perEmail} + taskIdList = ` +
        `${emails} × ${perEmail} + ${taskIds} = ${worst} > ${Limits.maxTasksPerRun} (split the run)`,
    );
  }
}

/** Names an unknown key by its position; shows the key only when it cannot be personal data. */
function describeUnknownKey(key: string, index: number): string {
  const position = `unknown field #${index + 1}`;
  if (/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(key)) return `${position} "${key}"`;
  return key.includes('@') ? `${position} (not shown: it looks like an address)` : `${position} (not shown)`;
}

const COUNT_KEYS: (keyof StatusCounts)[] = [
  'total',
  'pending',
  'COMPLETED',
  'FAILED',
  'EXPIRED',
  'NOT_FOUND',
  'TIMED_OUT',
];

/** Checks the loop state the state machine passes to Poll: it came from us, but a hand-edited redrive may not. */
export function parseLoopState(raw: unknown): LoopState {
  if (!isRecord(raw)) throw new InvalidInputError('state', `must be an object, got ${typeOf(raw)}`);
  const str = (k: string): string => {
    const v = raw[k];
    if (typeof v !== 'string' || v.length === 0)
      throw new InvalidInputError(`state.${k}`, 'must be a non-empty string');
    return v;
  };
  const num = (k: string, obj: Record<string, unknown> = raw, prefix = 'state'): number => {
    const v = obj[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw new InvalidInputError(`${prefix}.${k}`, 'must be a whole number');
    }
    return v;
  };
  const status = raw.status;
  if (status !== 'PENDING' && status !== 'DONE' && status !== 'TIMED_OUT') {
    throw new InvalidInputError('state.status', 'must be PENDING, DONE or TIMED_OUT');
  }
  if (!isRecord(raw.counts)) throw new InvalidInputError('state.counts', 'must be an object');
  const countsRaw = raw.counts;
  const counts = Object.fromEntries(
    COUNT_KEYS.map((k) => [k, num(k, countsRaw, 'state.counts')]),
  ) as unknown as StatusCounts;
  const deadlineAt = str('deadlineAt');
  if (Number.isNaN(Date.parse(deadlineAt)))
    throw new InvalidInputError('state.deadlineAt', 'must be an ISO date-time');
  return {
    runId: str('runId'),
    appBundleIdentifier: str('appBundleIdentifier'),
    status,
    cycle: num('cycle'),
    waitSeconds: num('waitSeconds'),
    minWaitSeconds: num('minWaitSeconds'),
    maxWaitSeconds: num('maxWaitSeconds'),
    deadlineAt,
    counts,
  };
}
