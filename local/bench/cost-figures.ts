/** Figure 10, "Cost per 10,000 tasks", all in, and the memory it suggests. */
import { Limits } from '../../lambda/contract/limits';
import { LATENCY, PRICES, type Priced, price, usageOfRun } from './cost';
import { type Figure, fixed, int, usd } from './format';
import type { MeasuredRun } from './runs';

const MEMORY_CHOICES = [128, 256, 512] as const;
/** The memory lib/poller-function.ts deploys today. */
const DEPLOYED_MEMORY_MB = 512;
/** Lambda gives a function one full vCPU at 1,769 MB, and CPU in proportion below that. */
const FULL_CPU_MB = 1769;
/** The function's timeout (lib/poller-function.ts). */
const TIMEOUT_MS = 60_000;

const parts = (p: Priced) =>
  `SFN ${usd(p.parts.stepFunctions)}, Lambda ${usd(p.parts.lambda)}, DDB W ${usd(p.parts.dynamoWrites)} ` +
  `R ${usd(p.parts.dynamoReads)}, logs ${usd(p.parts.logs)}, X-Ray ${usd(p.parts.xray)}`;

interface MemoryChoice {
  memoryMb: number;
  /** Modelled ms of a Poll of 10,000 pending tasks: handler CPU scaled to the memory's CPU share, plus latency. */
  bigPollMs: Record<number, number>;
  totals: Record<number, number>;
}

/**
 * The memory: the smallest whose Poll of 10,000 pending tasks (handler CPU, measured on a full core,
 * scaled to the memory's CPU share, plus the latency model) stays within a quarter of the timeout, so
 * throttling retries still fit. Duration is otherwise the same at any memory (I/O bound), so cost grows
 * with memory.
 */
function chooseMemory(adaptive: MeasuredRun, msPer50Tasks: number): MemoryChoice {
  const tasks = 10_000;
  const cpuMs = (tasks / Limits.batchGetMaxIds) * msPer50Tasks;
  const ioMs = (tasks / Limits.batchGetMaxIds / LATENCY.appFabricConcurrency) * LATENCY.appFabricCallMs;
  const bigPollMs: Record<number, number> = {};
  const totals: Record<number, number> = {};
  const usage = usageOfRun(adaptive, tasks);
  for (const m of MEMORY_CHOICES) {
    bigPollMs[m] = cpuMs * Math.max(1, FULL_CPU_MB / m) + ioMs;
    totals[m] = price(usage, m).total;
  }
  const memoryMb = MEMORY_CHOICES.find((m) => bigPollMs[m] <= TIMEOUT_MS / 4) ?? DEPLOYED_MEMORY_MB;
  return { memoryMb, bigPollMs, totals };
}

export function costFigures(
  adaptive: MeasuredRun,
  fixed30: MeasuredRun,
  msPer50Tasks: number,
): { figures: Figure[]; notes: string[]; raw: unknown } {
  const choice = chooseMemory(adaptive, msPer50Tasks);
  const a = price(usageOfRun(adaptive, 10_000), choice.memoryMb);
  const f = price(usageOfRun(fixed30, 10_000), choice.memoryMb);
  const u = a.usage;
  const figures: Figure[] = [
    {
      id: '10',
      label: 'Cost per 10,000 tasks, adaptive',
      value: a.total,
      unit: 'USD',
      detail: `${usd(a.total)} at ${choice.memoryMb} MB: ${parts(a)}`,
      goal: '<= fixed',
      met: a.total <= f.total,
    },
    {
      id: '10b',
      label: '  same, fixed 30 s wait',
      value: f.total,
      unit: 'USD',
      detail: `${usd(f.total)}: ${parts(f)}`,
      goal: '-',
      met: null,
    },
    {
      id: '10c',
      label: '  adaptive at 128 / 256 / 512 MB',
      value: choice.memoryMb,
      unit: 'MB chosen',
      detail:
        `${MEMORY_CHOICES.map((m) => usd(choice.totals[m])).join(' / ')}; 10,000-pending Poll ` +
        `${MEMORY_CHOICES.map((m) => fixed(choice.bigPollMs[m] / 1000, 1)).join(' / ')} s; pick ${choice.memoryMb} MB`,
      goal: '-',
      met: null,
    },
  ];
  const notes = [
    `prices (${PRICES.region}, ${PRICES.date}): Step Functions $0.025/1k transitions; Lambda arm64 $0.20/1M requests, ` +
      `$${PRICES.lambdaGbSecond}/GB-s; DynamoDB on-demand $0.625/1M WRU, $0.125/1M RRU; Logs $0.50/GB; X-Ray $5/1M traces`,
    `cost per 10,000 tasks = ${u.executions} executions of 5,000 polled like the 500-task timed run (its cycles; calls, ` +
      `records and the state item grow with the tasks): ${int(u.transitions)} transitions, ${int(u.lambdaRequests)} invocations, ` +
      `${fixed(u.lambdaMs / 1000, 1)} s billed, ${int(u.writeUnits)} WRU (item sizes measured, 1 KB a unit, each index ` +
      `written counted), ${int(u.readUnits)} RRU, ${fixed(u.logBytes / 1024, 0)} KB logs, ${u.traces} traces`,
    `latency model: ${LATENCY.appFabricCallMs} ms per AppFabric call (${LATENCY.appFabricConcurrency} at once), ` +
      `${LATENCY.dynamoRequestMs} ms per DynamoDB request, added to the measured handler time; memory: CPU share ` +
      `grows with memory (full vCPU at ${FULL_CPU_MB} MB), pick = smallest whose 10,000-pending Poll is <= 1/4 of the ` +
      `60 s timeout${choice.memoryMb !== DEPLOYED_MEMORY_MB ? ` (lib deploys ${DEPLOYED_MEMORY_MB} MB today)` : ''}`,
  ];
  return { figures, notes, raw: { adaptive: a, fixed30: f, memory: choice } };
}
