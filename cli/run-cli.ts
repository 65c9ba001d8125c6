/**
 * Runs a command-line tool's `main` and exits with the code it resolves to. Whatever goes wrong ends in
 * ONE line on stderr, never a stack trace: a CliError with its exit code, anything else as its name and
 * (address-redacted) message with exit code 1. A closed output pipe (`| head -1`) ends quietly with 0.
 */
import { redactEmails } from '../lambda/shared/redact';
import { CliError, ExitCodes } from './exit-codes';
import { cloudFormationLookup, type StackLookup } from './stack';

const isEpipe = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';

/** The one line a failure prints: `error: <name>: <message>` on a single line. */
const failureLine = (error: unknown): string => {
  if (error instanceof CliError) return `error: ${oneLine(error.message)}\n`;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return `error: ${name}: ${oneLine(redactEmails(message))}\n`;
};

/** Writes a failure's one line and gives its exit code: the CliError's own, else 1. */
export const reportFailure = (error: unknown, stderr: { write(text: string): unknown }): number => {
  stderr.write(failureLine(error));
  return error instanceof CliError ? error.exitCode : ExitCodes.failed;
};

const oneLine = (text: string): string => text.replace(/\s*[\r\n]+\s*/g, ' ').trim();

export interface CliProcess {
  stdout: NodeJS.WritableStream;
  stderr: { write(text: string): unknown };
  exit(code: number): void;
  setExitCode(code: number): void;
}

const nodeProcess: CliProcess = {
  stdout: process.stdout,
  stderr: process.stderr,
  exit: (code) => process.exit(code),
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

export function runCli(main: () => Promise<number>, proc: CliProcess = nodeProcess): void {
  // The reader went away (`| head -1`): stop writing and end quietly, as Unix tools do.
  proc.stdout.on('error', (error: unknown) => {
    if (isEpipe(error)) proc.exit(ExitCodes.ok);
    else {
      proc.stderr.write(failureLine(error));
      proc.exit(ExitCodes.failed);
    }
  });
  main().then(
    (code) => proc.setExitCode(code),
    (error: unknown) => {
      proc.setExitCode(isEpipe(error) ? ExitCodes.ok : reportFailure(error, proc.stderr));
    },
  );
}

/** What a CLI's `main` is given: output streams and the deployed-stack lookup. */
interface CliIo {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  stackLookup: StackLookup;
}

/** The command-line entry of a CLI (npm run query|report, cli/bin.js): real streams, CloudFormation lookup. */
export const commandLineOf =
  (main: (argv: readonly string[], io: CliIo) => Promise<number>) =>
  (argv: readonly string[]): void => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    runCli(() =>
      main(argv, { stdout: process.stdout, stderr: process.stderr, stackLookup: cloudFormationLookup() }),
    );
  };
