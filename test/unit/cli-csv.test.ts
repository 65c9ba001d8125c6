/**
 * The one CSV writer (cli/csv.ts): RFC 4180 quoting and formula-safe cells, whatever the text. The
 * property parses the written document back with an independent RFC 4180 reader.
 */
import fc from 'fast-check';
import { csvField, toCsv } from '../../cli/csv';

/** A minimal RFC 4180 reader: quoted fields with doubled quotes, commas and line breaks inside. */
const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
};

const DANGEROUS = /^[=+\-@\t\r]/;

describe('csvField', () => {
  it.each([
    ['=2+5@example.com', "'=2+5@example.com"],
    ['+cmd|calc@example.com', "'+cmd|calc@example.com"],
    ['-1+1', "'-1+1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\r=1', `"'\r=1"`],
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['a=b', 'a=b'],
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    [' padded', '" padded"'],
  ])('%j is written as %j', (value, written) => {
    // Act + Assess
    expect(csvField(value)).toBe(written);
  });

  it('leaves numbers as numbers, even negative ones, and absent values empty', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField(42)).toBe('42');
    expect(csvField(undefined)).toBe('');
    expect(csvField(null)).toBe('');
  });
});

describe('toCsv (property)', () => {
  it('reads back as the same table, with no cell a spreadsheet would run as a formula', () => {
    let cases = 0;
    const text = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc
        .constantFrom('=', '+', '-', '@', '\t', '\r', '"', ',', '\n', '\r\n')
        .chain((lead) => fc.string({ maxLength: 10 }).map((rest) => lead + rest)),
    );
    fc.assert(
      fc.property(fc.array(fc.array(text, { minLength: 3, maxLength: 3 }), { maxLength: 6 }), (rows) => {
        cases += 1;
        // Act
        const read = parseCsv(toCsv(['a', 'b', 'c'], rows));

        // Assess: same shape; each cell is the value, or the value with a leading quote when it could run.
        expect(read[0]).toEqual(['a', 'b', 'c']);
        expect(read.slice(1)).toEqual(rows.map((r) => r.map((v) => (DANGEROUS.test(v) ? `'${v}` : v))));
        for (const cell of read.slice(1).flat()) expect(DANGEROUS.test(cell)).toBe(false);
      }),
      { numRuns: 1000, seed: 13 },
    );
    console.log(`csv property: ${cases} cases`);
  });
});
