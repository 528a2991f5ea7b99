// The chart's frontier line, apart from chart.ts (no DOM, no Chart.js): unit-tested in Node.

/** A plotted option: x = cost per 1k calls, y = p95 latency (s). */
export interface LinePoint {
  id: string;
  x: number;
  y: number;
}

/**
 * The frontier is over three objectives; the chart shows two. The line joins only the members
 * that no other member beats on both cost and p95 latency, in cost order, so it falls
 * monotonically instead of zig-zagging through members that are there for their quality (those
 * stay diamonds, off the line).
 */
export function costLatencySkyline<P extends LinePoint>(points: readonly P[]): P[] {
  const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  const out: P[] = [];
  for (const p of sorted) if (!out.length || p.y < out[out.length - 1].y) out.push(p);
  return out;
}
