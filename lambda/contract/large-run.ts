/** Bounds of the large-run path (docs/scale.md), read by its settings and its construct. */
import { Limits } from './limits';

export const LargeRunLimits = {
  /**
   * Most task IDs one child poll execution gets. Far below Limits.maxTasksPerRun (10,000) and the
   * ~6,600 UUIDs that fit a 256 KiB execution input, so the child input and its Start payload keep room.
   */
  maxItemsPerBatch: Math.min(5_000, Limits.maxTasksPerRun),
  /**
   * Bytes of one batch (the `Items` and `BatchInput` a map child receives). A batch of 5,000 IDs from a
   * JSON array is about 195,000 bytes; this cap splits batches whose items are larger (CSV rows with
   * more columns) before they reach the 256 KiB limit of an execution input.
   */
  maxInputBytesPerBatch: 200 * 1024,
  /** Most child executions a Distributed Map runs at once (a Step Functions limit). */
  maxConcurrency: 10_000,
} as const;
