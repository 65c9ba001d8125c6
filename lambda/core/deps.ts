import type { AccessTasksGateway, ResultsStore, RunHistory, RunStateStore } from './ports';
import type { RuntimeSettings } from './settings';

/** What the use cases log through: a subset of the Powertools Logger, so tests can pass their own. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface PollerDeps {
  gateway: AccessTasksGateway;
  results: ResultsStore;
  runState: RunStateStore;
  /** Earlier runs' finish times, for the wait policy's profile; without it every run cold-starts. */
  history?: RunHistory;
  settings: RuntimeSettings;
  now: () => Date;
  log: Log;
}
