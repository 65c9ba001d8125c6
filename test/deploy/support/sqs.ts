/** The one emulator read no SDK client among the project's packages covers. */
import type { Emulator } from '../../../local/emulator/emulator';

/** SQS GetQueueAttributes over SQS's JSON protocol (no SQS client among the project's packages). */
export async function queueAttributes(emulator: Emulator, queueUrl: string): Promise<Record<string, string>> {
  const response = await fetch(emulator.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.GetQueueAttributes',
      // moto reads the region from the credential scope.
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${emulator.clientConfig.region}/sqs/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
    },
    body: JSON.stringify({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  });
  if (!response.ok) throw new Error(`GetQueueAttributes answered ${response.status}`);
  const body = (await response.json()) as { Attributes?: Record<string, string> };
  return body.Attributes ?? {};
}
