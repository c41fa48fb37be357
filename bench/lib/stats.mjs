// Order statistics for benchmark samples: medians and quartiles of repeated runs, and the
// sandpit/peer ratio of two medians. Plain numbers in, plain numbers out.

/** The q-quantile (0..1) of `xs` by linear interpolation between order statistics. */
export function quantile(xs, q) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const pos = (v.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return v[lo] + (v[hi] - v[lo]) * (pos - lo);
}

export const median = (xs) => quantile(xs, 0.5);

/** Median, quartiles, min, max and count of a sample list. */
export function summarize(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return {
    n: v.length,
    median: median(v),
    p25: quantile(v, 0.25),
    p75: quantile(v, 0.75),
    min: v.length ? Math.min(...v) : NaN,
    max: v.length ? Math.max(...v) : NaN,
  };
}

/** a/b, or null when either side is missing or b is zero. */
export function ratio(a, b) {
  if (!Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null;
  return a / b;
}

/** A duration in ms (or a size in MB) in a short human form: 0.42 ms, 12.3 ms, 4.56 s. */
export function formatValue(v, unit = 'ms') {
  if (!Number.isFinite(v)) return '–';
  if (unit === 'ms') {
    if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
    if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
    if (v >= 100) return `${v.toFixed(0)} ms`;
    if (v >= 10) return `${v.toFixed(1)} ms`;
    return `${v.toFixed(2)} ms`;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${unit}`;
}

export function formatRatio(r) {
  if (r === null || !Number.isFinite(r)) return '–';
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}
