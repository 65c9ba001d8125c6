/**
 * No address leaks: fuzzed with fast-check through the real handler over in-memory ports. Addresses go in
 * values, keys and nested fields of the input, in AppFabric's own error messages (mapped by the real
 * gateway's error mapping) and in taskError texts; none may come out in an error's message or cause, a
 * Powertools log line (the logger's output is captured), a metric, the run record's errorCause or a
 * stored task record's taskError. Cases tried per property are printed.
 */
import fc from 'fast-check';
import { toPollerError } from '../../lambda/adapters/appfabric-gateway';
import { Actions } from '../../lambda/contract/workflow';
import type { LoopState } from '../../lambda/core/model';
import { logger, makeHandler, metrics } from '../../lambda/handler';
import { REDACTED_EMAIL, redactAndTruncate, redactEmails } from '../../lambda/shared/redact';
import { type FakeWorld, fakeUuid, fakeWorld } from '../support/fakes';

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_201);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));
const tried: Record<string, number> = {};
const count = (name: string) => {
  tried[name] = (tried[name] ?? 0) + 1;
};
afterAll(() => console.log(`redaction fuzz cases tried: ${JSON.stringify(tried)}`));

/** Addresses of every form: RFC-ish ones, no dot in the domain, very long ones. */
const address = fc.oneof(
  fc.emailAddress(),
  fc
    .tuple(fc.stringMatching(/^[a-z0-9._%+-]{1,30}$/), fc.stringMatching(/^[a-z0-9-]{1,20}$/))
    .map(([l, d]) => `${l}@${d}`),
  fc.stringMatching(/^[a-z]{60,120}$/).map((l) => `${l}@example.com`),
);

/** Text that must not show the address: not whole, and not the part at the `@`. */
function leaks(text: string, email: string): boolean {
  if (text.includes(email) || text.includes('@')) return true;
  const [local = '', domain = ''] = email.split('@');
  return (local.length >= 6 && text.includes(local)) || (domain.length >= 8 && text.includes(`@${domain}`));
}

/**
 * Runs `fn` with the logger at DEBUG and every line it prints captured (Powertools prints through its own
 * Console: its methods are spied), and the metrics added.
 */
async function captureLogs<T>(
  fn: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; out: string }> {
  const loggerConsole = (logger as unknown as { console: Console }).console;
  const spies = (['log', 'debug', 'info', 'warn', 'error', 'trace'] as const).map((m) =>
    jest.spyOn(loggerConsole, m).mockImplementation(() => {}),
  );
  const addMetric = jest.spyOn(metrics, 'addMetric');
  const output = () => JSON.stringify([...spies.map((s) => s.mock.calls), addMetric.mock.calls]);
  logger.setLogLevel('DEBUG');
  try {
    const result = await fn();
    return { result, error: undefined, out: output() };
  } catch (error) {
    return { result: undefined, error, out: output() };
  } finally {
    logger.setLogLevel('SILENT');
    for (const spy of spies) spy.mockRestore();
    addMetric.mockRestore();
  }
}

const handlerFor = (world: FakeWorld) =>
  makeHandler(() => ({ deps: world.deps, startTasksForEmails: world.starter }));

/** What Lambda reports of a thrown error (its message and trace, which become the Step Functions Cause). */
const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.message} | ${error.stack ?? ''}` : String(error);

describe('redactEmails', () => {
  it('leaves no @ in any text, and replaces an address whatever it is embedded in', () => {
    fc.assert(
      fc.property(
        fc.string(),
        address,
        fc.string(),
        fc.constantFrom(' ', '"', '(', '<', ',', ':', ''),
        (before, email, after, sep) => {
          count('redactEmails');
          const out = redactEmails(`${before}${sep}${email}${sep}${after}`);
          expect(out).not.toContain('@');
          expect(out).not.toContain(email);
        },
      ),
      { seed: SEED, numRuns: runs(500) },
    );
  });

  it('catches an address cut anywhere, and redacts before truncating', () => {
    fc.assert(
      fc.property(address, fc.nat(), fc.nat({ max: 200 }), (email, cut, max) => {
        count('cut');
        const at = email.indexOf('@');
        const piece = email.slice(0, at + 1 + (cut % (email.length - at)));
        expect(redactEmails(`user ${piece}`)).toBe(`user ${REDACTED_EMAIL}`);
        expect(leaks(redactAndTruncate(`${'x'.repeat(max)} "${email}"`, max + 5), email)).toBe(false);
      }),
      { seed: SEED, numRuns: runs(300) },
    );
  });
});

describe('no address in errors, logs or metrics from a bad input', () => {
  const placed = (email: string) =>
    fc.constantFrom(
      { taskIdList: [email] },
      { taskIdList: [fakeUuid(1), email] },
      { [email]: 1, taskIdList: [fakeUuid(1)] },
      { taskIdList: [fakeUuid(1)], nested: { [email]: email } },
      { taskIdList: [{ [email]: email }] },
      { appBundleIdentifier: email, taskIdList: [fakeUuid(1)] },
      { emails: [`${email}@`] },
      { emails: [email, 5] },
      { taskIdList: [fakeUuid(1)], maxWaitSeconds: email },
      { taskIdList: email },
    );

  it('start: the error, the log line, the metrics and the run record name the field, never the address', async () => {
    await fc.assert(
      fc.asyncProperty(
        address.chain((email) => fc.tuple(fc.constant(email), placed(email))),
        async ([email, input]) => {
          count('start input');
          // Prepare
          const world = fakeWorld();
          const handler = handlerFor(world);

          // Act
          const start = await captureLogs(() => handler({ action: Actions.start, runId: 'fuzz', input }));
          const error = start.error as Error;
          const fail = await captureLogs(() =>
            handler({
              action: Actions.fail,
              runId: 'fuzz',
              error: {
                Error: error?.name,
                Cause: JSON.stringify({ errorMessage: error?.message, trace: [] }),
              },
            }),
          );

          // Assess
          expect(error?.name).toBe('InvalidInputError');
          // The capture works: the handler's ERROR line and the failure metric are in it.
          expect(start.out).toContain('action failed');
          expect(fail.out).toContain('RunsFailed');
          expect(leaks(errorText(error), email)).toBe(false);
          expect(leaks(start.out, email)).toBe(false);
          expect(leaks(fail.out, email)).toBe(false);
          expect(leaks(JSON.stringify(fail.result), email)).toBe(false);
          expect(leaks(JSON.stringify(world.results.runs.get('fuzz')), email)).toBe(false);
          expect(world.results.runs.get('fuzz')?.errorCause).toMatch(/^[\w.[\]#]+: /);
        },
      ),
      { seed: SEED, numRuns: runs(150) },
    );
  });
});

describe('no address from AppFabric reaches an error, a log line, the run record or a task record', () => {
  const sdkError = (name: string, message: string, email: string) =>
    Object.assign(new Error(message), {
      name,
      $metadata: {
        httpStatusCode: name === 'ValidationException' ? 400 : name === 'AccessDeniedException' ? 403 : 500,
      },
      fieldList: [{ name: 'email', message: `${email} is not valid` }],
    });

  it('AppFabric error messages: mapped, logged, recorded on the failed run', async () => {
    await fc.assert(
      fc.asyncProperty(
        address,
        fc.constantFrom(
          'ValidationException',
          'AccessDeniedException',
          'InternalServerException',
          'ThrottlingException',
        ),
        fc.constantFrom('User %s not found', '%s', 'bad request for "%s" (cut', 'x'.repeat(990) + ' %s'),
        async (email, name, template) => {
          count('AppFabric errors');
          // Prepare
          const world = fakeWorld();
          const handler = handlerFor(world);
          const [id] = world.gateway.addTasks(1);
          const state = (await handler({
            action: Actions.start,
            runId: 'af',
            input: { taskIdList: [id] },
          })) as LoopState;
          world.gateway.batchGetFault = () =>
            toPollerError(sdkError(name, template.replace('%s', email), email), 'BatchGetUserAccessTasks');

          // Act
          const poll = await captureLogs(() => handler({ action: Actions.poll, state }));
          const error = poll.error as Error;
          const fail = await captureLogs(() =>
            handler({
              action: Actions.fail,
              runId: 'af',
              error: {
                Error: error.name,
                Cause: JSON.stringify({ errorType: error.name, errorMessage: error.message }),
              },
            }),
          );

          // Assess
          expect(error).toBeInstanceOf(Error);
          expect(poll.out).toContain('action failed');
          expect(leaks(errorText(error), email)).toBe(false);
          expect(leaks(poll.out, email)).toBe(false);
          expect(leaks(fail.out, email)).toBe(false);
          expect(leaks(JSON.stringify(world.results.runs.get('af')), email)).toBe(false);
        },
      ),
      { seed: SEED, numRuns: runs(150) },
    );
  });

  it('taskError texts and start errors: stored redacted, never logged', async () => {
    await fc.assert(
      fc.asyncProperty(
        address,
        fc.constantFrom('No user %s in Zoom', '%s', 'cut: %s'),
        async (email, template) => {
          count('taskError texts');
          // Prepare
          const world = fakeWorld();
          const handler = handlerFor(world);
          world.gateway.startScript = () => ({
            outcome: 'FAILED',
            taskError: { errorCode: 'USER_NOT_FOUND', errorMessage: template.replace('%s', email) },
          });

          // Act
          const start = await captureLogs(() =>
            handler({ action: Actions.start, runId: 'te', input: { emails: ['p@example.com'] } }),
          );
          const poll = await captureLogs(() =>
            handler({ action: Actions.poll, state: start.result as LoopState }),
          );

          // Assess
          const records = world.results.recordsOf('te');
          expect(records.length).toBeGreaterThan(0);
          for (const r of records)
            expect(leaks(JSON.stringify(r.taskError).replace('p@example.com', ''), email)).toBe(false);
          expect(leaks(start.out + poll.out, email)).toBe(false);
          expect(leaks(JSON.stringify(poll.result), email)).toBe(false);
        },
      ),
      { seed: SEED, numRuns: runs(100) },
    );
  });
});
