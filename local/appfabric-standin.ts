/**
 * A local stand-in for AWS AppFabric's user-access API: an HTTP server on 127.0.0.1 that speaks restJson1
 * as the service model describes it (`/work/shared/api-model/appfabric-2023-05-19.service-2.json`).
 *
 * - `POST /useraccess/batchget` → 200 `{ userAccessResultsList }`
 * - `POST /useraccess/start`    → 201 `{ userAccessTasksList }`
 * - errors: status, `x-amzn-errortype: <Code>:http://internal.amazon.com/coral/com.amazonaws.appfabric/`,
 *   JSON body `{ message, ...members }`, `Retry-After` on 429 (and on 500 when configured).
 *
 * Calls need a SigV4 `Authorization` header whose credential scope names the service `appfabric`
 * (structure only; the signature is not verified), else 403 AccessDeniedException.
 *
 * Scripting: bundles (`addBundle`), tasks with their outcome (`addTask`), what StartUserAccessTasks creates
 * (`setStartScript`, `rejectEmail`), faults (`setFaults`). Every call is recorded in `calls`.
 * Deterministic: generated IDs come from a seeded generator (`seed` option).
 *
 * Standalone: `npx tsx local/appfabric-standin.ts --port 4567` (adds a demo bundle and prints the URL).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { seededRandom } from './random';

export type Operation = 'BatchGetUserAccessTasks' | 'StartUserAccessTasks';
export type Outcome = 'COMPLETED' | 'FAILED' | 'EXPIRED';

/** One app (and tenant) connected to a bundle. */
export interface BundleApp {
  app: string;
  tenantId: string;
  tenantDisplayName?: string;
}

/** The user fields a COMPLETED answer carries; each defaults to a value derived from the email. */
export interface UserFields {
  userId?: string;
  userFullName?: string;
  userFirstName?: string;
  userLastName?: string;
  userStatus?: string;
}

/** How a task behaves when polled. */
export interface TaskBehaviour {
  /** Terminal status it reaches (default COMPLETED). */
  outcome?: Outcome;
  /** Answers (after any `missing` polls) that report IN_PROGRESS before the outcome (default 0: the first is terminal). */
  inProgressPolls?: number;
  /** The outcome also waits until this many ms after the task was created (default 0). */
  inProgressMs?: number;
  /** Left out of answers: always (`true`), or for the first N polls that ask for it. */
  missing?: boolean | number;
  /** Fields of the COMPLETED answer. */
  user?: UserFields;
  /** `taskError` of the FAILED answer (default `{ errorCode: 'USER_NOT_FOUND', ... }`). */
  taskError?: { errorCode?: string; errorMessage?: string };
}

/** A task to add with {@link AppFabricStandIn.addTask}. App and tenant default to the bundle's first app. */
export interface TaskScript extends TaskBehaviour {
  /** Lower-case UUID; generated when left out. */
  taskId?: string;
  app?: string;
  tenantId?: string;
  tenantDisplayName?: string;
  /** Default `user@example.com`. */
  email?: string;
}

/** What StartUserAccessTasks gives each task it creates: fixed, or chosen per address and app. */
export type StartScript = TaskBehaviour | ((email: string, app: BundleApp) => TaskBehaviour);

/** A scripted error answer (any status and error type, e.g. one the client does not model). */
export interface CustomError {
  status: number;
  errorType: string;
  message?: string;
  /** Extra members of the JSON body. */
  members?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/**
 * Server-wide faults. `setFaults` merges what it is given; a `...Next` count is consumed one per affected call.
 * Order for an authenticated call: latency, accessDenied, customError, throttleNext, throttleEvery,
 * serverErrorNext, then the operation; malformed/truncated bodies replace successful answers only.
 */
export interface Faults {
  /** Faults touch only these operations (default: both). */
  operations?: Operation[];
  /** Delay in ms before every answer. */
  latencyMs?: number;
  /** Every authenticated call answers 403 AccessDeniedException. */
  accessDenied?: boolean;
  /** The next N calls answer `customError`. */
  customErrorNext?: number;
  customError?: CustomError;
  /** The next N calls answer 429 ThrottlingException. */
  throttleNext?: number;
  /** Every k-th call (counted from when this was set) answers 429. */
  throttleEvery?: number;
  /** `Retry-After` on 429 answers, seconds (default 1); `null` leaves the header out. */
  throttleRetryAfterSeconds?: number | null;
  /** `serviceCode` / `quotaCode` members of 429 answers (defaults `appfabric`, `L-STANDIN`). */
  throttleServiceCode?: string;
  throttleQuotaCode?: string;
  /** The next N calls answer 500 InternalServerException. */
  serverErrorNext?: number;
  /** `Retry-After` on 500 answers, seconds (default: no header). */
  serverErrorRetryAfterSeconds?: number | null;
  /** The next N successful answers carry a body that is not JSON (status and headers unchanged). */
  malformedNext?: number;
  /**
   * The next N successful answers are cut off: `Content-Length` announces the whole body, half of it is
   * sent, then the connection is destroyed (the client sees a socket error while reading the body).
   */
  truncatedNext?: number;
  /** BatchGetUserAccessTasks answers also carry this many COMPLETED results for IDs nobody asked for. */
  extraResults?: number;
}

export type FaultKind =
  | 'unauthenticated'
  | 'accessDenied'
  | 'custom'
  | 'throttle'
  | 'serverError'
  | 'malformed'
  | 'truncated';

/** One HTTP call as the stand-in saw it. */
export interface RecordedCall {
  operation: Operation | 'Unknown';
  method: string;
  /** Path without the query string. */
  path: string;
  status: number;
  /** Error code of an error answer (`x-amzn-errortype` without its suffix). */
  errorType?: string;
  /** The fault that shaped the answer, if any. */
  fault?: FaultKind;
  /** Parsed JSON body, or the raw text when it was not JSON (`undefined` when empty). */
  requestBody: unknown;
  /** Request headers, lower-case names (includes `authorization`, `x-amz-date`, `amz-sdk-request`). */
  headers: Record<string, string>;
  /** Epoch ms when the request arrived. */
  at: number;
}

/** A task as the stand-in holds it (a copy). */
export interface TaskState extends Required<Pick<TaskScript, 'taskId' | 'app' | 'tenantId' | 'email'>> {
  bundleId: string;
  tenantDisplayName?: string;
  behaviour: TaskBehaviour;
  createdAt: number;
  /** BatchGetUserAccessTasks calls that asked for it. */
  polls: number;
}

export interface StandInOptions {
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of the ID generator (default 1). */
  seed?: number;
  /**
   * The clock (epoch ms) that tasks' `createdAt` and `inProgressMs` are measured with (default `Date.now`).
   * Give it a virtual clock to have tasks finish by virtual time.
   */
  now?: () => number;
}

export interface AppFabricStandIn {
  /** `http://127.0.0.1:<port>`: give it to the client as `endpoint`. */
  readonly url: string;
  readonly port: number;
  /** Every call so far, oldest first. */
  readonly calls: readonly RecordedCall[];
  resetCalls(): void;
  /**
   * Registers a bundle by ARN or UUID (the UUID is an ARN's last path segment); either form is then accepted.
   * Returns both forms (the ARN is made up in us-east-1 when a bare UUID is given).
   */
  addBundle(identifier: string, apps: BundleApp[]): { arn: string; uuid: string };
  /** Adds a task to a bundle; returns its ID. */
  addTask(bundle: string, script?: TaskScript): string;
  /** What the tasks StartUserAccessTasks creates in this bundle do (default: COMPLETED at the first poll). */
  setStartScript(bundle: string, script: StartScript): void;
  /**
   * Makes StartUserAccessTasks fail for an address (case-insensitive). `itemError` (default): 201 with one item
   * per app carrying `error` and no `taskId`; `validation`: 400 ValidationException on `email`.
   */
  rejectEmail(
    address: string,
    options?: { as?: 'itemError' | 'validation'; errorCode?: string; errorMessage?: string },
  ): void;
  setFaults(faults: Faults): void;
  clearFaults(): void;
  /** A copy of a task's state, or undefined. */
  getTask(taskId: string): TaskState | undefined;
  /** Task IDs of a bundle (or of all bundles), in creation order. */
  taskIds(bundle?: string): string[];
  close(): Promise<void>;
}

const ERROR_TYPE_SUFFIX = ':http://internal.amazon.com/coral/com.amazonaws.appfabric/';
// The model's patterns, anchored (the service rejects IDs with anything around the UUID).
const UUID = /^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;
const IDENTIFIER = /^(arn:.+|[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})$/;
const EMAIL = /^[a-zA-Z0-9.!#$%&’*+/=?^_`{|}~-]+@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*$/;
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=[A-Za-z0-9]+\/\d{8}\/[a-z0-9-]+\/appfabric\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/;
const PATHS: Record<string, Operation> = {
  '/useraccess/batchget': 'BatchGetUserAccessTasks',
  '/useraccess/start': 'StartUserAccessTasks',
};

class HttpError extends Error {
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

type FieldProblem = { name: string; message: string };
const validation = (fieldList: FieldProblem[], reason = 'fieldValidationFailed') =>
  new HttpError(
    400,
    'ValidationException',
    fieldList.length > 0 ? fieldList.map((f) => `${f.name}: ${f.message}`).join('; ') : 'Invalid request',
    { reason, fieldList },
  );

const bundleUuid = (identifier: string) =>
  identifier.startsWith('arn:') ? (identifier.split('/').pop() ?? identifier) : identifier;

const capitalise = (s: string) => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s);

const sleep = (ms: number, timers: Set<NodeJS.Timeout>) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(() => {
      timers.delete(t);
      resolve();
    }, ms);
    timers.add(t);
  });

const identity = (task: TaskState) => ({
  app: task.app,
  tenantId: task.tenantId,
  ...(task.tenantDisplayName ? { tenantDisplayName: task.tenantDisplayName } : {}),
  taskId: task.taskId,
});

/**
 * The answer a task gives once it is done, from its script: COMPLETED with user fields derived from the
 * address (unless scripted), FAILED with a taskError, or EXPIRED. Tests derive expected records from it.
 */
export function finalAnswer(task: TaskState): Record<string, unknown> {
  const { behaviour } = task;
  const base = identity(task);
  const outcome = behaviour.outcome ?? 'COMPLETED';
  if (outcome === 'EXPIRED') return { ...base, resultStatus: 'EXPIRED' };
  if (outcome === 'FAILED') {
    return {
      ...base,
      resultStatus: 'FAILED',
      taskError: {
        errorCode: behaviour.taskError?.errorCode ?? 'USER_NOT_FOUND',
        errorMessage: behaviour.taskError?.errorMessage ?? `No user with this email in ${task.app}`,
      },
    };
  }
  const local = task.email.split('@')[0] ?? '';
  const [first = local, ...rest] = local.split(/[._+-]+/).filter(Boolean);
  const firstName = capitalise(first);
  const lastName = rest.map(capitalise).join(' ') || 'User';
  const user = behaviour.user ?? {};
  return {
    ...base,
    resultStatus: 'COMPLETED',
    email: task.email,
    userId: user.userId ?? `U${task.taskId.slice(0, 8).toUpperCase()}`,
    userFullName: user.userFullName ?? `${firstName} ${lastName}`,
    userFirstName: user.userFirstName ?? firstName,
    userLastName: user.userLastName ?? lastName,
    userStatus: user.userStatus ?? 'ACTIVE',
  };
}

export async function startAppFabricStandIn(options: StandInOptions = {}): Promise<AppFabricStandIn> {
  const random = seededRandom(options.seed ?? 1);
  const clock = options.now ?? Date.now;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
    hex[12] = '4';
    hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };
  let requestCount = 0;

  const bundles = new Map<string, { arn: string; apps: BundleApp[]; startScript: StartScript }>();
  const tasks = new Map<string, TaskState>();
  const rejected = new Map<
    string,
    { as: 'itemError' | 'validation'; errorCode: string; errorMessage: string }
  >();
  const calls: RecordedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let faults: Faults = {};
  let throttleCounter = 0;

  const requireBundle = (identifier: string) => {
    const bundle = bundles.get(bundleUuid(identifier));
    if (!bundle) throw new Error(`unknown bundle ${identifier}: addBundle it first`);
    return bundle;
  };

  const createTask = (bundleId: string, script: TaskScript): string => {
    const { taskId: given, app, tenantId, tenantDisplayName, email, ...behaviour } = script;
    const taskId = given ?? uuid();
    if (!UUID.test(taskId)) throw new Error(`taskId ${taskId} is not a lower-case UUID`);
    const apps = bundles.get(bundleId)?.apps ?? [];
    const known =
      apps.find((a) => a.app === app && (tenantId === undefined || a.tenantId === tenantId)) ??
      (app === undefined ? apps[0] : undefined);
    tasks.set(taskId, {
      taskId,
      bundleId,
      app: app ?? known?.app ?? 'app',
      tenantId: tenantId ?? known?.tenantId ?? 'tenant',
      tenantDisplayName: tenantDisplayName ?? known?.tenantDisplayName,
      email: email ?? 'user@example.com',
      behaviour,
      createdAt: clock(),
      polls: 0,
    });
    return taskId;
  };

  // ---- operations ----------------------------------------------------------------------------------

  const validateIdentifier = (value: unknown, problems: FieldProblem[]) => {
    if (typeof value !== 'string' || value.length === 0) {
      problems.push({ name: 'appBundleIdentifier', message: 'Member must not be null or empty' });
    } else if (value.length > 1011 || !IDENTIFIER.test(value)) {
      problems.push({
        name: 'appBundleIdentifier',
        message: 'Member must be an ARN or a lower-case UUID of at most 1011 characters',
      });
    }
  };

  const findBundle = (identifier: string) => {
    const bundle = bundles.get(bundleUuid(identifier));
    if (!bundle) {
      throw new HttpError(404, 'ResourceNotFoundException', `App bundle ${identifier} not found`, {
        resourceId: identifier,
        resourceType: 'AppBundle',
      });
    }
    return { id: bundleUuid(identifier), bundle };
  };

  const answer = (task: TaskState) => {
    const { behaviour } = task;
    const missed = behaviour.missing === true ? Number.POSITIVE_INFINITY : Number(behaviour.missing || 0);
    if (task.polls <= missed) return undefined;
    const answered = task.polls - missed;
    const waiting =
      answered <= (behaviour.inProgressPolls ?? 0) ||
      clock() - task.createdAt < (behaviour.inProgressMs ?? 0);
    if (waiting) return { ...identity(task), resultStatus: 'IN_PROGRESS' };
    return finalAnswer(task);
  };

  const batchGet = (body: Record<string, unknown>) => {
    const problems: FieldProblem[] = [];
    validateIdentifier(body.appBundleIdentifier, problems);
    const ids = body.taskIdList;
    if (!Array.isArray(ids)) {
      problems.push({ name: 'taskIdList', message: 'Member must not be null' });
    } else if (ids.length < 1 || ids.length > 50) {
      problems.push({ name: 'taskIdList', message: 'Member must have length between 1 and 50' });
    } else {
      ids.forEach((id, i) => {
        if (typeof id !== 'string' || !UUID.test(id)) {
          problems.push({ name: `taskIdList[${i}]`, message: 'Member must be a lower-case UUID' });
        }
      });
    }
    if (problems.length > 0) throw validation(problems);
    const { id: bundleId, bundle } = findBundle(body.appBundleIdentifier as string);
    const results: Record<string, unknown>[] = [];
    for (const taskId of new Set(ids as string[])) {
      const task = tasks.get(taskId);
      if (!task || task.bundleId !== bundleId) continue; // unknown IDs are left out
      task.polls += 1;
      const item = answer(task);
      if (item) results.push(item);
    }
    for (let i = 0; i < (faults.extraResults ?? 0); i++) {
      const app = bundle.apps[0] ?? { app: 'app', tenantId: 'tenant' };
      results.push({
        app: app.app,
        tenantId: app.tenantId,
        taskId: uuid(),
        resultStatus: 'COMPLETED',
        email: `someone.else${i}@example.com`,
        userId: `UEXTRA${i}`,
        userFullName: 'Someone Else',
        userFirstName: 'Someone',
        userLastName: 'Else',
        userStatus: 'ACTIVE',
      });
    }
    return { status: 200, body: { userAccessResultsList: results } };
  };

  const start = (body: Record<string, unknown>) => {
    const problems: FieldProblem[] = [];
    validateIdentifier(body.appBundleIdentifier, problems);
    const email = body.email;
    if (typeof email !== 'string' || email.length === 0) {
      problems.push({ name: 'email', message: 'Member must not be null or empty' });
    } else if (email.length > 320 || !EMAIL.test(email)) {
      problems.push({ name: 'email', message: 'Member must be an email address' });
    }
    if (problems.length > 0) throw validation(problems);
    const { id: bundleId, bundle } = findBundle(body.appBundleIdentifier as string);
    const address = email as string;
    const rejection = rejected.get(address.toLowerCase());
    if (rejection?.as === 'validation') {
      throw validation([{ name: 'email', message: rejection.errorMessage }]);
    }
    const items = bundle.apps.map((app) => {
      if (rejection) {
        return {
          app: app.app,
          tenantId: app.tenantId,
          error: { errorCode: rejection.errorCode, errorMessage: rejection.errorMessage },
        };
      }
      const script = bundle.startScript;
      const behaviour = typeof script === 'function' ? script(address, app) : script;
      const taskId = createTask(bundleId, { ...behaviour, ...app, email: address });
      return { app: app.app, tenantId: app.tenantId, taskId };
    });
    return { status: 201, body: { userAccessTasksList: items } };
  };

  // ---- HTTP ----------------------------------------------------------------------------------------

  /** Writes a JSON answer; `cut` sends only the first half of the body, then destroys the connection. */
  const send = (
    res: ServerResponse,
    status: number,
    payload: string,
    headers: Record<string, string>,
    cut = false,
  ) => {
    const bytes = Buffer.from(payload);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
    if (cut) res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.destroy());
    else res.end(bytes);
  };

  const faultFor = (operation: Operation): HttpError | undefined => {
    if (faults.operations && !faults.operations.includes(operation)) return undefined;
    if (faults.accessDenied) {
      return new HttpError(
        403,
        'AccessDeniedException',
        'User is not authorized to perform this action',
        {},
        {},
        'accessDenied',
      );
    }
    if ((faults.customErrorNext ?? 0) > 0 && faults.customError) {
      faults.customErrorNext = (faults.customErrorNext ?? 0) - 1;
      const c = faults.customError;
      return new HttpError(c.status, c.errorType, c.message ?? c.errorType, c.members, c.headers, 'custom');
    }
    let throttle = false;
    if ((faults.throttleNext ?? 0) > 0) {
      faults.throttleNext = (faults.throttleNext ?? 0) - 1;
      throttle = true;
    } else if (faults.throttleEvery && faults.throttleEvery > 0) {
      throttleCounter += 1;
      throttle = throttleCounter % faults.throttleEvery === 0;
    }
    if (throttle) {
      const retryAfter =
        faults.throttleRetryAfterSeconds === undefined ? 1 : faults.throttleRetryAfterSeconds;
      return new HttpError(
        429,
        'ThrottlingException',
        'Rate exceeded',
        {
          serviceCode: faults.throttleServiceCode ?? 'appfabric',
          quotaCode: faults.throttleQuotaCode ?? 'L-STANDIN',
        },
        retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
        'throttle',
      );
    }
    if ((faults.serverErrorNext ?? 0) > 0) {
      faults.serverErrorNext = (faults.serverErrorNext ?? 0) - 1;
      const retryAfter = faults.serverErrorRetryAfterSeconds;
      return new HttpError(
        500,
        'InternalServerException',
        'Internal server error',
        {},
        retryAfter === undefined || retryAfter === null ? {} : { 'retry-after': String(retryAfter) },
        'serverError',
      );
    }
    return undefined;
  };

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const at = Date.now();
    requestCount += 1;
    const requestId = `00000000-0000-4000-8000-${requestCount.toString(16).padStart(12, '0')}`;
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    const raw = await readBody(req);
    let requestBody: unknown;
    let parsed: unknown;
    let parseFailed = false;
    if (raw.length > 0) {
      try {
        parsed = JSON.parse(raw);
        requestBody = parsed;
      } catch {
        parseFailed = true;
        requestBody = raw;
      }
    } else {
      parsed = {};
    }
    const known = method === 'POST' ? PATHS[path] : undefined;
    const call: RecordedCall = {
      operation: known ?? 'Unknown',
      method,
      path,
      status: 0,
      requestBody,
      headers,
      at,
    };
    calls.push(call);

    try {
      const auth = headers.authorization ?? '';
      const match = AUTHORIZATION.exec(auth);
      if (!match?.[1].split(';').includes('host')) {
        throw new HttpError(
          403,
          'AccessDeniedException',
          'Missing or malformed SigV4 Authorization header for service appfabric',
          {},
          {},
          'unauthenticated',
        );
      }
      if (!known) {
        throw new HttpError(404, 'UnknownOperationException', `No operation at ${method} ${path}`);
      }
      if (faults.latencyMs && (!faults.operations || faults.operations.includes(known))) {
        await sleep(faults.latencyMs, timers);
      }
      const fault = faultFor(known);
      if (fault) throw fault;
      if (parseFailed || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw validation([], 'cannotParse');
      }
      const body = parsed as Record<string, unknown>;
      const result = known === 'BatchGetUserAccessTasks' ? batchGet(body) : start(body);
      const affected = !faults.operations || faults.operations.includes(known);
      call.status = result.status;
      let payload = JSON.stringify(result.body);
      let cut = false;
      if (affected && (faults.malformedNext ?? 0) > 0) {
        faults.malformedNext = (faults.malformedNext ?? 0) - 1;
        call.fault = 'malformed';
        payload = '{"userAccessResultsList": [<html>not json';
      } else if (affected && (faults.truncatedNext ?? 0) > 0) {
        faults.truncatedNext = (faults.truncatedNext ?? 0) - 1;
        call.fault = 'truncated';
        cut = true;
      }
      send(res, result.status, payload, { 'x-amzn-requestid': requestId }, cut);
    } catch (e) {
      const error =
        e instanceof HttpError
          ? e
          : new HttpError(500, 'InternalServerException', `Stand-in failure: ${String(e)}`);
      call.status = error.status;
      call.errorType = error.errorType;
      if (error.fault) call.fault = error.fault;
      send(res, error.status, JSON.stringify({ message: error.message, ...error.members }), {
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': `${error.errorType}${ERROR_TYPE_SUFFIX}`,
        ...error.headers,
      });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  return {
    url: `http://${host}:${port}`,
    port,
    get calls() {
      return calls;
    },
    resetCalls() {
      calls.length = 0;
    },
    addBundle(identifier, apps) {
      if (!IDENTIFIER.test(identifier))
        throw new Error(`${identifier} is neither an ARN nor a lower-case UUID`);
      const id = bundleUuid(identifier);
      const arn = identifier.startsWith('arn:')
        ? identifier
        : `arn:aws:appfabric:us-east-1:123456789012:appbundle/${id}`;
      bundles.set(id, {
        arn,
        apps: apps.map((a) => ({ ...a })),
        startScript: bundles.get(id)?.startScript ?? {},
      });
      return { arn, uuid: id };
    },
    addTask(bundle, script = {}) {
      requireBundle(bundle);
      return createTask(bundleUuid(bundle), script);
    },
    setStartScript(bundle, script) {
      requireBundle(bundle).startScript = script;
    },
    rejectEmail(address, opts = {}) {
      rejected.set(address.toLowerCase(), {
        as: opts.as ?? 'itemError',
        errorCode: opts.errorCode ?? 'TaskStartFailed',
        errorMessage: opts.errorMessage ?? `Cannot start user access tasks for ${address}`,
      });
    },
    setFaults(next) {
      if (next.throttleEvery !== undefined) throttleCounter = 0;
      faults = { ...faults, ...next };
    },
    clearFaults() {
      faults = {};
      throttleCounter = 0;
    },
    getTask(taskId) {
      const task = tasks.get(taskId);
      return task ? { ...task, behaviour: { ...task.behaviour } } : undefined;
    },
    taskIds(bundle) {
      const id = bundle === undefined ? undefined : bundleUuid(bundle);
      return [...tasks.values()].filter((t) => id === undefined || t.bundleId === id).map((t) => t.taskId);
    },
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

// ---- standalone ------------------------------------------------------------------------------------

if (require.main === module) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  startAppFabricStandIn({ port: Number(arg('--port') ?? 0), host: arg('--host') }).then((standIn) => {
    const demo = standIn.addBundle(
      'arn:aws:appfabric:us-east-1:123456789012:appbundle/11111111-2222-4333-8444-555555555555',
      [
        { app: 'SLACK', tenantId: 'T0DEMO', tenantDisplayName: 'Demo workspace' },
        { app: 'OKTA', tenantId: 'demo.okta.com', tenantDisplayName: 'Demo Okta' },
      ],
    );
    standIn.setStartScript(demo.arn, { inProgressPolls: 1, outcome: 'COMPLETED' });
    console.log(`AppFabric stand-in listening on ${standIn.url}`);
    console.log(`demo bundle: ${demo.arn}`);
    const stop = () => void standIn.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
