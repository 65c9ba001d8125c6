/**
 * What the polling-core suites share (poller-core, poller-errors): one set of real parts for the file
 * (the stand-in over HTTP, dynalite, the real adapters), reset before every test, and the ways they
 * start runs.
 */
import { startRun } from '../../lambda/core/start';
import type { TaskScript } from '../../local/appfabric-standin';
import { BUNDLE_ARN, type Parts, startParts } from './parts';

/** The file's parts (set by {@link useParts}). */
export let parts: Parts;

/** Starts the parts for the file, resets them before every test, closes them at the end. */
export function useParts(): void {
  beforeAll(async () => {
    parts = await startParts();
  });
  afterAll(async () => {
    await parts.close();
  });
  beforeEach(() => {
    parts.reset();
  });
}

export const addTask = (script: TaskScript = {}): string => parts.standIn.addTask(BUNDLE_ARN, script);
export const addTasks = (n: number, script: TaskScript = {}): string[] =>
  Array.from({ length: n }, () => addTask(script));

/** Starts a run as the state machine does: execution name, start time, input. */
export const start = (runId: string, input: unknown, deps = parts.deps) =>
  startRun({ runId, startedAt: parts.clock.iso(), input }, deps, parts.starter);
