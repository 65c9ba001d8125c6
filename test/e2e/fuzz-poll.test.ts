/**
 * Bad-input fuzzing with fast-check (the poll action's inputs; see fuzz.test.ts for the whole list):
 *
 * - the execution input, through the real handler's start action (and, for a few samples, through the
 *   whole state machine);
 * - the EventBridge event: the rule's pattern (matchesEventPattern), then its detail as the input;
 * - the loop state a (hand-edited) redrive may hand the poll action;
 * - AppFabric's answers: any JSON body with status 200 from a tiny HTTP server, read by the real
 *   AppFabricClient and AppFabricGateway (and then by a real poll cycle), and any error answer from the
 *   stand-in (customError);
 * - the query CLI's flags (parseQueryArgs).
 *
 * Properties: every bad value gets a named, typed error (InvalidInputError with a non-empty `field`,
 * AppFabricInvalidResponseError, UsageError with the flag), nothing is written for a rejected input, and
 * no TypeError / RangeError (or any other untyped error) escapes. Cases tried per property are printed.
 *
 * Seeds are fixed, so a run is reproducible: FUZZ_SEED=<n> explores another part of the input space and
 * FUZZ_RUNS=<factor> multiplies every numRuns.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { AppFabricGateway } from '../../lambda/adapters/appfabric-gateway';
import { ErrorNames, RETRYABLE_ERRORS } from '../../lambda/contract/workflow';
import type { PollerDeps } from '../../lambda/core/deps';
import type { UserAccessResult } from '../../lambda/core/model';
import { pollCycle } from '../../lambda/core/poll';
import { startRun } from '../../lambda/core/start';
import { nextWaitSeconds } from '../../lambda/core/wait';
import { AppFabricInvalidResponseError } from '../../lambda/shared/errors';
import {
  answerClient,
  answers,
  BUNDLE_ARN,
  count,
  expectInvalidInput,
  expectNamedPollerError,
  handler,
  nextRunId,
  partitionKeys,
  poller,
  runs,
  SEED,
  type Settled,
  settle,
  useFuzzParts,
} from '../support/fuzz';
import { answerBody, json, RESULT_STRINGS, resultItem, wrongType } from '../support/fuzz-answers';

useFuzzParts();

// ---- generators ----------------------------------------------------------------------------------------

// ---- the loop state (poll action) ----------------------------------------------------------------------

describe('the loop state a redrive hands the poll action', () => {
  const counts = fc.record({
    total: fc.oneof(fc.nat(), wrongType),
    pending: fc.nat(),
    COMPLETED: fc.nat(),
    FAILED: fc.nat(),
    EXPIRED: fc.nat(),
    NOT_FOUND: fc.oneof(fc.nat(), fc.double()),
    TIMED_OUT: fc.nat(),
  });
  const loopState = fc.record(
    {
      runId: fc.oneof(fc.string({ maxLength: 12 }), wrongType),
      appBundleIdentifier: fc.oneof(fc.constant(BUNDLE_ARN), wrongType),
      status: fc.oneof(fc.constantFrom('PENDING', 'DONE', 'TIMED_OUT', 'pending'), wrongType),
      cycle: fc.oneof(fc.nat(), fc.integer({ min: -3, max: -1 }), wrongType),
      waitSeconds: fc.oneof(fc.nat(), fc.double()),
      minWaitSeconds: fc.nat(),
      maxWaitSeconds: fc.nat(),
      deadlineAt: fc.oneof(fc.constant('2030-01-01T00:00:00Z'), fc.string({ maxLength: 10 })),
      counts: fc.oneof(counts, wrongType),
    },
    { requiredKeys: [] },
  );

  it('is refused with an InvalidInputError naming a state field, and nothing is written', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(json, loopState), async (state) => {
        count('loop state');
        const outcome = await settle(handler({ action: 'poll', state } as never));
        // No run of these names exists: whatever the shape, the answer is a refusal naming a field.
        if (outcome.ok) throw new Error(`polled a run that does not exist: ${JSON.stringify(state)}`);
        expectInvalidInput(outcome.error, /^state(\..+)?$/);
        const runId = (state as { runId?: unknown })?.runId;
        if (typeof runId === 'string' && runId !== '') expect(await partitionKeys(runId)).toEqual([]);
      }),
      { numRuns: runs(200), seed: SEED },
    );
  });
});

// ---- AppFabric's answers -------------------------------------------------------------------------------

const gatewayOnAnswers = () => new AppFabricGateway(answerClient);

/** A settled batchGet must be a list of objects whose fields have the model's types, or the named refusal. */
function expectCheckedAnswer(outcome: Settled<UserAccessResult[]>, body: string): void {
  if (!outcome.ok) {
    expectNamedPollerError(outcome.error);
    if (!(outcome.error instanceof AppFabricInvalidResponseError)) {
      throw new Error(`${(outcome.error as Error).name} for a 200 answer ${body.slice(0, 200)}`);
    }
    expect(outcome.error.retryable).toBe(true);
    return;
  }
  expect(Array.isArray(outcome.value)).toBe(true);
  for (const item of outcome.value) {
    expect(typeof item === 'object' && item !== null && !Array.isArray(item)).toBe(true);
    for (const key of RESULT_STRINGS) {
      if (item[key] !== undefined) expect(typeof item[key]).toBe('string');
    }
    if (item.taskError !== undefined) {
      expect(
        typeof item.taskError === 'object' && item.taskError !== null && !Array.isArray(item.taskError),
      ).toBe(true);
    }
  }
}

describe('AppFabric answers', () => {
  it('any 200 body is read as the model’s shape or refused with AppFabricInvalidResponseError', async () => {
    const gateway = gatewayOnAnswers();
    const seen = { read: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(answerBody, async (body) => {
        count('BatchGet 200 body');
        answers.answer({ status: 200, body });
        const outcome = await settle(gateway.batchGet(BUNDLE_ARN, [randomUUID()]));
        expectCheckedAnswer(outcome, body);
        seen[outcome.ok ? 'read' : 'refused'] += 1;
      }),
      { numRuns: runs(400), seed: SEED },
    );
    expect({ ...seen, enough: Math.min(seen.read, seen.refused) > 20 }).toEqual({ ...seen, enough: true });
  });

  it('a poll cycle over any answer records only asked IDs, with the status answered, or fails named and writes nothing', async () => {
    const deps: PollerDeps = { ...poller.runtime.deps, gateway: gatewayOnAnswers() };
    const seen = { polled: 0, refused: 0 };
    const caseArb = fc
      .uniqueArray(fc.uuid(), { minLength: 1, maxLength: 4 })
      .chain((ids) => fc.tuple(fc.constant(ids), fc.array(resultItem(ids), { maxLength: 6 })));
    await fc.assert(
      fc.asyncProperty(caseArb, async ([ids, items]) => {
        count('poll cycle over answers');
        // Prepare: a run of `ids`; AppFabric answers `items`.
        const runId = nextRunId('answers');
        const started = await startRun(
          { runId, startedAt: poller.now().toISOString(), input: { taskIdList: ids } },
          poller.runtime.deps,
        );
        answers.answer({ status: 200, body: JSON.stringify({ userAccessResultsList: items }) });

        // Act
        const outcome = await settle(pollCycle(started, deps));

        // Assess
        const stored = await poller.runtime.deps.runState.load(runId);
        const records = await poller.reader.byRun(runId);
        if (!outcome.ok) {
          seen.refused += 1;
          expectNamedPollerError(outcome.error);
          expect(outcome.error).toBeInstanceOf(AppFabricInvalidResponseError);
          expect(records).toEqual([]);
          expect(stored?.cycle).toBe(0);
          return;
        }
        seen.polled += 1;
        // The answer for each ID: the first terminal one, else IN_PROGRESS, else none (NOT_FOUND at 1 miss).
        const expected = new Map<string, string>();
        for (const id of ids) {
          const mine = items.filter((i) => typeof i.taskId === 'string' && i.taskId.toLowerCase() === id);
          const terminal = mine.find((i) =>
            ['COMPLETED', 'FAILED', 'EXPIRED'].includes(String(i.resultStatus)),
          );
          expected.set(
            id,
            terminal ? String(terminal.resultStatus) : mine.length > 0 ? 'PENDING' : 'NOT_FOUND',
          );
        }
        const recorded = new Map(records.map((r) => [r.taskId, r.resultStatus as string]));
        const pending = new Set(stored?.pendingTaskIds);
        for (const id of ids)
          expect(recorded.get(id) ?? (pending.has(id) ? 'PENDING' : 'LOST')).toBe(expected.get(id));
        expect(records.every((r) => ids.includes(r.taskId))).toBe(true);
        const state = outcome.value.state;
        const c = state.counts;
        expect(c.total).toBe(ids.length);
        expect(c.pending + c.COMPLETED + c.FAILED + c.EXPIRED + c.NOT_FOUND + c.TIMED_OUT).toBe(ids.length);
        expect(Number.isInteger(state.waitSeconds) && state.waitSeconds >= 0).toBe(true);
      }),
      { numRuns: runs(120), seed: SEED },
    );
    expect({ ...seen, enough: Math.min(seen.polled, seen.refused) > 10 }).toEqual({ ...seen, enough: true });
  });

  // taskError members are Strings in the model: anything else is an invalid answer, not a record.
  it('a taskError member that is not a string is refused with AppFabricInvalidResponseError', async () => {
    const gateway = gatewayOnAnswers();
    for (const member of [
      { errorCode: 5 },
      { errorMessage: { nested: true } },
      { errorCode: 1e21 },
      { errorCode: [] },
    ]) {
      count('BatchGet taskError members');
      const body = JSON.stringify({
        userAccessResultsList: [{ taskId: randomUUID(), resultStatus: 'FAILED', taskError: member }],
      });
      answers.answer({ status: 200, body });
      const outcome = await settle(gateway.batchGet(BUNDLE_ARN, [randomUUID()]));
      expect({
        body,
        refused: !outcome.ok && outcome.error instanceof AppFabricInvalidResponseError,
      }).toEqual({ body, refused: true });
    }
  });

  // A 200 body that is JSON but not an object must not read as an empty answer (every task a miss).
  it('a 200 body that is JSON but not an object is refused with AppFabricInvalidResponseError', async () => {
    const gateway = gatewayOnAnswers();
    for (const body of [
      '5',
      '"ok"',
      'true',
      '[]',
      `[{"taskId":"${randomUUID()}","resultStatus":"COMPLETED"}]`,
    ]) {
      count('BatchGet non-object body');
      answers.answer({ status: 200, body });
      const outcome = await settle(gateway.batchGet(BUNDLE_ARN, [randomUUID()]));
      expect({
        body,
        refused: !outcome.ok && outcome.error instanceof AppFabricInvalidResponseError,
      }).toEqual({ body, refused: true });
    }
  });

  const MODELED: Record<string, string> = {
    ThrottlingException: ErrorNames.AppFabricThrottled,
    InternalServerException: ErrorNames.AppFabricUnavailable,
    AccessDeniedException: ErrorNames.AppFabricAccessDenied,
    ResourceNotFoundException: ErrorNames.AppBundleNotFound,
    ValidationException: ErrorNames.AppFabricValidation,
  };
  // Messages that mention JSON are mapped to AppFabricInvalidResponseError whatever the status (see the
  // report): left out here so the property states the status rule.
  const message = fc.stringMatching(/^[A-Za-z0-9 .,:_-]{0,40}$/).filter((m) => !/json|deserializ/i.test(m));
  const errorAnswer = fc.record({
    status: fc.integer({ min: 400, max: 599 }),
    errorType: fc.oneof(
      fc.constantFrom(...Object.keys(MODELED)),
      fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,24}$/),
    ),
    message,
    members: fc.dictionary(
      fc.stringMatching(/^[a-z][a-zA-Z]{0,8}$/),
      fc.oneof(fc.nat(), message, fc.boolean()),
      { maxKeys: 3 },
    ),
    retryAfter: fc.option(fc.nat({ max: 100_000 }), { freq: 2 }),
  });

  it('any error answer becomes a named poller error: modeled types by name, others by status', async () => {
    const gateway = poller.runtime.deps.gateway;
    await fc.assert(
      fc.asyncProperty(errorAnswer, async (a) => {
        count('BatchGet error answer');
        const members = Object.fromEntries(Object.entries(a.members).filter(([k]) => k !== 'message'));
        poller.appFabric.setFaults({
          customErrorNext: 1,
          customError: {
            status: a.status,
            errorType: a.errorType,
            message: a.message,
            members,
            headers: a.retryAfter === null ? {} : { 'retry-after': String(a.retryAfter) },
          },
        });
        const outcome = await settle(gateway.batchGet(BUNDLE_ARN, [randomUUID()]));
        if (outcome.ok) throw new Error(`an error answer was taken as results: ${JSON.stringify(a)}`);
        const error = outcome.error;
        expectNamedPollerError(error);
        const byStatus =
          a.status >= 500 || a.status === 429
            ? ErrorNames.AppFabricUnavailable
            : ErrorNames.AppFabricValidation;
        expect({ answer: a, name: error.name }).toEqual({
          answer: a,
          name: MODELED[a.errorType] ?? byStatus,
        });
        expect(error.retryable).toBe((RETRYABLE_ERRORS as readonly string[]).includes(error.name));
        const retryAfter = (error as { retryAfterSeconds?: number }).retryAfterSeconds;
        if (
          a.retryAfter !== null &&
          ['ThrottlingException', 'InternalServerException'].includes(a.errorType)
        ) {
          expect(retryAfter).toBe(a.retryAfter);
        }
      }),
      { numRuns: runs(200), seed: SEED },
    );
    poller.appFabric.clearFaults();
  });

  // A Retry-After that is not a number of seconds (an HTTP-date, garbage) must not make the wait NaN.
  it('any Retry-After header gives a whole, positive wait', async () => {
    const gateway = poller.runtime.deps.gateway;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(429, 500),
        fc.stringMatching(/^[!-~][ -~]{0,24}$/),
        async (status, header) => {
          count('Retry-After header');
          poller.appFabric.setFaults({
            customErrorNext: 1,
            customError: {
              status,
              errorType: status === 429 ? 'ThrottlingException' : 'InternalServerException',
              headers: { 'retry-after': header },
            },
          });
          const outcome = await settle(gateway.batchGet(BUNDLE_ARN, [randomUUID()]));
          expect(outcome.ok).toBe(false);
          const retryAfterSeconds = (outcome as { error: { retryAfterSeconds?: number } }).error
            .retryAfterSeconds;
          const wait = nextWaitSeconds({
            previousWaitSeconds: 10,
            minWaitSeconds: 10,
            maxWaitSeconds: 300,
            finishedThisCycle: 0,
            retryAfterSeconds,
            secondsToDeadline: 3600,
          });
          expect({ header, wait, integer: Number.isInteger(wait) && wait >= 1 }).toEqual({
            header,
            wait,
            integer: true,
          });
        },
      ),
      {
        numRuns: runs(100),
        seed: SEED,
        endOnFailure: true,
        examples: [
          [429, 'Wed, 21 Oct 2015 07:28:00 GMT'],
          [500, 'soon'],
        ],
      },
    );
    poller.appFabric.clearFaults();
  });
});
