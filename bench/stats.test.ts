// Unit tests of the benchmark's statistics, SVG writer, target checks and profile reduction
// (never of timings).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM without types
import { formatRatio, formatValue, median, quantile, ratio, summarize } from './lib/stats.mjs';
// @ts-expect-error plain ESM without types
import { barChart, ratioChart } from './lib/svg.mjs';
// @ts-expect-error plain ESM without types
import { targetChecks } from './lib/report.mjs';
// @ts-expect-error plain ESM without types
import { aggregate } from './lib/profile-report.mjs';

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

describe('ratio chart', () => {
  it('draws bars from 1× to each ratio, red past the limit, n/a for missing ones', () => {
    const svg: string = ratioChart({
      title: 't',
      limit: 1.1,
      rows: [
        { label: 'fast', ratio: 0.5 },
        { label: 'slow', ratio: 3 },
        { label: 'gone', ratio: null },
      ],
    });
    expect(svg.match(/class="bar"/g)?.length).toBe(2);
    expect(svg).toMatch(/fill="#1a7f37"><title>fast: 0.50×/);
    expect(svg).toMatch(/fill="#cf222e"><title>slow: 3.00×/);
    expect(svg).toContain('n/a');
  });
});

describe('targets', () => {
  const res = (median: number) => ({ median, n: 1 });
  const result = {
    rows: {
      'warm-true': {
        title: 'true',
        group: 'warm',
        results: { sandpit: res(2), 'wasmer-sdk': res(1), lifo: res(0.1) },
      },
      sort: {
        title: 'sort',
        group: 'throughput',
        results: { sandpit: res(10), 'wasmer-sdk': res(10), 'wasi-shim': res(20) },
      },
      'cold-cac-first': { title: 'cold', group: 'cold', results: { sandpit: res(300), lifo: { error: 'x' } } },
    },
  };
  it('checks raw-engine overhead, peers and the two absolute limits from the medians', () => {
    const checks: { target: string; row: string; met: boolean }[] = targetChecks(result);
    const met = (target: string, row: string) => checks.find((c) => c.target.startsWith(target) && c.row === row)?.met;
    expect(met('sandpit / raw', 'true')).toBe(false);
    expect(met('sandpit / raw', 'sort')).toBe(true);
    expect(met('faster than every peer', 'true')).toBe(false);
    expect(met('faster than every peer', 'sort')).toBe(true);
    expect(met('warm builtin', 'true')).toBe(false);
    expect(met('cold start', 'cold')).toBe(true);
    // A failed peer is not a peer to beat.
    expect(checks.some((c) => c.target.startsWith('faster') && c.row === 'cold')).toBe(false);
  });
});

describe('profile aggregation', () => {
  it('adds self time by category and names the JS caller of anonymous wasm', () => {
    const frame = (id: number, functionName: string, url: string, children: number[] = []) => ({
      id,
      callFrame: { functionName, url, lineNumber: 0 },
      children,
    });
    const profile = {
      startTime: 0,
      endTime: 4000,
      nodes: [
        frame(1, '(root)', '', [2, 4]),
        frame(2, 'spawn', 'http://x/vendor/wasmer-sdk/dist/index.js', [3]),
        frame(3, 'wasm-function[9]', 'http://x/vendor/wasmer-sdk/pkg/wasmer_sdk_js_bg.wasm'),
        frame(4, '(idle)', ''),
      ],
      // Each sample weighs the interval up to the next one (µs).
      samples: [3, 3, 2, 4],
      timeDeltas: [0, 1000, 1000, 1000],
    };
    const a = aggregate(profile);
    expect(a.categories['engine wasm (wasmer-js runtime)']).toBe(2);
    expect(a.categories['engine JS (@wasmer/sdk)']).toBe(1);
    expect(a.busyMs).toBe(3);
    expect(a.top[0].fn).toContain('← spawn');
  });
});
