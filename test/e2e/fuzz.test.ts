/**
 * Bad-input fuzzing with fast-check over everything that comes from outside:
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
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { FORMATS, parseQueryArgs, UsageError } from '../../cli/query/args';
import { AppFabricGateway } from '../../lambda/adapters/appfabric-gateway';
import { createDocumentClient } from '../../lambda/adapters/dynamo-client';
import { AppFabricClient } from '../../lambda/appfabric';
import { TerminalStatuses } from '../../lambda/contract/statuses';
import { ErrorNames, FATAL_ERRORS, RETRYABLE_ERRORS } from '../../lambda/contract/workflow';
import type { PollerDeps } from '../../lambda/core/deps';
import { parseExecutionInput } from '../../lambda/core/input';
import type { LoopState, UserAccessResult } from '../../lambda/core/model';
import { pollCycle } from '../../lambda/core/poll';
import { startRun } from '../../lambda/core/start';
import { nextWaitSeconds } from '../../lambda/core/wait';
import { makeHandler } from '../../lambda/handler';
import { AppFabricInvalidResponseError, InvalidInputError, isPollerError } from '../../lambda/shared/errors';
import { DEFAULT_EVENT_PATTERN } from '../../lib/config';
import { matchesEventPattern } from '../../local/event-pattern';
import { type LocalPoller, startLocalPoller } from '../../local/harness';
import { type AnswerServer, startAnswerServer } from '../support/answer-server';
import { partitionItems } from '../support/dynamo';

const SEED = Number(process.env.FUZZ_SEED ?? 20_241_125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

const BUNDLE_UUID = '3a4b5c6d-7e8f-4091-a2b3-c4d5e6f7a8b9';
const BUNDLE_ARN = `arn:aws:appfabric:us-east-1:123456789012:appbundle/${BUNDLE_UUID}`;
const CREDENTIALS = { accessKeyId: 'AKIDFUZZ', secretAccessKey: 'fuzz-secret' };
const KNOWN_ERROR_NAMES: readonly string[] = [...FATAL_ERRORS, ...RETRYABLE_ERRORS];
/** Fields an InvalidInputError about a start event may name (JSON paths of the event and its input). */
const START_FIELD =
  /^(runId|startedAt|input(\..*)?|appBundleIdentifier|taskIdList(\[\d+\])?|emails(\[\d+\])?|maxWaitSeconds)$/;

let poller: LocalPoller;
let handler: ReturnType<typeof makeHandler>;
let doc: DynamoDBDocumentClient;
let answers: AnswerServer;
let answerClient: AppFabricClient;

/** Cases each property tried (shrinking included), printed at the end. */
const tried = new Map<string, number>();
const count = (property: string) => tried.set(property, (tried.get(property) ?? 0) + 1);

beforeAll(async () => {
  // A default app bundle, so inputs without one get further; one miss makes an unknown ID NOT_FOUND.
  poller = await startLocalPoller({
    context: { appBundleIdentifier: BUNDLE_ARN, notFoundAfterMisses: 1 },
    seed: 41,
    realWaitMs: 1,
    realRetryMs: 1,
    appFabricMaxAttempts: 1,
  });
  poller.appFabric.addBundle(BUNDLE_ARN, [{ app: 'SLACK', tenantId: 'T0FUZZ' }]);
  handler = makeHandler(() => poller.runtime);
  doc = createDocumentClient({
    endpoint: poller.dynamo.endpoint,
    region: 'us-east-1',
    credentials: CREDENTIALS,
  });
  answers = await startAnswerServer();
  answerClient = new AppFabricClient({
    region: 'us-east-1',
    endpoint: answers.url,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
});

afterAll(async () => {
  answerClient?.destroy();
  doc?.destroy();
  await Promise.all([answers?.close(), poller?.close()]);
  const line = [...tried].map(([property, n]) => `${property} ${n} cases`).join(', ');
  console.log(`fuzz (seed ${SEED}): ${line}`);
});

// ---- helpers -------------------------------------------------------------------------------------------

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = async <T>(promise: Promise<T>): Promise<Settled<T>> => {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
};

let runCount = 0;
const nextRunId = (label: string) => `fuzz-${label}-${++runCount}`;

/** A poller error with a known name (never a TypeError, RangeError or a raw SDK error). */
function expectNamedPollerError(error: unknown): asserts error is Error & { retryable: boolean } {
  if (!isPollerError(error))
    throw new Error(`not a poller error: ${String((error as Error)?.stack ?? error)}`);
  expect(KNOWN_ERROR_NAMES).toContain(error.name);
}

function expectInvalidInput(error: unknown, field: RegExp): asserts error is InvalidInputError {
  expectNamedPollerError(error);
  expect(error).toBeInstanceOf(InvalidInputError);
  const e = error as InvalidInputError;
  expect(e.name).toBe(ErrorNames.InvalidInput);
  expect(e.field).toMatch(field);
  expect(e.message.startsWith(`${e.field}: `)).toBe(true);
}

/** Sort keys of every item of a run's partition. */
const partitionKeys = async (runId: string): Promise<string[]> =>
  (await partitionItems(doc, poller.tableName, runId)).map((i) => String(i.sk));

/** What the handler's start action must do with `input` (the same check, called directly). */
const verdictOf = (input: unknown): Settled<unknown> => {
  try {
    return {
      ok: true,
      value: parseExecutionInput(input, {
        appBundleIdentifier: poller.settings.appBundleIdentifier,
        minWaitSeconds: poller.settings.minWaitSeconds,
      }),
    };
  } catch (error) {
    return { ok: false, error };
  }
};

// ---- generators ----------------------------------------------------------------------------------------

const json = fc.jsonValue({ maxDepth: 3 });
const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);

const taskId = fc
  .tuple(fc.uuid(), fc.constantFrom('lower', 'upper', 'padded'))
  .map(([id, form]) => (form === 'upper' ? id.toUpperCase() : form === 'padded' ? ` ${id}\t` : id));
const badTaskId = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.uuid().map((id) => id.slice(1)),
  fc.uuid().map((id) => id.replaceAll('-', '')),
  fc.uuid().map((id) => `{${id}}`),
  fc.uuid().map((id) => `${id}x`),
  wrongType,
);
const taskIdList = fc.oneof(
  { weight: 5, arbitrary: fc.array(taskId, { minLength: 1, maxLength: 4 }) },
  { weight: 2, arbitrary: fc.array(fc.oneof(taskId, badTaskId), { minLength: 1, maxLength: 4 }) },
  { weight: 1, arbitrary: fc.constant([]) },
  { weight: 1, arbitrary: json },
);
const goodEmail = fc
  .tuple(
    fc.stringMatching(/^[a-z][a-z0-9.+_-]{0,12}$/),
    fc.constantFrom('example.com', 'Example.ORG', 'x.io'),
  )
  .map(([local, domain]) => `${local}@${domain}`);
const badEmail = fc.oneof(
  fc.string({ maxLength: 30 }),
  goodEmail.map((e) => e.replace('@', '')),
  goodEmail.map((e) => `${e}@`),
  goodEmail.map((e) => `"${e}"`),
  goodEmail.map((e) => `${'a'.repeat(320)}${e}`),
  wrongType,
);
const emails = fc.oneof(
  { weight: 2, arbitrary: fc.array(fc.oneof(goodEmail, badEmail), { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(goodEmail, { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: json },
);
const bundle = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(BUNDLE_ARN, BUNDLE_UUID, ` ${BUNDLE_ARN} `) },
  { weight: 1, arbitrary: fc.constantFrom(BUNDLE_UUID.toUpperCase(), 'arn:', '', `arn:${'x'.repeat(1011)}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: wrongType },
);
const maxWait = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 10, max: 3600 }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 4000 }) },
  { weight: 1, arbitrary: fc.constantFrom(9, 3601, 10.5, -0, 1e21) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 1, arbitrary: wrongType },
);
/** Objects shaped like an input, each field valid or not, sometimes with a field that does not exist. */
const nearValidInput = fc
  .tuple(
    fc.record(
      { appBundleIdentifier: bundle, taskIdList, emails, maxWaitSeconds: maxWait },
      { requiredKeys: [] },
    ),
    fc.boolean(),
    fc.oneof(
      { weight: 5, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.tuple(fc.string({ maxLength: 12 }), json) },
    ),
  )
  .map(([input, withoutEmails, extra]) => {
    const shaped: Record<string, unknown> = { ...input };
    // Addresses make AppFabric calls: leave them out of most inputs.
    if (withoutEmails) delete shaped.emails;
    if (extra) shaped[extra[0]] = extra[1];
    return shaped;
  });
const executionInput = fc.oneof({ weight: 1, arbitrary: json }, { weight: 4, arbitrary: nearValidInput });

// ---- the execution input -------------------------------------------------------------------------------

/** The (trimmed, not too short to search for) addresses an input carries. */
const addressesOf = (input: unknown): string[] => {
  const list = (input as { emails?: unknown } | null)?.emails;
  return (Array.isArray(list) ? list : [])
    .filter((a): a is string => typeof a === 'string')
    .map((a) => a.trim())
    .filter((a) => a.length >= 3);
};

/**
 * Sends `input` to the handler's start action and checks the outcome against the input check: accepted
 * (run record and state written) or refused with an InvalidInputError naming the field, nothing written.
 */
async function startThroughHandler(input: unknown, label: string): Promise<'accepted' | 'rejected'> {
  const runId = nextRunId(label);
  const verdict = verdictOf(input);
  const outcome = await settle(
    handler({ action: 'start', runId, startedAt: poller.now().toISOString(), input } as never),
  );
  const keys = await partitionKeys(runId);
  if (!verdict.ok) {
    if (outcome.ok) throw new Error(`accepted an input the check refuses: ${JSON.stringify(input)}`);
    expectInvalidInput(outcome.error, START_FIELD);
    expect((outcome.error as InvalidInputError).field).toBe((verdict.error as InvalidInputError).field);
    // An address is personal data: a refusal names its position, never its value.
    for (const address of addressesOf(input)) expect((outcome.error as Error).message).not.toContain(address);
    expect(keys).toEqual([]);
    return 'rejected';
  }
  if (!outcome.ok) {
    // A valid input with addresses may still be refused by AppFabric: a named error, nothing written.
    expectNamedPollerError(outcome.error);
    expect(keys.filter((k) => k === 'RUN' || k === 'STATE')).toEqual([]);
    return 'rejected';
  }
  const state = outcome.value as LoopState;
  expect(state).toMatchObject({ runId, cycle: 0 });
  expect(['PENDING', 'DONE']).toContain(state.status);
  expect(keys).toEqual(expect.arrayContaining(['RUN', 'STATE']));
  return 'accepted';
}

describe('the execution input', () => {
  it('through the handler: accepted, or an InvalidInputError naming the field and nothing written', async () => {
    const seen = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(executionInput, async (input) => {
        count('execution input (handler)');
        seen[await startThroughHandler(input, 'input')] += 1;
      }),
      { numRuns: runs(250), seed: SEED },
    );
    // The generator must reach both sides, or the property says little.
    expect({ ...seen, enough: seen.accepted > 20 && seen.rejected > 80 }).toEqual({ ...seen, enough: true });
  });

  it('through the state machine (a few samples): FAILED with InvalidInputError, or SUCCEEDED', async () => {
    // Prepare: 6 samples of the generator, 2 inputs that are surely bad and 2 valid ones (task IDs AppFabric
    // does not know: NOT_FOUND at the first poll).
    const samples: unknown[] = [
      ...fc.sample(executionInput, { numRuns: 6, seed: SEED }),
      { taskIdList: [randomUUID(), 'not-a-task-id'] },
      'just text',
      { taskIdList: [randomUUID(), randomUUID().toUpperCase()] },
      { appBundleIdentifier: BUNDLE_UUID, taskIdList: [` ${randomUUID()} `], maxWaitSeconds: 60 },
    ].filter((input) => input !== null); // a null input never reaches the function (engine: States.Runtime)

    for (const input of samples) {
      count('execution input (state machine)');
      const runId = nextRunId('sm');
      const verdict = verdictOf(input);

      // Act
      const report = await poller.execute(input, { runId });

      // Assess
      const keys = await partitionKeys(runId);
      if (verdict.ok) {
        expect({ input, status: report.status }).toEqual({ input, status: 'SUCCEEDED' });
        expect(keys).toEqual(expect.arrayContaining(['RUN', 'STATE']));
        continue;
      }
      const field = (verdict.error as InvalidInputError).field;
      expect({ input, status: report.status, error: report.error?.Error }).toEqual({
        input,
        status: 'FAILED',
        error: ErrorNames.InvalidInput,
      });
      expect(report.error?.Cause.startsWith(`${field}: `)).toBe(true);
      expect(report.entered.Poll ?? 0).toBe(0);
      // Nothing of the run is stored but the failure record RecordFailure keeps (no state, no task records).
      expect(keys).toEqual(['RUN']);
      expect(await poller.reader.getRun(runId)).toMatchObject({
        outcome: 'FAILED',
        errorName: ErrorNames.InvalidInput,
      });
    }
  });

  // A start time near the end of the Date range must not make the deadline an invalid date (RangeError).
  it('a start event with any startedAt starts the run or is refused with InvalidInputError(startedAt)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string({ maxLength: 30 }),
        ),
        async (startedAt) => {
          count('start event startedAt');
          const runId = nextRunId('started-at');
          const input = { taskIdList: [randomUUID()] };
          const outcome = await settle(handler({ action: 'start', runId, startedAt, input } as never));
          if (!outcome.ok) {
            expectInvalidInput(outcome.error, /^startedAt$/);
            expect(await partitionKeys(runId)).toEqual([]);
          }
        },
      ),
      {
        numRuns: runs(100),
        seed: SEED,
        endOnFailure: true,
        examples: [['+275760-09-13T00:00:00.000Z'], ['275760-09-13']],
      },
    );
  });
});

// ---- the EventBridge event -----------------------------------------------------------------------------

describe('the EventBridge event', () => {
  const wanted = (value: unknown, allowed: readonly string[]) =>
    (Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && allowed.includes(v));
  const source = DEFAULT_EVENT_PATTERN.source!;
  const detailType = DEFAULT_EVENT_PATTERN['detail-type']!;
  const field = (allowed: readonly string[]) =>
    fc.oneof(
      { weight: 10, arbitrary: fc.constantFrom(...allowed) },
      { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
      {
        weight: 1,
        arbitrary: fc.array(fc.oneof(fc.constantFrom(...allowed), fc.string({ maxLength: 8 })), {
          maxLength: 3,
        }),
      },
      { weight: 1, arbitrary: json },
    );
  const event = fc.oneof(
    { weight: 1, arbitrary: json },
    {
      weight: 10,
      arbitrary: fc.record(
        {
          version: fc.constant('0'),
          id: fc.uuid(),
          'detail-type': field(detailType),
          source: field(source),
          account: fc.constant('123456789012'),
          time: fc.constant('2024-05-01T10:00:00Z'),
          region: fc.constant('us-east-1'),
          resources: fc.constant([]),
          detail: executionInput,
        },
        { requiredKeys: ['version', 'id', 'account', 'time', 'region', 'resources'] },
      ),
    },
  );

  it('matches the rule exactly when EventBridge would; a matching event’s detail is checked like an input', async () => {
    const seen = { ignored: 0, accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        count('EventBridge event');
        const problem = matchesEventPattern(e, poller.settings.eventPattern);
        const record =
          typeof e === 'object' && e !== null && !Array.isArray(e)
            ? (e as Record<string, unknown>)
            : undefined;
        const expected =
          record !== undefined && wanted(record.source, source) && wanted(record['detail-type'], detailType);
        expect(problem === undefined).toBe(expected);
        if (problem !== undefined) {
          expect(problem).toMatch(/^(event|source|detail-type) /);
          seen.ignored += 1;
          return;
        }
        // The rule's target passes $.detail as the execution input.
        seen[await startThroughHandler(record!.detail, 'event')] += 1;
      }),
      { numRuns: runs(250), seed: SEED },
    );
    expect({ ...seen, enough: Math.min(seen.ignored, seen.accepted, seen.rejected) > 5 }).toEqual({
      ...seen,
      enough: true,
    });
  });
});

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

/** The string fields of a result item, as the model types them. */
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

const statusValue = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('IN_PROGRESS', 'COMPLETED', 'FAILED', 'EXPIRED') },
  { weight: 1, arbitrary: fc.constantFrom('completed', 'NOT_FOUND', 'TIMED_OUT', '') },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: wrongType },
);
const text = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 16 }) },
  { weight: 1, arbitrary: wrongType },
);
const taskError = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record(
      { errorCode: fc.string({ maxLength: 12 }), errorMessage: fc.string({ maxLength: 30 }) },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: wrongType },
);
/** A result item: fields of the right type mostly, of a wrong one sometimes, `taskId` from `ids` often. */
const resultItem = (ids: readonly string[]) =>
  fc.record(
    {
      taskId: fc.oneof(
        {
          weight: 6,
          arbitrary: ids.length
            ? fc.constantFrom(...ids).chain((id) => fc.constantFrom(id, id.toUpperCase()))
            : fc.uuid(),
        },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: text },
      ),
      resultStatus: statusValue,
      app: text,
      tenantId: text,
      tenantDisplayName: text,
      email: text,
      userId: text,
      userFullName: text,
      userFirstName: text,
      userLastName: text,
      userStatus: text,
      taskError,
    },
    { requiredKeys: [] },
  );
const answerBody = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .record({ userAccessResultsList: fc.array(resultItem([]), { maxLength: 4 }) })
      .map((b) => JSON.stringify(b)),
  },
  {
    weight: 1,
    arbitrary: fc.record({ userAccessResultsList: json }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  },
  { weight: 2, arbitrary: json.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

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

// ---- the query flags -----------------------------------------------------------------------------------

describe('the query flags', () => {
  const NAMES = [
    'task',
    'email',
    'app',
    'tenant',
    'run',
    'runs',
    'status',
    'since',
    'limit',
    'format',
    'table',
    'help',
    'h',
    'foo',
    'Task',
    'x',
  ];
  const value = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.constantFrom(
      '',
      ' ',
      'COMPLETED',
      'failed',
      'TIMED_OUT',
      '2024-05-01',
      '2024-02-31',
      '2024-05-01T10:00',
      '10',
      '0',
      '-1',
      '1e3',
      '9007199254740993',
      'json',
      'CSV',
      'a@b',
      '--x',
      '-5',
    ),
  );
  const flag = fc
    .tuple(fc.constantFrom(...NAMES), fc.constantFrom('--', '-', '---'), fc.option(value), fc.boolean())
    .map(([name, dashes, v, inline]) =>
      v === null ? [`${dashes}${name}`] : inline ? [`${dashes}${name}=${v}`] : [`${dashes}${name}`, v],
    );
  const argv = fc.array(flag, { maxLength: 5 }).map((a) => a.flat());

  /** The flag a UsageError names must be (a part of) something the user typed. */
  const named = (args: readonly string[], flagName: string) =>
    args.some((a) => a.includes(flagName.replace(/^-+/, '')));

  it('parse into a valid query, or fail with a UsageError naming a flag that was given', () => {
    const seen = { parsed: 0, refused: 0, refusedWithFlag: 0 };
    fc.assert(
      fc.property(argv, (args) => {
        count('query flags');
        let parsed: ReturnType<typeof parseQueryArgs>;
        try {
          parsed = parseQueryArgs(args);
        } catch (error) {
          if (!(error instanceof UsageError)) throw new Error(`${String(error)} for ${JSON.stringify(args)}`);
          expect(error.name).toBe('UsageError');
          expect(error.message.length).toBeGreaterThan(0);
          expect(error.message).not.toMatch(/undefined/);
          seen.refused += 1;
          if (error.flag !== undefined) {
            seen.refusedWithFlag += 1;
            expect(error.flag).toMatch(/^-/);
            expect({ args, flag: error.flag, named: named(args, error.flag) }).toEqual({
              args,
              flag: error.flag,
              named: true,
            });
          }
          return;
        }
        seen.parsed += 1;
        if (parsed.help) return;
        const q = parsed.query;
        expect(['task', 'email', 'app', 'run', 'runs']).toContain(q.selector.kind);
        expect(args.some((a) => a === `--${q.selector.kind}` || a.startsWith(`--${q.selector.kind}=`))).toBe(
          true,
        );
        if (q.status !== undefined) expect(TerminalStatuses).toContain(q.status);
        if (q.limit !== undefined) expect(Number.isSafeInteger(q.limit) && q.limit >= 1).toBe(true);
        if (q.since !== undefined) expect(new Date(q.since).toISOString()).toBe(q.since);
        expect(FORMATS).toContain(q.format);
      }),
      { numRuns: runs(3000), seed: SEED },
    );
    expect({ ...seen, enough: seen.parsed > 20 && seen.refusedWithFlag > 500 }).toEqual({
      ...seen,
      enough: true,
    });
  });

  // Node's messages for odd single-dash tokens and `--help=...` must still name the flag typed.
  it('names the flag the user typed for every unknown or valueless flag', () => {
    for (const args of [['-h=1'], ['-='], ['- x'], ['--runs', '-<'], ['--help=yes'], ['--runs', '-h=']]) {
      count('query flags (odd shapes)');
      let error: unknown;
      try {
        parseQueryArgs(args);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UsageError);
      const { flag, message: text } = error as UsageError;
      expect({
        args,
        flag,
        text,
        named: flag !== undefined && named(args, flag) && !/undefined/.test(text),
      }).toEqual({
        args,
        flag,
        text,
        named: true,
      });
    }
  });
});
