/**
 * Command line of `npm run query`: pure parsing and checking, no I/O. Every mistake is a UsageError
 * naming the flag, which the CLI reports with exit code 2.
 */
import { parseArgs } from 'node:util';
import { type TerminalStatus, TerminalStatuses } from '../../lambda/contract/statuses';
import { parseIsoInstant } from '../results-reader';

export const FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export type Selector =
  | { kind: 'task'; taskId: string }
  | { kind: 'email'; email: string }
  | { kind: 'app'; app: string; tenantId?: string }
  | { kind: 'run'; runId: string }
  | { kind: 'runs' };

export interface QueryArgs {
  selector: Selector;
  status?: TerminalStatus;
  /** ISO instant (`toISOString()` form), from `--since`. */
  since?: string;
  limit?: number;
  format: OutputFormat;
  table?: string;
}

export type ParsedArgs = { help: true } | { help: false; query: QueryArgs };

export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    /** The flag at fault, e.g. `--limit`; undefined when none is (no selector given). */
    readonly flag: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export const USAGE = `Usage: npm run query -- <selector> [options]

Selectors (exactly one):
  --task ID              records of one task, newest first
  --email ADDRESS        records of one person (case-insensitive), newest first
  --app APP [--tenant ID]
                         records of an app, by tenant then newest first; --tenant narrows to one tenant
  --run RUN              the task records of one run
  --runs                 runs, newest first

Options:
  --status S             only records with this status: ${TerminalStatuses.join(', ')}
  --since DATE           only records at or after an ISO date or date-time (UTC unless it has an offset)
  --limit N              at most N records (a positive integer)
  --format F             table (default), json or csv
  --table NAME           the results table; else RESULTS_TABLE_NAME, else the last local run
                         (.local/last-run.json), else the deployed stack's ResultsTableName output
  -h, --help             this help
`;

const OPTIONS = {
  task: { type: 'string' },
  email: { type: 'string' },
  app: { type: 'string' },
  tenant: { type: 'string' },
  run: { type: 'string' },
  runs: { type: 'boolean' },
  status: { type: 'string' },
  since: { type: 'string' },
  limit: { type: 'string' },
  format: { type: 'string' },
  table: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SELECTORS = ['task', 'email', 'app', 'run', 'runs'] as const;

/** The flag a node:util parseArgs error is about, e.g. `--foo` from "Unknown option '--foo'". */
/** The flag node's message is about: `'-h, --help'` names --help; an unknown option is quoted whole. */
const flagOf = (message: string): string | undefined => /'(?:-\w, )?(--?[^'\s=<]+)/.exec(message)?.[1];
const unknownFlagOf = (message: string): string | undefined => /Unknown option '(.*?)'/.exec(message)?.[1];

const nodeParse = (argv: readonly string[]) => {
  try {
    return parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
      tokens: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: string }).code;
    const flag = flagOf(message);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const unknown = unknownFlagOf(message) ?? flag;
      throw new UsageError(unknown, `unknown flag ${unknown}`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      const arg = /'([^']*)'/.exec(message)?.[1];
      throw new UsageError(undefined, `unexpected argument '${arg}': every value follows its flag`);
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && flag !== undefined) {
      const takesValue = OPTIONS[flag.replace(/^--?/, '') as keyof typeof OPTIONS]?.type === 'string';
      if (!takesValue) throw new UsageError(flag, `${flag} takes no value`);
      throw new UsageError(
        flag,
        /ambiguous/.test(message)
          ? `${flag} needs a value; write a value that starts with '-' as ${flag}=VALUE`
          : `${flag} needs a value`,
      );
    }
    throw new UsageError(flag, message);
  }
};

const text = (flag: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(flag, `${flag} needs a non-empty value`);
  return trimmed;
};

/** Parses and checks the arguments after `--`. Throws UsageError. */
export function parseQueryArgs(argv: readonly string[]): ParsedArgs {
  const { values, tokens } = nodeParse(argv);
  if (values.help) return { help: true };

  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    if (seen.has(token.name))
      throw new UsageError(`--${token.name}`, `--${token.name} is given more than once`);
    seen.add(token.name);
  }

  const selectors = SELECTORS.filter((name) => values[name] !== undefined && values[name] !== false);
  if (selectors.length === 0) {
    throw new UsageError(
      undefined,
      `choose what to query: one of ${SELECTORS.map((s) => `--${s}`).join(', ')}`,
    );
  }
  if (selectors.length > 1) {
    throw new UsageError(
      `--${selectors[1]}`,
      `--${selectors[0]} and --${selectors[1]} cannot be combined: give exactly one selector`,
    );
  }
  const tenantId = text('--tenant', values.tenant);
  if (tenantId !== undefined && selectors[0] !== 'app') {
    throw new UsageError('--tenant', '--tenant only narrows --app');
  }

  let selector: Selector;
  switch (selectors[0]) {
    case 'task':
      selector = { kind: 'task', taskId: text('--task', values.task)! };
      break;
    case 'email': {
      const email = text('--email', values.email)!;
      if (!email.includes('@')) throw new UsageError('--email', `--email needs an address (got "${email}")`);
      selector = { kind: 'email', email };
      break;
    }
    case 'app':
      selector = {
        kind: 'app',
        app: text('--app', values.app)!,
        ...(tenantId === undefined ? {} : { tenantId }),
      };
      break;
    case 'run':
      selector = { kind: 'run', runId: text('--run', values.run)! };
      break;
    default:
      selector = { kind: 'runs' };
  }

  const query: QueryArgs = { selector, format: 'table' };

  const status = text('--status', values.status)?.toUpperCase();
  if (status !== undefined) {
    if (selector.kind === 'runs') {
      throw new UsageError('--status', '--status filters task records; it cannot be used with --runs');
    }
    if (!(TerminalStatuses as readonly string[]).includes(status)) {
      throw new UsageError(
        '--status',
        `--status must be one of ${TerminalStatuses.join(', ')} (got "${values.status}")`,
      );
    }
    query.status = status as TerminalStatus;
  }

  const since = text('--since', values.since);
  if (since !== undefined) {
    const iso = parseIsoInstant(since);
    if (iso === undefined) {
      throw new UsageError(
        '--since',
        `--since must be an ISO date or date-time, e.g. 2024-05-01 or 2024-05-01T10:00:00Z (got "${since}")`,
      );
    }
    query.since = iso;
  }

  const limit = text('--limit', values.limit);
  if (limit !== undefined) {
    const n = /^\d+$/.test(limit) ? Number(limit) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new UsageError('--limit', `--limit must be a positive integer (got "${limit}")`);
    }
    query.limit = n;
  }

  const format = text('--format', values.format)?.toLowerCase();
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(
        '--format',
        `--format must be one of ${FORMATS.join(', ')} (got "${values.format}")`,
      );
    }
    query.format = format as OutputFormat;
  }

  const table = text('--table', values.table);
  if (table !== undefined) query.table = table;

  return { help: false, query };
}
