/** The local harness's options and reports (harness.ts runs them). */
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { ResultsReader } from '../cli/results-reader';
import type { CompletionDetail } from '../lambda/contract/events';
import type { Log } from '../lambda/core/deps';
import type { LoopState } from '../lambda/core/model';
import type { PollerRuntime, RuntimeOptions } from '../lambda/runtime';
import type { PollerSettings } from '../lib/config';
import type { AppFabricStandIn } from './appfabric-standin';
import type { DynaliteHandle } from './dynalite';

export interface LocalOptions {
  /** CDK context laid over cdk.json's (settings such as minWaitSeconds). */
  context?: Record<string, unknown>;
  /** Seed of the stand-in's ID generator. */
  seed?: number;
  /** Real milliseconds a Wait state takes (its virtual length is what the state machine asked for). */
  realWaitMs?: number;
  /** Real milliseconds between Retry attempts of the task states. */
  realRetryMs?: number;
  /** Client attempts inside one invocation (the SDK's retry); 2 keeps fault tests quick. */
  appFabricMaxAttempts?: number;
  /** Wraps the handler's DynamoDB client (fault injection: unprocessed items, throttling, crashes). */
  wrapDocumentClient?: RuntimeOptions['wrapDocumentClient'];
  /** Per-request timeout of the handler's AppFabric calls, ms (slow-answer faults). */
  appFabricRequestTimeoutMs?: number;
  /** Port of the AppFabric stand-in (default 0: any free port). */
  appFabricPort?: number;
  /** Keep dynalite's data in this directory (the local run leaves it for `npm run query`). */
  dataPath?: string;
  /**
   * The stand-in measures tasks' `inProgressMs` on the handler's virtual clock, so tasks finish by virtual
   * time (a task of 20 minutes finishes after 20 virtual minutes of waits). Default false: real time.
   */
  virtualStandInClock?: boolean;
  /**
   * The handler's clock moves only with the waits (and `advance`), not with real time, so a run by virtual
   * time is the same on every machine (a task finishing close to a poll stays on the same side of it).
   * Default false: real time plus the waits.
   */
  clockMovesOnlyWithWaits?: boolean;
  log?: Log;
}

/** One poll cycle as the runner saw it: the loop state the Lambda returned. */
export interface CycleView {
  cycle: number;
  state: LoopState;
  /** Virtual seconds since the execution started. */
  atSeconds: number;
  /** BatchGetUserAccessTasks calls this cycle made (stand-in log). */
  batchGetCalls: number;
  /** Pending before this cycle. */
  pendingBefore: number;
}

export interface ExecutionReport {
  runId: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: { Error: string; Cause: string };
  cycles: CycleView[];
  /** States entered (Step Functions bills state transitions). */
  transitions: number;
  /** States entered per state name. */
  entered: Record<string, number>;
  /** Retries the state machine made, per state name. */
  retries: Record<string, number>;
  /** Largest state input or output seen, in bytes of JSON. */
  maxStateBytes: number;
  /** Virtual seconds from start to end. */
  virtualSeconds: number;
  /** The completion events the run would send to EventBridge (PutEvents entries; one per run). */
  completionEvents: CompletionEventEntry[];
  realMs: number;
}

/** One PutEvents entry of the completion event, as the state machine builds it. */
export interface CompletionEventEntry {
  Source: string;
  DetailType: string;
  Detail: CompletionDetail;
}

export interface RunOptions {
  runId?: string;
  /** Called after each poll cycle (progress display). */
  onCycle?: (cycle: CycleView) => void;
  /** Size of the input as Step Functions receives it (a file's bytes); default: the input as compact JSON. */
  inputBytes?: number;
  /** Runs before a task state's handler: throw to simulate a Lambda failure. */
  beforeInvoke?: (stateName: string, payload: unknown) => void | Promise<void>;
}

export interface LocalPoller {
  readonly appFabric: AppFabricStandIn;
  readonly dynamo: DynaliteHandle;
  readonly tableName: string;
  readonly settings: PollerSettings;
  readonly definition: StateMachineDefinition;
  readonly reader: ResultsReader;
  readonly runtime: PollerRuntime;
  /** The handler's clock: real time plus the virtual waits so far. */
  now(): Date;
  /** Moves the virtual clock on. */
  advance(seconds: number): void;
  execute(input: unknown, options?: RunOptions): Promise<ExecutionReport>;
  /** Aborts running executions (they end FAILED with `ExecutionAborted`) and waits for the handler call under way. */
  abort(): Promise<void>;
  close(): Promise<void>;
}
