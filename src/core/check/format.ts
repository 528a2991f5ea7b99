// How a check's figures read: signed changes ("+120 tok · +$0.18/call · +$540/month"), the
// monthly figure, and one breach line. Shared by the CLI and the editor so both say the same.
import { formatInt, formatUsd } from '../format';
import type { ModelChange, ModelFigures } from './types';

/** `+1,234`, `-56`, `±0`. */
export function signedInt(n: number): string {
  return `${n > 0 ? '+' : n < 0 ? '-' : '±'}${formatInt(Math.abs(n))}`;
}

/** `+$0.18`, `-$0.0031`, `±$0`; null → "no price". */
export function signedUsd(usd: number | null): string {
  if (usd === null) return 'no price';
  return `${usd > 0 ? '+' : usd < 0 ? '-' : '±'}${formatUsd(Math.abs(usd))}`;
}

/** `+12.5%`; null → "". */
export function signedPercent(p: number | null): string {
  if (p === null) return '';
  return `${p > 0 ? '+' : p < 0 ? '-' : '±'}${Math.abs(p).toFixed(1)}%`;
}

/** `$540/month`, or what is missing. */
export function monthlyText(f: Pick<ModelFigures, 'monthlyCost' | 'costPerCall'>): string {
  if (f.costPerCall === null) return 'no price';
  if (f.monthlyCost === null) return 'no traffic';
  return `${formatUsd(f.monthlyCost)}/month`;
}

/**
 * The change of one prompt on one model against a base named `against` (`HEAD`, `origin/main`):
 * "+120 tok · +$0.18/call · +$540/month vs HEAD", "new vs HEAD", "deleted vs HEAD"; undefined when
 * unchanged.
 */
export function changeLine(change: ModelChange, against: string): string | undefined {
  if (change.status === 'unchanged') return undefined;
  if (change.status === 'new') return `new vs ${against}`;
  if (change.status === 'deleted') return `deleted vs ${against}`;
  // A figure that cannot be known (no price, no traffic) is left out, not shown as "no price/call".
  const parts = [`${signedInt(change.deltaTokens)} tok`];
  if (change.deltaCostPerCall !== null) parts.push(`${signedUsd(change.deltaCostPerCall)}/call`);
  if (change.deltaMonthly !== null) parts.push(`${signedUsd(change.deltaMonthly)}/month`);
  return `${parts.join(' · ')} vs ${against}`;
}
