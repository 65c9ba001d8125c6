/** The large-run bucket: task ID lists under input/, Map Run results under results/. */
import { Duration, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { LargeRunPrefixes } from './names';

export interface LargeRunBucketProps {
  readonly inputExpiration?: Duration;
  readonly resultsExpiration?: Duration | null;
  readonly serverAccessLogsBucket?: s3.IBucket;
}

export function createLargeRunBucket(
  scope: Construct,
  props: LargeRunBucketProps,
  removalPolicy: RemovalPolicy,
): s3.Bucket {
  const resultsExpiration =
    props.resultsExpiration === undefined ? Duration.days(365) : props.resultsExpiration;
  const bucket = new s3.Bucket(scope, 'Bucket', {
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
