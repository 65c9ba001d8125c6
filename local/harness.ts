/**
 * Runs the poller locally: the state machine definition rendered from the CDK code, run by
 * aws-local-stepfunctions, whose task states call the real handler, which talks to the AppFabric
 * stand-in and dynalite over HTTP through `AWS_ENDPOINT_URL_<SERVICE>`, as deployed code would to AWS.
 *
 * Time is virtual: each Wait passes in a few real milliseconds while the clock the handler reads moves
 * on by the whole wait, so a day-long run takes seconds and the deadline logic is still exercised.
 * This is the harness of `npm start`, the end-to-end tests and the benchmarks.
 */
import './local-env';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ResultsReader } from '../cli/results-reader';
import { createDocumentClient } from '../lambda/adapters/dynamo-client';
import { Limits } from '../lambda/contract/limits';
import type { LoopState } from '../lambda/core/model';
import { makeHandler } from '../lambda/handler';
import { createRuntime } from '../lambda/runtime';
import { StateNames } from '../lib/poll-workflow';
import { pollerEnvironment } from '../lib/poller-function';
import { renderStateMachineDefinition } from '../lib/render';
import { startAppFabricStandIn } from './appfabric-standin';
import { startDynalite } from './dynalite';
import type {
  CompletionEventEntry,
  CycleView,
  ExecutionReport,
  LocalOptions,
  LocalPoller,
  RunOptions,
} from './harness-types';
import { ensureTable } from './table';

// aws-local-stepfunctions uses Promise.withResolvers (Node 22+); Node 20 lacks it.
if (!(Promise as { withResolvers?: unknown }).withResolvers) {
  (Promise as unknown as { withResolvers: () => unknown }).withResolvers = () => {
    let resolve!: (v: unknown) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** Step Functions' limit on an execution input and on any state's input or output. */

export class ExecutionInputTooLargeError extends Error {
  override readonly name = 'ExecutionInputTooLargeError';
}

export const LOCAL_TABLE_NAME = 'appfabric-access-poller-local';
const LOCAL_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
  AWS_SECRET_ACCESS_KEY: 'local-secret',
  AWS_REGION: 'us-east-1',
};

export type { CycleView, ExecutionReport, LocalOptions, LocalPoller, RunOptions } from './harness-types';

let runCounter = 0;
/** A new local run ID (`npm start` names its run before it starts, to publish it). */
export const nextRunId = () => `local-${Date.now().toString(36)}-${(runCounter++).toString(36)}`;

/** Starts the stand-ins and wires the handler to them. `close()` stops everything it started. */
export async function startLocalPoller(options: LocalOptions = {}): Promise<LocalPoller> {
  const rendered = renderStateMachineDefinition(options.context ?? {});
  const settings = rendered.settings;
  const definition = rendered.definition as unknown as StateMachineDefinition;
  let offsetMs = 0;
  const aborts = new Set<() => void>();
  let inFlight: Promise<unknown> | undefined;
  const frozenAt = Date.now();
  const now = () => new Date((options.clockMovesOnlyWithWaits ? frozenAt : Date.now()) + offsetMs);
  const started = await Promise.allSettled([
    startDynalite({ path: options.dataPath }),
    startAppFabricStandIn({
      seed: options.seed ?? 1,
      port: options.appFabricPort ?? 0,
      ...(options.virtualStandInClock ? { now: () => now().getTime() } : {}),
    }),
  ] as const);
  const [dynamoStart, appFabricStart] = started;
  if (dynamoStart.status === 'rejected' || appFabricStart.status === 'rejected') {
    // One could start, the other not (a port in use): stop the one that did.
    await Promise.allSettled(started.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
    throw dynamoStart.status === 'rejected'
      ? dynamoStart.reason
      : (appFabricStart as PromiseRejectedResult).reason;
  }
  const dynamo = dynamoStart.value;
  const appFabric = appFabricStart.value;
  try {
    const tableName = LOCAL_TABLE_NAME;
    const env: NodeJS.ProcessEnv = {
      ...LOCAL_CREDENTIALS,
      ...pollerEnvironment(settings, tableName),
      AWS_ENDPOINT_URL_APPFABRIC: appFabric.url,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_MAX_ATTEMPTS: String(options.appFabricMaxAttempts ?? 3),
    };
    const document = createDocumentClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: creds(),
    });
    await ensureTable(document, tableName);

    // The runtime's SDK clients take endpoints, region, credentials and attempts from `env` (not from
    // process.env), so several LocalPollers can run in one process without seeing each other's stand-ins.
    const runtime = createRuntime(options.log ?? { info: () => {}, warn: () => {} }, env, {
      now,
      wrapDocumentClient: options.wrapDocumentClient,
      appFabricRequestTimeoutMs: options.appFabricRequestTimeoutMs,
    });
    const handler = makeHandler(() => runtime);
    const reader = new ResultsReader({ tableName, client: document });

    const execute = async (input: unknown, run: RunOptions = {}): Promise<ExecutionReport> => {
      // StartExecution refuses a larger input before anything runs; the local engine would not.
      const inputBytes = run.inputBytes ?? Buffer.byteLength(JSON.stringify(input) ?? '');
      if (inputBytes > Limits.stepFunctionsPayloadBytes) {
        throw new ExecutionInputTooLargeError(
          `the execution input is ${inputBytes} bytes; Step Functions takes at most ${Limits.stepFunctionsPayloadBytes}`,
        );
      }
      const runId = run.runId ?? nextRunId();
      const startedReal = Date.now();
      const startedVirtual = now();
      const cycles: CycleView[] = [];
      let pendingBefore = 0;
      let callsBefore = 0;
      // The cycle whose Wait the clock has passed: a retried Poll of that cycle waited no second time.
      let waitedForCycle = -1;
      let aborted = false;
      const invoke = (stateName: string) => async (raw: unknown) => {
        // The lambda:invoke integration passes { FunctionName, Payload } and answers { Payload, StatusCode }.
        const payload = (raw as { Payload?: { action?: string; state?: LoopState } }).Payload;
        if (stateName === StateNames.Poll && payload?.state && payload.state.cycle !== waitedForCycle) {
          waitedForCycle = payload.state.cycle;
          offsetMs += payload.state.waitSeconds * 1000;
          pendingBefore = payload.state.counts.pending;
          callsBefore = appFabric.calls.length;
        }
        // aws-local-stepfunctions stamps $$.Execution.StartTime from the real clock over the context given:
        // the handler gets the execution's start on its own clock, as in AWS (earlier runs' history reads it).
        if (payload && 'startedAt' in payload)
          Object.assign(payload, { startedAt: startedVirtual.toISOString() });
        if (aborted) throw abortedError();
        await run.beforeInvoke?.(stateName, payload);
        let result: unknown;
        try {
          const call = handler(payload as never);
          inFlight = call.catch(() => undefined);
          result = await call;
        } catch (error) {
          throw lambdaError(error);
        }
        if (stateName === StateNames.Poll) {
          const state = result as LoopState;
          const view: CycleView = {
            cycle: state.cycle,
            state,
            atSeconds: (now().getTime() - startedVirtual.getTime()) / 1000,
            batchGetCalls: appFabric.calls
              .slice(callsBefore)
              .filter((c) => c.operation === 'BatchGetUserAccessTasks').length,
            pendingBefore,
          };
          if (!cycles.some((c) => c.cycle === view.cycle)) {
            cycles.push(view);
            run.onCycle?.(view);
          }
        }
        return { Payload: result, StatusCode: 200 };
      };
      // The completion event's states call events:putEvents: collected here instead of sent.
      const completionEvents: CompletionEventEntry[] = [];
      const announce = async (raw: unknown) => {
        // The rendered definition keeps the table's logical ID (<ResultsTable…>) where AWS has its name.
        const entries = (raw as { Entries?: CompletionEventEntry[] }).Entries ?? [];
        completionEvents.push(
          ...(JSON.parse(JSON.stringify(entries).replace(/<ResultsTable\w*>/g, tableName)) as typeof entries),
        );
        return { Entries: [{ EventId: `local-${completionEvents.length}` }], FailedEntryCount: 0 };
      };
      const announceStates = [
        StateNames.AnnounceSucceeded,
        StateNames.AnnounceTimedOut,
        StateNames.AnnounceFailed,
      ];
      const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
      const taskStates = [StateNames.Start, StateNames.Poll, StateNames.RecordFailure];
      const execution = machine.run(input as never, {
        context: {
          Execution: {
            Id: `arn:aws:states:us-east-1:000000000000:execution:poller:${runId}`,
            Name: runId,
            StartTime: startedVirtual.toISOString(),
            Input: input as never,
          },
          // A getter: the engine sets no State context, and the event's endedAt reads this one.
          State: {
            get EnteredTime() {
              return now().toISOString();
            },
          },
        } as never,
        overrides: {
          taskResourceLocalHandlers: Object.fromEntries([
            ...taskStates.map((s) => [s, invoke(s)]),
            ...announceStates.map((s) => [s, announce]),
          ]) as never,
          waitTimeOverrides: { [StateNames.Wait]: options.realWaitMs ?? 5 },
          retryIntervalOverrides: Object.fromEntries(taskStates.map((s) => [s, options.realRetryMs ?? 5])),
        },
        noThrowOnAbort: true,
      });
      const abort = () => {
        aborted = true;
        execution.abort();
      };
      aborts.add(abort);
      const entered: Record<string, number> = {};
      const retries: Record<string, number> = {};
      let maxStateBytes = 0;
      const watching = (async () => {
        for await (const event of execution.eventLogs) {
          if (event.type === 'StateEntered') entered[event.state.name] = (entered[event.state.name] ?? 0) + 1;
          if (event.type === 'StateRetried') retries[event.state.name] = (retries[event.state.name] ?? 0) + 1;
          if (event.type === 'StateEntered' || event.type === 'StateExited') {
            for (const value of [event.state.input, event.state.output]) {
              if (value !== undefined)
                maxStateBytes = Math.max(maxStateBytes, Buffer.byteLength(JSON.stringify(value)));
            }
          }
        }
      })();
      let report: Pick<ExecutionReport, 'status' | 'output' | 'error'>;
      try {
        report = { status: 'SUCCEEDED', output: await execution.result };
      } catch (error) {
        if (!(error instanceof ExecutionError)) throw error;
        const cause = (error as { cause?: { name?: string; message?: string } }).cause;
        report = {
          status: 'FAILED',
          error: { Error: cause?.name ?? 'Error', Cause: cause?.message ?? error.message },
        };
      }
      await watching.catch(() => {});
      aborts.delete(abort);
      if (aborted) report = { status: 'FAILED', error: { Error: 'ExecutionAborted', Cause: 'aborted' } };
      if (maxStateBytes > Limits.stepFunctionsPayloadBytes) {
        // In AWS a state this large fails the execution (and no Catch sees it).
        report = {
          status: 'FAILED',
          error: { Error: 'States.DataLimitExceeded', Cause: `a state of ${maxStateBytes} bytes` },
        };
      }
      return {
        runId,
        ...report,
        cycles,
        transitions: Object.values(entered).reduce((a, b) => a + b, 0),
        entered,
        retries,
        maxStateBytes: Math.max(maxStateBytes, Buffer.byteLength(JSON.stringify(input) ?? '')),
        virtualSeconds: (now().getTime() - startedVirtual.getTime()) / 1000,
        realMs: Date.now() - startedReal,
        completionEvents,
      };
    };

    return {
      appFabric,
      dynamo,
      tableName,
      settings,
      definition,
      reader,
      runtime,
      now,
      advance: (seconds) => {
        offsetMs += seconds * 1000;
      },
      execute,
      abort: async () => {
        for (const abort of aborts) abort();
        // Let the handler call under way finish before its servers go away.
        await Promise.race([inFlight, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      },
      close: async () => {
        await Promise.allSettled([appFabric.close(), dynamo.close()]);
      },
    };
  } catch (error) {
    await Promise.allSettled([appFabric.close(), dynamo.close()]);
    throw error;
  }
}

function creds() {
  return {
    accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  };
}

/** Ends an aborted execution at its next task: neither retried nor caught (the engine reads these flags). */
function abortedError(): Error {
  return Object.assign(new Error('the execution was aborted'), {
    name: 'ExecutionAborted',
    isRetryable: false,
    isCatchable: false,
  });
}

/** What Lambda hands Step Functions when a function throws: the name as the error, JSON as the cause. */
function lambdaError(error: unknown): Error {
  const e = error instanceof Error ? error : new Error(String(error));
  const out = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
  out.name = e.name;
  return out;
}
