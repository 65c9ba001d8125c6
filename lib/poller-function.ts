import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { UUID_PATTERN } from '../lambda/contract/limits';
import { EnvNames, RUNTIME_SETTING_KEYS } from '../lambda/contract/settings';
import { MetricNames, SERVICE_NAME } from '../lambda/contract/stack';
import { TableSchema } from '../lambda/contract/table';
import type { PollerSettings } from './config';
import { acknowledgeWildcardResource } from './nag';

/** Root of the project (where package-lock.json and lambda/ are). */
export const PROJECT_ROOT = path.join(__dirname, '..');

/** The function's code: `lambda/handler.ts`, export `handler`. */
export const HANDLER_ENTRY = path.join(PROJECT_ROOT, 'lambda', 'handler.ts');

/**
 * How the function is bundled, in esbuild's terms: shared by the construct, the bundle test and the
 * benchmark, so what they measure is what deploys.
 */
export const POLLER_BUNDLE = {
  /** The runtime's Node.js version. */
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  keepNames: true,
  // ES module builds first: esbuild drops what the SDK's packages export but the code never uses.
  mainFields: ['module', 'main'],
  // Bundle @aws-sdk/* and @smithy/* too: the runtime's copy is not the pinned one, and has no
  // AppFabric client in the shape this code expects.
  external: [] as string[],
  // In Lambda credentials come from the environment: the rest of the default chain stays out.
  alias: { '@aws-sdk/credential-provider-node': './lambda/lambda-credentials.ts' },
} as const;

/** The Powertools service name of the function: one constant, in the contract the handler reads too. */
export { SERVICE_NAME };

/** The AppFabric actions the function calls. */
export const APPFABRIC_ACTIONS = [
  'appfabric:BatchGetUserAccessTasks',
  'appfabric:StartUserAccessTasks',
] as const;

/**
 * The DynamoDB actions the function needs on its table, and nothing more: the runtime sends Get, Put,
 * Update (the run record's live counts), Delete (a start claim released after a failed
 * StartUserAccessTasks), BatchGet and BatchWrite. It never scans; its queries are in QUERY_ACTIONS.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
] as const;

/**
 * What Start reads of earlier runs (the wait policy's history): Query, on the table (a run's task records)
 * and on the runsByStart index only (QUERY_INDEXES), no other index.
 */
export const QUERY_ACTIONS = ['dynamodb:Query'] as const;
const QUERY_INDEXES = [TableSchema.indexes.runsByStart.indexName] as const;

/**
 * The IAM resource of an app bundle: the ARN as given, the ARN of a UUID in this stack's partition,
 * region and account, or every app bundle of this account and region when none is configured.
 */
function appBundleResourceArn(scope: Construct, identifier: string | undefined): string {
  if (identifier !== undefined && !UUID_PATTERN.test(identifier)) return identifier;
  return Stack.of(scope).formatArn({
    service: 'appfabric',
    resource: 'appbundle',
    resourceName: identifier ?? '*',
  });
}

/**
 * The runtime settings of the function as the environment variables it reads (names in `EnvNames`):
 * the same values deployed and in a local run. `tableName` may be a token.
 */
export function pollerEnvironment(settings: PollerSettings, tableName: string): Record<string, string> {
  const environment: Record<string, string> = { [EnvNames.tableName]: tableName };
  for (const key of RUNTIME_SETTING_KEYS) {
    const value = settings[key];
    if (value !== undefined) environment[EnvNames[key]] = String(value);
  }
  return environment;
}

export interface PollerFunctionProps {
  /** The results table the function reads and writes. */
  readonly table: dynamodb.ITable;
  /** The deployment settings: waits, deadline, app bundle, retention, log level, concurrency. */
  readonly settings: PollerSettings;
  /**
   * The handler file.
   *
   * @default HANDLER_ENTRY (`lambda/handler.ts`)
   */
  readonly entry?: string;
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Function timeout. One action makes at most a few AppFabric calls and DynamoDB batches.
   *
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Memory of the function, in MB.
   *
   * @default 512
   */
  readonly memorySize?: number;
}

/**
 * The poller function: one Node.js function serving the three actions of the state machine
 * (start, poll, fail), bundled with esbuild including its own AWS SDK and AppFabric client.
 */
export class PollerFunction extends Construct {
  /** The function. */
  public readonly lambdaFunction: nodejs.NodejsFunction;
  /** Its execution role: logs, AppFabric on the app bundle, TABLE_ACTIONS and QUERY_ACTIONS on the table. */
  public readonly role: iam.Role;
  /** Its log group. */
  public readonly logGroup: logs.LogGroup;
  /** The app bundle resource its AppFabric permissions name (`appbundle/*` when none is configured). */
  public readonly appBundleResourceArn: string;

  constructor(scope: Construct, id: string, props: PollerFunctionProps) {
    super(scope, id);
    const { settings, table } = props;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
      removalPolicy: settings.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    // An explicit role, so no AWS managed policy (AWSLambdaBasicExecutionRole) with log:* on every group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'AppFabric access poller function: its log group, AppFabric tasks, its results table',
    });
    this.logGroup.grantWrite(this.role);

    this.appBundleResourceArn = appBundleResourceArn(this, settings.appBundleIdentifier);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...APPFABRIC_ACTIONS], resources: [this.appBundleResourceArn] }),
    );
    if (settings.appBundleIdentifier === undefined) {
      acknowledgeWildcardResource(
        this.role,
        this.appBundleResourceArn,
        'No app bundle is configured (setting appBundleIdentifier), so each execution names its own: the ' +
          'function may call BatchGetUserAccessTasks and StartUserAccessTasks on the app bundles of this ' +
          'account and region only (appbundle/*), no other AppFabric action or resource. Set ' +
          'appBundleIdentifier to scope it to one app bundle.',
      );
    }
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...TABLE_ACTIONS], resources: [table.tableArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [...QUERY_ACTIONS],
        resources: [table.tableArn, ...QUERY_INDEXES.map((name) => `${table.tableArn}/index/${name}`)],
      }),
    );
    acknowledgeWildcardResource(
      this.role,
      '*',
      'Active tracing: Lambda grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions (only "*"); no other action of this role has a wildcard resource.',
    );
    table.encryptionKey?.grantEncryptDecrypt(this.role);

    const environment: Record<string, string> = {
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_LOG_LEVEL: settings.logLevel,
      POWERTOOLS_METRICS_NAMESPACE: MetricNames.namespace,
      ...pollerEnvironment(settings, table.tableName),
    };

    this.lambdaFunction = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Starts and polls AppFabric user access tasks and records the results',
      entry: props.entry ?? HANDLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      // Each invocation in X-Ray, joined to the state machine's trace.
      tracing: lambda.Tracing.ACTIVE,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(60),
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: settings.reservedConcurrency,
      environment,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        target: POLLER_BUNDLE.target,
        minify: POLLER_BUNDLE.minify,
        sourceMap: POLLER_BUNDLE.sourcemap,
        sourcesContent: POLLER_BUNDLE.sourcesContent,
        keepNames: POLLER_BUNDLE.keepNames,
        mainFields: [...POLLER_BUNDLE.mainFields],
        externalModules: [...POLLER_BUNDLE.external],
        esbuildArgs: Object.fromEntries(
          Object.entries(POLLER_BUNDLE.alias).map(([from, to]) => [`--alias:${from}`, to]),
        ),
      },
    });
  }
}
