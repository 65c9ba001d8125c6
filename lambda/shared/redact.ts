/**
 * Addresses are personal data: they may sit in the results table, never in execution state, a Cause or
 * a log line. Messages name fields, not values; this is the last line of defence for text that comes
 * from outside (AppFabric's own messages, taskError texts, SDK errors), applied before any truncation.
 *
 * It errs on the side of hiding: any run of characters with an `@` in it, up to the characters that
 * cannot be part of an unquoted address (space, quotes, brackets, `,;:\`), is replaced, whatever its
 * domain looks like (`jane@corp`, `a@b`) and however long or cut it is (`john.smith@exam`, `@example.com`).
 */
const ADDRESS_LIKE = /[^\s"<>()[\],;:\\]*@[^\s"<>()[\],;:\\]*/g;

export const REDACTED_EMAIL = '<email>';

export function redactEmails(text: string): string {
  return text.replace(ADDRESS_LIKE, REDACTED_EMAIL);
}

/** Redacts, then cuts to at most `max` characters: cutting first could split an address past recognition. */
export function redactAndTruncate(text: string, max: number): string {
  return redactEmails(text).slice(0, max);
}
