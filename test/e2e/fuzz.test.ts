/**
 * Bad-input fuzzing with fast-check over everything that comes from outside (this file: the execution
 * input and the EventBridge event; fuzz-poll.test.ts: the loop state and AppFabric's answers;
 * fuzz-query-flags.test.ts: the query CLI's flags):
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
import { ErrorNames } from '../../lambda/contract/workflow';
import { parseExecutionInput } from '../../lambda/core/input';
import type { LoopState } from '../../lambda/core/model';
import type { InvalidInputError } from '../../lambda/shared/errors';
import { DEFAULT_EVENT_PATTERN } from '../../lib/config';
import { matchesEventPattern } from '../../local/event-pattern';
import {
  BUNDLE_ARN,
  BUNDLE_UUID,
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

/** Fields an InvalidInputError about a start event may name (JSON paths of the event and its input). */
const START_FIELD =
  /^(runId|startedAt|input(\..*)?|appBundleIdentifier|taskIdList(\[\d+\])?|emails(\[\d+\])?|maxWaitSeconds)$/;

useFuzzParts();

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
