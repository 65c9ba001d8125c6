/**
 * The README's "Project layout" names every path that exists and nothing that does not: every path in its
 * first column exists, and every entry directly under lib/, lambda/, cli/ and local/ is named.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## Project layout'));
const block = section.slice(
  section.indexOf('```\n') + 4,
  section.indexOf('\n```', section.indexOf('```\n') + 4),
);
/** First-column paths of the layout block. */
const listed = block
  .split('\n')
  .map(
    (line) =>
      /^(\S+)\s/.exec(line.trimStart() === line ? line : '')?.[1] ?? /^\s+(\S+\/\S*)\s/.exec(line)?.[1],
  )
  .filter((p): p is string => p !== undefined && /^[a-z]/.test(p));

describe('README project layout', () => {
  test('every path it lists exists', () => {
    // Act
    const missing = listed.filter((p) => !existsSync(join(ROOT, p)));
    // Assess
    expect(listed.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  test.each(['lib', 'lambda', 'cli', 'local'])('every entry directly under %s/ is named', (dir) => {
    // Prepare
    const entries = readdirSync(join(ROOT, dir), { withFileTypes: true }).map(
      (e) => `${dir}/${e.name}${e.isDirectory() ? '/' : ''}`,
    );
    // Act
    const unnamed = entries.filter((e) => !listed.includes(e) && !block.includes(e));
    // Assess
    expect(unnamed).toEqual([]);
  });
});
