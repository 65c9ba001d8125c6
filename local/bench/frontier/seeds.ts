/**
 * The frontier's goals over several bench seeds: one seed's 60 or 500 tasks move the ratio to the oracle
 * by ±10 %, so the bench also says how the policy does across seeds (the mean and the worst).
 */
import type { UnitCosts } from '../cost';
import { frontier, goalsOf } from './frontier';

/** Bench seeds the spread is taken over. */
export const SPREAD_SEEDS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

export interface MixSpread {
  mix: string;
  meanRatio: number;
  worstRatio: number;
  /** Adaptive p95 over the fixed-wait line's p95 at the same polls, mean over the seeds. */
  meanP95OverFixed: number;
  /** Seeds on which every goal of the mix is met. */
  seedsMet: number;
}

export function frontierSpread(units: UnitCosts, seeds: readonly number[] = SPREAD_SEEDS): MixSpread[] {
  const byMix = new Map<string, { ratio: number; p95: number; met: boolean }[]>();
  for (const seed of seeds) {
    for (const f of frontier(seed, units, undefined, { bounded: false })) {
      const { adaptive, met } = goalsOf(f);
      const p95 = adaptive.p95DelaySeconds / f.fixedAtAdaptive.p95DelaySeconds;
      byMix.set(f.mix.name, [...(byMix.get(f.mix.name) ?? []), { ratio: f.ratio, p95, met }]);
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return [...byMix].map(([mix, runs]) => ({
    mix,
    meanRatio: mean(runs.map((r) => r.ratio)),
    worstRatio: Math.max(...runs.map((r) => r.ratio)),
    meanP95OverFixed: mean(runs.map((r) => r.p95)),
    seedsMet: runs.filter((r) => r.met).length,
  }));
}
