import fc from 'fast-check';
import { oracleSchedule } from '../../local/bench/frontier/oracle';

/** Sum of delays when `polls` (ascending, the last at the latest finish) see the finishes `d`. */
const totalDelay = (d: readonly number[], polls: readonly number[]) =>
  d.reduce((n, x) => n + ((polls.find((p) => p >= x) as number) - x), 0);

/** Every choice of `groups` poll times among the finishes, the last at the latest: the least total delay. */
function bruteForce(d: readonly number[], groups: number): number {
  const s = [...d].sort((a, b) => a - b);
  const last = s[s.length - 1];
  const candidates = [...new Set(s.slice(0, -1))];
  let best = Number.POSITIVE_INFINITY;
  const pick = (from: number, chosen: number[]) => {
    if (chosen.length === groups - 1) {
      best = Math.min(best, totalDelay(s, [...chosen, last]));
      return;
    }
    for (let i = from; i < candidates.length; i++) pick(i + 1, [...chosen, candidates[i]]);
  };
  pick(0, []);
  return groups - 1 > candidates.length ? totalDelay(s, [...candidates, last]) : best;
}

describe('oracleSchedule', () => {
  it('polls at finish times, the last at the latest one, one poll fewer than asked (the first is at 0)', () => {
    // Prepare
    const training = [5, 6, 7, 50, 51, 52, 300];
    // Act
    const schedule = oracleSchedule(training, 4);
    // Assess
    expect(schedule).toEqual([7, 52, 300]);
  });

  it('finds the least total delay over the training sample (against brute force, property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 2, max: 5 }),
        (training, polls) => {
          // Act
          const schedule = oracleSchedule(training, polls);
          // Assess
          expect(schedule.length).toBeLessThanOrEqual(polls - 1);
          expect(schedule[schedule.length - 1]).toBe(Math.max(...training));
          expect(totalDelay(training, schedule)).toBeCloseTo(bruteForce(training, polls - 1), 6);
        },
      ),
    );
  });
});
