/**
 * A tiny HTTP server on 127.0.0.1 that answers every request with whatever the test sets: any status, any
 * body (JSON or not), any headers. Point a real AppFabricClient at it to see how the client and the gateway
 * take answers the stand-in would never give (a body that is not the model's shape, a list of numbers, ...).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Answer {
  status: number;
  /** Sent as is (a JSON text or anything else). */
  body: string;
  headers?: Record<string, string>;
}

export interface AnswerServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What every request gets from now on. */
  answer(next: Answer): void;
  /** Requests received so far: path and body. */
  readonly requests: { path: string; body: string }[];
  close(): Promise<void>;
}

export async function startAnswerServer(): Promise<AnswerServer> {
  let current: Answer = { status: 200, body: '{}' };
  const requests: { path: string; body: string }[] = [];
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '/', body: Buffer.concat(chunks).toString('utf8') });
      const bytes = Buffer.from(current.body, 'utf8');
      res.writeHead(current.status, {
        'content-type': 'application/json',
        'content-length': bytes.length,
        'x-amzn-requestid': `answer-${requests.length}`,
        ...current.headers,
      });
      res.end(bytes);
    });
  };
  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answer(next) {
      current = next;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
