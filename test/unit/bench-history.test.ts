/** The bench's policy history reads earlier runs as Start does: the newest runs, within its limits. */
import { HISTORY_MAX_RECORDS, HISTORY_RUNS } from '../../lambda/core/history';
import { withinReadLimits } from '../../local/bench/frontier/history';

describe('the bench history, read as Start reads it', () => {
  it('takes at most the newest HISTORY_RUNS runs', () => {
    // Prepare: small runs, newest first, each marked by its index.
    const runs = Array.from({ length: HISTORY_RUNS + 5 }, (_, i) => [i, i]);
    // Act
    const read = withinReadLimits(runs);
    // Assess
    expect(read).toHaveLength(HISTORY_RUNS);
    expect(read[0]).toEqual([0, 0]);
    expect(read[HISTORY_RUNS - 1]).toEqual([HISTORY_RUNS - 1, HISTORY_RUNS - 1]);
  });

  it('stops at HISTORY_MAX_RECORDS records, cutting the last run across its whole span', () => {
    // Prepare: runs of 800 record times 0..799 s.
    const run = Array.from({ length: 800 }, (_, i) => i);
    // Act
    const read = withinReadLimits([run, run, run, run]);
    // Assess: 800 + 800 + 400 of the third (every 2nd), none of the fourth.
    expect(read.map((r) => r.length)).toEqual([800, 800, HISTORY_MAX_RECORDS - 1600]);
    expect(read[2][0]).toBe(0);
    expect(read[2][399]).toBe(798);
  });
});
