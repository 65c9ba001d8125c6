/** Exit codes shared by every CLI (documented in the README, "Exit codes"). */
export const ExitCodes = {
  /** Answered (also when nothing matched), or the output pipe was closed by the reader (`| head`). */
  ok: 0,
  /** The read failed: AWS or DynamoDB refused or was unreachable, or an unexpected error. */
  failed: 1,
  /** Bad arguments, or no results table could be found. */
  usage: 2,
  /** The local data (.local/) is missing, unreadable, read-only or in use by another process. */
  localData: 3,
} as const;

/** A failure the CLI reports as one line with its own exit code (never a stack trace). */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
