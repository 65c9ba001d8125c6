/** Command line of `npm run report`: pure parsing and checking. Mistakes are UsageErrors naming the flag. */
import { parseFlags, text } from '../parse';
import { sinceFlag } from '../query/args';
import { DEFAULT_STACK } from '../stack';
import { UsageError } from '../usage-error';

const REPORT_FORMATS = ['table', 'csv', 'json', 'html'] as const;
type ReportFormat = (typeof REPORT_FORMATS)[number];

type ReportMode =
  | { kind: 'matrix'; runId: string }
  | { kind: 'diff'; oldRunId: string; newRunId: string }
  | { kind: 'diff-since'; runId: string; before: string };

export interface ReportArgs {
  mode: ReportMode;
  format: ReportFormat;
  out?: string;
  table?: string;
  stack: string;
}

export const REPORT_USAGE = `Usage: npm run report -- --run RUN [options]
       npm run report -- --diff OLD_RUN NEW_RUN [options]
       npm run report -- --run RUN --diff-since DATE [options]
       npx appfabric-access-poller report …

  --run RUN              the access matrix of a run: one row per person, one column per app (and tenant)
  --diff OLD NEW         per person and app, what changed from run OLD to run NEW: access gained, access
                         removed, userStatus changed, now unknown
  --diff-since DATE      with --run: compares each person of the run with their newest records before DATE
  --format F             table (default), csv, json or html (one self-contained file)
  --out FILE             write the report to FILE instead of the terminal
  --table NAME           the results table (as for npm run query)
  --stack NAME           the deployed stack to look the table up in (default ${DEFAULT_STACK})
  -h, --help             this help

Exit codes: 0 written, 1 the read or the write failed, 2 bad arguments or no table,
3 the local data is missing, unreadable, read-only or in use.
`;

const OPTIONS = {
  run: { type: 'string' },
  'diff-since': { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  table: { type: 'string' },
  stack: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type ParsedReportArgs = { help: true } | { help: false; args: ReportArgs };

/** `--diff OLD NEW` takes two values: they are taken out before the flags are parsed. */
const takeDiff = (argv: readonly string[]): { rest: string[]; diff?: [string, string] } => {
  const at = argv.findIndex((a) => a === '--diff' || a.startsWith('--diff='));
  if (at === -1) return { rest: [...argv] };
  if (argv.slice(at + 1).some((a) => a === '--diff' || a.startsWith('--diff='))) {
    throw new UsageError('--diff is given more than once', '--diff');
  }
  if (argv[at]!.startsWith('--diff='))
    throw new UsageError('--diff takes two run IDs: --diff OLD_RUN NEW_RUN', '--diff');
  const [oldRun, newRun] = [argv[at + 1], argv[at + 2]];
  if (
    !oldRun ||
    !newRun ||
    oldRun.startsWith('-') ||
    newRun.startsWith('-') ||
    !oldRun.trim() ||
    !newRun.trim()
  ) {
    throw new UsageError('--diff takes two run IDs: --diff OLD_RUN NEW_RUN', '--diff');
  }
  return { rest: [...argv.slice(0, at), ...argv.slice(at + 3)], diff: [oldRun.trim(), newRun.trim()] };
};

export function parseReportArgs(argv: readonly string[]): ParsedReportArgs {
  const { rest, diff } = takeDiff(argv);
  const values = parseFlags(rest, OPTIONS);
  if (values.help) return { help: true };
  const runId = text('--run', values.run);
  const before = sinceFlag('--diff-since', text('--diff-since', values['diff-since']));

  let mode: ReportMode;
  if (diff) {
    if (runId !== undefined)
      throw new UsageError('--diff compares two runs: it cannot be used with --run', '--run');
    if (before !== undefined)
      throw new UsageError(
        '--diff-since compares a run with earlier records: use it with --run, not --diff',
        '--diff-since',
      );
    mode = { kind: 'diff', oldRunId: diff[0], newRunId: diff[1] };
  } else if (runId !== undefined) {
    mode = before === undefined ? { kind: 'matrix', runId } : { kind: 'diff-since', runId, before };
  } else {
    if (before !== undefined)
      throw new UsageError('--diff-since needs --run RUN: the run whose people it compares', '--diff-since');
    throw new UsageError('choose a report: --run RUN, or --diff OLD_RUN NEW_RUN');
  }

  const format = text('--format', values.format)?.toLowerCase() ?? 'table';
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}`, '--format');
  }
  const out = text('--out', values.out);
  const table = text('--table', values.table);
  return {
    help: false,
    args: {
      mode,
      format: format as ReportFormat,
      ...(out === undefined ? {} : { out }),
      ...(table === undefined ? {} : { table }),
      stack: text('--stack', values.stack) ?? DEFAULT_STACK,
    },
  };
}
