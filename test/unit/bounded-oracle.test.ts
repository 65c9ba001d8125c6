import { profileShareAt } from '../../lambda/core/wait-plan';
import { boundedOracleSchedule } from '../../local/bench/frontier/bounded-oracle';
import { oracleSchedule } from '../../local/bench/frontier/oracle';

/** Total delay of polls at `times` (after a first poll at 0) for tasks finishing at `finishes`. */
const delayOf = (finishes: readonly number[], times: readonly number[]) =>
  finishes.reduce((sum, d) => sum + ((times.find((t) => t >= d) ?? Number.POSITIVE_INFINITY) - d), 0);

describe('the oracle within the wait bounds (bench)', () => {
  it('keeps every wait within [min, max] and sees every task', () => {
    // Prepare: two waves with a 1,160 s gap, waits of 5-300 s.
    const finishes = [
      ...Array.from({ length: 50 }, (_, i) => 20 + i * 0.4),
      ...Array.from({ length: 50 }, (_, i) => 1200 + i * 12),
    ];
    // Act
    const times = boundedOracleSchedule(finishes, 30, 5, 300) as number[];
    // Assess
    const waits = [0, ...times].slice(1).map((t, i) => t - [0, ...times][i]);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(5);
    expect(Math.max(...waits)).toBeLessThanOrEqual(300);
    expect(times[times.length - 1]).toBeGreaterThanOrEqual(Math.max(...finishes));
    // The gap costs polls the unbounded oracle does not make, so the bounded one delays more.
    expect(delayOf(finishes, times)).toBeGreaterThan(delayOf(finishes, oracleSchedule(finishes, 30)));
  });

  it('matches the unbounded oracle where the bounds do not bind, and beats an even schedule', () => {
    // Prepare: finishes on whole seconds, 1 s minimum, a maximum longer than the span.
    const finishes = Array.from({ length: 40 }, (_, i) => 10 + ((i * 7) % 90));
    const even = Array.from({ length: 9 }, (_, i) => Math.ceil(((i + 1) * 100) / 9));
    // Act
    const bounded = boundedOracleSchedule(finishes, 10, 1, 3600) as number[];
    // Assess
    expect(delayOf(finishes, bounded)).toBeCloseTo(delayOf(finishes, oracleSchedule(finishes, 10)), 6);
    expect(delayOf(finishes, bounded)).toBeLessThan(delayOf(finishes, even));
  });

  it('says so when no schedule within the bounds reaches the last finish', () => {
    // Act / Assess: 3 polls of at most 10 s cannot reach 100 s.
    expect(boundedOracleSchedule([100], 3, 1, 10)).toBeUndefined();
  });
});

describe('a finish profile as a distribution', () => {
  it('covers a thinning tail without holes, and leaves the gap between two waves empty', () => {
    // Prepare: log-spaced times (each gap 1.2x the last), and two waves.
    const tail = Array.from({ length: 16 }, (_, i) => Math.round(30 * 1.2 ** i));
    const waves = [20, 22, 24, 26, 28, 30, 1200, 1220, 1240, 1260, 1280, 1300];
    // Act: the share finished at the midpoints between neighbouring times.
    const tailGrowth = tail
      .slice(1)
      .map((t, i) => profileShareAt(tail, (t + tail[i]) / 2) - profileShareAt(tail, tail[i]));
    const gap = profileShareAt(waves, 1100) - profileShareAt(waves, 100);
    // Assess
    expect(Math.min(...tailGrowth)).toBeGreaterThan(0);
    expect(gap).toBe(0);
    expect(profileShareAt(waves, 600)).toBeCloseTo(0.5, 6);
  });
});
