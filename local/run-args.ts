/** `npm start`'s options: the usage text and the parser (node:util parseArgs), checked before anything starts. */

import { parseArgs } from 'node:util';
import { UsageError } from '../cli/usage-error';
import { Limits } from '../lambda/contract/limits';
import { SCENARIOS, type Scenario } from './scenarios';

export const EXIT_CODES = {
  succeeded: 0,
  failed: 1,
  usage: 2,
  store: 3,
  standIn: 4,
  interrupted: 130,
} as const;

export const USAGE = `Usage: npm start -- [options]

Runs the poller locally: the deployed state machine definition, the real Lambda handler, an AppFabric
stand-in and an in-memory DynamoDB (dynalite). Waits are virtual: a run of hours takes seconds.
Runs are kept in .local/data (one at a time: a second npm start waits for the first).

Options:
  --tasks N          tasks to poll (default 60, at most ${Limits.maxTaskIdsInInput}: what one execution input holds)
  --scenario S       ${SCENARIOS.join(' | ')}
                     (default mixed; access-review with --emails)
  --input FILE       an execution input as typed in the Step Functions console (JSON)
  --event FILE       an EventBridge event (JSON): its detail becomes the input, as the rule does it
  --emails A,B,...   start tasks from addresses (StartUserAccessTasks) instead of task IDs
  --emails-file FILE the same, one address a line
  --seed N           seed of the scenario (default 1): the same seed gives the same run
  --port N           port of the AppFabric stand-in (default: any free one)
  --quiet            no per-cycle lines
  -h, --help         this text

Exit codes: 0 the execution succeeded, 1 it failed, 2 bad options or input, 3 the local store
(.local) is not writable, damaged or busy, 4 a stand-in could not start, 130 interrupted.
`;

export { UsageError };

export interface RunArgs {
  tasks: number;
  scenario: Scenario;
  inputFile?: string;
  eventFile?: string;
  emails?: string[];
  emailsFile?: string;
  seed: number;
  port?: number;
  quiet: boolean;
}

/** A whole number flag: named as not a whole number, or as out of range (never echoing the value). */
function int(flag: string, raw: unknown, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw.trim())) {
    throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}`);
  }
  const n = Number(raw.trim());
  if (n < min || n > max) throw new UsageError(`--${flag} is out of range: it must be from ${min} to ${max}`);
  return n;
}

export function parseRunArgs(argv: readonly string[]): RunArgs | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        tasks: { type: 'string' },
        scenario: { type: 'string' },
        input: { type: 'string' },
        event: { type: 'string' },
        emails: { type: 'string' },
        'emails-file': { type: 'string' },
        seed: { type: 'string' },
        port: { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  const sources = ['input', 'event', 'emails', 'emails-file'].filter((k) => values[k] !== undefined);
  if (sources.length > 1) throw new UsageError(`--${sources[0]} and --${sources[1]} cannot be used together`);
  if (values.tasks !== undefined && sources.length > 0) {
    throw new UsageError(`--tasks cannot be used with --${sources[0]} (the input names the tasks)`);
  }
  const fromEmails = values.emails !== undefined || values['emails-file'] !== undefined;
  const scenario = (values.scenario ?? (fromEmails ? 'access-review' : 'mixed')) as Scenario;
  if (!SCENARIOS.includes(scenario))
    throw new UsageError(`--scenario must be one of ${SCENARIOS.join(', ')}`);
  const emails =
    typeof values.emails === 'string'
      ? values.emails
          .split(',')
          .map((e) => e.trim())
          .filter(Boolean)
      : undefined;
  if (emails !== undefined && emails.length === 0)
    throw new UsageError('--emails needs at least one address');
  return {
    tasks: int('tasks', values.tasks, 60, 1, Limits.maxTaskIdsInInput),
    scenario,
    inputFile: values.input as string | undefined,
    eventFile: values.event as string | undefined,
    emails,
    emailsFile: values['emails-file'] as string | undefined,
    seed: int('seed', values.seed, 1, 0, 2 ** 31 - 1),
    ...(values.port !== undefined ? { port: int('port', values.port, 0, 1, 65_535) } : {}),
    quiet: values.quiet === true,
  };
}
