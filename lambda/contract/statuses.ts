/** Statuses a task record can hold. The first three come from AppFabric; the last two are the poller's. */
export const TerminalStatuses = ['COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'] as const;
export type TerminalStatus = (typeof TerminalStatuses)[number];

/** AppFabric's own final results. */
export const AppFabricTerminalStatuses: ReadonlySet<string> = new Set<TerminalStatus>([
  'COMPLETED',
  'FAILED',
  'EXPIRED',
]);
/** Statuses the poller decides itself; they never replace a result AppFabric gave. */
export const PollerStatuses: ReadonlySet<string> = new Set<TerminalStatus>(['NOT_FOUND', 'TIMED_OUT']);

export const isAppFabricTerminal = (status: unknown): status is 'COMPLETED' | 'FAILED' | 'EXPIRED' =>
  typeof status === 'string' && AppFabricTerminalStatuses.has(status);
