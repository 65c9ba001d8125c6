/** Figure 9, "Longest Poll invocation", from longest.ts's measurement. */
import { type Figure, fixed, int } from './format';
import { FUNCTION_TIMEOUT_MS, type LongestInvocation } from './longest';

export function longestFigure(l: LongestInvocation): Figure {
  const left = l.pendingAfter === undefined ? '' : `, ${int(l.pendingAfter)} still pending`;
  return {
    id: '9',
    label: 'Longest Poll invocation',
    value: l.ms / 1000,
    unit: 's',
    detail:
      `${l.timedOut ? '> ' : ''}${fixed(l.ms / 1000, 1)} s (${int(l.pendingTasks)} pending, ${l.latencyMs} ms/call, ` +
      `every ${l.throttleEvery}rd 429; ${l.calls} calls, ${l.throttled} throttled${left})${l.error ? `; ${l.error}` : ''}`,
    goal: `< ${FUNCTION_TIMEOUT_MS / 1000} s`,
    met: l.met,
  };
}
