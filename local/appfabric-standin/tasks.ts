/**
 * The task scripts: bundles and their apps, tasks with the outcome each is scripted to reach, what
 * StartUserAccessTasks creates, rejected addresses, and the answer a task gives at each poll.
 */
import { seededRandom } from '../random';
import { bundleNotFound, bundleUuid, IDENTIFIER, UUID } from './protocol';
import type { BundleApp, StartScript, TaskBehaviour, TaskScript, TaskState } from './types';

export interface Bundle {
  arn: string;
  apps: BundleApp[];
  startScript: StartScript;
}

export interface Rejection {
  as: 'itemError' | 'validation';
  errorCode: string;
  errorMessage: string;
}

const capitalise = (s: string) => (s ? s[0].toUpperCase() + s.slice(1).toLowerCase() : s);

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

export class TaskBook {
  readonly bundles = new Map<string, Bundle>();
  readonly tasks = new Map<string, TaskState>();
  readonly rejected = new Map<string, Rejection>();
  private readonly random: () => number;

  constructor(
    seed: number,
    private readonly clock: () => number,
  ) {
    this.random = seededRandom(seed);
  }

  /** A lower-case v4 UUID from the seeded generator. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16));
    hex[12] = '4';
    hex[16] = ((Number.parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  addBundle(identifier: string, apps: BundleApp[]): { arn: string; uuid: string } {
    if (!IDENTIFIER.test(identifier)) throw new Error('addBundle: neither an ARN nor a lower-case UUID');
    const id = bundleUuid(identifier);
    const arn = identifier.startsWith('arn:')
      ? identifier
      : `arn:aws:appfabric:us-east-1:123456789012:appbundle/${id}`;
    this.bundles.set(id, {
      arn,
      apps: apps.map((a) => ({ ...a })),
      startScript: this.bundles.get(id)?.startScript ?? {},
    });
    return { arn, uuid: id };
  }

  /** The bundle a test scripts (a mistake in the test: a plain Error). */
  requireBundle(identifier: string): Bundle {
    const bundle = this.bundles.get(bundleUuid(identifier));
    if (!bundle) throw new Error('unknown bundle: addBundle it first');
    return bundle;
  }

  /** The bundle a call names, or the service's 404. */
  findBundle(identifier: string): { id: string; bundle: Bundle } {
    const bundle = this.bundles.get(bundleUuid(identifier));
    if (!bundle) throw bundleNotFound(identifier);
    return { id: bundleUuid(identifier), bundle };
  }

  createTask(bundleId: string, script: TaskScript): string {
    const { taskId: given, app, tenantId, tenantDisplayName, email, ...behaviour } = script;
    const taskId = given ?? this.uuid();
    if (!UUID.test(taskId)) throw new Error('addTask: taskId is not a lower-case UUID');
    const apps = this.bundles.get(bundleId)?.apps ?? [];
    const known =
      apps.find((a) => a.app === app && (tenantId === undefined || a.tenantId === tenantId)) ??
      (app === undefined ? apps[0] : undefined);
    this.tasks.set(taskId, {
      taskId,
      bundleId,
      app: app ?? known?.app ?? 'app',
      tenantId: tenantId ?? known?.tenantId ?? 'tenant',
      tenantDisplayName: tenantDisplayName ?? known?.tenantDisplayName,
      email: email ?? 'user@example.com',
      behaviour,
      createdAt: this.clock(),
      polls: 0,
    });
    return taskId;
  }

  /** What StartUserAccessTasks gives a new task of this bundle for this address and app. */
  startBehaviour(bundle: Bundle, email: string, app: BundleApp): TaskBehaviour {
    const script = bundle.startScript;
    return typeof script === 'function' ? script(email, app) : script;
  }

  /** The answer to one poll (counted already): left out (undefined), IN_PROGRESS, or the final answer. */
  answer(task: TaskState): Record<string, unknown> | undefined {
    const { behaviour } = task;
    const missed = behaviour.missing === true ? Number.POSITIVE_INFINITY : Number(behaviour.missing || 0);
    if (task.polls <= missed) return undefined;
    const answered = task.polls - missed;
    const waiting =
      answered <= (behaviour.inProgressPolls ?? 0) ||
      this.clock() - task.createdAt < (behaviour.inProgressMs ?? 0);
    if (waiting) return { ...identity(task), resultStatus: 'IN_PROGRESS' };
    return finalAnswer(task);
  }

  getTask(taskId: string): TaskState | undefined {
    const task = this.tasks.get(taskId);
    return task ? { ...task, behaviour: { ...task.behaviour } } : undefined;
  }

  taskIds(bundle?: string): string[] {
    const id = bundle === undefined ? undefined : bundleUuid(bundle);
    return [...this.tasks.values()].filter((t) => id === undefined || t.bundleId === id).map((t) => t.taskId);
  }
}
