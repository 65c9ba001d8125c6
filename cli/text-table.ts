/** Aligned plain-text tables for terminals, shared by query and report. */
export type TableCell = string | number | undefined;

/** Widest a table cell gets before it is cut with an ellipsis (error messages run long). */
const MAX_CELL = 60;

/** A table cell: control characters (from remote data) become spaces, long text is cut. */
const tableCell = (value: TableCell): string => {
  const s = value === undefined ? '' : String(value).replace(/\p{Cc}/gu, ' ');
  return s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s;
};

export const toTable = (header: readonly string[], rows: readonly (readonly TableCell[])[]): string => {
  const cells = rows.map((row) => row.map(tableCell));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')}\n`;
};

export const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
