/**
 * Bad-input fuzzing with fast-check of the query CLI's flags (parseQueryArgs): every bad flag gets a
 * UsageError naming a flag that was given. See fuzz.test.ts for the rest of the fuzzing. Cases tried per
 * property are printed; FUZZ_SEED and FUZZ_RUNS as there.
 */
import fc from 'fast-check';
import { FORMATS, parseQueryArgs, UsageError } from '../../cli/query/args';
import { TerminalStatuses } from '../../lambda/contract/statuses';

const SEED = Number(process.env.FUZZ_SEED ?? 20_241_125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 1);
const runs = (n: number) => Math.max(1, Math.round(n * RUNS));

/** Cases each property tried (shrinking included), printed at the end. */
const tried = new Map<string, number>();
const count = (property: string) => tried.set(property, (tried.get(property) ?? 0) + 1);

afterAll(() => {
  const line = [...tried].map(([property, n]) => `${property} ${n} cases`).join(', ');
  console.log(`fuzz (seed ${SEED}): ${line}`);
});

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
