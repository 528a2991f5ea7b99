// A gateway's own cost of a call (OpenRouter `usage.cost`, LiteLLM's x-litellm-response-cost)
// beside ours: both shown with their source, and a disagreement over 1 % flagged.
import { formatUsd } from '../format';
import type { ReportedCost } from '../types';

/** Relative difference above which the two costs are said to disagree. */
export const GATEWAY_COST_TOLERANCE = 0.01;

export interface GatewayCostComparison {
  usd: number;
  source: string;
  /** Our cost of the same call; null = we have no price. */
  oursUsd: number | null;
  /** (gateway − ours) / ours, in percent; null when ours is missing or zero. */
  differencePercent: number | null;
  disagrees: boolean;
}

export function compareGatewayCost(reported: ReportedCost | undefined, ours: number | null | undefined): GatewayCostComparison | null {
  if (!reported) return null;
  const oursUsd = ours ?? null;
  if (oursUsd === null) return { ...reported, oursUsd, differencePercent: null, disagrees: false };
  if (oursUsd === 0) return { ...reported, oursUsd, differencePercent: null, disagrees: reported.usd !== 0 };
  const relative = (reported.usd - oursUsd) / oursUsd;
  return {
    ...reported,
    oursUsd,
    differencePercent: Math.round(relative * 1000) / 10,
    disagrees: Math.abs(relative) > GATEWAY_COST_TOLERANCE,
  };
}

/** `gateway $0.00012 (usage.cost) vs ours $0.000118: 1.7 % apart ⚠` */
export function describeGatewayCost(c: GatewayCostComparison): string {
  const ours = c.oursUsd === null ? 'ours: no price' : `ours ${formatUsd(c.oursUsd)}`;
  const apart = c.differencePercent === null ? '' : `: ${c.differencePercent > 0 ? '+' : ''}${c.differencePercent.toFixed(1)} %`;
  return `gateway ${formatUsd(c.usd)} (${c.source}) vs ${ours}${apart}${c.disagrees ? ' — they disagree by more than 1 %' : ''}`;
}
