/**
 * The results table for local runs and tests, built from the same `Table` definition the CDK stack
 * uses, so local and deployed keys and indexes always match.
 */
import {
  type AttributeDefinition,
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TableSchema } from '../lambda/contract/table';

/** CreateTable input: the table's keys, its four indexes (all attributes projected), on demand. */
function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(TableSchema.indexes);
  const keyNames = new Set<string>([TableSchema.partitionKey, TableSchema.sortKey]);
  for (const index of indexes) {
    keyNames.add(index.partitionKey);
    keyNames.add(index.sortKey);
  }
  const attributeDefinitions: AttributeDefinition[] = [...keyNames].map((AttributeName) => ({
    AttributeName,
    AttributeType: 'S',
  }));
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeDefinitions,
    KeySchema: [
      { AttributeName: TableSchema.partitionKey, KeyType: 'HASH' },
      { AttributeName: TableSchema.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

export interface EnsureTableOptions {
  /** Give up waiting for ACTIVE after this long. Default 5 minutes. */
  timeoutMs?: number;
  /** First wait between DescribeTable calls; doubles up to 2 s. Default 20 ms. */
  pollMs?: number;
}

const isActive = (table: TableDescription | undefined): boolean =>
  table?.TableStatus === 'ACTIVE' &&
  (table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');

/**
 * Creates the table unless it exists, then waits until it and its indexes are ACTIVE. TTL is not
 * enabled here (dynalite has no UpdateTimeToLive); the deployed table has it from the CDK stack.
 */
export async function ensureTable(
  client: DynamoDBClient | DynamoDBDocumentClient,
  tableName: string,
  options: EnsureTableOptions = {},
): Promise<TableDescription> {
  const send = client.send.bind(client) as DynamoDBClient['send'];
  const describe = async (): Promise<TableDescription | undefined> => {
    try {
      return (await send(new DescribeTableCommand({ TableName: tableName }))).Table;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };

  let table = await describe();
  if (table === undefined) {
    try {
      table = (await send(new CreateTableCommand(createTableInput(tableName)))).TableDescription;
    } catch (error) {
      // Created meanwhile by someone else: wait for it like for our own.
      if ((error as Error).name !== 'ResourceInUseException') throw error;
    }
  }

  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let delay = options.pollMs ?? 20;
  while (!isActive(table)) {
    if (Date.now() > deadline) {
      throw new Error(
        `table ${tableName} is not ACTIVE after ${options.timeoutMs ?? 300_000} ms (${table?.TableStatus})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2_000);
    table = await describe();
  }
  return table!;
}
