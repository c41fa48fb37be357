// Unit tests of the benchmark's statistics and SVG writer (never of timings).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { formatRatio, formatValue, median, quantile, ratio, summarize } from './lib/stats.mjs';
// @ts-expect-error plain ESM without types
import { barChart } from './lib/svg.mjs';

describe('stats', () => {
  it('medians of odd and even counts, ignoring non-finite samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([1, NaN, 3])).toBe(2);
    expect(median([])).toBeNaN();
  });
  it('quartiles by interpolation', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([10], 0.75)).toBe(10);
    expect(summarize([5, 1, 3])).toEqual({ n: 3, median: 3, p25: 2, p75: 4, min: 1, max: 5 });
  });
  it('ratios and formatting', () => {
    expect(ratio(2, 4)).toBe(0.5);
    expect(ratio(1, 0)).toBeNull();
    expect(ratio(NaN, 1)).toBeNull();
    expect(formatRatio(0.5)).toBe('0.50×');
    expect(formatRatio(null)).toBe('–');
    expect(formatValue(0.1234)).toBe('0.12 ms');
    expect(formatValue(1234)).toBe('1.23 s');
    expect(formatValue(150.4, 'MB')).toBe('150 MB');
  });
});

describe('svg', () => {
  it('draws one bar per finite value and marks missing ones', () => {
    const svg: string = barChart({
      title: 'a <b>',
      unit: 'ms',
      targets: ['x', 'y'],
      rows: [
        { label: 'r1', values: { x: 1, y: 100 } },
        { label: 'r2', values: { x: 10, y: null } },
      ],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('a &lt;b&gt;');
    expect(svg.match(/class="bar"/g)?.length).toBe(3);
    expect(svg).toContain('y: n/a');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
  });
});
