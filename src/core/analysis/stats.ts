// Percentiles for latency figures. Pure: no Node, no vscode (the webview may bundle it).
//
// Method: NEAREST RANK. The q-quantile of n sorted values is the smallest value v such that at
// least q·n of the values are ≤ v, i.e. sorted[ceil(q·n) − 1]. It always returns a value that was
// actually measured (no interpolation between two runs), and with few repeats p95 and p99 are the
// slowest run — which is what a user should plan for. Every percentile is reported with its n.
//
// The weighted form (for mixtures: answer cache at hit rate h, cascades) is the same rule over a
// discrete distribution: the smallest value whose cumulative weight reaches q.

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  /** Number of samples the percentiles come from. */
  n: number;
}

/** Tolerance for cumulative weights (0.95 accumulated from floats may come out 0.9499999…). */
const EPS = 1e-9;

/** Nearest-rank q-quantile (0 < q ≤ 1) of the values; null when there are none. */
export function percentile(values: readonly number[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`percentile: q must be in (0, 1], got ${q}`);
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil(q * sorted.length - EPS));
  return sorted[rank - 1];
}

/** p50 / p95 / p99 with n; null when there are no samples. */
export function percentiles(values: readonly number[]): Percentiles | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (!finite.length) return null;
  return {
    p50: percentile(finite, 0.5)!,
    p95: percentile(finite, 0.95)!,
    p99: percentile(finite, 0.99)!,
    n: finite.length,
  };
}

export interface WeightedValue {
  value: number;
  weight: number;
}

/** Nearest-rank q-quantile of a discrete distribution (weights need not sum to 1). */
export function weightedPercentile(items: readonly WeightedValue[], q: number): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`weightedPercentile: q must be in (0, 1], got ${q}`);
  const usable = items.filter((i) => Number.isFinite(i.value) && i.weight > 0);
  if (!usable.length) return null;
  const total = usable.reduce((s, i) => s + i.weight, 0);
  const sorted = [...usable].sort((a, b) => a.value - b.value);
  let cumulative = 0;
  for (const item of sorted) {
    cumulative += item.weight / total;
    if (cumulative >= q - EPS) return item.value;
  }
  return sorted[sorted.length - 1].value;
}

/** p50 / p95 / p99 of a discrete distribution; `n` is given by the caller (the measured runs behind it). */
export function weightedPercentiles(items: readonly WeightedValue[], n: number): Percentiles | null {
  const p50 = weightedPercentile(items, 0.5);
  if (p50 === null) return null;
  return { p50, p95: weightedPercentile(items, 0.95)!, p99: weightedPercentile(items, 0.99)!, n };
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((s, v) => s + v, 0) / values.length : null;
}
