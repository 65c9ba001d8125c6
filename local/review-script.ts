/**
 * The `access-review` scenario: each (person, app) cell of a run is scripted from the address, the app and
 * the seed alone, so two runs of the same addresses with different seeds differ in known cells (what
 * `npm run report -- --diff` shows). A cell is `ACTIVE` or `SUSPENDED` access, or `NO_ACCOUNT` (the app does
 * not know the person: FAILED with USER_NOT_FOUND). Each seed gives about one cell in five another state
 * (so two seeds differ in about a third); {@link scriptedChanges} lists exactly which cells differ.
 */
import type { TaskBehaviour } from './appfabric-standin';

export type CellState = 'ACTIVE' | 'SUSPENDED' | 'NO_ACCOUNT';

/** FNV-1a, 32 bits, mixed: a stable hash of a cell's key. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // murmur3's finaliser: FNV's low bits alone follow the last characters too closely for `% 3`.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const key = (email: string, app: string) => `${email.trim().toLowerCase()}|${app}`;

/** What the cell is under every seed that leaves it alone. */
function baseState(email: string, app: string): CellState {
  const h = hash(key(email, app)) % 10;
  return h < 7 ? 'ACTIVE' : h < 8 ? 'SUSPENDED' : 'NO_ACCOUNT';
}

/** The state a seed gives a cell: its base state, or (under one seed in five) another one. */
function reviewCell(email: string, app: string, seed: number): CellState {
  const base = baseState(email, app);
  const changes = hash(`${key(email, app)}|${seed}`) % 5 === 0;
  if (!changes) return base;
  // Access removed or its status changed, access gained, status changed back: what a diff reports.
  if (base !== 'ACTIVE') return 'ACTIVE';
  return hash(`${key(email, app)}|alternative`) % 2 === 0 ? 'NO_ACCOUNT' : 'SUSPENDED';
}

/** What the stand-in's task for this cell does under the seed. */
export function reviewBehaviour(email: string, app: string, seed: number): TaskBehaviour {
  const inProgressPolls = hash(`${key(email, app)}|${seed}|polls`) % 3;
  const state = reviewCell(email, app, seed);
  if (state === 'NO_ACCOUNT') {
    return { outcome: 'FAILED', inProgressPolls, taskError: { errorCode: 'USER_NOT_FOUND' } };
  }
  return { outcome: 'COMPLETED', inProgressPolls, user: { userStatus: state } };
}

export interface CellChange {
  email: string;
  app: string;
  before: CellState;
  after: CellState;
}

/** The cells whose state differs between a run under `seedBefore` and one under `seedAfter`. */
export function scriptedChanges(
  emails: readonly string[],
  apps: readonly string[],
  seedBefore: number,
  seedAfter: number,
): CellChange[] {
  const changes: CellChange[] = [];
  for (const email of emails) {
    for (const app of apps) {
      const before = reviewCell(email, app, seedBefore);
      const after = reviewCell(email, app, seedAfter);
      if (before !== after) changes.push({ email, app, before, after });
    }
  }
  return changes;
}
