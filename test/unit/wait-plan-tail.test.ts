import { buildFinishProfile, plannedWaitSeconds, profileShareAt } from '../../lambda/core/wait-plan';
import { delayStats } from '../../local/bench/frontier/model';

/** 500 tasks finishing log-uniformly from 30 s to 2 h, and a profile learnt from exactly them. */
const durations = Array.from({ length: 500 }, (_, i) => 30 * 240 ** ((i + 0.5) / 500));
const profile = buildFinishProfile(durations) as number[];

/** Polls a run makes that finishes as its profile says, and the delays of its tasks. */
function walk(latePrice?: number) {
  const polls = [0];
  for (;;) {
    const t = polls[polls.length - 1];
    const done = profileShareAt(profile, t);
    const wait = plannedWaitSeconds({
      profile,
      elapsedSeconds: t,
      pendingTasks: 500 * (1 - done),
      finishedShare: done,
      minWaitSeconds: 5,
      maxWaitSeconds: 600,
      pollCost: 175,
      latePrice,
    });
    if (wait === undefined) break;
    polls.push(t + wait);
  }
  const delays = durations.map((d) => (polls.find((p) => p >= d) ?? Number.NaN) - d);
  const { meanDelaySeconds: mean, p95DelaySeconds: p95 } = delayStats(delays);
  return { polls: polls.length, mean, p95 };
}

describe('the planned wait in a long tail', () => {
  it('prices tasks delayed past the late wait: the same polls, moved into the tail, for a lower p95', () => {
    // Act
    const priced = walk();
    const plain = walk(0);
    // Assess: least mean delay alone leaves the tail's polls sparse, and its p95 high.
    expect(priced.polls).toBeLessThanOrEqual(plain.polls + 1);
    expect(priced.p95).toBeLessThan(0.95 * plain.p95);
    expect(priced.mean).toBeGreaterThanOrEqual(plain.mean);
    expect(priced.mean).toBeLessThan(1.1 * plain.mean);
  });
});
