/**
 * Names and defaults of the large-run workflow (docs/scale.md): bucket prefixes, object formats, state
 * names and stack outputs. Its bounds are in lambda/contract/large-run.ts, shared with the settings.
 */
import { LargeRunLimits } from '../../lambda/contract/large-run';

export { LargeRunLimits };

/** Defaults of the construct's fan-out settings. */
export const LARGE_RUN_DEFAULTS = {
  maxItemsPerBatch: LargeRunLimits.maxItemsPerBatch,
  maxConcurrency: 10,
  toleratedFailurePercentage: 0,
} as const;

/** Key prefixes of the large-run bucket. The state machine may read `input/` and write `results/` only. */
export const LargeRunPrefixes = {
  /** Task ID lists: `input/<name>.json`, `.csv` or `.txt`. */
  input: 'input/',
  /** Map Run results written by the ResultWriter: `results/<map run id>/manifest.json` and files. */
  results: 'results/',
} as const;

/**
 * The object formats, chosen by the key's suffix:
 * - `.json`: a JSON array of task ID strings; each item is an ID.
 * - `.csv`: a CSV file whose first row names its columns, one of them `taskId`; other columns are ignored.
 * - `.txt`: one task ID per line, no header.
 */
export const LargeRunFormats = {
  json: { suffix: '.json', label: 'JsonTaskIds', mapState: 'PollJsonList', startState: 'StartPollRunJson' },
  csv: { suffix: '.csv', label: 'CsvTaskIds', mapState: 'PollCsvList', startState: 'StartPollRunCsv' },
  lines: { suffix: '.txt', label: 'LineTaskIds', mapState: 'PollLineList', startState: 'StartPollRunLines' },
} as const;

/** The column of a `.csv` object holding the task IDs (and the name given to a `.txt` line). */
export const TASK_ID_COLUMN = 'taskId';

/** Names of the states of the large-run state machine (outside the item processors). */
export const LargeRunStateNames = {
  Defaults: 'Defaults',
  ApplyDefaults: 'ApplyDefaults',
  CheckInput: 'CheckInput',
  InvalidKey: 'InvalidKey',
  InvalidBucket: 'InvalidBucket',
  MissingAppBundle: 'MissingAppBundle',
  InvalidMaxWait: 'InvalidMaxWait',
  Done: 'Done',
} as const;

/** Output IDs of the stack when large runs are enabled. */
export const LargeRunOutputs = {
  bucketName: 'LargeRunBucketName',
  stateMachineArn: 'LargeRunStateMachineArn',
} as const;
