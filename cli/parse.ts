/**
 * Command-line parsing shared by the CLIs: node:util parseArgs, strict, with its errors turned into
 * UsageErrors that name the flag (exit code 2), and each flag at most once.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ExitCodes } from './exit-codes';
import { UsageError } from './usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flag node's message is about: `'-h, --help'` names --help; an unknown option is quoted whole. */
const flagOf = (message: string): string | undefined => /'(?:-\w, )?(--?[^'\s=<]+)/.exec(message)?.[1];
const unknownFlagOf = (message: string): string | undefined => /Unknown option '(.*?)'/.exec(message)?.[1];

export function parseFlags<O extends Options>(argv: readonly string[], options: O) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false; tokens: true }>
  >;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const flag = flagOf(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const unknown = unknownFlagOf(message) ?? flag;
      throw new UsageError(`unknown flag ${unknown}`, unknown);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(message)?.[1];
      throw new UsageError(`unexpected argument '${arg}': every value follows its flag`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
      const takesValue = options[flag.replace(/^--?/, '')]?.type === 'string';
      if (!takesValue) throw new UsageError(`${flag} takes no value`, flag);
      throw new UsageError(
        /ambiguous/.test(message)
          ? `${flag} needs a value; write a value that starts with '-' as ${flag}=VALUE`
          : `${flag} needs a value`,
        flag,
      );
    }
    throw new UsageError(message, flag);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name))
      throw new UsageError(`--${token.name} is given more than once`, `--${token.name}`);
    seen.add(token.name);
  }
  return parsed.values;
}

/** A flag's value trimmed; a flag given with an empty value is refused. */
export const text = (flag: string, value: string | boolean | undefined): string | undefined => {
  if (value === undefined || typeof value === 'boolean') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(`${flag} needs a non-empty value`, flag);
  return trimmed;
};

/** A positive whole number flag, at most `max`. */
export const positiveInt = (
  flag: string,
  value: string | undefined,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined => {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}`, flag);
  }
  return n;
};

/**
 * Parses a CLI's arguments: the parsed value, or the exit code when it printed its usage (`--help`, exit 0)
 * or a usage error (one line, then the usage, exit 2).
 */
export function parseCommandLine<T>(
  parse: () => { help: true } | ({ help?: false } & T),
  usage: string,
  io: { stdout: { write(text: string): unknown }; stderr: { write(text: string): unknown } },
): T | number {
  try {
    const parsed = parse();
    if (parsed.help) {
      io.stdout.write(usage);
      return ExitCodes.ok;
    }
    return parsed as T;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`error: ${error.message}\n\n${usage}`);
    return ExitCodes.usage;
  }
}
