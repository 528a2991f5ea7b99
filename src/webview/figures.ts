// The words a few figures are shown in, shared by the answer columns, the Decide section and the
// comparison table (and its exports, which the host builds: no DOM here).
import { formatInt } from '../core/format';
import type { QualityFigure } from './protocol';

/** `87.4`, `121` (no decimal from 100 up), `≈ 40` for a live estimate (no decimal: it must fit a narrow column). */
export function rateFigure(perSec: number, estimated = false): string {
  if (estimated) return `≈ ${formatInt(perSec)}`;
  return perSec >= 100 ? formatInt(perSec) : perSec.toFixed(1);
}

/** `0.92 (judge, n=3)`; a prior has no n. */
export function qualityFigure(q: QualityFigure): string {
  return `${q.value.toFixed(2)} (${q.source}${q.source === 'prior' ? '' : `, n=${q.n}`})`;
}
