import type { Log } from '../../lambda/core/deps';

interface LogEntry {
  level: 'info' | 'warn';
  message: string;
  extra?: Record<string, unknown>;
}

/** A Log that keeps every entry, so a test can check what the use cases logged (and what they did not). */
export interface RecordingLog extends Log {
  readonly entries: LogEntry[];
}

export function recordingLog(): RecordingLog {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (message, extra) => {
      entries.push({ level: 'info', message, extra });
    },
    warn: (message, extra) => {
      entries.push({ level: 'warn', message, extra });
    },
  };
}
