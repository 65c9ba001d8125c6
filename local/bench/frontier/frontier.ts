/**
 * The frontier: for each mix, fixed waits of 10, 30, 60 and 120 s, the adaptive policy (with the profile
 * its earlier runs left), and the oracle schedule with the adaptive policy's number of polls; also the
 * adaptive policy on a cold start (no earlier runs) against the oracle at its own poll count. All on the
 * fast model (model.ts), evaluated on the bench seed; oracle and history learn from other seeds.
 */
import { SETTINGS } from '../../../lambda/contract/settings';
import { price, type UnitCosts, usageOfModel } from '../cost';
import { boundedOracleSchedule } from './bounded-oracle';
import { learnProfile } from './history';
import { MIXES, type Mix, trainingSeeds } from './mixes';
import {
  adaptiveWait,
  type DelayStats,
  delayStats,
  fixedWait,
  type LoopSettings,
  type ModelRun,
  scheduledWait,
  simulate,
} from './model';
import { oracleSchedule } from './oracle';

const FIXED_WAITS = [10, 30, 60, 120] as const;

export interface FrontierRow extends DelayStats {
  mix: string;
  policy: string;
  polls: number;
  calls: number;
  transitions: number;
  costUsd: number;
}

export interface MixFrontier {
  mix: Mix;
  rows: FrontierRow[];
  /** The adaptive policy without a profile, and the oracle at its poll count. */
  coldStart: FrontierRow[];
  /** Adaptive mean delay over the oracle's; same for the cold start. */
  ratio: number;
  coldRatio: number;
  /** The fixed-wait line at the adaptive policy's poll count (interpolated). */
  fixedAtAdaptive: { meanDelaySeconds: number; p95DelaySeconds: number };
  profileBytes: number;
  /** The adaptive/oracle ratio with the wait bounds relaxed to 1-3600 s (what the bounds cost). */
  relaxedRatio: number;
  /** The oracle held to the deployed wait bounds, at the adaptive policy's polls (bounded-oracle.ts). */
  boundedOracle?: FrontierRow;
  /** Bounded oracle over oracle (the floor the bounds set), and adaptive over bounded oracle. */
  bounds?: { floor: number; ratio: number };
}

/** The settings the frontier polls with: the deployed wait bounds, a 4 h deadline. */
export const FRONTIER_SETTINGS: LoopSettings = {
  minWaitSeconds: SETTINGS.minWaitSeconds.default as number,
  maxWaitSeconds: SETTINGS.maxWaitSeconds.default as number,
  deadlineSeconds: 4 * 3600,
};

/** Priced at the deployed memory. */
const MEMORY_MB = 512;

export function frontier(
  seed: number,
  units: UnitCosts,
  settings = FRONTIER_SETTINGS,
  { bounded = true } = {},
): MixFrontier[] {
  return MIXES.map((mix) => {
    const durations = mix.durations(seed);
    const earlier = trainingSeeds(mix, seed).map((s) => mix.durations(s));
    const training = earlier.flat();
    const row = (policy: string, run: ModelRun): FrontierRow => ({
      mix: mix.name,
      policy,
      polls: run.polls,
      calls: run.calls,
      transitions: run.transitions,
      ...delayStats(run.delays),
      costUsd: price(usageOfModel(run, durations.length, units), MEMORY_MB).total,
    });
    // Tasks of the bench seed finishing after the oracle's last poll: polled every minimum wait (counted).
    const oracleAt = (polls: number) =>
      simulate(durations, scheduledWait(oracleSchedule(training, polls), settings.minWaitSeconds), settings);
    const fixedRows = FIXED_WAITS.map((w) => row(`fixed-${w}s`, simulate(durations, fixedWait(w), settings)));
    const profile = learnProfile(earlier, settings);
    const adaptive = row('adaptive', simulate(durations, adaptiveWait(settings, profile), settings));
    const oracle = row('oracle', oracleAt(adaptive.polls));
    const cold = row('adaptive', simulate(durations, adaptiveWait(settings), settings));
    const relaxed = { ...settings, minWaitSeconds: 1, maxWaitSeconds: 3600 };
    const loose = simulate(durations, adaptiveWait(relaxed, learnProfile(earlier, relaxed)), relaxed);
    const looseOracle = simulate(
      durations,
      scheduledWait(oracleSchedule(training, loose.polls), relaxed.minWaitSeconds),
      relaxed,
    );
    const coldOracle = row('oracle', oracleAt(cold.polls));
    const boundedTimes = bounded
      ? boundedOracleSchedule(training, adaptive.polls, settings.minWaitSeconds, settings.maxWaitSeconds)
      : undefined;
    const boundedOracle = boundedTimes
      ? row('oracle', simulate(durations, scheduledWait(boundedTimes, settings.minWaitSeconds), settings))
      : undefined;
    return {
      mix,
      rows: [...fixedRows, adaptive, oracle],
      coldStart: [cold, coldOracle],
      ratio: adaptive.meanDelaySeconds / oracle.meanDelaySeconds,
      coldRatio: cold.meanDelaySeconds / coldOracle.meanDelaySeconds,
      fixedAtAdaptive: {
        meanDelaySeconds: interpolate(fixedRows, adaptive.polls, 'meanDelaySeconds'),
        p95DelaySeconds: interpolate(fixedRows, adaptive.polls, 'p95DelaySeconds'),
      },
      profileBytes: profile ? Buffer.byteLength(JSON.stringify({ profile })) : 0,
      relaxedRatio:
        delayStats(loose.delays).meanDelaySeconds / delayStats(looseOracle.delays).meanDelaySeconds,
      boundedOracle,
      bounds: boundedOracle && {
        floor: boundedOracle.meanDelaySeconds / oracle.meanDelaySeconds,
        ratio: adaptive.meanDelaySeconds / boundedOracle.meanDelaySeconds,
      },
    };
  });
}

/** The wait policy's goal against the oracle's mean delay. */
export const ORACLE_RATIO_GOAL = 1.15;

/** The goals for one mix: within the goal of the oracle, below the fixed-wait line on mean and p95. */
export function goalsOf(f: MixFrontier): { adaptive: FrontierRow; met: boolean } {
  const adaptive = f.rows.find((r) => r.policy === 'adaptive') as FrontierRow;
  const belowMean = adaptive.meanDelaySeconds < f.fixedAtAdaptive.meanDelaySeconds;
  const belowP95 = adaptive.p95DelaySeconds < f.fixedAtAdaptive.p95DelaySeconds;
  return { adaptive, met: f.ratio <= ORACLE_RATIO_GOAL && belowMean && belowP95 };
}

/**
 * The fixed-wait line at `polls`: straight between the two fixed points around it on log-log axes
 * (delay about halves as polls double), extended from the nearest two outside their range.
 */
function interpolate(
  rows: readonly FrontierRow[],
  polls: number,
  key: 'meanDelaySeconds' | 'p95DelaySeconds',
): number {
  const pts = [...rows].sort((a, b) => a.polls - b.polls);
  let i = pts.findIndex((p) => p.polls >= polls);
  if (i <= 0) i = i === 0 ? 1 : pts.length - 1;
  const [a, b] = [pts[i - 1], pts[i]];
  if (a.polls === b.polls) return Math.min(a[key], b[key]);
  const x = (Math.log(polls) - Math.log(a.polls)) / (Math.log(b.polls) - Math.log(a.polls));
  return Math.exp(Math.log(a[key]) + x * (Math.log(b[key]) - Math.log(a[key])));
}
