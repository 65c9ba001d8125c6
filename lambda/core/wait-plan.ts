/**
 * The planned wait: when earlier runs tell when tasks finish (a finish profile), place the next poll
 * where finishes are due.
 *
 * The profile is `PROFILE_POINTS` times (seconds from the run's first poll): the quantiles of earlier
 * runs' finishes, each standing for an equal share of the tasks (see ProfileCdf). From now on, the pending tasks are taken
 * to finish as the profile does beyond now (conditioned on not having finished yet). A small dynamic
 * programme over candidate poll times (the profile's knots, points between them, and fillers so that no
 * step needs more than the maximum wait) minimises expected task-seconds of delay plus `pollCost` per
 * poll, every step within [min, max] wait; the next wait is its first step.
 *
 * Least mean delay alone leaves a thinning tail's polls sparse, and its p95 above what even waits of
 * the same number of polls give. So the plan also prices each task delayed past a late wait h (0.95 of
 * that even wait) and raises the poll cost until it makes no more polls than without that price: the
 * same polls, moved from where finishes are dense to the tail. A plan takes about 1 ms; the price is
 * set once per profile (25 ms, 100 ms in a fresh process; cached).
 */

/** Times in a finish profile: 64 resolve a wave's edges and a long tail (a profile is about 300 bytes). */
export const PROFILE_POINTS = 64;

/**
 * How much wider one side of a profile time's share may be than its other side. Neighbouring shares
 * tile a stretch whose spacing changes gradually (a long tail); a gap over twice the spacing beside it
 * (the quiet time between two waves) stays empty.
 */
const CELL_STRETCH = 2;

/** How much tighter than its interval a wave's last records may be placed (finishTimesFromRecords). */
const EDGE_SHARPENING = 2;

/** Candidates placed inside each profile segment besides its ends. */
const SUBDIVISIONS = 4;

/**
 * Where the profile leaves gaps, candidates this many to a maximum wait: 19 s apart at 600 s, finer than
 * a thin tail's late wait (about 80 s on the bench's heavy tail), so the plan can hold gaps near it. At 8
 * (75 s apart) its only choices there were 75 or 150 s gaps; the goals held on 50 of 64 bench (mix, seed)
 * pairs, against 53-57 at 16, 24, 32 and 48.
 */
const FILLERS_PER_MAX_WAIT = 32;

/** How far ahead the plan looks, in maximum waits: bounds its work (a few thousand candidates at most). */
const HORIZON_MAX_WAITS = 48;

/**
 * A finish profile from the times (seconds from a run's first poll) at which earlier runs' tasks
 * finished: the quantiles at 0.5/n, 1.5/n, …, rounded to whole seconds. Undefined for fewer than 2 times.
 */
export function buildFinishProfile(
  seconds: readonly number[],
  points = PROFILE_POINTS,
): number[] | undefined {
  const sorted = seconds.filter((s) => Number.isFinite(s) && s >= 0).sort((a, b) => a - b);
  if (sorted.length < 2) return undefined;
  return Array.from({ length: points }, (_, i) => {
    const at = ((i + 0.5) / points) * (sorted.length - 1);
    const lo = Math.floor(at);
    const hi = Math.min(sorted.length - 1, lo + 1);
    return Math.round(sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo));
  });
}

/**
 * Finish times recovered from one earlier run's records (seconds from its first poll to each record).
 * A record only says its task finished after the poll before it, and polls that recorded nothing leave no
 * trace; so the records of one poll are spread over the interval before it, taken as long as the
 * shorter of the gaps to its neighbouring record times (polls are about evenly spaced where tasks finish;
 * a long gap before means a quiet stretch, not a long wait), and at most `maxWaitSeconds`.
 *
 * At a wave's edges (the gap on one side over {@link CELL_STRETCH} times the other) the records are
 * spread at the rate the neighbouring poll saw: a wave's last tasks finished soon after the poll before
 * (at most {@link EDGE_SHARPENING} times tighter than the interval, a hedge against a rate that fell),
 * and its first ones shortly before their poll. Spread evenly, the edges blur outwards by one poll a run,
 * and the next run polls that much late for a wave that has ended.
 */
export function finishTimesFromRecords(recordedSeconds: readonly number[], maxWaitSeconds: number): number[] {
  const sorted = recordedSeconds.filter((s) => Number.isFinite(s) && s >= 0).sort((a, b) => a - b);
  const polls: { at: number; count: number }[] = [];
  for (const at of sorted) {
    const last = polls[polls.length - 1];
    if (last && last.at === at) last.count += 1;
    else polls.push({ at, count: 1 });
  }
  const gap = (i: number) => polls[i].at - (i > 0 ? polls[i - 1].at : 0);
  return polls.flatMap(({ at, count }, i) => {
    const before = gap(i);
    const after = i < polls.length - 1 ? gap(i + 1) : Number.POSITIVE_INFINITY;
    const spread = (from: number, span: number) =>
      Array.from({ length: count }, (_, k) => from + (span * (k + 0.5)) / count);
    const evenBefore = i > 0 && gap(i - 1) <= CELL_STRETCH * before && before <= CELL_STRETCH * gap(i - 1);
    if (evenBefore && after > CELL_STRETCH * before) {
      // A wave's last poll: from the poll before, at that poll's rate.
      const atRate = (count * gap(i - 1)) / polls[i - 1].count;
      const span = Math.min(before, maxWaitSeconds, Math.max(atRate, before / EDGE_SHARPENING));
      return spread(at - Math.min(before, maxWaitSeconds), span);
    }
    if (i < polls.length - 1 && before > CELL_STRETCH * after) {
      // A wave's first poll: up to the poll, at the next poll's rate.
      const atRate = (count * after) / polls[i + 1].count;
      const span = Math.min(before, maxWaitSeconds, atRate);
      return spread(at - span, span);
    }
    const span = Math.min(before, after, maxWaitSeconds);
    return spread(at - span, span);
  });
}

/** Is `profile` usable: at least 2 finite, non-negative, non-decreasing times, with some spread. */
export function isFinishProfile(profile: unknown): profile is number[] {
  return (
    Array.isArray(profile) &&
    profile.length >= 2 &&
    profile.length <= 4 * PROFILE_POINTS + 1 &&
    profile.every(
      (t, i) => typeof t === 'number' && Number.isFinite(t) && t >= 0 && (i === 0 || t >= profile[i - 1]),
    ) &&
    profile[profile.length - 1] > profile[0]
  );
}

/** Share of tasks a profile has finished by `seconds` (linear between its points). */
export const profileShareAt = (profile: readonly number[], seconds: number): number =>
  new ProfileCdf(profile).mass(seconds);

/**
 * The profile as a distribution: each time carries an equal share of the tasks, spread evenly from
 * halfway to its left neighbour to halfway to its right one, each side at most {@link CELL_STRETCH}
 * times the other. So finishes tile a busy stretch and a thinning tail without holes, and a quiet gap
 * between two waves stays empty instead of being smeared over.
 */
class ProfileCdf {
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private readonly share: number;
  constructor(times: readonly number[]) {
    const n = times.length;
    this.share = 1 / n;
    for (let i = 0; i < n; i++) {
      const left = i > 0 ? (times[i] - times[i - 1]) / 2 : Number.POSITIVE_INFINITY;
      const right = i < n - 1 ? (times[i + 1] - times[i]) / 2 : Number.POSITIVE_INFINITY;
      // The first and last times reach outwards CELL_STRETCH times their inner half-gap.
      this.from.push(Math.max(0, times[i] - Math.min(left, CELL_STRETCH * right)));
      this.to.push(times[i] + Math.min(right, CELL_STRETCH * left));
    }
  }
  get end(): number {
    return this.to[this.to.length - 1];
  }
  /** Share of tasks finished by `x`. */
  mass(x: number): number {
    return this.integrate(x).mass;
  }
  /** ∫ s dF(s) up to `x`. */
  moment(x: number): number {
    return this.integrate(x).moment;
  }
  private integrate(x: number): { mass: number; moment: number } {
    let mass = 0;
    let moment = 0;
    for (let i = 0; i < this.from.length; i++) {
      const a = this.from[i];
      const b = this.to[i];
      if (x < a || (x === a && b > a)) break;
      if (b <= a) {
        mass += this.share;
        moment += this.share * a;
        continue;
      }
      const top = Math.min(x, b);
      const density = this.share / (b - a);
      mass += density * (top - a);
      moment += (density * (top * top - a * a)) / 2;
    }
    return { mass, moment };
  }
  /** The time by which a share `u` of tasks has finished. */
  quantile(u: number): number {
    const at = Math.min(Math.max(u, 0), 1) / this.share;
    const i = Math.min(this.from.length - 1, Math.floor(at));
    return this.from[i] + (this.to[i] - this.from[i]) * (at - i);
  }
  /** Times where candidate polls go: each share's ends and points between them. */
  candidates(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.from.length; i++) {
      const a = this.from[i];
      const b = this.to[i];
      for (let k = 0; k <= SUBDIVISIONS; k++) out.push(a + ((b - a) * k) / SUBDIVISIONS);
    }
    return out;
  }
}

export interface PlanInput {
  profile: readonly number[];
  /** Seconds since the run's first poll. */
  elapsedSeconds: number;
  pendingTasks: number;
  /** Share of the run's tasks finished so far. */
  finishedShare: number;
  minWaitSeconds: number;
  maxWaitSeconds: number;
  /** Task-seconds of delay one poll is worth. */
  pollCost: number;
  /** What a task delayed past the late wait costs, in late waits. @default LATE_PRICE */
  latePrice?: number;
}

/**
 * The first wait of the best plan, or undefined when the profile says nothing about what is still
 * pending (all of it should have finished by now: the run is slower than the profile).
 */
export function plannedWaitSeconds(p: PlanInput): number | undefined {
  const cdf = new ProfileCdf(p.profile);
  const now = p.elapsedSeconds;
  const done = Math.min(Math.max(0, p.finishedShare), 1);
  if (done >= 1 || now >= cdf.end) return undefined;
  const min = Math.max(1, p.minWaitSeconds);
  const max = Math.max(min, p.maxWaitSeconds);
  const runTasks = Math.round(p.pendingTasks / Math.max(1e-9, 1 - done));
  const price = p.latePrice ?? LATE_PRICE;
  const key = `${p.profile.join(',')}|${min}|${max}|${p.pollCost}|${runTasks}|${price}`;
  let tail = tails.get(key);
  if (!tails.has(key)) {
    tail = tailOf(cdf, min, max, p.pollCost, runTasks, price);
    if (tails.size >= 64) tails.clear();
    tails.set(key, tail);
  }
  return solve(cdf, now, min, max, tail?.pollCost ?? p.pollCost, p.pendingTasks, tail?.late)?.first;
}

/**
 * The tail price for a run: the late wait h, TAIL_FACTOR of an even wait (the profile's span over the
 * polls of the least-delay plan from the start), and the poll cost at which the plan with the tail price
 * makes no more polls than that plan. The same for every cycle of a run, so cached per profile.
 */
function tailOf(
  cdf: ProfileCdf,
  min: number,
  max: number,
  pollCost: number,
  runTasks: number,
  price: number,
): Tail | undefined {
  if (!(price > 0)) return undefined;
  const plain = solve(cdf, 0, min, max, pollCost, runTasks);
  if (!plain || plain.polls <= 0) return undefined;
  const late = { wait: (TAIL_FACTOR * cdf.end) / plain.polls, price };
  const polls = (cost: number) => solve(cdf, 0, min, max, cost, runTasks, late)?.polls ?? 0;
  let lo = pollCost;
  let hi = pollCost;
  while (polls(hi) > plain.polls && hi < 1e4 * pollCost) {
    lo = hi;
    hi *= 2;
  }
  for (let i = 0; i < 10 && hi > lo; i++) {
    const mid = Math.sqrt(lo * hi);
    if (polls(mid) > plain.polls) lo = mid;
    else hi = mid;
  }
  return { late, pollCost: hi };
}
interface Late {
  /** The late wait h, seconds. */
  wait: number;
  /** In h per late task. */
  price: number;
}
interface Tail {
  late: Late;
  pollCost: number;
}
/** Tail prices by profile and plan inputs: a few recent runs' (each key about 300 bytes). */
const tails = new Map<string, Tail | undefined>();

/** The late wait h as a share of an even wait: an even wait's own p95 (its delays are uniform). */
const TAIL_FACTOR = 0.95;

/**
 * What a task delayed past the late wait h costs on top of its delay, in h. At 2.5 the plan takes
 * polls from where finishes are dense (a little mean delay) to keep a thinning tail's gaps near h. Over
 * bench seeds 1-16 it met every goal on 57 of 64 (mix, seed) pairs, against 30 without a price and
 * 44-55 with prices of 1.5 or 4 h or h at 0.9 or 1.0 of an even wait; 52 of 64 on seeds 17-32, used for
 * nothing else (README, "The frontier of wait policies").
 */
const LATE_PRICE = 2.5;

/**
 * The least-cost plan from a poll at `now`: its first wait and its number of polls. Cost: task-seconds
 * of delay of the pending tasks (spread as the profile beyond now), `pollCost` per poll, and
 * `late.price`·h task-seconds per task delayed past the late wait h, when given.
 */
function solve(
  cdf: ProfileCdf,
  now: number,
  min: number,
  max: number,
  pollCost: number,
  pendingTasks: number,
  late?: Late,
): { first: number; polls: number } | undefined {
  // Tasks behind the profile are not taken as due at once: in a long tail that is mostly noise.
  const base = { mass: cdf.mass(now), moment: cdf.moment(now) };
  const left = 1 - base.mass;
  if (left <= 1e-9) return undefined;
  const mass = (x: number) => cdf.mass(x) - base.mass;
  const moment = (x: number) => cdf.moment(x) - base.moment;
  // Candidate next polls, as whole seconds from now (a Wait state waits whole seconds): profile points at
  // least a minimum wait away, the earliest and latest next polls, and fillers so that no gap exceeds a 32nd of
  // the longest wait (so a path within [min, max] exists, landing near where finishes resume).
  const raw = cdf
    .candidates()
    .map((t) => Math.round(t - now))
    .filter((d) => d >= min)
    .concat([min, Math.max(min, Math.min(max, Math.ceil(cdf.end - now)))]);
  // Beyond a horizon of HORIZON_MAX_WAITS longest waits the first step hardly depends on the plan.
  const horizon = HORIZON_MAX_WAITS * max;
  const last = Math.max(min, Math.min(horizon, Math.ceil(cdf.end - now)));
  const sorted = [...new Set(raw.filter((d) => d <= last).concat(last))].sort((a, b) => a - b);
  const offsets: number[] = [0];
  for (const d of sorted) {
    let previous = offsets[offsets.length - 1];
    while (d - previous > max / FILLERS_PER_MAX_WAIT) {
      previous += Math.max(1, Math.floor(max / FILLERS_PER_MAX_WAIT));
      offsets.push(previous);
    }
    if (d > offsets[offsets.length - 1]) offsets.push(d);
  }
  const grid = offsets.map((d) => now + d);
  const scale = pendingTasks / left;
  const massAt = grid.map(mass);
  const momentAt = grid.map(moment);
  const lateAt = late && grid.map((x) => mass(x - late.wait));
  const latePrice = late ? late.price * late.wait : 0;
  const n = grid.length;
  // value[j]: least cost from a poll at grid[j] until every task is seen; 0 once the profile is done.
  const value = new Array<number>(n).fill(Number.POSITIVE_INFINITY);
  const next = new Array<number>(n).fill(-1);
  const polls = new Array<number>(n).fill(0);
  for (let j = n - 1; j >= 0; j--) {
    if (j > 0 && (grid[j] >= cdf.end - 0.5 || offsets[j] >= last)) {
      value[j] = 0;
      continue;
    }
    for (let k = j + 1; k < n; k++) {
      const step = grid[k] - grid[j];
      if (step < min) continue;
      if (step > max) break;
      const delay = scale * (grid[k] * (massAt[k] - massAt[j]) - (momentAt[k] - momentAt[j]));
      const late = lateAt ? scale * latePrice * Math.max(0, lateAt[k] - massAt[j]) : 0;
      const cost = delay + late + pollCost + value[k];
      if (cost < value[j]) {
        value[j] = cost;
        next[j] = k;
        polls[j] = 1 + polls[k];
      }
    }
  }
  if (next[0] < 0) return undefined;
  return { first: offsets[next[0]], polls: polls[0] };
}
