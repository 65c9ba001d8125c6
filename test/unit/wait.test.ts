import fc from 'fast-check';
import {
  ASSUMED_RUN_TASKS,
  nextWaitSeconds,
  POLL_COST_PER_TASK,
  RATE_WEIGHT,
  type WaitInput,
} from '../../lambda/core/wait';
import { modelPolling, taskMix } from '../../local/bench/mix';

const base: WaitInput = {
  previousWaitSeconds: 100,
  minWaitSeconds: 10,
  maxWaitSeconds: 300,
  finishedThisCycle: 0,
  secondsToDeadline: 10_000,
  totalTasks: 500,
};

/** Tasks that, finishing within `wait`, match the rate that wait was chosen for. */
const expectedFinishes = (wait: number, tasks: number) => (2 * POLL_COST_PER_TASK * tasks) / wait;

describe('nextWaitSeconds', () => {
  it('keeps the wait while tasks finish at the rate it was chosen for', () => {
    const previous = 35;
    const finished = expectedFinishes(previous, 500); // 10
    expect(nextWaitSeconds({ ...base, previousWaitSeconds: previous, finishedThisCycle: finished })).toBe(35);
  });

  it('lengthens by 1/sqrt(1 - weight) while nothing finishes', () => {
    expect(nextWaitSeconds(base)).toBe(Math.round(100 / Math.sqrt(1 - RATE_WEIGHT)));
    expect(nextWaitSeconds(base)).toBe(120);
  });

  it('shortens the more tasks finish', () => {
    const waits = [0, 1, 5, 20, 50, 200].map((finishedThisCycle) =>
      nextWaitSeconds({ ...base, finishedThisCycle }),
    );
    expect(waits).toEqual([...waits].sort((a, b) => b - a));
    expect(waits[0]).toBeGreaterThan(100);
    expect(waits[4]).toBe(45); // 100 / sqrt(0.7 + 0.3 * 50 * 100 / 350)
    expect(waits[5]).toBe(24);
  });

  it('depends on the share of the run that finishes, not on the number of tasks', () => {
    const wait = (tasks: number, finished: number) =>
      nextWaitSeconds({ ...base, totalTasks: tasks, finishedThisCycle: finished });
    expect(wait(50, 5)).toBe(wait(500, 50));
    expect(wait(5_000, 500)).toBe(wait(500, 50));
  });

  it('is not held at the minimum by a trickle of one task a cycle', () => {
    let wait = 0;
    for (let cycle = 0; cycle < 40; cycle++) {
      wait = nextWaitSeconds({ ...base, previousWaitSeconds: wait, finishedThisCycle: 1 });
    }
    expect(wait).toBe(base.maxWaitSeconds);
  });

  it(`assumes a run of ${ASSUMED_RUN_TASKS} tasks when not told`, () => {
    const told = nextWaitSeconds({ ...base, finishedThisCycle: 30 });
    expect(nextWaitSeconds({ ...base, finishedThisCycle: 30, totalTasks: undefined })).toBe(told);
    expect(nextWaitSeconds({ ...base, finishedThisCycle: 30, totalTasks: 0 })).toBe(told);
  });

  it('starts from the minimum on the first cycle', () => {
    expect(nextWaitSeconds({ ...base, previousWaitSeconds: 0 })).toBe(12);
  });

  it('is raised to Retry-After', () => {
    expect(nextWaitSeconds({ ...base, finishedThisCycle: 200, retryAfterSeconds: 45 })).toBe(45);
  });

  it('wakes at the deadline instead of after it', () => {
    expect(nextWaitSeconds({ ...base, previousWaitSeconds: 200, secondsToDeadline: 12.2 })).toBe(13);
  });

  it('stays within [1, max] and at or above min unless the deadline is nearer (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 60, max: 3600 }),
        fc.nat(100),
        fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
        fc.double({ min: 0.001, max: 1e6, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 10_000 }), { nil: undefined }),
        (prev, min, max, finished, retryAfter, toDeadline, totalTasks) => {
          const wait = nextWaitSeconds({
            previousWaitSeconds: prev,
            minWaitSeconds: min,
            maxWaitSeconds: max,
            finishedThisCycle: finished,
            retryAfterSeconds: retryAfter,
            secondsToDeadline: toDeadline,
            totalTasks,
          });
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(1);
          expect(wait).toBeLessThanOrEqual(Math.max(max, retryAfter ?? 0));
          if (toDeadline >= Math.max(max, retryAfter ?? 0)) expect(wait).toBeGreaterThanOrEqual(min);
        },
      ),
    );
  });

  it('never waits longer because more tasks finished (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3600 }),
        fc.nat(1000),
        fc.nat(1000),
        fc.integer({ min: 1, max: 10_000 }),
        (prev, a, b, totalTasks) => {
          const wait = (finishedThisCycle: number) =>
            nextWaitSeconds({ ...base, previousWaitSeconds: prev, finishedThisCycle, totalTasks });
          expect(wait(Math.max(a, b))).toBeLessThanOrEqual(wait(Math.min(a, b)));
        },
      ),
    );
  });
});

describe('nextWaitSeconds on the benchmark mix (a model of the loop, no timing)', () => {
  const settings = { minWaitSeconds: 10, maxWaitSeconds: 300, deadlineSeconds: 4 * 3600 };
  const fixed30 = { minWaitSeconds: 30, maxWaitSeconds: 30, deadlineSeconds: 4 * 3600 };
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

  it.each([200, 500, 2_000])(
    'needs at most half the polls of a fixed 30 s wait, with a lower mean overshoot (%i tasks, median of 15 seeds)',
    (tasks) => {
      const runs = Array.from({ length: 15 }, (_, i) => {
        const durations = taskMix(tasks, i + 1).map((t) => t.durationSeconds);
        return {
          adaptive: modelPolling(durations, nextWaitSeconds, settings),
          fixed: modelPolling(durations, () => 30, fixed30),
        };
      });
      expect(median(runs.map((r) => r.adaptive.cycles / r.fixed.cycles))).toBeLessThanOrEqual(0.5);
      expect(median(runs.map((r) => r.adaptive.meanOvershoot / r.fixed.meanOvershoot))).toBeLessThanOrEqual(
        1,
      );
    },
  );
});
