/** The results table's schema and key values, read by the CDK code and the runtime alike. */

/**
 * The results table: one table, keyed for these reads.
 *
 * | read                        | how                                                          |
 * |-----------------------------|--------------------------------------------------------------|
 * | a run's task records        | Query pk = RUN#<runId>, sk begins_with TASK#                 |
 * | a run's summary             | GetItem pk = RUN#<runId>, sk = RUN                           |
 * | a task, any run             | Query index byTask: taskId = <id>, newest first              |
 * | a person, newest first      | Query index byEmail: emailKey = <lower-case email>           |
 * | an app (and tenant)         | Query index byApp: app = <app> [, tenantKey begins_with <tenant>#] |
 * | runs, newest first          | Query index runsByStart: runListKey = RUN                    |
 */
export const TableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL deletes the item after it. Absent when retention is unlimited. */
  ttlAttribute: 'expiresAt',
  indexes: {
    byTask: { indexName: 'byTask', partitionKey: 'taskId', sortKey: 'recordedAt' },
    byEmail: { indexName: 'byEmail', partitionKey: 'emailKey', sortKey: 'recordedAt' },
    byApp: { indexName: 'byApp', partitionKey: 'app', sortKey: 'tenantKey' },
    runsByStart: { indexName: 'runsByStart', partitionKey: 'runListKey', sortKey: 'startedAt' },
  },
} as const;

const runPk = (runId: string) => `RUN#${runId}`;
const taskSk = (taskId: string) => `TASK#${taskId}`;
const startSk = (emailHash: string) => `START#${emailHash}`;

/** Key values. Every item of a run shares its partition, so a run reads back with one Query. */
export const Keys = {
  runPk,
  taskSk,
  taskSkPrefix: 'TASK#',
  /** The run's summary record. */
  runSk: 'RUN',
  /** The run's loop state: pending task IDs, misses, counts, cycle. */
  stateSk: 'STATE',
  /** What StartUserAccessTasks returned for one address of the run (keyed by a hash, not the address). */
  startSk,
  startSkPrefix: 'START#',
  /** Constant partition of the runsByStart index. */
  runListKey: 'RUN',
  /** Sort key of the byApp index: tenant first so a tenant is a prefix, then time for newest-first. */
  tenantKey: (tenantId: string | undefined, recordedAt: string, taskId: string) =>
    `${tenantId ?? '-'}#${recordedAt}#${taskId}`,

  /** Whole primary keys ({ pk, sk }) of each item kind: the one way adapters address an item. */
  task: (runId: string, taskId: string) => primaryKey(runPk(runId), taskSk(taskId)),
  run: (runId: string) => primaryKey(runPk(runId), 'RUN'),
  state: (runId: string) => primaryKey(runPk(runId), 'STATE'),
  start: (runId: string, emailHash: string) => primaryKey(runPk(runId), startSk(emailHash)),
} as const;

function primaryKey(pk: string, sk: string): Record<string, string> {
  return { [TableSchema.partitionKey]: pk, [TableSchema.sortKey]: sk };
}
