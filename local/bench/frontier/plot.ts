/**
 * One SVG plot per mix: polls (x) against mean delay (y), both log scales; the fixed waits as a line,
 * the adaptive policy, its cold start and the oracle as points. Hand-written SVG, no dependencies.
 */
import type { FrontierRow, MixFrontier } from './frontier';

const W = 600;
const H = 380;
const M = { left: 64, right: 200, top: 40, bottom: 52 };

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) =>
  (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(0) : n.toFixed(1)).replace(/\.0$/, '');

/** Ticks 1, 2, 5 × 10^k within [lo, hi]. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

export function frontierSvg(f: MixFrontier): string {
  const all: FrontierRow[] = [...f.rows, ...f.coldStart];
  const xs = all.map((r) => r.polls);
  const ys = all.map((r) => Math.max(0.1, r.meanDelaySeconds));
  const [x0, x1] = [Math.min(...xs) / 1.3, Math.max(...xs) * 1.3];
  const [y0, y1] = [Math.min(...ys) / 1.3, Math.max(...ys) * 1.3];
  const px = (x: number) =>
    M.left + ((Math.log(x) - Math.log(x0)) / (Math.log(x1) - Math.log(x0))) * (W - M.left - M.right);
  const py = (y: number) =>
    H -
    M.bottom -
    ((Math.log(Math.max(0.1, y)) - Math.log(y0)) / (Math.log(y1) - Math.log(y0))) * (H - M.top - M.bottom);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="title" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title id="title">${esc(`Wait policies on the ${f.mix.name} mix: polls per run against mean delay; fixed waits as a line, adaptive, its cold start and the oracle as points`)}</title>`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="22" font-size="14" font-weight="bold">${esc(`${f.mix.name}: ${f.mix.description}`)}</text>`,
  );
  // Axes, grid and ticks.
  const [bx, by, ex, ey] = [M.left, H - M.bottom, W - M.right, M.top];
  out.push(`<path d="M${bx},${ey} V${by} H${ex}" fill="none" stroke="black"/>`);
  for (const t of ticks(x0, x1)) {
    const x = px(t).toFixed(1);
    out.push(
      `<line x1="${x}" y1="${ey}" x2="${x}" y2="${by}" stroke="#eee"/>`,
      `<line x1="${x}" y1="${by}" x2="${x}" y2="${by + 5}" stroke="black"/>`,
      `<text x="${x}" y="${by + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of ticks(y0, y1)) {
    const y = py(t).toFixed(1);
    out.push(
      `<line x1="${bx}" y1="${y}" x2="${ex}" y2="${y}" stroke="#eee"/>`,
      `<line x1="${bx - 5}" y1="${y}" x2="${bx}" y2="${y}" stroke="black"/>`,
      `<text x="${bx - 8}" y="${Number(y) + 4}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<text x="${(bx + ex) / 2}" y="${H - 12}" text-anchor="middle">polls per run (log)</text>`,
    `<text transform="translate(16 ${(by + ey) / 2}) rotate(-90)" text-anchor="middle">mean delay, finish to record, s (log)</text>`,
  );
  // The fixed-wait line, labelled.
  const fixedRows = f.rows.filter((r) => r.policy.startsWith('fixed-')).sort((a, b) => a.polls - b.polls);
  out.push(
    `<polyline fill="none" stroke="#888" stroke-width="2" points="${fixedRows.map((r) => `${px(r.polls).toFixed(1)},${py(r.meanDelaySeconds).toFixed(1)}`).join(' ')}"/>`,
  );
  for (const r of fixedRows) {
    const [x, y] = [px(r.polls), py(r.meanDelaySeconds)];
    out.push(
      `<rect x="${(x - 3).toFixed(1)}" y="${(y - 3).toFixed(1)}" width="6" height="6" fill="#888"/>`,
      `<text x="${(x + 6).toFixed(1)}" y="${(y - 6).toFixed(1)}" fill="#555">${esc(r.policy.replace('fixed-', ''))}</text>`,
    );
  }
  const find = (rows: FrontierRow[], policy: string) => rows.find((r) => r.policy === policy);
  const points: { row?: FrontierRow; mark: (x: number, y: number) => string }[] = [
    {
      row: find(f.rows, 'oracle'),
      mark: (x, y) =>
        `<path d="M${x},${y - 6} L${x + 6},${y} L${x},${y + 6} L${x - 6},${y} Z" fill="#d62728"/>`,
    },
    { row: find(f.rows, 'adaptive'), mark: (x, y) => `<circle cx="${x}" cy="${y}" r="5" fill="#1f77b4"/>` },
    {
      row: find(f.coldStart, 'adaptive'),
      mark: (x, y) => `<circle cx="${x}" cy="${y}" r="5" fill="white" stroke="#1f77b4" stroke-width="2"/>`,
    },
  ];
  for (const p of points) {
    if (p.row)
      out.push(p.mark(Number(px(p.row.polls).toFixed(1)), Number(py(p.row.meanDelaySeconds).toFixed(1))));
  }
  // Legend.
  const lx = W - M.right + 16;
  const legend: [string, (x: number, y: number) => string][] = [
    [
      'fixed waits (s)',
      (x, y) => `<line x1="${x - 8}" y1="${y}" x2="${x + 8}" y2="${y}" stroke="#888" stroke-width="2"/>`,
    ],
    [`adaptive (${f.ratio.toFixed(2)}x oracle)`, points[1].mark],
    [`adaptive, cold start (${f.coldRatio.toFixed(2)}x)`, points[2].mark],
    ['oracle, same polls', points[0].mark],
  ];
  legend.forEach(([label, mark], i) => {
    const y = M.top + 10 + i * 22;
    out.push(mark(lx, y), `<text x="${lx + 14}" y="${y + 4}">${esc(label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
