/**
 * AppFabric's restJson1 wire shapes as the service model states them
 * (`/work/shared/api-model/appfabric-2023-05-19.service-2.json`): operation paths, the identifier, UUID and
 * email patterns, error answers (`x-amzn-errortype`, JSON body with the exception's members).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultKind, Operation } from './types';

const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazonaws.appfabric/';
// The model's patterns, anchored (the service rejects IDs with anything around the UUID).
export const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
export const IDENTIFIER = /^(arn:.+|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;
export const EMAIL = /^[a-zA-Z0-9.!#$%&’*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$/;
/** Identifier's `max` in the model. */
const IDENTIFIER_MAX = 1011;

export const PATHS: Record<string, Operation> = {
  '/useraccess/batchget': 'BatchGetUserAccessTasks',
  '/useraccess/start': 'StartUserAccessTasks',
};

/** An error answer: status, error code, message and the exception's other members. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
    readonly members: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
    readonly fault?: FaultKind,
  ) {
    super(message);
  }
}

export type FieldProblem = { name: string; message: string };

/** 400 ValidationException: `reason` and `fieldList` as the model has them. */
export const validation = (fieldList: FieldProblem[], reason = 'fieldValidationFailed') =>
  new HttpError(
    400,
    'ValidationException',
    fieldList.length > 0 ? fieldList.map((f) => `${f.name}: ${f.message}`).join('; ') : 'Invalid request',
    { reason, fieldList },
  );

/** Checks `appBundleIdentifier` against the model's Identifier shape (never echoing the value). */
export function checkIdentifier(value: unknown, problems: FieldProblem[]): void {
  if (typeof value !== 'string' || value.length === 0) {
    problems.push({ name: 'appBundleIdentifier', message: 'Member must not be null or empty' });
  } else if (value.length > IDENTIFIER_MAX || !IDENTIFIER.test(value)) {
    problems.push({
      name: 'appBundleIdentifier',
      message: `Member must be an ARN or a lower-case UUID of at most ${IDENTIFIER_MAX} characters`,
    });
  }
}

/** A bundle's UUID: an ARN's last path segment, or the identifier itself. */
export const bundleUuid = (identifier: string) =>
  identifier.startsWith('arn:') ? (identifier.split('/').pop() ?? identifier) : identifier;

/** 404 ResourceNotFoundException for a well-formed identifier no bundle has. */
export const bundleNotFound = (identifier: string) =>
  new HttpError(404, 'ResourceNotFoundException', 'The app bundle does not exist', {
    resourceId: identifier,
    resourceType: 'AppBundle',
  });

/** Writes a JSON answer; `cut` sends only the first half of the body, then destroys the connection. */
export function send(
  res: ServerResponse,
  status: number,
  payload: string,
  headers: Record<string, string>,
  cut = false,
): void {
  const bytes = Buffer.from(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  if (cut) res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
  else res.end(bytes);
}

/** Writes an error answer the way the service does. */
export function sendError(res: ServerResponse, error: HttpError, requestId: string): void {
  send(res, error.status, JSON.stringify({ message: error.message, ...error.members }), {
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': `${error.errorType}${ERROR_TYPE_SUFFIX}`,
    ...error.headers,
  });
}

export const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
