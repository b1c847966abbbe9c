import type { MemorySample } from './protocol.js';

const MB = 1024 * 1024;

/** Least-squares slope of `y` over `x`; 0 with fewer than two points. */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/** First, last and max of one memory field, and its slope in MB per minute. */
export interface MemoryTrend {
  first: number;
  last: number;
  max: number;
  /** MB per minute over every sample. */
  slopeAll: number;
  /** MB per minute over the samples after the warm-up. */
  slopeSteady: number;
  /** MB gained from the first sample after the warm-up to the last sample. */
  steadyGrowth: number;
}

export function memoryTrend(samples: MemorySample[], field: 'rss' | 'heapUsed', warmupMs: number): MemoryTrend {
  const values = samples.map((s) => ({ x: s.t / 60_000, y: s[field] / MB }));
  const steady = values.filter((_, i) => samples[i].t >= warmupMs);
  const ys = values.map((v) => v.y);
  return {
    first: ys[0] ?? NaN,
    last: ys[ys.length - 1] ?? NaN,
    max: ys.length ? Math.max(...ys) : NaN,
    slopeAll: slope(values),
    slopeSteady: slope(steady),
    steadyGrowth: steady.length >= 2 ? steady[steady.length - 1].y - steady[0].y : 0,
  };
}

/** A plain text table with aligned columns; the first row is the header. */
export function table(rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((v, c) => (c === 0 ? v.padEnd(widths[c]) : v.padStart(widths[c]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
export const signed = (n: number, digits = 2) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(digits)}` : 'n/a');
