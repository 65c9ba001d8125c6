/**
 * A clock the tests move by hand. Give `clock.now` to PollerDeps (and the email starter): the deadline,
 * `recordedAt`, `endedAt` and TTLs all read it, so a test can jump past a deadline without waiting.
 */
export interface TestClock {
  /** The current time, as a new Date on every call (pass this function as `now`). */
  readonly now: () => Date;
  /** The current time as an ISO string. */
  iso(): string;
  /** Moves the clock to `at`. */
  set(at: Date | string): void;
  /** Moves the clock forward (or back, when negative). */
  advanceSeconds(seconds: number): void;
}

const DEFAULT_CLOCK_START = '2024-05-01T10:00:00.000Z';

export function makeClock(start: Date | string = DEFAULT_CLOCK_START): TestClock {
  let ms = new Date(start).getTime();
  return {
    now: () => new Date(ms),
    iso: () => new Date(ms).toISOString(),
    set(at) {
      ms = new Date(at).getTime();
    },
    advanceSeconds(seconds) {
      ms += seconds * 1000;
    },
  };
}
