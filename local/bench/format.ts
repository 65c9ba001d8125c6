/** Figures and how the bench prints them: one line each, figure, value, goal, met. */
type Met = boolean | null;

export interface Figure {
  id: string;
  label: string;
  value: number;
  unit: string;
  detail: string;
  goal: string;
  met: Met;
}

export const median = (xs: readonly number[]) => {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
export const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const int = (n: number) => Math.round(n).toLocaleString('en-US');
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const usd = (n: number) => `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;

const metText = (met: Met) => (met === null ? 'info' : met ? 'met' : 'MISSED');

export function formatTable(figures: readonly Figure[]): string {
  const w = { id: 3, label: 40, detail: 56, goal: 10 };
  const line = (id: string, label: string, detail: string, goal: string, met: string) =>
    `${id.padEnd(w.id)} ${label.padEnd(w.label)} ${detail.padEnd(w.detail)} ${goal.padEnd(w.goal)} ${met}`.trimEnd();
  const rows = figures.map((f) =>
    line(/[a-z]$/.test(f.id) ? '' : f.id, f.label, f.detail, f.goal, metText(f.met)),
  );
  const header = line('#', 'figure', 'value', 'goal', 'met?');
  return [header, '-'.repeat(header.length + 4), ...rows].join('\n');
}

export const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
