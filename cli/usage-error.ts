/** A mistake on the command line of any CLI (query, report, npm start): reported in one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The flag at fault, e.g. `--limit`; undefined when none is (no selector given). */
    readonly flag?: string,
  ) {
    super(message);
  }
}
