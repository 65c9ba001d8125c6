/**
 * The one CSV writer of every export (query and reports): RFC 4180 quoting, and formula-safe cells. A cell
 * that starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with a single quote (OWASP's
 * advice against CSV injection), whatever its source: addresses, app display names and error texts come
 * from outside and a spreadsheet would run them as formulas.
 */
export type CsvCell = string | number | boolean | undefined | null;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One field: neutralised when it could start a formula, then quoted when it holds `,` `"` CR LF or edge spaces. */
export const csvField = (value: CsvCell): string => {
  if (value === undefined || value === null) return '';
  // Numbers are ours (counts, epoch seconds): a negative number stays a number.
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** A whole CSV document: header line, one line a row (CRLF inside quoted fields kept), trailing newline. */
export const toCsv = (header: readonly string[], rows: readonly (readonly CsvCell[])[]): string =>
  `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\n')}\n`;
