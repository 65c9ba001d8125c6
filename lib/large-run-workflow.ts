/**
 * Runs larger than one poll execution can hold (Limits.maxTasksPerRun task IDs, a 256 KiB input): the
 * task IDs sit in an S3 object, a Distributed Map reads it, cuts it into batches and runs the poll state
 * machine once per batch. Design, limits and costs: docs/scale.md.
 */
import { Duration, FeatureFlags, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2 } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { MAX_WAIT_LIMIT_SECONDS } from '../lambda/contract/settings';
import { ErrorNames } from '../lambda/contract/workflow';
import { createLargeRunBucket } from './large-run/bucket';
import { acknowledgeLargeRunFindings } from './large-run/nag';
import {
  LARGE_RUN_DEFAULTS,
  LargeRunFormats,
  LargeRunLimits,
  LargeRunPrefixes,
  LargeRunStateNames,
  TASK_ID_COLUMN,
} from './large-run/names';
import { pollInputAcceptsParentExecutionId } from './large-run/parent-association';
import { checkInteger } from './large-run/plan';
import { ObjectsScopedItemReader, ObjectsScopedResultWriter } from './large-run/scoped-s3';

export * from './large-run/names';
export { planLargeRun } from './large-run/plan';
export { pollInputAcceptsParentExecutionId };

/** The poll workflow's own defaults, applied before the children start so every child gets the same. */
interface PollDefaults {
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
   * @default - whether pollInputAcceptsParentExecutionId()
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
  /**
   * Name of the execution log group, under `/aws/vendedlogs/states/` as AWS advises.
   *
   * @default `/aws/vendedlogs/states/<stack name>-large-run`
   */
  readonly logGroupName?: string;
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
    checkInteger('pollDefaults.minWaitSeconds', pollDefaults.minWaitSeconds, 1, MAX_WAIT_LIMIT_SECONDS);
    checkInteger(
      'pollDefaults.maxWaitSeconds',
      pollDefaults.maxWaitSeconds,
      pollDefaults.minWaitSeconds,
      MAX_WAIT_LIMIT_SECONDS,
    );
    // Linking children to their parent adds a field the poll workflow's input check must accept.
    this.associateWithParent = props.associateWithParent ?? pollInputAcceptsParentExecutionId();
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.bucket = createLargeRunBucket(this, props, removalPolicy);
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
      `"maxWaitSeconds" must be a whole number from ${pollDefaults.minWaitSeconds} to ${MAX_WAIT_LIMIT_SECONDS}`,
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
      .when(C.numberGreaterThan('$.maxWaitSeconds', MAX_WAIT_LIMIT_SECONDS), invalidMaxWait)
      .when(C.stringMatches('$.key', `*${LargeRunFormats.json.suffix}`), json)
      .when(C.stringMatches('$.key', `*${LargeRunFormats.csv.suffix}`), csv)
      .when(C.stringMatches('$.key', `*${LargeRunFormats.lines.suffix}`), lines)
      .otherwise(invalidKey);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: props.logGroupName ?? `/aws/vendedlogs/states/${Stack.of(this).stackName}-large-run`,
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

    acknowledgeLargeRunFindings(this.stateMachine, props.pollStateMachine, inputObjects, resultObjects);
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
}
