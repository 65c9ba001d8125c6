/** The two operations: request checks as the model states them, then the answer from the task scripts. */
import { checkIdentifier, EMAIL, type FieldProblem, UUID, validation } from './protocol';
import type { TaskBook } from './tasks';

export interface OperationResult {
  status: number;
  body: Record<string, unknown>;
}

/** `POST /useraccess/batchget`: 200 with the answers of the known IDs (unknown IDs are left out). */
export function batchGet(
  book: TaskBook,
  body: Record<string, unknown>,
  extraResults: number,
): OperationResult {
  const problems: FieldProblem[] = [];
  checkIdentifier(body.appBundleIdentifier, problems);
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
  const { id: bundleId, bundle } = book.findBundle(body.appBundleIdentifier as string);
  const results: Record<string, unknown>[] = [];
  for (const taskId of new Set(ids as string[])) {
    const task = book.tasks.get(taskId);
    if (!task || task.bundleId !== bundleId) continue;
    task.polls += 1;
    const item = book.answer(task);
    if (item) results.push(item);
  }
  for (let i = 0; i < extraResults; i++) {
    const app = bundle.apps[0] ?? { app: 'app', tenantId: 'tenant' };
    results.push({
      app: app.app,
      tenantId: app.tenantId,
      taskId: book.uuid(),
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
}

/** `POST /useraccess/start`: 201 with one item per app of the bundle (a task, or the address's error). */
export function start(book: TaskBook, body: Record<string, unknown>): OperationResult {
  const problems: FieldProblem[] = [];
  checkIdentifier(body.appBundleIdentifier, problems);
  const email = body.email;
  if (typeof email !== 'string' || email.length === 0) {
    problems.push({ name: 'email', message: 'Member must not be null or empty' });
  } else if (email.length > 320 || !EMAIL.test(email)) {
    problems.push({ name: 'email', message: 'Member must be an email address' });
  }
  if (problems.length > 0) throw validation(problems);
  const { id: bundleId, bundle } = book.findBundle(body.appBundleIdentifier as string);
  const address = email as string;
  const rejection = book.rejected.get(address.toLowerCase());
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
    const behaviour = book.startBehaviour(bundle, address, app);
    const taskId = book.createTask(bundleId, { ...behaviour, ...app, email: address });
    return { app: app.app, tenantId: app.tenantId, taskId };
  });
  return { status: 201, body: { userAccessTasksList: items } };
}
