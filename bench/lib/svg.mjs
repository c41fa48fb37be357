// A small SVG writer for the benchmark chart: horizontal grouped bars, one group per row,
// one bar per target, on a log scale (rows span microseconds to seconds). No dependencies.

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

const COLORS = ['#2f6feb', '#8250df', '#1a7f37', '#bf8700', '#cf222e', '#57606a'];

/**
 * @param {{ title: string, unit: string, targets: string[],
 *   rows: { label: string, values: Record<string, number | null | undefined>, missing?: Record<string, string> }[] }} chart
 * @returns {string} a standalone SVG document
 */
export function barChart({ title, unit, targets, rows }) {
  const labelW = 300;
  const plotW = 520;
  const barH = 9;
  const gap = 8;
  const top = 52;
  const groupH = targets.length * barH + gap;
  const height = top + rows.length * groupH + 40;
  const width = labelW + plotW + 90;
  const all = rows.flatMap((r) => targets.map((t) => r.values[t])).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(all.length ? Math.min(...all) : 1)));
  const hi = Math.pow(10, Math.ceil(Math.log10(all.length ? Math.max(...all) : 10)));
  const span = Math.max(1e-9, Math.log10(hi) - Math.log10(lo));
  const x = (v) => labelW + ((Math.log10(v) - Math.log10(lo)) / span) * plotW;
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${labelW}" y="18" font-size="14" font-weight="600">${esc(title)}</text>`,
  );
  targets.forEach((t, i) => {
    const lx = labelW + i * 110;
    out.push(
      `<rect x="${lx}" y="28" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`,
      `<text x="${lx + 14}" y="37">${esc(t)}</text>`,
    );
  });
  for (let d = Math.log10(lo); d <= Math.log10(hi) + 1e-9; d++) {
    const v = Math.pow(10, d);
    const gx = x(v).toFixed(1);
    out.push(
      `<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 30}" stroke="#d0d7de" stroke-width="1"/>`,
      `<text x="${gx}" y="${height - 16}" text-anchor="middle" fill="#57606a">${esc(tick(v, unit))}</text>`,
    );
  }
  rows.forEach((r, ri) => {
    const gy = top + ri * groupH;
    out.push(
      `<text x="${labelW - 8}" y="${gy + (targets.length * barH) / 2 + 4}" text-anchor="end">${esc(r.label)}</text>`,
    );
    targets.forEach((t, ti) => {
      const v = r.values[t];
      const y = gy + ti * barH;
      if (Number.isFinite(v) && v > 0) {
        const w = Math.max(1, x(v) - labelW);
        out.push(
          `<rect class="bar" x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH - 1}" fill="${COLORS[ti % COLORS.length]}"><title>${esc(`${t}: ${tick(v, unit)}`)}</title></rect>`,
        );
      } else {
        out.push(
          `<text x="${labelW + 3}" y="${y + barH - 1}" font-size="8" fill="#8c959f">${esc(t)}: ${esc(r.missing?.[t] ?? 'n/a')}</text>`,
        );
      }
    });
  });
  out.push(`</svg>`);
  return out.join('\n') + '\n';
}

function tick(v, unit) {
  if (unit === 'ms') return v >= 1000 ? `${v / 1000} s` : `${v} ms`;
  return `${v} ${unit}`;
}

/**
 * Ratios (sandpit / reference) as horizontal bars on a log scale around 1, with a marked limit
 * (the target): bars past it are drawn in red.
 * @param {{ title: string, limit: number, rows: { label: string, ratio: number | null }[] }} chart
 * @returns {string} a standalone SVG document
 */
export function ratioChart({ title, limit, rows }) {
  const labelW = 300;
  const plotW = 480;
  const barH = 14;
  const top = 40;
  const height = top + rows.length * (barH + 4) + 36;
  const width = labelW + plotW + 70;
  const finite = rows.map((r) => r.ratio).filter((v) => Number.isFinite(v) && v > 0);
  const lo = Math.min(0.5, ...finite.map((v) => Math.pow(10, Math.floor(Math.log10(v) * 2) / 2)));
  const hi = Math.max(2, ...finite.map((v) => Math.pow(10, Math.ceil(Math.log10(v) * 2) / 2)));
  const x = (v) => labelW + ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${labelW}" y="18" font-size="14" font-weight="600">${esc(title)}</text>`,
  ];
  const ticks = [lo, 1, limit, hi].filter((v, i, a) => a.indexOf(v) === i);
  for (const v of ticks) {
    const gx = x(v).toFixed(1);
    const dash = v === limit ? ' stroke-dasharray="4 3"' : '';
    out.push(
      `<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${height - 26}" stroke="${v === limit ? '#cf222e' : '#8c959f'}" stroke-width="1"${dash}/>`,
      `<text x="${gx}" y="${height - 12}" text-anchor="middle" fill="#57606a">${esc(`${+v.toFixed(2)}×`)}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const y = top + i * (barH + 4);
    out.push(`<text x="${labelW - 8}" y="${y + barH - 3}" text-anchor="end">${esc(r.label)}</text>`);
    if (!Number.isFinite(r.ratio) || r.ratio <= 0) {
      out.push(`<text x="${labelW + 3}" y="${y + barH - 3}" fill="#8c959f">n/a</text>`);
      return;
    }
    const x0 = x(1);
    const x1 = x(r.ratio);
    const fill = r.ratio <= limit ? '#1a7f37' : '#cf222e';
    out.push(
      `<rect class="bar" x="${Math.min(x0, x1).toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(x1 - x0)).toFixed(1)}" height="${barH}" fill="${fill}"><title>${esc(`${r.label}: ${r.ratio.toFixed(2)}×`)}</title></rect>`,
      `<text x="${(Math.max(x0, x1) + 4).toFixed(1)}" y="${y + barH - 3}" fill="#24292f">${esc(`${r.ratio.toFixed(2)}×`)}</text>`,
    );
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
