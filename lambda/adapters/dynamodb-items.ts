/**
 * Item layout of the results table: how a TaskRecord and a RunRecord become items and back.
 * Every key and index attribute name comes from `TableSchema` and `Keys` in lambda/contract/table.ts, which the CDK stack
 * uses too, so the items always match the deployed table.
 *
 * Task record  pk = RUN#<runId>  sk = TASK#<taskId>  + every TaskRecord field that is defined
 *              + emailKey  = lower-cased email                      (only with an email: byEmail is sparse)
 *              + tenantKey = <tenantId or ->#<recordedAt>#<taskId>  (only with an app: byApp is sparse)
 *              (taskId and recordedAt, the byTask keys, are fields already)
 * Run record   pk = RUN#<runId>  sk = RUN  runListKey = RUN  + every RunRecord field that is defined
 */

import { TerminalStatuses } from '../contract/statuses';
import { Keys, TableSchema } from '../contract/table';
import type { RunRecord, TaskRecord } from '../core/model';
import { InvalidInputError } from '../shared/errors';

export type Item = Record<string, unknown>;

/** Every TaskRecord field, once: the compiler fails here when the model gains or loses one. */
const TASK_RECORD_FIELDS: Record<keyof TaskRecord, true> = {
  app: true,
  tenantId: true,
  tenantDisplayName: true,
  taskId: true,
  resultStatus: true,
  email: true,
  userId: true,
  userFullName: true,
  userFirstName: true,
  userLastName: true,
  userStatus: true,
  taskError: true,
  appBundleIdentifier: true,
  runId: true,
  recordedAt: true,
  expiresAt: true,
};
const taskRecordFields = Object.keys(TASK_RECORD_FIELDS) as (keyof TaskRecord)[];

const RUN_RECORD_FIELDS: Record<keyof RunRecord, true> = {
  runId: true,
  appBundleIdentifier: true,
  inputKind: true,
  outcome: true,
  startedAt: true,
  endedAt: true,
  counts: true,
  errorName: true,
  errorCause: true,
  cycle: true,
  lastPolledAt: true,
  expiresAt: true,
};
const runRecordFields = Object.keys(RUN_RECORD_FIELDS) as (keyof RunRecord)[];

/** Index attributes the adapter adds; named by the table definition, never retyped. */
const IndexAttributes = {
  emailKey: TableSchema.indexes.byEmail.partitionKey,
  tenantKey: TableSchema.indexes.byApp.sortKey,
  runListKey: TableSchema.indexes.runsByStart.partitionKey,
} as const;

const pick = <T>(item: Item, fields: readonly (keyof T)[]): T => {
  const out: Item = {};
  for (const field of fields) {
    const value = item[field as string];
    if (value !== undefined && value !== null) out[field as string] = value;
  }
  return out as T;
};

const requireText = (value: unknown, field: string): string => {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidInputError(field, 'must be a non-empty string');
  }
  return value;
};

/** The email as the byEmail index keys it. */
export const emailKeyOf = (email: string): string => email.trim().toLowerCase();

/** The item for one task record. `path` names the record in errors, e.g. `records[3]`. */
export const toTaskItem = (record: TaskRecord, path = 'record'): Item => {
  const runId = requireText(record.runId, `${path}.runId`);
  const taskId = requireText(record.taskId, `${path}.taskId`);
  const recordedAt = requireText(record.recordedAt, `${path}.recordedAt`);
  if (!(TerminalStatuses as readonly string[]).includes(record.resultStatus)) {
    throw new InvalidInputError(`${path}.resultStatus`, `must be one of ${TerminalStatuses.join(', ')}`);
  }
  const item: Item = {
    ...pick<TaskRecord>(record as unknown as Item, taskRecordFields),
    ...Keys.task(runId, taskId),
  };
  // Index key attributes cannot hold an empty string: an empty app or email is stored as absent.
  if (record.app === '') delete item.app;
  if (typeof record.email === 'string' && emailKeyOf(record.email) !== '') {
    item[IndexAttributes.emailKey] = emailKeyOf(record.email);
  }
  if (typeof record.app === 'string' && record.app !== '') {
    item[IndexAttributes.tenantKey] = Keys.tenantKey(record.tenantId, recordedAt, taskId);
  }
  return item;
};

/** A plain TaskRecord: keys and index attributes stripped. */
export const fromTaskItem = (item: Item): TaskRecord => pick<TaskRecord>(item, taskRecordFields);

/** The run record's key (kept for the results reader): {@link Keys.run}. */
export const runKey = Keys.run;

export const toRunItem = (run: RunRecord): Item => {
  const runId = requireText(run.runId, 'run.runId');
  requireText(run.startedAt, 'run.startedAt');
  return {
    ...pick<RunRecord>(run as unknown as Item, runRecordFields),
    ...Keys.run(runId),
    [IndexAttributes.runListKey]: Keys.runListKey,
  };
};

/** A plain RunRecord: keys and index attributes stripped. */
export const fromRunItem = (item: Item): RunRecord => pick<RunRecord>(item, runRecordFields);
