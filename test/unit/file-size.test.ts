/**
 * House rule: no hand-written source file over 400 lines. A generated file says so in its first line
 * ("Generated from …; regenerate, do not edit") and is left out.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const MAX_LINES = 400;

test(`no hand-written source file has more than ${MAX_LINES} lines`, () => {
  // Prepare: the files git tracks (or would: new files not ignored), by source ending.
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((f) => /\.(ts|js|py|sh)$/.test(f) || f === '.ci/run');
  // Act
  const tooLong = files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(join(ROOT, file), 'utf8');
    } catch {
      return []; // listed by git but deleted in the work tree
    }
    if (/^\/\/ Generated from /.test(text)) return [];
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    return lines > MAX_LINES ? [`${file}: ${lines} lines`] : [];
  });
  // Assess
  expect(files.length).toBeGreaterThan(100);
  expect(tooLong).toEqual([]);
});
