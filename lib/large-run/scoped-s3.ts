/**
 * The Distributed Map's S3 reader and writer with IAM statements scoped to the objects they use: the
 * CDK's own name the whole bucket.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** An ItemReader whose IAM statement names the objects it may read (the CDK's names the whole bucket). */
export class ObjectsScopedItemReader implements sfn.IItemReader {
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
export class ObjectsScopedResultWriter extends sfn.ResultWriterV2 {
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
