import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TableSchema as TableNames } from '../lambda/contract/table';

export interface ResultsTableProps {
  /**
   * What happens to the table (and its records) when it leaves the stack. With RETAIN, deletion
   * protection is on too.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * A customer-managed KMS key to encrypt the table with.
   *
   * @default - the AWS managed key `aws/dynamodb`: records are encrypted at rest with KMS and every
   *   use of the key is in CloudTrail, with no key policy to keep right and no cost per key. Pass a key
   *   when you must be able to revoke access by key policy or to audit decryption per principal.
   */
  readonly encryptionKey?: kms.IKey;
}

/**
 * The results table: one item per task record, run summary, run state and start record, with the four
 * indexes of `TableSchema.indexes` (lambda/contract/table.ts). On-demand, point-in-time recovery, TTL on `TableSchema.ttlAttribute`.
 */
export class ResultsTable extends Construct {
  /** The table. */
  public readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ResultsTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const string = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: string(TableNames.partitionKey),
      sortKey: string(TableNames.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      ...(props.encryptionKey
        ? { encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: props.encryptionKey }
        : { encryption: dynamodb.TableEncryption.AWS_MANAGED }),
      timeToLiveAttribute: TableNames.ttlAttribute,
      removalPolicy,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
    });

    for (const index of Object.values(TableNames.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: string(index.partitionKey),
        sortKey: string(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
