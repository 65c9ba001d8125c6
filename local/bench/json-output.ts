/** `--json FILE`: the figures, the frontier rows and the raw measurements, for comparing runs. */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import type { Figure } from './format';
import type { MixFrontier } from './frontier/frontier';
import type { MixSpread } from './frontier/seeds';

export async function writeBenchJson(
  file: string,
  doc: {
    seed: number;
    seconds: number;
    figures: Figure[];
    notes: string[];
    frontiers: MixFrontier[];
    spread: MixSpread[];
    raw: Record<string, unknown>;
  },
): Promise<void> {
  const { frontiers, ...rest } = doc;
  const out = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    ...rest,
    frontier: frontiers.flatMap((f) => f.rows),
    // Not part of `frontier`: the adaptive policy with no earlier runs, and the oracle at its poll count.
    coldStart: frontiers.flatMap((f) => f.coldStart),
    // The oracle held to the deployed wait bounds, at the adaptive policy's polls.
    boundedOracle: frontiers.flatMap((f) => (f.boundedOracle ? [f.boundedOracle] : [])),
    frontierRatios: frontiers.map((f) => ({
      mix: f.mix.name,
      adaptiveOverOracle: f.ratio,
      coldStartOverOracle: f.coldRatio,
      fixedLineAtAdaptive: f.fixedAtAdaptive,
      profileBytes: f.profileBytes,
      adaptiveOverOracleWaitBounds1To3600: f.relaxedRatio,
    })),
  };
  await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
}
