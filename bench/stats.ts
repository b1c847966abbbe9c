/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Median over rounds of `numerators[i] / denominators[i]`: each round's two
 * figures were measured seconds apart, so a slowdown of the whole machine that
 * lasts a while (other tenants, frequency changes) divides out of the ratio
 * instead of landing on whichever row ran during it.
 */
export function pairedRatio(numerators: number[], denominators: number[]): number {
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(numerators.length, denominators.length); i++) {
    if (denominators[i] > 0 && Number.isFinite(numerators[i])) ratios.push(numerators[i] / denominators[i]);
  }
  return median(ratios);
}
