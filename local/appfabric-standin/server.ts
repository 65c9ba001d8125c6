/**
 * The HTTP server: routes a call to its operation after the SigV4 check and the faults, and answers in
 * AppFabric's restJson1 protocol. Anything unexpected is answered as a 500 InternalServerException (never a
 * stack trace on the wire).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallLog } from './call-log';
import { FaultInjector } from './faults';
import { batchGet, start } from './operations';
import { bundleUuid, HttpError, readBody, send, sendError, validation } from './protocol';
import { checkSigV4 } from './sigv4';
import { TaskBook } from './tasks';
import type { AppFabricStandIn, StandInOptions } from './types';

const MALFORMED_BODY = '{"userAccessResultsList": [<html>not json';

export async function startAppFabricStandIn(options: StandInOptions = {}): Promise<AppFabricStandIn> {
  const book = new TaskBook(options.seed ?? 1, options.now ?? Date.now);
  const faults = new FaultInjector();
  const log = new CallLog();
  const timers = new Set<NodeJS.Timeout>();
  let requestCount = 0;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    requestCount += 1;
    const requestId = `00000000-0000-4000-8000-${requestCount.toString(16).padStart(12, '0')}`;
    const raw = await readBody(req);
    const { call, operation, parsed, parseFailed } = log.record(req, raw, at);
    try {
      const denied = checkSigV4(call.headers.authorization);
      if (denied) throw denied;
      if (!operation) {
        throw new HttpError(404, 'UnknownOperationException', `No operation at ${call.method} ${call.path}`);
      }
      const latency = faults.latencyMs(operation);
      if (latency > 0) await sleep(latency);
      // The client gave up while it waited (its request timeout): nothing runs, no fault count is used up
      // by an answer nobody reads (it would leak into whatever the next test scripts).
      if (res.destroyed || req.socket.destroyed) return;
      const fault = faults.errorFor(operation);
      if (fault) throw fault;
      if (parseFailed || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw validation([], 'cannotParse');
      }
      const body = parsed as Record<string, unknown>;
      const result =
        operation === 'BatchGetUserAccessTasks'
          ? batchGet(book, body, faults.extraResults)
          : start(book, body);
      call.status = result.status;
      const damage = faults.bodyFaultFor(operation);
      if (damage) call.fault = damage;
      const payload = damage === 'malformed' ? MALFORMED_BODY : JSON.stringify(result.body);
      send(res, result.status, payload, { 'x-amzn-requestid': requestId }, damage === 'truncated');
    } catch (e) {
      const error =
        e instanceof HttpError
          ? e
          : new HttpError(500, 'InternalServerException', 'Internal server error (stand-in)');
      call.status = error.status;
      call.errorType = error.errorType;
      if (error.fault) call.fault = error.fault;
      sendError(res, error, requestId);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    port,
    get calls() {
      return log.calls;
    },
    resetCalls: () => log.reset(),
    addBundle: (identifier, apps) => book.addBundle(identifier, apps),
    addTask(bundle, script = {}) {
      book.requireBundle(bundle);
      return book.createTask(bundleUuid(bundle), script);
    },
    setStartScript(bundle, script) {
      book.requireBundle(bundle).startScript = script;
    },
    rejectEmail(address, opts = {}) {
      book.rejected.set(address.toLowerCase(), {
        as: opts.as ?? 'itemError',
        errorCode: opts.errorCode ?? 'TaskStartFailed',
        errorMessage: opts.errorMessage ?? `Cannot start user access tasks for ${address}`,
      });
    },
    setFaults: (next) => faults.set(next),
    clearFaults: () => faults.clear(),
    getTask: (taskId) => book.getTask(taskId),
    taskIds: (bundle) => book.taskIds(bundle),
    close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
