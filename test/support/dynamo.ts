/**
 * DynamoDB helpers for tests against dynalite: its clients, raw reads of a run's partition, and the one fake the suites
 * allow, a DocumentClient that leaves part of each BatchWriteItem unprocessed (dynalite never does).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DeleteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { Keys, TableSchema } from '../../lambda/contract/table';

/** The low-level client of a dynalite on loopback (it checks no credentials, but the SDK wants some). */
export const dynaliteClient = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

/** A DocumentClient over `base` with the marshalling the adapters use. */
export const documentClient = (base: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(base, { marshallOptions: { removeUndefinedValues: true } });

/** Every item of a run's partition (run record, state, task records, start records), raw. */
export async function partitionItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  runId: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TableSchema.partitionKey },
        ExpressionAttributeValues: { ':pk': Keys.runPk(runId) },
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Deletes a run's state item, as if the attempt that started the run died before it was saved. */
export async function deleteRunState(
  doc: DynamoDBDocumentClient,
  tableName: string,
  runId: string,
): Promise<void> {
  await doc.send(
    new DeleteCommand({
      TableName: tableName,
      Key: { [TableSchema.partitionKey]: Keys.runPk(runId), [TableSchema.sortKey]: Keys.stateSk },
    }),
  );
}

export interface UnprocessedBatchWrites {
  client: DynamoDBDocumentClient;
  /** Size of every BatchWriteItem request sent through `client`, in order. */
  sizes: number[];
}

/**
 * A DocumentClient whose BatchWriteItem writes only the first `plan(call, size)` items of a request (for real,
 * in dynalite) and returns the rest as UnprocessedItems. Every other command goes to dynalite unchanged.
 */
export function unprocessedBatchWrites(
  base: DynamoDBClient,
  plan: (call: number, size: number) => number,
): UnprocessedBatchWrites {
  const client = documentClient(base);
  const realSend = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const sizes: number[] = [];
  client.send = (async (command: unknown) => {
    if (!(command instanceof BatchWriteCommand)) return realSend(command);
    const [table, requests] = Object.entries(command.input.RequestItems ?? {})[0]!;
    sizes.push(requests.length);
    const keep = Math.max(0, Math.min(requests.length, plan(sizes.length, requests.length)));
    if (keep > 0) {
      await realSend(new BatchWriteCommand({ RequestItems: { [table]: requests.slice(0, keep) } }));
    }
    const rest = requests.slice(keep);
    const out: BatchWriteCommandOutput = {
      $metadata: {},
      UnprocessedItems: rest.length > 0 ? { [table]: rest } : {},
    };
    return out;
  }) as typeof client.send;
  return { client, sizes };
}
