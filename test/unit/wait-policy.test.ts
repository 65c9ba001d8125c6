import fc from 'fast-check';
import {
  CONFIRM_FACTOR,
  chooseWait,
  nextWaitSeconds,
  POLL_COST_PER_TASK,
  type PolicyInput,
  PROFILE_TOLERANCE,
} from '../../lambda/core/wait';
import {
  buildFinishProfile,
  finishTimesFromRecords,
  PROFILE_POINTS,
  plannedWaitSeconds,
} from '../../lambda/core/wait-plan';
import { adaptiveWait, simulate } from '../../local/bench/frontier/model';

const T0 = Date.UTC(2026, 0, 1);
const at = (seconds: number) => new Date(T0 + seconds * 1000);

/** Half the tasks finish in 20-40 s, half in 1200-1800 s. */
const bimodal = buildFinishProfile(
  Array.from({ length: 400 }, (_, i) => (i < 200 ? 20 + i / 10 : 1200 + (i - 200) * 3)),
) as number[];

const input = (over: Partial<PolicyInput> = {}): PolicyInput => ({
  previousWaitSeconds: 10,
  minWaitSeconds: 10,
  maxWaitSeconds: 300,
  finishedThisCycle: 0,
  secondsToDeadline: 86_400,
  totalTasks: 400,
  pendingTasks: 400,
  polledAt: at(0),
  memory: { firstPollAt: T0, profile: bimodal },
  ...over,
});

describe('chooseWait with a finish profile (planned)', () => {
  it('confirms the end of a wave with one poll at the rate wait, then crosses the gap in the fewest polls', () => {
    // Prepare: the first wave is in (200 finished in the last 10 s); nothing is due until 1200 s.
    const busy = input({ polledAt: at(41), finishedThisCycle: 200, pendingTasks: 200 });
    const quiet = input({ polledAt: at(51), finishedThisCycle: 0, pendingTasks: 200 });
    // Act
    const check = chooseWait(busy);
    const leap = chooseWait(quiet);
    // Assess: the check is the rate wait (the minimum, after so many finishes); the leap is at most the
    // maximum and leaves the rest of the gap to 1200 s to 3 more polls, the fewest 300 s waits allow.
    expect(check.waitSeconds).toBe(10);
    expect(CONFIRM_FACTOR * check.waitSeconds).toBeLessThan(300);
    expect(leap.waitSeconds).toBeGreaterThan(CONFIRM_FACTOR * check.waitSeconds);
    expect(leap.waitSeconds).toBeLessThanOrEqual(300);
    expect(Math.ceil((1200 - 51 - leap.waitSeconds) / 300)).toBe(3);
    expect(leap.memory).toEqual({ firstPollAt: T0, profile: bimodal });
  });

  it('keeps the planned wait in a thinning tail, where tasks still finish every cycle', () => {
    // Prepare: log-uniform finishes 30 s to 2 h; at 3,000 s, 64 of 400 pending, 2 seen in the last 150 s.
    const tail = buildFinishProfile(
      Array.from({ length: 400 }, (_, i) => Math.round(30 * Math.exp((i / 399) * Math.log(240)))),
    ) as number[];
    const late = input({
      polledAt: at(3000),
      previousWaitSeconds: 150,
      finishedThisCycle: 2,
      pendingTasks: 64,
      memory: { firstPollAt: T0, profile: tail },
    });
    const planned = plannedWaitSeconds({
      profile: tail,
      elapsedSeconds: 3000,
      pendingTasks: 64,
      finishedShare: 336 / 400,
      minWaitSeconds: 10,
      maxWaitSeconds: 300,
      pollCost: POLL_COST_PER_TASK * 400,
    });
    // Act
    const { waitSeconds } = chooseWait(late);
    // Assess: no check poll: the plan is no leap from the rate wait here.
    expect(planned).toBeGreaterThan(60);
    expect(planned).toBeLessThanOrEqual(CONFIRM_FACTOR * nextWaitSeconds(late));
    expect(waitSeconds).toBe(planned);
  });

  it('polls soon where finishes are due', () => {
    // Prepare: at 1,205 s, inside the second wave.
    const inWave = input({ polledAt: at(1205), finishedThisCycle: 5, pendingTasks: 195 });
    // Act
    const { waitSeconds } = chooseWait(inWave);
    // Assess
    expect(waitSeconds).toBeGreaterThanOrEqual(10);
    expect(waitSeconds).toBeLessThan(60);
  });

  it('drops the profile for good once the run strays from it, and falls back to the rate', () => {
    // Prepare: at 100 s nothing has finished, though the profile expects half.
    const strayed = input({ polledAt: at(100), pendingTasks: 400, previousWaitSeconds: 100 });
    // Act
    const { waitSeconds, memory } = chooseWait(strayed);
    // Assess
    expect(0.5).toBeGreaterThan(PROFILE_TOLERANCE);
    expect(memory).toBeUndefined();
    expect(waitSeconds).toBe(120); // the rate mode: ×1.2 while nothing finishes
  });

  it('drops the profile once the run outlives it', () => {
    // Act
    const { memory } = chooseWait(input({ polledAt: at(4000), pendingTasks: 3 }));
    // Assess
    expect(memory?.profile).toBeUndefined();
  });

  it('takes the first poll with a profile as time zero, and keeps nothing without a profile', () => {
    // Act
    const first = chooseWait(input({ polledAt: at(7), memory: { profile: bimodal } }));
    const cold = chooseWait(input({ polledAt: at(7), memory: undefined }));
    // Assess
    expect(first.memory).toEqual({ firstPollAt: T0 + 7000, profile: bimodal });
    expect(cold.memory).toBeUndefined();
  });

  it('is raised to Retry-After and cut at the deadline', () => {
    // Prepare: inside the second wave the plan wants a short wait.
    const inWave = input({ polledAt: at(1300), pendingTasks: 150, finishedThisCycle: 10 });
    // Act
    const retried = chooseWait({ ...inWave, retryAfterSeconds: 250 }).waitSeconds;
    const cut = chooseWait({ ...inWave, secondsToDeadline: 3.5 }).waitSeconds;
    // Assess
    expect(retried).toBe(250);
    expect(cut).toBe(4);
  });

  it('keeps a small memory: the first poll and the profile, under 400 bytes', () => {
    // Act
    const { memory } = chooseWait(input({ polledAt: at(41), finishedThisCycle: 200, pendingTasks: 200 }));
    // Assess
    expect(memory?.profile).toHaveLength(PROFILE_POINTS);
    expect(Buffer.byteLength(JSON.stringify(memory))).toBeLessThan(400);
  });

  it('is deterministic: the same run gives the same waits', () => {
    // Prepare
    const durations = Array.from({ length: 300 }, (_, i) =>
      i % 2 ? 25 + (i % 17) : 1250 + ((i * 37) % 500),
    );
    const settings = { minWaitSeconds: 10, maxWaitSeconds: 300, deadlineSeconds: 14_400 };
    // Act
    const [a, b] = [1, 2].map(() => simulate(durations, adaptiveWait(settings, bimodal), settings).pollTimes);
    // Assess
    expect(a).toEqual(b);
    expect(a.length).toBeGreaterThan(5);
  });

  it('keeps every wait within [min, max], at least Retry-After, never past the deadline (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 2, maxLength: 64 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        (times, min, extra, elapsed, total, pendingShare, retryAfter, toDeadline) => {
          const max = min + extra;
          const { waitSeconds } = chooseWait(
            input({
              minWaitSeconds: min,
              maxWaitSeconds: max,
              totalTasks: total,
              pendingTasks: Math.max(1, Math.round(total * pendingShare)),
              polledAt: at(elapsed),
              retryAfterSeconds: retryAfter,
              secondsToDeadline: toDeadline,
              memory: { firstPollAt: T0, profile: buildFinishProfile(times) },
            }),
          );
          const ceiling = Math.max(max, retryAfter ?? 0);
          expect(Number.isInteger(waitSeconds)).toBe(true);
          expect(waitSeconds).toBeGreaterThanOrEqual(1);
          expect(waitSeconds).toBeLessThanOrEqual(Math.max(1, Math.min(ceiling, Math.ceil(toDeadline))));
          if (toDeadline >= ceiling) {
            expect(waitSeconds).toBeGreaterThanOrEqual(Math.max(min, retryAfter ?? 0));
          }
        },
      ),
    );
  });
});

describe('plannedWaitSeconds', () => {
  it('says nothing once the profile is past', () => {
    // Act
    const wait = plannedWaitSeconds({
      profile: [10, 20, 30],
      elapsedSeconds: 40,
      pendingTasks: 1,
      finishedShare: 0.9,
      minWaitSeconds: 10,
      maxWaitSeconds: 300,
      pollCost: 100,
    });
    // Assess
    expect(wait).toBeUndefined();
  });

  it('plans over a bounded horizon: a month-long profile with 1 s waits still answers', () => {
    // Prepare
    const month = buildFinishProfile(Array.from({ length: 64 }, (_, i) => i * 40_000)) as number[];
    // Act
    const wait = plannedWaitSeconds({
      profile: month,
      elapsedSeconds: 5,
      pendingTasks: 1000,
      finishedShare: 0,
      minWaitSeconds: 1,
      maxWaitSeconds: 1,
      pollCost: 1,
    });
    // Assess
    expect(wait).toBe(1);
  });

  it('waits longer the more a poll costs', () => {
    // Prepare
    const plan = (pollCost: number) =>
      plannedWaitSeconds({
        profile: buildFinishProfile(Array.from({ length: 100 }, (_, i) => 100 + i * 10)) as number[],
        elapsedSeconds: 100,
        pendingTasks: 100,
        finishedShare: 0,
        minWaitSeconds: 1,
        maxWaitSeconds: 3600,
        pollCost,
      });
    // Act
    const waits = [1, 10, 100, 1000].map(plan);
    // Assess
    expect(waits).toEqual([...waits].sort((a, b) => (a ?? 0) - (b ?? 0)));
    expect(waits[0]).toBeLessThan(waits[3] as number);
  });
});

describe('finish profiles from records', () => {
  it('spreads the records of a poll over the interval before it, not back across a quiet gap', () => {
    // Prepare: polls at 30 and 40 recorded 2 each; after a gap, polls at 1230 and 1260 recorded 3 and 1.
    const recorded = [30, 30, 40, 40, 1230, 1230, 1230, 1260];
    // Act
    const times = finishTimesFromRecords(recorded, 300);
    // Assess: the first poll after the gap takes its 3 at the next poll's rate (1 in 30 s), 90 s.
    expect(times).toEqual([22.5, 27.5, 32.5, 37.5, 1155, 1185, 1215, 1245]);
  });

  it("places a wave's last records just after the poll before, at its rate, at most twice as tight", () => {
    // Prepare: polls every 10 s recorded 5 each (one every 2 s); the wave's last poll, 8 s later, 3 or 1.
    const wave = [10, 20, 30].flatMap((t) => new Array<number>(5).fill(t));
    // Act
    const three = finishTimesFromRecords([...wave, 38, 38, 38], 300).slice(15);
    const one = finishTimesFromRecords([...wave, 38], 300).slice(15);
    // Assess: 3 take 6 s from 30, not the whole 8 s up to 38; 1 takes half the interval, not 2 s.
    expect(three).toEqual([31, 33, 35]);
    expect(one).toEqual([32]);
  });

  it('keeps every recovered finish inside the interval its record bounds, one for each record', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5000 }), { minLength: 1, maxLength: 200 }),
        (recorded) => {
          // Act
          const times = finishTimesFromRecords(recorded, 300);
          // Assess: a record at t, after the record time p before it, finished in [max(p, t - 300), t].
          const polls = [...new Set(recorded)].sort((a, b) => a - b);
          const sorted = [...recorded].sort((a, b) => a - b);
          expect(times).toHaveLength(recorded.length);
          times.forEach((time, i) => {
            const poll = polls.indexOf(sorted[i]);
            const floor = Math.max(poll > 0 ? polls[poll - 1] : 0, sorted[i] - 300);
            expect(time).toBeGreaterThanOrEqual(floor);
            expect(time).toBeLessThanOrEqual(sorted[i]);
          });
        },
      ),
    );
  });

  it('takes quantiles, an equal share of tasks each', () => {
    // Act
    const profile = buildFinishProfile(
      Array.from({ length: 101 }, (_, i) => i),
      4,
    );
    // Assess
    expect(profile).toEqual([13, 38, 63, 88]);
    expect(buildFinishProfile([5])).toBeUndefined();
  });
});
