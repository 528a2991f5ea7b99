// The decision for a set of options: frontier + recommendation under the requirements, as plain
// serialisable data keyed by option id (what the panel and `run --pareto` show).
import type { DecisionOption } from './options';
import { rankable, unrankedReason } from './options';
import { paretoFrontier, recommend, type Limit, type LimitMiss, type Requirements } from './pareto';

export interface Decision {
  requirements: Requirements;
  /** Ids of the frontier options, in option order. */
  frontier: string[];
  /** Id of the recommended option, or null when nothing meets every limit. */
  selected: string | null;
  /** One line. */
  reason: string;
  /** Ids of the options that meet every limit. */
  feasible: string[];
  failing: Limit[];
  closest: { id: string; name: string; misses: LimitMiss[]; distance: number } | null;
  /** Options left off the frontier and the chart, and why (no price, no quality, not available…). */
  unranked: { id: string; reason: string }[];
}

export function decide(options: readonly DecisionOption[], requirements: Requirements = {}): Decision {
  const { points, indices } = rankable(options);
  const id = (pointIndex: number) => options[indices[pointIndex]].id;
  const rec = recommend(points, requirements);
  const unranked = options.flatMap((o) => {
    const reason = unrankedReason(o);
    return reason === null ? [] : [{ id: o.id, reason }];
  });
  return {
    requirements: { ...requirements },
    frontier: paretoFrontier(points).map(id),
    selected: rec.selected === null ? null : id(rec.selected),
    reason: points.length ? rec.reason : 'No option has a price, a latency and a quality figure to compare.',
    feasible: rec.feasible.map(id),
    failing: rec.failing,
    closest: rec.closest && { id: id(rec.closest.index), name: rec.closest.name, misses: rec.closest.misses, distance: rec.closest.distance },
    unranked,
  };
}
