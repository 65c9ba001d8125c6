/** The record of every HTTP call the stand-in answered, oldest first (tests read it). */
import type { IncomingMessage } from 'node:http';
import { PATHS } from './protocol';
import type { Operation, RecordedCall } from './types';

export class CallLog {
  readonly calls: RecordedCall[] = [];

  /** Records an arriving request (status 0 until answered); returns the entry and the operation, if known. */
  record(
    req: IncomingMessage,
    raw: string,
    at: number,
  ): { call: RecordedCall; operation?: Operation; parsed: unknown; parseFailed: boolean } {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    let requestBody: unknown;
    let parsed: unknown = {};
    let parseFailed = false;
    if (raw.length > 0) {
      try {
        parsed = JSON.parse(raw);
        requestBody = parsed;
      } catch {
        parseFailed = true;
        requestBody = raw;
      }
    }
    const operation = method === 'POST' ? PATHS[path] : undefined;
    const call: RecordedCall = {
      operation: operation ?? 'Unknown',
      method,
      path,
      status: 0,
      requestBody,
      headers,
      at,
    };
    this.calls.push(call);
    return { call, operation, parsed, parseFailed };
  }

  reset(): void {
    this.calls.length = 0;
  }
}
