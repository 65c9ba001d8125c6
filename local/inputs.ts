/**
 * What `--input`, `--event` and `--emails-file` hold, read and checked before anything starts: a UTF-8 byte
 * order mark, CRLF line ends and trailing blank lines are accepted (as Windows tools write files), and the
 * execution input is measured as Step Functions would receive it.
 */
import { readFile } from 'node:fs/promises';
import { Limits } from '../lambda/contract/limits';
import { parseExecutionInput } from '../lambda/core/input';
import { InvalidInputError } from '../lambda/shared/errors';
import { cdkJsonContext } from '../lib/app';
import { parseSettings } from '../lib/config';
import { matchesEventPattern } from './event-pattern';
import { type RunArgs, UsageError } from './run-args';
import { DEMO_BUNDLE_ARN } from './scenarios';

/** The execution input a file gave, and its size in bytes as Step Functions receives it. */
export interface GivenInput {
  input: unknown;
  bytes: number;
}

const BOM = '\uFEFF';

async function readText(file: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `--${flag}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return text.startsWith(BOM) ? text.slice(1) : text;
}

function parseJson(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // JSON.parse's message quotes the text around the fault: say where, not what.
    const at = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new UsageError(`--${flag}: the file is not JSON${at ? ` (at character ${at})` : ''}`);
  }
}

/** Step Functions refuses an execution input over 256 KiB before anything runs. */
function checkSize(bytes: number, flag: string): void {
  if (bytes > Limits.stepFunctionsPayloadBytes) {
    throw new UsageError(
      `--${flag}: Step Functions would refuse this execution input: ${bytes} bytes, at most ${Limits.stepFunctionsPayloadBytes}`,
    );
  }
}

/**
 * `--input`: the file's bytes (less a byte order mark) are the input, whitespace included: a pretty-printed
 * file counts its indentation, as the console or `aws stepfunctions start-execution --input file://` send it.
 * `--event`: the rule's pattern must match; the rule passes `detail` on as compact JSON.
 */
export async function readGivenInput(args: RunArgs): Promise<GivenInput | undefined> {
  if (args.eventFile) {
    const event = parseJson(await readText(args.eventFile, 'event'), 'event');
    const settings = parseSettings((key) => cdkJsonContext()[key]);
    const problem = matchesEventPattern(event, settings.eventPattern);
    if (problem) {
      throw new UsageError(`--event: the rule would not start an execution for this event: ${problem}`);
    }
    const detail = (event as { detail?: unknown }).detail;
    const bytes = Buffer.byteLength(JSON.stringify(detail) ?? '');
    checkSize(bytes, 'event');
    return { input: detail, bytes };
  }
  if (args.inputFile) {
    const text = await readText(args.inputFile, 'input');
    const input = parseJson(text, 'input');
    const bytes = Buffer.byteLength(text);
    checkSize(bytes, 'input');
    return { input, bytes };
  }
  return undefined;
}

/**
 * The execution input through the Start action's own check, before anything starts: an input the
 * deployed poller would refuse is one line and exit 2 here, and no FAILED run is left in the store.
 */
export function checkExecutionInput(input: unknown, flag: 'input' | 'event' | 'emails'): void {
  const settings = parseSettings((key) => cdkJsonContext()[key]);
  try {
    parseExecutionInput(input, {
      appBundleIdentifier: settings.appBundleIdentifier ?? DEMO_BUNDLE_ARN,
      minWaitSeconds: settings.minWaitSeconds,
    });
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
    throw new UsageError(`--${flag}: the poller would refuse this input: ${error.message}`);
  }
}

/** The addresses of `--emails` or `--emails-file` (one a line; blank lines skipped). */
export async function readEmails(args: RunArgs): Promise<string[] | undefined> {
  if (args.emails) return args.emails;
  if (!args.emailsFile) return undefined;
  const emails = (await readText(args.emailsFile, 'emails-file'))
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  if (emails.length === 0) throw new UsageError('--emails-file holds no address');
  if (emails.length > Limits.maxEmailsPerRun) {
    throw new UsageError(
      `--emails-file is out of range: ${emails.length} addresses, at most ${Limits.maxEmailsPerRun}`,
    );
  }
  return emails;
}
