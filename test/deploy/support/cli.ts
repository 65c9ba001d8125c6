/**
 * The query CLI as a user runs it (`npx tsx cli/query.ts …`), in a child process whose AWS endpoint is the
 * emulator: no --table, no RESULTS_TABLE_NAME, and a working directory without `.local/last-run.json`, so
 * the table can only come from the deployed stack. Plus the one emulator read no installed SDK client covers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Emulator } from '../../../local/emulator/emulator';
import { PROJECT_ROOT } from '../../../local/emulator/emulator';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runQueryCli(emulator: Emulator, args: string[]): Promise<CliResult> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'query-cli-'));
  const env: NodeJS.ProcessEnv = { ...process.env, ...emulator.env };
  delete env.RESULTS_TABLE_NAME;
  const tsx = require.resolve('tsx/cli', { paths: [PROJECT_ROOT] });
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [tsx, path.join(PROJECT_ROOT, 'cli', 'query.ts'), ...args],
      { cwd, env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        rmSync(cwd, { recursive: true, force: true });
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

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
