/**
 * In-memory fakes of the ports (AccessTasksGateway, ResultsStore, RunStateStore, StartLedger, RunHistory), with
 * the same contracts as the DynamoDB and AppFabric adapters, so the use cases can be tested without servers:
 *
 *   const world = fakeWorld();                         // gateway + stores + clock + log
 *   const ids = world.gateway.addTasks(3, { outcome: 'COMPLETED', inProgressPolls: 1 });
 *   const state = await startRun({ runId: 'r1', input: { taskIdList: ids } }, world.deps);
 *   await pollCycle(state, world.deps);
 *
 * The fakes copy what they store (structuredClone), as a database would: a use case cannot change a
 * stored value by keeping a reference to it.
 */
import { createHash } from 'node:crypto';
import {
  AppFabricTerminalStatuses,
  PollerStatuses,
  type TerminalStatus,
} from '../../lambda/contract/statuses';
import type { PollerDeps } from '../../lambda/core/deps';
import { type EmailStartDeps, makeStartTasksForEmails } from '../../lambda/core/emails';
import type { RunRecord, TaskRecord, UserAccessResult } from '../../lambda/core/model';
import type {
  AccessTasksGateway,
  ResultsStore,
  RunHistory,
  RunProgress,
  RunState,
  RunStateStore,
  StartedTask,
  StartLedger,
  StartRecord,
  WriteReport,
} from '../../lambda/core/ports';
import type { RuntimeSettings } from '../../lambda/core/settings';
import type { StartTasksForEmails } from '../../lambda/core/start';
import { RunStateConflictError } from '../../lambda/shared/errors';
import { makeClock, type TestClock } from './clock';
import { type RecordingLog, recordingLog } from './log';

export const FAKE_BUNDLE =
  'arn:aws:appfabric:us-east-1:123456789012:appbundle/7c0a1e2d-3b4f-4a5c-8d6e-9f0a1b2c3d4e';

/** How a scripted task answers BatchGetUserAccessTasks. */
interface FakeTaskScript {
  app?: string;
  tenantId?: string;
  email?: string;
  /** IN_PROGRESS answers before the outcome (default 0). */
  inProgressPolls?: number;
  /** The final answer; `MISSING`: left out of every answer; `NEVER`: IN_PROGRESS for ever. */
  outcome?: 'COMPLETED' | 'FAILED' | 'EXPIRED' | 'MISSING' | 'NEVER';
  taskError?: { errorCode?: string; errorMessage?: string };
  /** Leave app and tenant out of the final answer (as AppFabric may for FAILED and EXPIRED). */
  bareFinalAnswer?: boolean;
}

interface FakeTask extends FakeTaskScript {
  taskId: string;
  polls: number;
}

/** A deterministic UUID from a number, so tests read the same IDs every time. */
export const fakeUuid = (n: number, salt = 'task'): string => {
  const h = createHash('sha256').update(`${salt}:${n}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

class FakeGateway implements AccessTasksGateway {
  readonly tasks = new Map<string, FakeTask>();
  /** The IDs of each BatchGet call, in call order. */
  readonly batchGetCalls: string[][] = [];
  /** The address of each StartUserAccessTasks call. */
  readonly startCalls: string[] = [];
  /** The apps of the bundle: StartUserAccessTasks starts one task each (with `startScript`). */
  bundleApps: { app: string; tenantId: string }[] = [
    { app: 'SLACK', tenantId: 'T0ACME' },
    { app: 'OKTA', tenantId: 'acme.okta.com' },
  ];
  /** What the tasks StartUserAccessTasks creates do, per address and app. */
  startScript: (email: string, app: string) => FakeTaskScript = () => ({ outcome: 'COMPLETED' });
  /** Throws (or not) before answering BatchGet call `n` (0-based). */
  batchGetFault: (n: number, ids: readonly string[]) => Error | undefined = () => undefined;
  /** Throws (or not) before answering a start for `email`. */
  startFault: (email: string) => Error | undefined = () => undefined;
  /** Runs before each BatchGet answer (a test moves its clock or its remaining time here). */
  onBatchGet: (n: number) => void = () => {};
  private next = 0;

  /** Adds `count` scripted tasks; returns their IDs. */
  addTasks(count: number, script: FakeTaskScript = {}): string[] {
    return Array.from({ length: count }, () => this.addTask(script));
  }

  addTask(script: FakeTaskScript = {}, taskId = fakeUuid(this.next++)): string {
    this.tasks.set(taskId, { app: 'SLACK', tenantId: 'T0ACME', ...script, taskId, polls: 0 });
    return taskId;
  }

  async batchGet(_bundle: string, taskIds: readonly string[]): Promise<UserAccessResult[]> {
    const n = this.batchGetCalls.length;
    this.batchGetCalls.push([...taskIds]);
    this.onBatchGet(n);
    const fault = this.batchGetFault(n, taskIds);
    if (fault) throw fault;
    const answers: UserAccessResult[] = [];
    for (const id of taskIds) {
      const task = this.tasks.get(id);
      if (!task || task.outcome === 'MISSING') continue;
      task.polls += 1;
      const where = { app: task.app, tenantId: task.tenantId };
      if (task.outcome === 'NEVER' || task.polls <= (task.inProgressPolls ?? 0)) {
        answers.push({ ...where, taskId: id, resultStatus: 'IN_PROGRESS' });
        continue;
      }
      const outcome = task.outcome ?? 'COMPLETED';
      const base = task.bareFinalAnswer ? { taskId: id } : { ...where, taskId: id };
      if (outcome === 'COMPLETED') {
        answers.push({
          ...base,
          resultStatus: outcome,
          email: task.email,
          userId: 'U1',
          userStatus: 'ACTIVE',
        });
      } else {
        answers.push({
          ...base,
          resultStatus: outcome,
          ...(task.taskError ? { taskError: task.taskError } : {}),
        });
      }
    }
    return answers;
  }

  async start(_bundle: string, email: string): Promise<StartedTask[]> {
    this.startCalls.push(email);
    const fault = this.startFault(email);
    if (fault) throw fault;
    return this.bundleApps.map(({ app, tenantId }) => ({
      app,
      tenantId,
      taskId: this.addTask({ app, tenantId, email, ...this.startScript(email, app) }),
    }));
  }
}

const taskKey = (runId: string, taskId: string) => `${runId}\u0000${taskId}`;

/** Counts of what the store was asked to do: the use cases promise a bounded number of writes a cycle. */
interface StoreWrites {
  taskRecordWrites: number;
  runRecordPuts: number;
  runProgressWrites: number;
}

class FakeResultsStore implements ResultsStore {
  readonly records = new Map<string, TaskRecord>();
  readonly runs = new Map<string, RunRecord>();
  readonly writes: StoreWrites = { taskRecordWrites: 0, runRecordPuts: 0, runProgressWrites: 0 };
  /** Throws (or not) before a putTaskRecords call. */
  putFault: () => Error | undefined = () => undefined;

  async putTaskRecords(records: readonly TaskRecord[]): Promise<WriteReport> {
    const fault = this.putFault();
    if (fault) throw fault;
    const report: WriteReport = { written: 0, skipped: 0, writeRequests: 0, kept: [] };
    if (records.length > 0) report.writeRequests = Math.ceil(records.length / 25);
    for (const record of records) {
      const key = taskKey(record.runId, record.taskId);
      const stored = this.records.get(key)?.resultStatus;
      if (stored === record.resultStatus) {
        report.skipped += 1;
      } else if (stored && PollerStatuses.has(record.resultStatus) && AppFabricTerminalStatuses.has(stored)) {
        report.skipped += 1;
        report.kept.push({ taskId: record.taskId, resultStatus: stored as TerminalStatus });
      } else {
        this.records.set(key, structuredClone(record));
        this.writes.taskRecordWrites += 1;
        report.written += 1;
      }
    }
    return report;
  }

  async putRunRecord(run: RunRecord): Promise<void> {
    this.writes.runRecordPuts += 1;
    this.runs.set(run.runId, structuredClone(run));
  }

  async putRunProgress(progress: RunProgress): Promise<void> {
    const run = this.runs.get(progress.runId);
    if (run?.outcome !== 'RUNNING' || (run.cycle !== undefined && run.cycle >= progress.cycle)) return;
    this.writes.runProgressWrites += 1;
    this.runs.set(progress.runId, { ...run, ...structuredClone(progress) });
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    return run && structuredClone(run);
  }

  /** The records of one run, by task ID order. */
  recordsOf(runId: string): TaskRecord[] {
    return [...this.records.values()]
      .filter((r) => r.runId === runId)
      .sort((a, b) => (a.taskId < b.taskId ? -1 : 1));
  }
}

/**
 * RunHistory over the fake results store, with the DynamoDB adapter's contract: the newest `runs` SUCCEEDED
 * runs of the bundle, newest first, each run's AppFabric results as seconds from its start.
 */
class FakeRunHistory implements RunHistory {
  /** Throws (or not) before answering. */
  fault: () => Error | undefined = () => undefined;
  /** The bundles asked about, in call order. */
  readonly calls: string[] = [];
  constructor(private readonly results: FakeResultsStore) {}

  async recentFinishSeconds(
    bundle: string,
    limits: { runs: number; maxRecords: number },
  ): Promise<number[][]> {
    this.calls.push(bundle);
    const fault = this.fault();
    if (fault) throw fault;
    const runs = [...this.results.runs.values()]
      .filter((r) => r.appBundleIdentifier === bundle && r.outcome === 'SUCCEEDED')
      .sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1))
      .slice(0, limits.runs);
    let budget = limits.maxRecords;
    return runs.map((run) => {
      const records = this.results.recordsOf(run.runId).slice(0, Math.max(0, budget));
      budget -= records.length;
      return records
        .filter((r) => AppFabricTerminalStatuses.has(r.resultStatus))
        .map((r) => (Date.parse(r.recordedAt) - Date.parse(run.startedAt)) / 1000);
    });
  }
}

class FakeRunStateStore implements RunStateStore {
  readonly states = new Map<string, RunState>();
  saves = 0;

  async load(runId: string): Promise<RunState | undefined> {
    const state = this.states.get(runId);
    return state && structuredClone(state);
  }

  async save(state: RunState, expectedCycle: number | undefined): Promise<void> {
    const stored = this.states.get(state.runId);
    if (expectedCycle === undefined ? stored !== undefined : stored?.cycle !== expectedCycle) {
      throw new RunStateConflictError(`run ${state.runId}: the run state moved`);
    }
    this.saves += 1;
    this.states.set(state.runId, structuredClone(state));
  }
}

class FakeStartLedger implements StartLedger {
  readonly records = new Map<string, StartRecord>();

  async get(runId: string, emailHash: string): Promise<StartRecord | undefined> {
    const record = this.records.get(taskKey(runId, emailHash));
    return record && structuredClone(record);
  }

  async claim(record: StartRecord): Promise<boolean> {
    const key = taskKey(record.runId, record.emailHash);
    if (this.records.has(key)) return false;
    this.records.set(key, structuredClone(record));
    return true;
  }

  async put(record: StartRecord, options: { ifState?: StartRecord['state'] } = {}): Promise<boolean> {
    const key = taskKey(record.runId, record.emailHash);
    if (options.ifState && this.records.get(key)?.state !== options.ifState) return false;
    this.records.set(key, structuredClone(record));
    return true;
  }

  async remove(runId: string, emailHash: string): Promise<void> {
    this.records.delete(taskKey(runId, emailHash));
  }
}

/** Settings for unit tests: every field explicit. */
function fakeSettings(overrides: Partial<RuntimeSettings> = {}): RuntimeSettings {
  return {
    tableName: 'fake',
    defaultAppBundleIdentifier: FAKE_BUNDLE,
    minWaitSeconds: 10,
    maxWaitSeconds: 300,
    deadlineSeconds: 3600,
    notFoundAfterMisses: 3,
    retentionDays: 30,
    maxCycles: 100,
    batchGetConcurrency: 4,
    ...overrides,
  };
}

export interface FakeWorld {
  gateway: FakeGateway;
  results: FakeResultsStore;
  runState: FakeRunStateStore;
  ledger: FakeStartLedger;
  history: FakeRunHistory;
  clock: TestClock;
  log: RecordingLog;
  deps: PollerDeps;
  starter: StartTasksForEmails;
  starterWith(overrides: Partial<EmailStartDeps>): StartTasksForEmails;
}

export function fakeWorld(settings: Partial<RuntimeSettings> = {}): FakeWorld {
  const gateway = new FakeGateway();
  const results = new FakeResultsStore();
  const runState = new FakeRunStateStore();
  const ledger = new FakeStartLedger();
  const clock = makeClock();
  const log = recordingLog();
  const all = fakeSettings(settings);
  const history = new FakeRunHistory(results);
  const deps: PollerDeps = { gateway, results, runState, history, settings: all, now: clock.now, log };
  const starterDeps: EmailStartDeps = {
    gateway,
    ledger,
    log,
    now: clock.now,
    retentionDays: all.retentionDays,
  };
  return {
    gateway,
    results,
    runState,
    ledger,
    history,
    clock,
    log,
    deps,
    starter: makeStartTasksForEmails(starterDeps),
    starterWith: (overrides) => makeStartTasksForEmails({ ...starterDeps, ...overrides }),
  };
}
