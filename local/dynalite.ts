/**
 * A DynamoDB stand-in (dynalite) on a free loopback port, in memory or on disk, for tests and local runs.
 * Each call starts its own server and store, so starting and stopping many in one process is safe.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The options of dynalite 4 this module uses (the package has no types). */
interface DynaliteOptions {
  /** Time a table stays CREATING / DELETING / UPDATING. */
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  /** Largest item, KB (400 like DynamoDB). */
  maxItemSizeKb?: number;
  /** LevelDB directory; in memory when absent. */
  path?: string;
}

// dynalite is CommonJS without type declarations: require it and state the part used.
const dynalite = require('dynalite') as (options?: DynaliteOptions) => Server;

export interface DynaliteHandle {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** Stops the server, drops open connections and closes the store. Safe to call twice. */
  close(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** LevelDB directory to keep the data in (the local run keeps it for `npm run query`). In memory when absent. */
  path?: string;
}

export async function startDynalite(options: StartDynaliteOptions = {}): Promise<DynaliteHandle> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve, reject) => {
      server.close((error?: Error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets of SDK clients would hold the server open: drop them.
      server.closeAllConnections();
    });
    return closing;
  };
  return { endpoint: `http://127.0.0.1:${port}`, close };
}
