/**
 * Addresses are personal data: they may sit in the results table, never in execution state, a Cause or
 * a log line. AppFabric's own error messages can echo the address asked about, so every message that
 * leaves the function goes through this.
 */
const EMAIL_LIKE = /[^\s@"'<>()[\],;:]+@[^\s@"'<>()[\],;:]+\.[^\s@"'<>()[\],;:]+/g;

export const REDACTED_EMAIL = '<email>';

export function redactEmails(text: string): string {
  return text.replace(EMAIL_LIKE, REDACTED_EMAIL);
}
