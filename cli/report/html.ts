/**
 * The report as ONE self-contained HTML file: inline CSS, an inline SVG chart of statuses per app, no
 * script, no external resource (a Content-Security-Policy forbids any), every text HTML-escaped. Pure.
 */
import { CHANGE_KINDS, type Diff } from './diff';
import { appColumnCount, CELL_KINDS, type CellKind, KIND_WORDS, type Matrix } from './matrix';

const escapeHtml = (text: unknown): string =>
  String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const COLORS: Record<CellKind, string> = {
  access: '#2e7d32',
  'no-account': '#9e9e9e',
  failed: '#c62828',
  expired: '#ef6c00',
  'not-found': '#6a1b9a',
  'timed-out': '#ad1457',
  pending: '#1565c0',
  refused: '#4e342e',
};

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#212121}
h1{font-size:20px;margin:0 0 4px}p.meta{color:#555;margin:0 0 16px}
table{border-collapse:collapse;margin:12px 0 24px}th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}tfoot td{background:#fafafa;font-weight:600}
td.cell{white-space:nowrap}td.cell::before{content:"";display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:6px;background:var(--c)}
.legend span{display:inline-block;margin-right:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}
svg text{font:12px system-ui,sans-serif;fill:#212121}
`;

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;

const legend = () =>
  `<p class="legend">${CELL_KINDS.map(
    (k) => `<span style="--c:${COLORS[k]}"><i></i>${escapeHtml(KIND_WORDS[k])}</span>`,
  ).join('')}</p>`;

/** Horizontal stacked bars, one per app column: each segment a kind, its width its count. */
function statusChart(m: Matrix): string {
  const labelWidth = 180;
  const barWidth = 420;
  const rowHeight = 26;
  const max = Math.max(
    1,
    ...m.columns.map((c) => CELL_KINDS.reduce((s, k) => s + m.appTotals[c.key]![k], 0)),
  );
  const bars = m.columns.map((c, i) => {
    const y = 10 + i * rowHeight;
    let x = labelWidth;
    const segments = CELL_KINDS.filter((k) => m.appTotals[c.key]![k] > 0).map((k) => {
      const n = m.appTotals[c.key]![k];
      const w = (n / max) * barWidth;
      const rect = `<rect class="bar" data-app="${escapeHtml(c.label)}" data-kind="${k}" data-count="${n}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${COLORS[k]}"><title>${escapeHtml(`${c.label}: ${KIND_WORDS[k]} ${n}`)}</title></rect>`;
      x += w;
      return rect;
    });
    const total = CELL_KINDS.reduce((s, k) => s + m.appTotals[c.key]![k], 0);
    return `<text x="0" y="${y + 13}">${escapeHtml(c.label)}</text>${segments.join('')}<text x="${(x + 6).toFixed(1)}" y="${y + 13}">${total}</text>`;
  });
  const height = 20 + m.columns.length * rowHeight;
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Statuses per app" width="${labelWidth + barWidth + 60}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 60} ${height}">${bars.join('')}</svg>`;
}

export function matrixHtml(m: Matrix, generatedAt: string): string {
  const run = m.run;
  const meta = run
    ? `${run.outcome}, app bundle ${run.appBundleIdentifier}, started ${run.startedAt}${run.endedAt ? `, ended ${run.endedAt}` : ''}`
    : 'no run record';
  const head = `<tr><th>person</th>${m.columns.map((c) => `<th>${escapeHtml(c.label)}</th>`).join('')}${CELL_KINDS.map((k) => `<th>${escapeHtml(KIND_WORDS[k])}</th>`).join('')}</tr>`;
  const rows = m.rows.map((r) => {
    const cells = m.columns.map((c) => {
      const cell = r.cells[c.key];
      return cell
        ? `<td class="cell" data-kind="${cell.kind}" style="--c:${COLORS[cell.kind]}">${escapeHtml(cell.text)}</td>`
        : '<td></td>';
    });
    const person = r.taskId
      ? `${escapeHtml(r.person)} <small>${escapeHtml(r.taskId)}</small>`
      : escapeHtml(r.person);
    return `<tr data-person="${escapeHtml(r.person)}"><td>${person}</td>${cells.join('')}${CELL_KINDS.map((k) => `<td class="total" data-kind="${k}">${r.totals[k] || ''}</td>`).join('')}</tr>`;
  });
  const foot = CELL_KINDS.filter((k) => m.totals[k] > 0).map(
    (k) =>
      `<tr class="app-total" data-kind="${k}"><td>total ${escapeHtml(KIND_WORDS[k])}</td>${m.columns.map((c) => `<td>${m.appTotals[c.key]![k]}</td>`).join('')}${CELL_KINDS.map((x) => `<td>${x === k ? m.totals[k] : ''}</td>`).join('')}</tr>`,
  );
  return page(
    `Access review ${m.runId}`,
    `<h1>Access review: run ${escapeHtml(m.runId)}</h1>
<p class="meta">${escapeHtml(meta)}. ${m.rows.length} people × ${appColumnCount(m)} apps. Generated ${escapeHtml(generatedAt)}.</p>
<h2>Statuses per app</h2>
${statusChart(m)}
${legend()}
<h2>Access matrix</h2>
<table id="matrix"><thead>${head}</thead><tbody>${rows.join('\n')}</tbody><tfoot>${foot.join('\n')}</tfoot></table>`,
  );
}

export function diffHtml(d: Diff, generatedAt: string): string {
  const rows = d.changes.map(
    (c) =>
      `<tr data-change="${escapeHtml(c.change)}"><td>${escapeHtml(c.person)}</td><td>${escapeHtml(c.tenantId ? `${c.app} (${c.tenantId})` : c.app)}</td><td>${escapeHtml(c.change)}</td><td>${escapeHtml(c.before)}</td><td>${escapeHtml(c.after)}</td></tr>`,
  );
  return page(
    `Access changes ${d.old} → ${d.new}`,
    `<h1>Access changes: ${escapeHtml(d.old)} → ${escapeHtml(d.new)}</h1>
<p class="meta">${CHANGE_KINDS.map((k) => `${escapeHtml(k)} ${d.counts[k]}`).join(', ')}. Generated ${escapeHtml(generatedAt)}.</p>
<table id="changes"><thead><tr><th>person</th><th>app</th><th>change</th><th>before</th><th>after</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`,
  );
}
