/**
 * Serves one deployed Lambda code package for the emulator (`launcher.py` starts one per function and code
 * hash): `node --import tsx local/emulator/lambda-runner.ts <extracted zip dir>`, with the function's configured
 * environment already in `process.env`. Prints `RUNNER <port>` on its first stdout line, then answers
 * `POST /invoke` (body: the event) with `{ ok, payload }`: the handler's result, or Lambda's error payload
 * `{ errorType, errorMessage }` so that Step Functions' Retry and Catch match the error's name.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

/** `_HANDLER` is `file.export` relative to the package root, as Lambda reads it. */
function loadHandler(codeDir: string, spec: string): Handler {
  const dot = spec.lastIndexOf('.');
  const file = path.join(codeDir, spec.slice(0, dot));
  // The bundle is CommonJS, as the CDK's esbuild step builds it for Lambda.
  const mod = require(file) as Record<string, unknown>;
  const fn = mod[spec.slice(dot + 1)];
  if (typeof fn !== 'function') throw new Error(`handler ${spec} is not a function`);
  return fn as Handler;
}

const timeoutMs = Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? '3') * 1000;

function context(deadline: number): Record<string, unknown> {
  const name = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'function';
  return {
    awsRequestId: randomUUID(),
    functionName: name,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${name}`,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'emulator',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/** Runs the handler within the function's timeout; a timeout is reported as Lambda reports it. */
async function invoke(handler: Handler, event: unknown): Promise<{ ok: boolean; payload: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`Task timed out after ${timeoutMs / 1000} seconds`);
      error.name = 'Sandbox.Timedout';
      reject(error);
    }, timeoutMs);
  });
  try {
    const result = await Promise.race([handler(event, context(deadline)), timedOut]);
    return { ok: true, payload: result ?? null };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    return { ok: false, payload: { errorType: e.name, errorMessage: e.message } };
  } finally {
    clearTimeout(timer);
  }
}

function main(): void {
  const codeDir = process.argv[2];
  if (!codeDir) throw new Error('usage: lambda-runner.ts <code dir>');
  const handler = loadHandler(codeDir, process.env._HANDLER ?? 'index.handler');
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let event: unknown;
      try {
        event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        res.writeHead(400).end('{"ok":false,"payload":{"errorType":"InvalidRequestContentException"}}');
        return;
      }
      void invoke(handler, event).then((answer) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`RUNNER ${(server.address() as AddressInfo).port}\n`);
  });
  // The launcher ends us with SIGTERM; close quietly.
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

main();
