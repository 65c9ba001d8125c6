/**
 * Runs larger than one poll execution can hold (Limits.maxTasksPerRun task IDs, a 256 KiB input): the
 * task IDs sit in an S3 object, a Distributed Map reads it, cuts it into batches and runs the poll state
 * machine once per batch. Design, limits and costs: docs/scale.md.
 */
import { ArnFormat, Duration, FeatureFlags, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { Limits, PARENT_EXECUTION_ID_FIELD } from '../lambda/contract/limits';
import { ErrorNames } from '../lambda/contract/workflow';
import { parseExecutionInput } from '../lambda/core/input';
import { acknowledgeWildcardResource } from './nag';

/** Bounds of the batching and fan-out settings. */
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

export { PARENT_EXECUTION_ID_FIELD };

/**
 * Whether the poll workflow accepts `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` in its input: its Start
 * state hands the whole input to the function, whose input check refuses fields it does not know. The
 * stack associates child executions with their parent only when this is true, so a child never fails on
 * the association field.
 */
export function pollInputAcceptsParentExecutionId(): boolean {
  try {
    parseExecutionInput(
      {
        taskIdList: ['00000000-0000-4000-8000-000000000000'],
        [PARENT_EXECUTION_ID_FIELD]: 'arn:aws:states:us-east-1:000000000000:execution:large-run:parent',
      },
      { appBundleIdentifier: '00000000-0000-4000-8000-000000000001', minWaitSeconds: 1 },
    );
    return true;
  } catch {
    return false;
  }
}

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

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** The poll workflow's own defaults, applied before the children start so every child gets the same. */
export interface PollDefaults {
  /** App bundle of runs whose input names none (the poller function's default). */
  readonly appBundleIdentifier?: string;
  /** Shortest wait of the poll workflow: the lower bound of `maxWaitSeconds` in an input. */
  readonly minWaitSeconds: number;
  /** `maxWaitSeconds` of runs whose input gives none. */
  readonly maxWaitSeconds: number;
}

export interface LargeRunWorkflowProps {
  /** The poll state machine each batch runs on (started with `states:startExecution.sync:2`). */
  readonly pollStateMachine: sfn.IStateMachine;
  /** The poll workflow's defaults (the deployment settings). */
  readonly pollDefaults: PollDefaults;
  /**
   * Timeout of the poll state machine. Each child's StartExecution task times out 15 minutes after it,
   * a backstop should the completion of a child never arrive.
   *
   * @default - the task has no timeout of its own; the child's timeout ends it
   */
  readonly pollTimeout?: Duration;
  /**
   * Task IDs of one child poll execution (ItemBatcher MaxItemsPerBatch), 1 to 5,000.
   *
   * @default 5000
   */
  readonly maxItemsPerBatch?: number;
  /**
   * Child poll executions running at once (Distributed Map MaxConcurrency), 1 to 10,000. Each running
   * child polls AppFabric and invokes the poller function on its own schedule.
   *
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * Percentage of task IDs in failed children the run tolerates before the Map Run (and the execution)
   * fails, 0 to 100. A failed child counts all the IDs of its batch.
   *
   * @default 0 - the first failed child fails the run, and the children still running are stopped
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Pass `AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID` to each child poll execution, which links it to
   * the map child that started it in the console. Only when the poll workflow's input check accepts
   * that field (see {@link pollInputAcceptsParentExecutionId}): otherwise every child fails at Start.
   *
   * @default true
   */
  readonly associateWithParent?: boolean;
  /**
   * How long `input/` objects are kept.
   *
   * @default Duration.days(90)
   */
  readonly inputExpiration?: Duration;
  /**
   * How long `results/` objects (Map Run result files) are kept.
   *
   * @default Duration.days(365); `null` keeps them
   */
  readonly resultsExpiration?: Duration | null;
  /**
   * Bucket that receives the server access logs of the large-run bucket.
   *
   * @default - no server access logs (acknowledged: see the AwsSolutions-S1 reason)
   */
  readonly serverAccessLogsBucket?: s3.IBucket;
  /**
   * What happens to the bucket and the log group when they leave the stack. A bucket is only deleted
   * when empty.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * How long the execution logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Input `{ key, bucket?, appBundleIdentifier?, maxWaitSeconds? }`; `key` names an object under `input/`
 * of this construct's bucket (`bucket`, when given, must be that bucket):
 *
 * Defaults → ApplyDefaults → CheckInput ─ .json → PollJsonList ─┐
 *                                       ├ .csv  → PollCsvList  ─┼→ Done
 *                                       ├ .txt  → PollLineList ─┘
 *                                       └ anything else → Invalid* (Fail, InvalidInputError)
 *
 * Each Poll*List is a Distributed Map: ItemReader `s3:getObject`, ItemBatcher (MaxItemsPerBatch,
 * BatchInput `{ appBundleIdentifier, maxWaitSeconds }`), and an item processor that starts the poll
 * state machine with `{ appBundleIdentifier, taskIdList, maxWaitSeconds }` and waits for it
 * (`states:startExecution.sync:2`), keeping `{ runId, executionArn, counts, cycles }`. The results go to
 * `results/` in the bucket (ResultWriter), so the output stays small whatever the number of children.
 */
export class LargeRunWorkflow extends Construct {
  /** The bucket of the task ID lists (`input/`) and the Map Run results (`results/`). */
  public readonly bucket: s3.Bucket;
  /** The large-run state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** Its execution log group (level ALL, without execution data). */
  public readonly logGroup: logs.LogGroup;
  /** Whether children are linked to their parent (`AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID`). */
  public readonly associateWithParent: boolean;

  constructor(scope: Construct, id: string, props: LargeRunWorkflowProps) {
    super(scope, id);
    if (!FeatureFlags.of(this).isEnabled(STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2)) {
      throw new Error(
        `LargeRunWorkflow needs the feature flag "${STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2}" ` +
          '(cdk.json): without it the ResultWriter is dropped and a large output overflows 256 KiB',
      );
    }
    const maxItemsPerBatch = props.maxItemsPerBatch ?? LARGE_RUN_DEFAULTS.maxItemsPerBatch;
    const maxConcurrency = props.maxConcurrency ?? LARGE_RUN_DEFAULTS.maxConcurrency;
    const tolerated = props.toleratedFailurePercentage ?? LARGE_RUN_DEFAULTS.toleratedFailurePercentage;
    checkInteger('maxItemsPerBatch', maxItemsPerBatch, 1, LargeRunLimits.maxItemsPerBatch);
    checkInteger('maxConcurrency', maxConcurrency, 1, LargeRunLimits.maxConcurrency);
    if (!Number.isFinite(tolerated) || tolerated < 0 || tolerated > 100) {
      throw new RangeError(`toleratedFailurePercentage must be from 0 to 100, got ${tolerated}`);
    }
    const { pollDefaults } = props;
    checkInteger('pollDefaults.minWaitSeconds', pollDefaults.minWaitSeconds, 1, 3600);
    checkInteger(
      'pollDefaults.maxWaitSeconds',
      pollDefaults.maxWaitSeconds,
      pollDefaults.minWaitSeconds,
      3600,
    );
    this.associateWithParent = props.associateWithParent ?? true;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.bucket = this.createBucket(props, removalPolicy);
    const inputObjects = this.bucket.arnForObjects(`${LargeRunPrefixes.input}*`);
    const resultObjects = this.bucket.arnForObjects(`${LargeRunPrefixes.results}*`);

    // Defaults first, then the execution input over them: every field the children need is present.
    const defaults = sfn.Pass.jsonPath(this, LargeRunStateNames.Defaults, {
      comment: 'The bucket and the poll workflow defaults',
      parameters: {
        defaults: {
          bucket: this.bucket.bucketName,
          maxWaitSeconds: pollDefaults.maxWaitSeconds,
          ...(pollDefaults.appBundleIdentifier === undefined
            ? {}
            : { appBundleIdentifier: pollDefaults.appBundleIdentifier }),
        },
      },
    });
    const applyDefaults = sfn.Pass.jsonPath(this, LargeRunStateNames.ApplyDefaults, {
      comment: 'The execution input laid over the defaults',
      parameters: { 'run.$': 'States.JsonMerge($.defaults, $$.Execution.Input, false)' },
      outputPath: '$.run',
    });

    const invalid = (name: string, cause: string) =>
      sfn.Fail.jsonPath(this, name, { error: ErrorNames.InvalidInput, cause });
    const suffixes = Object.values(LargeRunFormats)
      .map((f) => f.suffix)
      .join(', ');
    const invalidKey = invalid(
      LargeRunStateNames.InvalidKey,
      `"key" must name an object under "${LargeRunPrefixes.input}" ending in ${suffixes} ` +
        '(a JSON array of task IDs, a CSV file with a "taskId" column, or one task ID per line)',
    );
    const invalidBucket = invalid(
      LargeRunStateNames.InvalidBucket,
      '"bucket", when given, must be the large-run bucket of this stack (output LargeRunBucketName)',
    );
    const invalidMaxWait = invalid(
      LargeRunStateNames.InvalidMaxWait,
      `"maxWaitSeconds" must be a whole number from ${pollDefaults.minWaitSeconds} to 3600`,
    );

    const maps = (Object.keys(LargeRunFormats) as (keyof typeof LargeRunFormats)[]).map((format) =>
      this.distributedMap(format, {
        props,
        maxItemsPerBatch,
        maxConcurrency,
        tolerated,
        inputObjects,
        resultObjects,
      }),
    );
    const done = sfn.Succeed.jsonPath(this, LargeRunStateNames.Done, {
      comment: 'Every batch ran; the results are in the bucket (results/<map run id>/manifest.json)',
    });
    for (const map of maps) map.next(done);
    const [json, csv, lines] = maps;

    const C = sfn.Condition;
    let check = sfn.Choice.jsonPath(this, LargeRunStateNames.CheckInput, {
      comment: 'Checks the input before any child starts; picks the reader by the key suffix',
    })
      // Choice rules are tried in order, so a later rule never sees a value an earlier one refused.
      .when(C.not(C.isPresent('$.key')), invalidKey)
      .when(C.not(C.isString('$.key')), invalidKey)
      .when(C.not(C.stringMatches('$.key', `${LargeRunPrefixes.input}*`)), invalidKey)
      .when(C.not(C.stringEquals('$.bucket', this.bucket.bucketName)), invalidBucket);
    if (pollDefaults.appBundleIdentifier === undefined) {
      check = check.when(
        C.not(C.isPresent('$.appBundleIdentifier')),
        invalid(
          LargeRunStateNames.MissingAppBundle,
          '"appBundleIdentifier" is required: no default app bundle is configured',
        ),
      );
    }
    check = check
      .when(C.not(C.isNumeric('$.maxWaitSeconds')), invalidMaxWait)
      .when(C.numberLessThan('$.maxWaitSeconds', pollDefaults.minWaitSeconds), invalidMaxWait)
      .when(C.numberGreaterThan('$.maxWaitSeconds', 3600), invalidMaxWait)
      .when(C.stringMatches('$.key', `*${LargeRunFormats.json.suffix}`), json)
      .when(C.stringMatches('$.key', `*${LargeRunFormats.csv.suffix}`), csv)
      .when(C.stringMatches('$.key', `*${LargeRunFormats.lines.suffix}`), lines)
      .otherwise(invalidKey);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment:
        'Polls AppFabric user access tasks listed in an S3 object: one poll execution per batch of IDs',
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSON_PATH,
      definitionBody: sfn.DefinitionBody.fromChainable(defaults.next(applyDefaults).next(check)),
      tracingEnabled: true,
      // Map Run children are executions of this state machine and log here too: events, never data.
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });

    this.acknowledgeFindings(props.pollStateMachine, inputObjects, resultObjects);
  }

  private createBucket(props: LargeRunWorkflowProps, removalPolicy: RemovalPolicy): s3.Bucket {
    const resultsExpiration =
      props.resultsExpiration === undefined ? Duration.days(365) : props.resultsExpiration;
    const bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      removalPolicy,
      serverAccessLogsBucket: props.serverAccessLogsBucket,
      serverAccessLogsPrefix: props.serverAccessLogsBucket ? 'large-run-bucket/' : undefined,
      lifecycleRules: [
        {
          id: 'ExpireInput',
          prefix: LargeRunPrefixes.input,
          expiration: props.inputExpiration ?? Duration.days(90),
        },
        ...(resultsExpiration === null
          ? []
          : [{ id: 'ExpireResults', prefix: LargeRunPrefixes.results, expiration: resultsExpiration }]),
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    if (!props.serverAccessLogsBucket) {
      Validations.of(bucket).acknowledge({
        id: 'AwsSolutions-S1',
        reason:
          'The bucket holds task ID lists (UUIDs, no personal data) under input/ and Map Run result files ' +
          '(counts, execution ARNs) under results/, read and written only by this state machine and by ' +
          'operators; who starts a run is recorded by CloudTrail (StartExecution) and the execution history. ' +
          'A log bucket would itself need this acknowledgement; pass serverAccessLogsBucket to LargeRunWorkflow ' +
          'to log object access.',
      });
    }
    return bucket;
  }

  private distributedMap(
    format: keyof typeof LargeRunFormats,
    o: {
      props: LargeRunWorkflowProps;
      maxItemsPerBatch: number;
      maxConcurrency: number;
      tolerated: number;
      inputObjects: string;
      resultObjects: string;
    },
  ): sfn.DistributedMap {
    const names = LargeRunFormats[format];
    const key = sfn.JsonPath.stringAt('$.key');
    const reader =
      format === 'json'
        ? new sfn.S3JsonItemReader({ bucket: this.bucket, key })
        : new sfn.S3CsvItemReader({
            bucket: this.bucket,
            key,
            csvHeaders:
              format === 'csv' ? sfn.CsvHeaders.useFirstRow() : sfn.CsvHeaders.use([TASK_ID_COLUMN]),
          });

    const map = sfn.DistributedMap.jsonPath(this, names.mapState, {
      comment: `Reads the ${names.suffix} list and runs the poll state machine once per batch of IDs`,
      label: names.label,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      itemReader: new ObjectsScopedItemReader(reader, o.inputObjects),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: o.maxItemsPerBatch,
        maxInputBytesPerBatch: LargeRunLimits.maxInputBytesPerBatch,
        batchInput: {
          'appBundleIdentifier.$': '$.appBundleIdentifier',
          'maxWaitSeconds.$': '$.maxWaitSeconds',
        },
      }),
      maxConcurrency: o.maxConcurrency,
      toleratedFailurePercentage: o.tolerated,
      resultWriterV2: new ObjectsScopedResultWriter(
        { bucket: this.bucket, prefix: LargeRunPrefixes.results.replace(/\/$/, '') },
        o.resultObjects,
      ),
      resultSelector: {
        'mapRunArn.$': '$.MapRunArn',
        'results.$': '$.ResultWriterDetails',
      },
    });

    // A batch is { Items: [...], BatchInput: {...} }. JSON items are the ID strings; CSV and line items are
    // objects { taskId } (the column), whose IDs a wildcard path collects into an array.
    const taskIdList =
      format === 'json'
        ? sfn.JsonPath.listAt('$.Items')
        : sfn.JsonPath.listAt(`$.Items[*].${TASK_ID_COLUMN}`);
    const start = new tasks.StepFunctionsStartExecution(this, names.startState, {
      comment: 'Runs the poll state machine on this batch and waits for it to end',
      stateMachine: o.props.pollStateMachine,
      integrationPattern: sfn.IntegrationPattern.RUN_JOB,
      associateWithParent: this.associateWithParent,
      input: sfn.TaskInput.fromObject({
        appBundleIdentifier: sfn.JsonPath.stringAt('$.BatchInput.appBundleIdentifier'),
        taskIdList,
        maxWaitSeconds: sfn.JsonPath.numberAt('$.BatchInput.maxWaitSeconds'),
      }),
      // Only what the run summary holds: the Map Run's result files stay small.
      resultSelector: {
        runId: sfn.JsonPath.stringAt('$.Output.runId'),
        executionArn: sfn.JsonPath.stringAt('$.ExecutionArn'),
        counts: sfn.JsonPath.objectAt('$.Output.counts'),
        cycles: sfn.JsonPath.numberAt('$.Output.cycles'),
      },
      taskTimeout:
        o.props.pollTimeout === undefined
          ? undefined
          : sfn.Timeout.duration(o.props.pollTimeout.plus(Duration.minutes(15))),
    });
    // Only errors raised before the child starts: a child that ran and failed is never started again here
    // (its batch is a failed item, redriven with the parent).
    start.addRetry({
      errors: ['StepFunctions.ExecutionLimitExceeded'],
      interval: Duration.seconds(5),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(120),
      jitterStrategy: sfn.JitterType.FULL,
    });
    map.itemProcessor(start);
    return map;
  }

  private acknowledgeFindings(pollStateMachine: sfn.IStateMachine, inputObjects: string, results: string) {
    const role = this.stateMachine.role;
    const stack = Stack.of(this);
    acknowledgeWildcardResource(
      role,
      inputObjects,
      "s3:GetObject only, on the input/ prefix of this construct's bucket: the ItemReader reads the task ID " +
        'list an execution names by key, which is only known at run time.',
    );
    acknowledgeWildcardResource(
      role,
      results,
      "s3:PutObject, GetObject, ListMultipartUploadParts and AbortMultipartUpload on the results/ prefix of this construct's " +
        'bucket only: the ResultWriter writes results/<map run id>/*, a name chosen by Step Functions at run time.',
    );
    acknowledgeWildcardResource(
      role,
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: `${stack.splitArn(pollStateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}*`,
      }),
      'states:DescribeExecution and StopExecution on the executions of the poll state machine only (their names ' +
        'are generated at run time): startExecution.sync:2 follows each child run and stops it when its map child stops.',
    );
    const ownExecutions = (suffix: string) =>
      stack.formatArn({
        service: 'states',
        resource: 'execution',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        // As the CDK's grant names it: the name split from the ARN, not the Name attribute.
        resourceName: `${stack.splitArn(this.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName}${suffix}`,
      });
    acknowledgeWildcardResource(
      this.stateMachine,
      ownExecutions(':*'),
      'states:DescribeExecution and StopExecution on the executions of this state machine only: the Distributed ' +
        'Map (CDK DistributedMapPolicy) follows and stops its own Map Run child executions, named at run time.',
    );
    for (const { label } of Object.values(LargeRunFormats)) {
      acknowledgeWildcardResource(
        this.stateMachine,
        ownExecutions(`/${label}:*`),
        `states:RedriveExecution on the Map Run child executions of the ${label} Distributed Map of this state ` +
          'machine only (CDK DistributedMapPolicy): redriving a run redrives its failed children, named at run time.',
      );
    }
    acknowledgeWildcardResource(
      role,
      '*',
      'Only for actions without resource-level permissions: X-Ray tracing (xray:PutTraceSegments, ' +
        'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets) and CloudWatch Logs vended delivery ' +
        '(logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
        'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) that tracing and execution logging need.',
    );
  }
}

/** An ItemReader whose IAM statement names the objects it may read (the CDK's names the whole bucket). */
class ObjectsScopedItemReader implements sfn.IItemReader {
  constructor(
    private readonly inner: sfn.IItemReader,
    private readonly objectsArn: string,
  ) {}
  get bucket(): s3.IBucket {
    return this.inner.bucket;
  }
  get bucketNamePath(): string | undefined {
    return this.inner.bucketNamePath;
  }
  get resource(): string {
    return this.inner.resource;
  }
  get maxItems(): number | undefined {
    return this.inner.maxItems;
  }
  render(queryLanguage?: sfn.QueryLanguage): unknown {
    return this.inner.render(queryLanguage);
  }
  providePolicyStatements(): iam.PolicyStatement[] {
    return [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [this.objectsArn] })];
  }
  validateItemReader(): string[] {
    return this.inner.validateItemReader();
  }
}

/** A ResultWriter whose IAM statement names the objects it may write (the CDK's names the whole bucket). */
class ObjectsScopedResultWriter extends sfn.ResultWriterV2 {
  constructor(
    props: sfn.ResultWriterV2Props,
    private readonly objectsArn: string,
  ) {
    super(props);
  }
  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        resources: [this.objectsArn],
      }),
    ];
  }
}
