/** The stand-in's public types: what tests script (bundles, tasks, faults) and what it records. */
export type Operation = 'BatchGetUserAccessTasks' | 'StartUserAccessTasks';
export type Outcome = 'COMPLETED' | 'FAILED' | 'EXPIRED';

/** One app (and tenant) connected to a bundle. */
export interface BundleApp {
  app: string;
  tenantId: string;
  tenantDisplayName?: string;
}

/** The user fields a COMPLETED answer carries; each defaults to a value derived from the email. */
interface UserFields {
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
interface CustomError {
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
  /** Status of the answer; 0 when the client went away during injected latency (nothing was answered). */
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
