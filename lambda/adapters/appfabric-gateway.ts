/**
 * AccessTasksGateway over the AppFabric client. Turns the client's exceptions into the poller's named
 * errors (the names the state machine retries or catches) and checks the shape of every answer.
 */

import { streamCollector } from '@smithy/node-http-handler';
import type { HttpResponse } from '@smithy/protocol-http';
import type { DeserializeMiddleware } from '@smithy/types';
import {
  AppFabricClient,
  BatchGetUserAccessTasksCommand,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  StartUserAccessTasksCommand,
} from '../appfabric';
import type { UserAccessResult } from '../core/model';
import type { AccessTasksGateway, StartedTask } from '../core/ports';
import {
  AppBundleNotFoundError,
  AppFabricAccessDeniedError,
  AppFabricInvalidResponseError,
  AppFabricThrottledError,
  AppFabricUnavailableError,
  AppFabricValidationError,
  isPollerError,
} from '../shared/errors';
import { redactEmails } from '../shared/redact';

type SdkError = Error & {
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  retryAfterSeconds?: number;
  fieldList?: { name?: string; message?: string }[];
  reason?: string;
  code?: string;
};

/** A Retry-After the wait can use: whole seconds, or nothing (an HTTP-date or garbage reads as NaN). */
const retryAfter = (seconds: unknown): number | undefined =>
  typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;

/** Maps anything the client throws to one of the poller's errors. */
export function toPollerError(error: unknown, operation: string): Error {
  if (isPollerError(error)) return error;
  const e = (error instanceof Error ? error : new Error(String(error))) as SdkError;
  const options = { cause: error };
  const status = e.$metadata?.httpStatusCode;
  const what = redactEmails(`${operation}: ${e.name}: ${e.message}`);
  // Every text from the service goes through redaction, the field list's messages too.
  switch (e.name) {
    case 'ThrottlingException':
      return new AppFabricThrottledError(what, retryAfter(e.retryAfterSeconds), options);
    case 'InternalServerException':
      return new AppFabricUnavailableError(what, retryAfter(e.retryAfterSeconds), options);
    case 'AccessDeniedException':
      return new AppFabricAccessDeniedError(what, options);
    case 'ResourceNotFoundException':
      return new AppBundleNotFoundError(what, options);
    case 'ValidationException': {
      const fields = redactEmails((e.fieldList ?? []).map((f) => `${f.name}: ${f.message}`).join('; '));
      return new AppFabricValidationError(fields ? `${what} (${fields})` : what, options);
    }
  }
  // A success whose body could not be read: malformed or truncated. (An error answer that merely
  // mentions JSON is the service refusing the request, handled below by its status.)
  const success = status === undefined || (status >= 200 && status < 300);
  if (
    success &&
    !e.$fault &&
    (e instanceof SyntaxError || /deserializ|unexpected end of json|json/i.test(e.message))
  ) {
    return new AppFabricInvalidResponseError(what, options);
  }
  if (status === undefined || status >= 500 || status === 429) {
    // No answer at all (connection refused or reset, timeout) or a server fault: worth another try.
    return new AppFabricUnavailableError(what, undefined, options);
  }
  return new AppFabricValidationError(what, options);
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every field is optional in the model, but what is there must have the model's type. */
function checkItems<T>(list: unknown, field: string, stringFields: readonly string[]): T[] {
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw new AppFabricInvalidResponseError(`${field}: expected a list, got ${typeof list}`);
  list.forEach((item, i) => {
    if (!isRecord(item)) throw new AppFabricInvalidResponseError(`${field}[${i}]: expected an object`);
    for (const key of stringFields) {
      if (item[key] !== undefined && typeof item[key] !== 'string') {
        throw new AppFabricInvalidResponseError(
          `${field}[${i}].${key}: expected a string, got ${typeof item[key]}`,
        );
      }
    }
    for (const key of ['taskError', 'error']) {
      const value = item[key];
      if (value === undefined) continue;
      if (!isRecord(value))
        throw new AppFabricInvalidResponseError(`${field}[${i}].${key}: expected an object`);
      for (const member of ['errorCode', 'errorMessage']) {
        if (value[member] !== undefined && typeof value[member] !== 'string') {
          throw new AppFabricInvalidResponseError(
            `${field}[${i}].${key}.${member}: expected a string, got ${typeof value[member]}`,
          );
        }
      }
    }
  });
  return list as T[];
}

const RESULT_STRINGS = [
  'app',
  'tenantId',
  'tenantDisplayName',
  'taskId',
  'resultStatus',
  'email',
  'userId',
  'userFullName',
  'userFirstName',
  'userLastName',
  'userStatus',
] as const;

/**
 * A success must carry a JSON object: the model's answers are structures, and a body such as `5` or a
 * bare list would otherwise read as an empty answer (every task "missing"). Runs next to the transport,
 * before the SDK's deserializer, and hands it the bytes it read.
 */
const requireJsonObjectBody: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
  (next) => async (args) => {
    const result = await next(args);
    const response = result.response as HttpResponse;
    if (response.statusCode < 200 || response.statusCode >= 300 || !response.body) return result;
    const bytes = await streamCollector(response.body);
    response.body = bytes;
    const text = new TextDecoder().decode(bytes).trim();
    let parsed: unknown;
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      return result; // Not JSON at all: the deserializer's own error says so.
    }
    if (!isRecord(parsed)) {
      throw new AppFabricInvalidResponseError(
        `body: expected a JSON object, got ${Array.isArray(parsed) ? 'a list' : parsed === null ? 'null' : typeof parsed}`,
      );
    }
    return result;
  };

export class AppFabricGateway implements AccessTasksGateway {
  constructor(private readonly client: AppFabricClient = new AppFabricClient({})) {
    client.middlewareStack.add(requireJsonObjectBody, {
      step: 'deserialize',
      priority: 'low',
      name: 'requireJsonObjectBody',
      override: true,
    });
  }

  async batchGet(appBundleIdentifier: string, taskIds: readonly string[]): Promise<UserAccessResult[]> {
    let output: unknown;
    try {
      output = await this.client.send(
        new BatchGetUserAccessTasksCommand({ appBundleIdentifier, taskIdList: [...taskIds] }),
      );
    } catch (error) {
      throw toPollerError(error, 'BatchGetUserAccessTasks');
    }
    const list = isRecord(output) ? output.userAccessResultsList : undefined;
    return checkItems<UserAccessResult>(list, 'userAccessResultsList', RESULT_STRINGS);
  }

  async start(appBundleIdentifier: string, email: string): Promise<StartedTask[]> {
    let output: unknown;
    try {
      output = await this.client.send(new StartUserAccessTasksCommand({ appBundleIdentifier, email }));
    } catch (error) {
      throw toPollerError(error, 'StartUserAccessTasks');
    }
    const list = isRecord(output) ? output.userAccessTasksList : undefined;
    return checkItems<StartedTask>(list, 'userAccessTasksList', ['app', 'tenantId', 'taskId']);
  }
}
