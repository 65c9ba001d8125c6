/** The bench's command line: `npm run bench [-- --json [file]] [--seed N]`. */
export const USAGE = `Usage: npm run bench [-- --json [file]] [--seed N] [--plots DIR]

Measures cost and timeliness figures on the local stand-ins and prints them as a table, with the
frontier of wait policies per task mix.
  --json [file]  also write the figures as JSON (default bench-results.json)
  --seed N       seed of the task mixes (default 1)
  --plots DIR    where the frontier plots go (default docs)
`;

export interface BenchArgs {
  json?: string;
  seed: number;
  plots: string;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs | 'help' {
  const args: BenchArgs = { seed: 1, plots: 'docs' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') return 'help';
    if (a === '--json') {
      const next = argv[i + 1];
      args.json = next !== undefined && !next.startsWith('-') ? next : 'bench-results.json';
      if (args.json === next) i++;
    } else if (a === '--seed') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0) throw new Error('--seed: must be a whole number');
      args.seed = n;
    } else if (a === '--plots') {
      const dir = argv[++i];
      if (dir === undefined || dir.startsWith('-')) throw new Error('--plots: needs a directory');
      args.plots = dir;
    } else {
      throw new Error(`unknown option #${i + 1}`);
    }
  }
  return args;
}
