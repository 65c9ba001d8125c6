/**
 * Fault injection for the handler's DynamoDB DocumentClient, for `startLocalPoller({ wrapDocumentClient })`.
 *
 * The harness builds its runtime (and so calls the wrapper) once per LocalPoller, so the wrapper consults a
 * plan that a test sets and clears: for each call the plan decides to pass it through, throw before sending
 * (throttling, a network error), send it and then throw (the write happened, the answer was lost), or, for
 * a BatchWriteItem / BatchGetItem, process only part of it and hand the rest back as unprocessed.
 */
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { TableSchema } from '../../lambda/contract/table';

type DynamoOperation = 'Get' | 'Put' | 'Delete' | 'BatchGet' | 'BatchWrite' | 'Query' | 'Other';

/** One call the handler made through the wrapped client. */
export interface DynamoCall {
  /** 1-based, over the life of the wrapper (see `reset`). */
  n: number;
  operation: DynamoOperation;
  /** Sort key of the item a Get / Put / Delete names (`RUN`, `STATE`, `TASK#...`, `START#...`). */
  sk?: string;
  /** Items (BatchWrite) or keys (BatchGet) in the request. */
  size?: number;
  /** The command's input, as sent. */
  input: Record<string, unknown>;
}

type DynamoFault =
  /** Throw an SDK-like error with this name without sending (e.g. `ProvisionedThroughputExceededException`). */
  | { throw: string }
  /** Send for real, then throw an error with this name: the write is stored, the answer is lost. */
  | { throwAfter: string }
  /** BatchWrite / BatchGet: process only the first `keep` entries, return the rest as unprocessed. */
  | { keep: number };

type DynamoPlan = (call: DynamoCall) => DynamoFault | undefined;

interface InjectedFault {
  call: DynamoCall;
  fault: DynamoFault;
}

export interface FaultyDynamo {
  /** Give this to `startLocalPoller({ wrapDocumentClient })`. */
  readonly wrap: (client: DynamoDBDocumentClient) => DynamoDBDocumentClient;
  /** Decides each call's fate; undefined passes every call through. */
  plan: DynamoPlan | undefined;
  /** Every call so far (since `reset`). */
  readonly calls: DynamoCall[];
  /** Every fault injected so far (since `reset`). */
  readonly injected: InjectedFault[];
  /**
   * Errors the plan itself threw (a bug in the test, not a fault): the call went through unharmed. Check it
   * is empty, or a broken plan would pass for a DynamoDB failure.
   */
  readonly planErrors: unknown[];
  /** Clears the plan and the logs. */
  reset(): void;
}

/** An error shaped like the SDK's service errors (name, `$fault`, `$metadata`). */
const sdkError = (name: string, status = 400): Error =>
  Object.assign(new Error(`${name}: injected by the test`), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });

const operationOf = (command: unknown): DynamoOperation => {
  if (command instanceof GetCommand) return 'Get';
  if (command instanceof PutCommand) return 'Put';
  if (command instanceof DeleteCommand) return 'Delete';
  if (command instanceof BatchGetCommand) return 'BatchGet';
  if (command instanceof BatchWriteCommand) return 'BatchWrite';
  if (command instanceof QueryCommand) return 'Query';
  return 'Other';
};

const describeCall = (n: number, command: unknown): DynamoCall => {
  const operation = operationOf(command);
  const input = ((command as { input?: Record<string, unknown> }).input ?? {}) as Record<string, unknown>;
  const call: DynamoCall = { n, operation, input };
  if (operation === 'Put') call.sk = String((input.Item as Record<string, unknown>)?.[TableSchema.sortKey]);
  if (operation === 'Get' || operation === 'Delete') {
    call.sk = String((input.Key as Record<string, unknown>)?.[TableSchema.sortKey]);
  }
  if (operation === 'BatchWrite') {
    call.size = Object.values((input.RequestItems ?? {}) as Record<string, unknown[]>)[0]?.length ?? 0;
  }
  if (operation === 'BatchGet') {
    const request = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>)[0];
    call.size = request?.Keys?.length ?? 0;
  }
  return call;
};

export function faultyDynamo(): FaultyDynamo {
  const calls: DynamoCall[] = [];
  const injected: InjectedFault[] = [];
  const planErrors: unknown[] = [];
  let count = 0;
  const decide = (call: DynamoCall): DynamoFault | undefined => {
    try {
      return state.plan?.(call);
    } catch (error) {
      planErrors.push(error);
      return undefined;
    }
  };
  const state: FaultyDynamo = {
    plan: undefined,
    calls,
    injected,
    planErrors,
    reset() {
      state.plan = undefined;
      calls.length = 0;
      injected.length = 0;
      planErrors.length = 0;
    },
    wrap(client) {
      const realSend = client.send.bind(client) as (command: unknown) => Promise<unknown>;
      client.send = (async (command: unknown) => {
        const call = describeCall(++count, command);
        calls.push(call);
        const fault = decide(call);
        if (!fault) return realSend(command);
        injected.push({ call, fault });
        if ('throw' in fault) throw sdkError(fault.throw);
        if ('throwAfter' in fault) {
          await realSend(command);
          throw sdkError(fault.throwAfter, 500);
        }
        return partially(command, fault.keep, realSend);
      }) as typeof client.send;
      return client;
    },
  };
  return state;
}

/** Sends the first `keep` entries of a batch request for real and returns the rest as unprocessed. */
async function partially(
  command: unknown,
  keep: number,
  realSend: (command: unknown) => Promise<unknown>,
): Promise<unknown> {
  if (command instanceof BatchWriteCommand) {
    const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
    const n = Math.max(0, Math.min(requests.length, keep));
    if (n > 0) await realSend(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, n) } }));
    const rest = requests.slice(n);
    const out: BatchWriteCommandOutput = {
      $metadata: {},
      UnprocessedItems: rest.length > 0 ? { [table]: rest } : {},
    };
    return out;
  }
  if (command instanceof BatchGetCommand) {
    const [table, request] = Object.entries(command.input.RequestItems ?? {})[0]!;
    const keys = request.Keys ?? [];
    const n = Math.max(0, Math.min(keys.length, keep));
    let responses: Record<string, unknown>[] = [];
    if (n > 0) {
      const out = (await realSend(
        new BatchGetCommand({ RequestItems: { [table]: { ...request, Keys: keys.slice(0, n) } } }),
      )) as BatchGetCommandOutput;
      responses = out.Responses?.[table] ?? [];
    }
    const rest = keys.slice(n);
    const out: BatchGetCommandOutput = {
      $metadata: {},
      Responses: { [table]: responses },
      UnprocessedKeys: rest.length > 0 ? { [table]: { ...request, Keys: rest } } : {},
    };
    return out;
  }
  return realSend(command);
}
