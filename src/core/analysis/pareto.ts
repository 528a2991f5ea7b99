// Pareto frontier and requirement-based selection over (cost per 1k calls ↓, p95 latency ↓,
// quality ↑). Pure and serialisable: the webview can bundle this module and recompute the
// selection when the user moves a limit, without a round trip to the extension host.
import { formatUsd } from '../format';

/** One point to compare: the `pareto` CLI file format, and what every option reduces to. */
export interface ParetoPoint {
  name: string;
  /** p95 latency in seconds. */
  latencyP95: number;
  /** USD per 1,000 calls. */
  costPer1k: number;
  /** 0–1. */
  quality: number;
}

/** Limits; an absent limit does not constrain. */
export interface Requirements {
  /** Max p95 latency, seconds. */
  maxLatencyS?: number;
  /** Max USD per 1,000 calls. */
  maxCostPer1k?: number;
  /** Min quality, 0–1. */
  minQuality?: number;
}

export type Limit = 'maxLatencyS' | 'maxCostPer1k' | 'minQuality';
export const LIMITS: readonly Limit[] = ['maxLatencyS', 'maxCostPer1k', 'minQuality'];

export interface LimitMiss {
  limit: Limit;
  /** The option's value on that axis. */
  value: number;
  /** The limit. */
  required: number;
  /** How far off, relative to the limit (0.2 = 20 % over the latency or cost limit, 20 % under the quality one). */
  relative: number;
}

export interface Recommendation {
  /** Index into the points given, or null when nothing meets every limit. */
  selected: number | null;
  selectedName: string | null;
  /** One line. */
  reason: string;
  /** Indices of the points that meet every limit, input order. */
  feasible: number[];
  /**
   * The limits that fail: those no option meets even on its own; when each limit alone can be
   * met but not all together, the ones the closest option misses. Empty when something is feasible.
   */
  failing: Limit[];
  /** When nothing is feasible: the option with the smallest total relative miss (see `limitDistance`). */
  closest: { index: number; name: string; misses: LimitMiss[]; distance: number } | null;
}

/**
 * a dominates b: no worse on all three axes and strictly better on at least one.
 * Two options with equal figures do not dominate each other (both stay on the frontier).
 */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  const noWorse = a.costPer1k <= b.costPer1k && a.latencyP95 <= b.latencyP95 && a.quality >= b.quality;
  const better = a.costPer1k < b.costPer1k || a.latencyP95 < b.latencyP95 || a.quality > b.quality;
  return noWorse && better;
}

/** Indices of the non-dominated points, in input order. O(n²), fine for the dozens of options a prompt has. */
export function paretoFrontier(points: readonly ParetoPoint[]): number[] {
  const out: number[] = [];
  points.forEach((p, i) => {
    if (!points.some((q, j) => j !== i && dominates(q, p))) out.push(i);
  });
  return out;
}

/** Indices of the points that dominate points[i] (empty for a frontier member). */
export function dominatorsOf(points: readonly ParetoPoint[], i: number): number[] {
  const out: number[] = [];
  points.forEach((q, j) => {
    if (j !== i && dominates(q, points[i])) out.push(j);
  });
  return out;
}

/** The limits a point misses, with how far (relative to each limit). */
export function limitMisses(p: ParetoPoint, req: Requirements): LimitMiss[] {
  const misses: LimitMiss[] = [];
  if (req.maxLatencyS !== undefined && p.latencyP95 > req.maxLatencyS) {
    misses.push({ limit: 'maxLatencyS', value: p.latencyP95, required: req.maxLatencyS, relative: overBy(p.latencyP95, req.maxLatencyS) });
  }
  if (req.maxCostPer1k !== undefined && p.costPer1k > req.maxCostPer1k) {
    misses.push({ limit: 'maxCostPer1k', value: p.costPer1k, required: req.maxCostPer1k, relative: overBy(p.costPer1k, req.maxCostPer1k) });
  }
  if (req.minQuality !== undefined && p.quality < req.minQuality) {
    misses.push({ limit: 'minQuality', value: p.quality, required: req.minQuality, relative: overBy(req.minQuality, p.quality, req.minQuality) });
  }
  return misses;
}

/** (value − limit) / limit; a zero limit counts any excess as a full miss (1) plus the excess. */
function overBy(value: number, limit: number, base = limit): number {
  return base > 0 ? (value - limit) / base : 1 + (value - limit);
}

/**
 * "Closest" option when nothing is feasible: the one with the smallest SUM of relative misses
 * over the limits it fails (latency and cost: (value − limit) / limit; quality: (limit − value) /
 * limit). A 10 % overrun of the budget therefore weighs the same as a 10 % shortfall in quality.
 * Ties: lower cost per quality point, then input order.
 */
export function limitDistance(p: ParetoPoint, req: Requirements): number {
  return limitMisses(p, req).reduce((s, m) => s + m.relative, 0);
}

export function meetsRequirements(p: ParetoPoint, req: Requirements): boolean {
  return limitMisses(p, req).length === 0;
}

/** USD per 1k calls per quality point; Infinity for quality 0. */
export function costPerQualityPoint(p: ParetoPoint): number {
  return p.quality > 0 ? p.costPer1k / p.quality : Infinity;
}

/**
 * The feasible option (meets every limit) with the lowest cost per quality point
 * (costPer1k / quality). Ties: lower cost, then lower p95 latency, then higher quality, then
 * input order — so the selection is always a frontier member.
 */
export function recommend(points: readonly ParetoPoint[], req: Requirements = {}): Recommendation {
  const feasible = points.map((_, i) => i).filter((i) => meetsRequirements(points[i], req));
  const limitsText = describeRequirements(req);
  if (!points.length) {
    return { selected: null, selectedName: null, reason: 'No options to compare.', feasible: [], failing: [], closest: null };
  }
  if (feasible.length) {
    const best = feasible.reduce((a, b) => (better(points[b], points[a]) ? b : a));
    const p = points[best];
    const ratio = costPerQualityPoint(p);
    const within = limitsText ? ` within ${limitsText}` : '';
    const reason =
      `${p.name}: lowest cost per quality point (${formatUsd(ratio)}/1k per 1.0 quality; ${formatUsd(p.costPer1k)}/1k, ` +
      `p95 ${formatSeconds(p.latencyP95)}, quality ${p.quality.toFixed(2)}) of ${feasible.length} option${feasible.length === 1 ? '' : 's'}${within}.`;
    return { selected: best, selectedName: p.name, reason, feasible, failing: [], closest: null };
  }

  // Nothing meets every limit: which limits are out of reach, and what comes closest.
  const unreachable = LIMITS.filter((limit) => req[limit] !== undefined && !points.some((p) => !limitMisses(p, req).some((m) => m.limit === limit)));
  let closest = 0;
  let closestDistance = limitDistance(points[0], req);
  points.forEach((p, i) => {
    const d = limitDistance(p, req);
    if (d < closestDistance - 1e-12 || (Math.abs(d - closestDistance) <= 1e-12 && costPerQualityPoint(p) < costPerQualityPoint(points[closest]))) {
      closest = i;
      closestDistance = d;
    }
  });
  const misses = limitMisses(points[closest], req);
  const failing = unreachable.length ? unreachable : misses.map((m) => m.limit);
  const why = unreachable.length
    ? unreachable.map((l) => unreachableText(l, points, req)).join('; ')
    : `no option meets ${failing.map((l) => limitText(l, req)).join(' and ')} together with the other limits`;
  const reason = `Nothing meets ${limitsText}: ${why}. Closest: ${points[closest].name} (${misses.map(missText).join(', ')}).`;
  return {
    selected: null,
    selectedName: null,
    reason,
    feasible: [],
    failing,
    closest: { index: closest, name: points[closest].name, misses, distance: closestDistance },
  };
}

function better(a: ParetoPoint, b: ParetoPoint): boolean {
  const ra = costPerQualityPoint(a);
  const rb = costPerQualityPoint(b);
  if (ra !== rb) return ra < rb;
  if (a.costPer1k !== b.costPer1k) return a.costPer1k < b.costPer1k;
  if (a.latencyP95 !== b.latencyP95) return a.latencyP95 < b.latencyP95;
  return a.quality > b.quality;
}

export function formatSeconds(s: number): string {
  if (s >= 3600) return `${+(s / 3600).toFixed(1)} h`;
  if (s >= 1) return `${+s.toFixed(2)} s`;
  return `${Math.round(s * 1000)} ms`;
}

function limitText(limit: Limit, req: Requirements): string {
  switch (limit) {
    case 'maxLatencyS':
      return `p95 ≤ ${formatSeconds(req.maxLatencyS!)}`;
    case 'maxCostPer1k':
      return `cost ≤ ${formatUsd(req.maxCostPer1k!)}/1k`;
    case 'minQuality':
      return `quality ≥ ${req.minQuality}`;
  }
}

export function describeRequirements(req: Requirements): string {
  return LIMITS.filter((l) => req[l] !== undefined)
    .map((l) => limitText(l, req))
    .join(', ');
}

function unreachableText(limit: Limit, points: readonly ParetoPoint[], req: Requirements): string {
  switch (limit) {
    case 'maxLatencyS': {
      const best = points.reduce((a, b) => (b.latencyP95 < a.latencyP95 ? b : a));
      return `no option has p95 ≤ ${formatSeconds(req.maxLatencyS!)} (fastest: ${best.name}, ${formatSeconds(best.latencyP95)})`;
    }
    case 'maxCostPer1k': {
      const best = points.reduce((a, b) => (b.costPer1k < a.costPer1k ? b : a));
      return `no option costs ≤ ${formatUsd(req.maxCostPer1k!)}/1k (cheapest: ${best.name}, ${formatUsd(best.costPer1k)}/1k)`;
    }
    case 'minQuality': {
      const best = points.reduce((a, b) => (b.quality > a.quality ? b : a));
      return `no option reaches quality ≥ ${req.minQuality} (best: ${best.name}, ${best.quality.toFixed(2)})`;
    }
  }
}

function missText(m: LimitMiss): string {
  switch (m.limit) {
    case 'maxLatencyS':
      return `p95 ${formatSeconds(m.value)} > ${formatSeconds(m.required)}`;
    case 'maxCostPer1k':
      return `${formatUsd(m.value)}/1k > ${formatUsd(m.required)}/1k`;
    case 'minQuality':
      return `quality ${m.value.toFixed(2)} < ${m.required}`;
  }
}

/** Problems with a requirement set (empty when valid). */
export function validateRequirements(req: Requirements): string[] {
  const problems: string[] = [];
  const check = (v: number | undefined, name: string, ok: (x: number) => boolean, what: string) => {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && ok(v))) problems.push(`${name} must be ${what} (got ${v}).`);
  };
  check(req.maxLatencyS, 'max latency', (x) => x > 0, 'a number of seconds above 0');
  check(req.maxCostPer1k, 'max cost', (x) => x >= 0, 'a number of USD ≥ 0');
  check(req.minQuality, 'min quality', (x) => x >= 0 && x <= 1, 'a number from 0 to 1');
  return problems;
}
