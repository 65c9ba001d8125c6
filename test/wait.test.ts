import fc from 'fast-check';
import { nextWaitSeconds } from '../lambda/core/wait';

const base = {
  previousWaitSeconds: 20,
  minWaitSeconds: 10,
  maxWaitSeconds: 300,
  finishedThisCycle: 0,
  secondsToDeadline: 10_000,
};

describe('nextWaitSeconds', () => {
  it('doubles while nothing finishes and halves while tasks finish', () => {
    expect(nextWaitSeconds(base)).toBe(40);
    expect(nextWaitSeconds({ ...base, finishedThisCycle: 3 })).toBe(10);
  });

  it('is raised to Retry-After', () => {
    expect(nextWaitSeconds({ ...base, finishedThisCycle: 1, retryAfterSeconds: 45 })).toBe(45);
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
        (prev, min, max, finished, retryAfter, toDeadline) => {
          const wait = nextWaitSeconds({
            previousWaitSeconds: prev,
            minWaitSeconds: min,
            maxWaitSeconds: max,
            finishedThisCycle: finished,
            retryAfterSeconds: retryAfter,
            secondsToDeadline: toDeadline,
          });
          expect(Number.isInteger(wait)).toBe(true);
          expect(wait).toBeGreaterThanOrEqual(1);
          expect(wait).toBeLessThanOrEqual(Math.max(max, retryAfter ?? 0));
          if (toDeadline >= Math.max(max, retryAfter ?? 0)) expect(wait).toBeGreaterThanOrEqual(min);
        },
      ),
    );
  });
});
