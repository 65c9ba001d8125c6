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

export function parseAppBundleIdentifier(value: unknown, field: string): string {
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
      throw new InvalidInputError(`${field}[${i}]`, `"${id.slice(0, 64)}" is not a task ID (UUID)`);
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
  for (const key of Object.keys(raw)) {
    if (!INPUT_FIELDS.has(key) && key !== PARENT_EXECUTION_ID_FIELD) {
      throw new InvalidInputError(
        `input.${key.slice(0, 64)}`,
        `is not a known field (expected ${[...INPUT_FIELDS].join(', ')})`,
      );
    }
  }
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
  let maxWaitSeconds: number | undefined;
  if (raw.maxWaitSeconds !== undefined) {
    const v = raw.maxWaitSeconds;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < defaults.minWaitSeconds || v > 3600) {
      throw new InvalidInputError(
        'maxWaitSeconds',
        `must be an integer from ${defaults.minWaitSeconds} to 3600, got ${JSON.stringify(v)?.slice(0, 32)}`,
      );
    }
    maxWaitSeconds = v;
  }
  return { appBundleIdentifier, taskIdList, emails, maxWaitSeconds };
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
