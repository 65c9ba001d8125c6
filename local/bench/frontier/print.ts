/** The frontier as text: a table per mix, and one figure per mix for the bench's main table. */
import { type Figure, fixed } from '../format';
import { type FrontierRow, goalsOf, type MixFrontier, ORACLE_RATIO_GOAL } from './frontier';
import type { LoopSettings } from './model';
import type { MixSpread } from './seeds';

export function formatFrontier(frontiers: readonly MixFrontier[]): string {
  const header = `${'mix'.padEnd(12)}${'policy'.padEnd(22)}${['polls', 'calls', 'trans', 'mean s', 'p95 s', 'max s', 'cost $'].map((h) => h.padStart(8)).join('')}`;
  const line = (r: FrontierRow, label = r.policy) =>
    `${r.mix.padEnd(12)}${label.padEnd(22)}${[
      String(r.polls),
      String(r.calls),
      String(r.transitions),
      fixed(r.meanDelaySeconds, 1),
      fixed(r.p95DelaySeconds, 1),
      fixed(r.maxDelaySeconds, 0),
      r.costUsd.toFixed(4),
    ]
      .map((c) => c.padStart(8))
      .join('')}`;
  const blocks = frontiers.map((f) =>
    [
      ...f.rows.map((r) => line(r)),
      line(f.coldStart[0], 'adaptive, cold start'),
      line(f.coldStart[1], 'oracle at its polls'),
      ...(f.boundedOracle ? [line(f.boundedOracle, 'oracle within bounds')] : []),
    ].join('\n'),
  );
  return [header, '-'.repeat(header.length), blocks.join('\n\n')].join('\n');
}

export function frontierFigures(frontiers: readonly MixFrontier[]): Figure[] {
  return frontiers.map((f, i) => {
    const { adaptive, met } = goalsOf(f);
    const oracle = f.rows.find((r) => r.policy === 'oracle') as FrontierRow;
    return {
      id: i === 0 ? '8' : `8${String.fromCharCode(97 + i - 1)}`,
      label: `${i === 0 ? 'Frontier' : '  frontier'} ${f.mix.name}: adaptive / oracle`,
      value: f.ratio,
      unit: 'ratio of mean delay',
      detail:
        `${fixed(f.ratio)}x: ${fixed(adaptive.meanDelaySeconds, 1)} / ${fixed(oracle.meanDelaySeconds, 1)} s at ${adaptive.polls} polls; ` +
        `fixed line ${fixed(f.fixedAtAdaptive.meanDelaySeconds, 1)} s, p95 ${fixed(adaptive.p95DelaySeconds, 0)} vs ${fixed(f.fixedAtAdaptive.p95DelaySeconds, 0)} s`,
      goal: `<= ${ORACLE_RATIO_GOAL}, < fixed`,
      // The oracle is given the adaptive policy's polls (it may need fewer when the seed ends early).
      met,
    };
  });
}

/** One line: per mix, the ratio to the oracle, cold start, with the wait bounds relaxed, and to the bounded oracle. */
export function frontierNote(frontiers: readonly MixFrontier[], settings: LoopSettings): string {
  return (
    `adaptive / oracle mean delay per mix (cold start; waits bounded 1-3600 s instead of ` +
    `${settings.minWaitSeconds}-${settings.maxWaitSeconds} s; bounded oracle / oracle, the floor the bounds set): ` +
    frontiers
      .map((f) => {
        const bounds = f.bounds
          ? `${fixed(f.bounds.floor)}, adaptive / bounded ${fixed(f.bounds.ratio)}`
          : 'n/a';
        return `${f.mix.name} ${fixed(f.ratio)} (${fixed(f.coldRatio)}; ${fixed(f.relaxedRatio)}; ${bounds})`;
      })
      .join(', ')
  );
}

/** One line: the goals over several bench seeds. */
export function spreadNote(spread: readonly MixSpread[], seeds: readonly number[]): string {
  return (
    `frontier over seeds ${seeds[0]}-${seeds[seeds.length - 1]} (mean / worst adaptive:oracle, mean p95:fixed line, seeds with every goal met): ` +
    spread
      .map(
        (s) =>
          `${s.mix} ${fixed(s.meanRatio)} / ${fixed(s.worstRatio)}, ${fixed(s.meanP95OverFixed)}, ${s.seedsMet}/${seeds.length}`,
      )
      .join('; ')
  );
}
