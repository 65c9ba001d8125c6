/**
 * `npm run query -- --run ID --watch`: redraws a run's progress until it ends. Counts and the last poll
 * time come from the run record (the poll cycle updates them each cycle; records without them still
 * work); the estimated finish is the observed finish rate since the run started. Clock and sleep are
 * injected, so tests drive it without waiting.
 */
import type { StatusCounts } from '../lambda/core/model';
import { type ExecutionLookup, endedOutside } from './executions';
import type { RunView } from './results-reader';
import { plural } from './text-table';

export interface WatchDeps {
  getRun(runId: string): Promise<RunView | undefined>;
  execution?: ExecutionLookup;
  now(): number;
  sleep(ms: number): Promise<void>;
  out: { write(text: string): unknown };
  /** Redraw in place (ANSI) instead of one block after another. */
  tty?: boolean;
  /** Give up on a run that never shows up after this many redraws. Default 3. */
  missingLimit?: number;
}

const BAR = 30;
const STATUSES = ['COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'] as const;

const counts = (run: RunView): StatusCounts => {
  const c = (run.counts ?? {}) as Partial<StatusCounts>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  return {
    total: n(c.total),
    pending: n(c.pending),
    COMPLETED: n(c.COMPLETED),
    FAILED: n(c.FAILED),
    EXPIRED: n(c.EXPIRED),
    NOT_FOUND: n(c.NOT_FOUND),
    TIMED_OUT: n(c.TIMED_OUT),
  };
};

const minutes = (ms: number) =>
  ms < 90_000 ? `${Math.max(1, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`;

/** The progress block of one redraw (exported for tests). */
export function progressBlock(run: RunView, nowMs: number): string[] {
  const c = counts(run);
  const done = STATUSES.reduce((sum, s) => sum + c[s], 0);
  const total = Math.max(c.total, done + c.pending);
  const share = total === 0 ? 0 : done / total;
  const filled = Math.round(share * BAR);
  const lines = [
    `Run ${run.runId}: ${run.outcome}` +
      (typeof run.cycle === 'number' ? `, cycle ${run.cycle}` : '') +
      (run.lastPolledAt ? `, last polled ${run.lastPolledAt}` : ''),
    `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ` +
      `${done} of ${plural(total, 'task')} done, ${c.pending} pending`,
    `  ${
      STATUSES.filter((s) => c[s] > 0)
        .map((s) => `${s} ${c[s]}`)
        .join(', ') || 'no task finished yet'
    }`,
  ];
  if (run.outcome === 'RUNNING') {
    const at = Date.parse(run.lastPolledAt ?? '') || nowMs;
    const elapsed = at - Date.parse(run.startedAt);
    if (done > 0 && c.pending > 0 && elapsed > 0) {
      const perMs = done / elapsed;
      const finish = at + c.pending / perMs;
      lines.push(
        `  ${(perMs * 60_000).toFixed(1)} tasks/min observed, estimated finish ${new Date(finish).toISOString()}` +
          ` (in ${minutes(Math.max(0, finish - nowMs))})`,
      );
    } else lines.push('  estimated finish: not yet known (no task finished)');
  }
  return lines;
}

/** Redraws until the run ends (record or execution); resolves to the exit code. */
export async function watchRun(runId: string, intervalSeconds: number, deps: WatchDeps): Promise<number> {
  let drawn = 0;
  let missing = 0;
  const draw = (lines: string[]) => {
    if (deps.tty && drawn > 0) deps.out.write(`\x1b[${drawn}F\x1b[J`);
    deps.out.write(`${lines.join('\n')}\n${deps.tty ? '' : '\n'}`);
    drawn = lines.length + (deps.tty ? 0 : 1);
  };
  for (;;) {
    const [run, execution] = await Promise.all([deps.getRun(runId), deps.execution?.(runId)]);
    const outside = endedOutside(run?.outcome, execution);
    if (run === undefined) {
      if (outside) {
        draw([`Run ${runId}: ${outside}`]);
        return 1;
      }
      missing += 1;
      if (missing >= (deps.missingLimit ?? 3) && !execution) {
        draw([`No run ${runId} (no run record after ${missing} reads)`]);
        return 1;
      }
      draw([`Run ${runId}: waiting for its run record…`]);
    } else {
      const lines = progressBlock(run, deps.now());
      if (outside) {
        draw([...lines.slice(0, 3), `  ${outside}`]);
        return 0;
      }
      if (run.outcome !== 'RUNNING') {
        draw([...lines, `Run ${runId} ended: ${run.outcome}${run.endedAt ? ` at ${run.endedAt}` : ''}`]);
        return 0;
      }
      draw(lines);
    }
    await deps.sleep(intervalSeconds * 1000);
  }
}
