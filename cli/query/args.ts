/**
 * Command line of `npm run query`: pure parsing and checking, no I/O. Every mistake is a UsageError
 * naming the flag (never echoing its value), which the CLI reports with exit code 2.
 */
import { type TerminalStatus, TerminalStatuses } from '../../lambda/contract/statuses';
import type { RunRecord } from '../../lambda/core/model';
import { parseFlags, positiveInt, text } from '../parse';
import { parseIsoInstant } from '../results-reader';
import { DEFAULT_STACK } from '../stack';
import { UsageError } from '../usage-error';

export { UsageError };

export const FORMATS = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof FORMATS)[number];
const RUN_OUTCOMES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
] as const satisfies readonly RunRecord['outcome'][];

type Selector =
  | { kind: 'task'; taskId: string }
  | { kind: 'email'; email: string }
  | { kind: 'app'; app: string; tenantId?: string }
  | { kind: 'run'; runId: string }
  | { kind: 'runs' };

export interface QueryArgs {
  selector: Selector;
  /** A task status; with --runs, a run outcome. */
  status?: TerminalStatus;
  outcome?: RunRecord['outcome'];
  /** ISO instant (`toISOString()` form), from `--since`. */
  since?: string;
  limit?: number;
  format: OutputFormat;
  table?: string;
  stack: string;
  /** `--run ID --watch`: redraw the run's progress until it ends, every `interval` seconds. */
  watch?: { intervalSeconds: number };
}

export type ParsedArgs = { help: true } | { help: false; query: QueryArgs };

const DEFAULT_INTERVAL_SECONDS = 5;

export const USAGE = `Usage: npm run query -- <selector> [options]
       npx appfabric-access-poller query <selector> [options]

Selectors (exactly one):
  --task ID              records of one task (any case), newest first
  --email ADDRESS        records of one person (case-insensitive), newest first
  --app APP [--tenant ID]
                         records of an app (any case), by tenant then newest first; --tenant narrows it
  --run RUN              one run: its record (and error), each address's start, its task records
  --runs                 runs, newest first

Options:
  --status S             only records with this status: ${TerminalStatuses.join(', ')};
                         with --runs, runs with this outcome: ${RUN_OUTCOMES.join(', ')}
  --since DATE           only records at or after an ISO date or date-time (UTC unless it has an offset)
  --limit N              at most N records (a positive integer)
  --format F             table (default, every record, by person then app), json or csv
  --watch                with --run: redraw the run's progress until it ends (Ctrl-C stops watching)
  --interval SECONDS     seconds between redraws of --watch (default ${DEFAULT_INTERVAL_SECONDS})
  --table NAME           the results table; else RESULTS_TABLE_NAME, else the last local run
                         (.local/last-run.json), else the deployed stack's table
  --stack NAME           the deployed stack to look the table up in (default ${DEFAULT_STACK})
  -h, --help             this help

Exit codes: 0 answered (also when nothing matched), 1 the read failed, 2 bad arguments or no table,
3 the local data is missing, unreadable, read-only or in use.
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
  watch: { type: 'boolean' },
  interval: { type: 'string' },
  table: { type: 'string' },
  stack: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const SELECTORS = ['task', 'email', 'app', 'run', 'runs'] as const;

/** `--since` as an ISO instant; shared with the report CLI. */
export const sinceFlag = (flag: string, value: string | undefined): string | undefined => {
  if (value === undefined) return undefined;
  const iso = parseIsoInstant(value);
  if (iso === undefined) {
    throw new UsageError(
      `${flag} must be an ISO date or date-time, e.g. 2024-05-01 or 2024-05-01T10:00:00Z`,
      flag,
    );
  }
  return iso;
};

/** Parses and checks the arguments after `--`. Throws UsageError. */
export function parseQueryArgs(argv: readonly string[]): ParsedArgs {
  const values = parseFlags(argv, OPTIONS);
  if (values.help) return { help: true };

  const selectors = SELECTORS.filter((name) => values[name] !== undefined && values[name] !== false);
  if (selectors.length === 0) {
    throw new UsageError(`choose what to query: one of ${SELECTORS.map((s) => `--${s}`).join(', ')}`);
  }
  if (selectors.length > 1) {
    throw new UsageError(
      `--${selectors[0]} and --${selectors[1]} cannot be combined: give exactly one selector`,
      `--${selectors[1]}`,
    );
  }
  const tenantId = text('--tenant', values.tenant);
  if (tenantId !== undefined && selectors[0] !== 'app')
    throw new UsageError('--tenant only narrows --app', '--tenant');

  let selector: Selector;
  switch (selectors[0]) {
    case 'task':
      // Task IDs are UUIDs, stored lower-case: any case given finds them.
      selector = { kind: 'task', taskId: text('--task', values.task)!.toLowerCase() };
      break;
    case 'email': {
      const email = text('--email', values.email)!;
      if (!email.includes('@')) throw new UsageError('--email needs an address (name@domain)', '--email');
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

  const query: QueryArgs = {
    selector,
    format: 'table',
    stack: text('--stack', values.stack) ?? DEFAULT_STACK,
  };

  const status = text('--status', values.status)?.toUpperCase();
  if (status !== undefined) {
    if (selector.kind === 'runs') {
      if (!(RUN_OUTCOMES as readonly string[]).includes(status)) {
        throw new UsageError(`--status with --runs must be one of ${RUN_OUTCOMES.join(', ')}`, '--status');
      }
      query.outcome = status as RunRecord['outcome'];
    } else {
      if (!(TerminalStatuses as readonly string[]).includes(status)) {
        throw new UsageError(`--status must be one of ${TerminalStatuses.join(', ')}`, '--status');
      }
      query.status = status as TerminalStatus;
    }
  }

  const since = sinceFlag('--since', text('--since', values.since));
  if (since !== undefined) query.since = since;

  const limit = positiveInt('--limit', text('--limit', values.limit));
  if (limit !== undefined) query.limit = limit;

  const format = text('--format', values.format)?.toLowerCase();
  if (format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`, '--format');
    }
    query.format = format as OutputFormat;
  }

  const interval = positiveInt('--interval', text('--interval', values.interval), 3600);
  if (values.watch) {
    if (selector.kind !== 'run')
      throw new UsageError('--watch follows one run: use it with --run', '--watch');
    if (query.format !== 'table')
      throw new UsageError('--watch draws for a terminal: it cannot be used with --format', '--watch');
    query.watch = { intervalSeconds: interval ?? DEFAULT_INTERVAL_SECONDS };
  } else if (interval !== undefined) {
    throw new UsageError('--interval only paces --watch', '--interval');
  }

  const table = text('--table', values.table);
  if (table !== undefined) query.table = table;

  return { help: false, query };
}
