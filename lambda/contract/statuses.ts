/** Statuses a task record can hold. The first three come from AppFabric; the last two are the poller's. */
export const TerminalStatuses = ['COMPLETED', 'FAILED', 'EXPIRED', 'NOT_FOUND', 'TIMED_OUT'] as const;
export type TerminalStatus = (typeof TerminalStatuses)[number];
