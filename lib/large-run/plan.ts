/** Capacity planning of large runs: pure arithmetic, for docs/scale.md and the construct's checks. */
import { LARGE_RUN_DEFAULTS, LargeRunLimits } from './names';

/** What a large run turns into: its child poll executions and how many rounds they run in. */
export interface LargeRunPlan {
  /** Child poll executions (map children), at least: the byte cap may split batches further. */
  readonly children: number;
  /** Rounds of at most `maxConcurrency` children: the run lasts about this many child run times. */
  readonly waves: number;
  /** Task IDs of the largest child. */
  readonly largestBatch: number;
}

/** The batches and rounds of a run of `taskIds` IDs (pure arithmetic, for docs and capacity planning). */
export function planLargeRun(
  taskIds: number,
  options: { maxItemsPerBatch?: number; maxConcurrency?: number } = {},
): LargeRunPlan {
  const batch = options.maxItemsPerBatch ?? LARGE_RUN_DEFAULTS.maxItemsPerBatch;
  const concurrency = options.maxConcurrency ?? LARGE_RUN_DEFAULTS.maxConcurrency;
  if (!Number.isSafeInteger(taskIds) || taskIds < 0) throw new RangeError('taskIds must be a whole number');
  checkInteger('maxItemsPerBatch', batch, 1, LargeRunLimits.maxItemsPerBatch);
  checkInteger('maxConcurrency', concurrency, 1, LargeRunLimits.maxConcurrency);
  const children = Math.ceil(taskIds / batch);
  return { children, waves: Math.ceil(children / concurrency), largestBatch: Math.min(taskIds, batch) };
}

export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
