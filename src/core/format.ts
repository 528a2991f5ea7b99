// Number formatting shared by the CLI, the hover/CodeLens/status bar and the webview.

/** `$0.000524`, `$0.0031`, `$1.25`: significant digits for small sums, cents for large. No price → "no price". */
export function formatUsd(usd: number | null | undefined, significant = 3): string {
  if (usd === null || usd === undefined || Number.isNaN(usd)) return 'no price';
  if (usd === 0) return '$0';
  if (Math.abs(usd) >= 100) return `$${usd.toFixed(0)}`;
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  // toFixed, not toPrecision: toPrecision switches to exponent notation below 1e-6.
  const decimals = Math.min(20, Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(usd)))));
  return `$${usd.toFixed(decimals).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '')}`;
}

/** `1,234` */
export function formatInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `850 ms`, `1.24 s` */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** Token count with an "≈" when it is an estimate. */
export function formatTokens(n: number, estimated: boolean): string {
  return `${estimated ? '≈ ' : ''}${formatInt(n)}`;
}

/** The first line of a (possibly multi-line) message, whitespace collapsed and cut to `max` characters. */
export function firstLine(text: string, max = 160): string {
  const line = (text.split(/\r?\n/).find((l) => l.trim()) ?? '').replace(/\s+/g, ' ').trim();
  const more = line.length > max || text.trim() !== line;
  return line.length > max ? `${line.slice(0, max - 1)}…` : more ? `${line} …` : line;
}

/** "truncated at N tokens" for an answer the max-tokens cap cut; null otherwise. */
export function truncationNote(r: { finishReason: string | null; usage: { outputTokens: number; estimated: boolean } }): string | null {
  return r.finishReason === 'length' ? `truncated at ${r.usage.estimated ? '≈ ' : ''}${formatInt(r.usage.outputTokens)} tokens` : null;
}

/** A cost, with ≈ when it was computed from token counts we estimated. */
export function formatCost(usd: number | null | undefined, estimated: boolean): string {
  const text = formatUsd(usd);
  return estimated && usd !== null && usd !== undefined ? `≈ ${text}` : text;
}

/** A call's waits beyond the model, for logs and the panel: "queued 1.20 s · retry waits 2.00 s (2 attempts)", a cache read, or '' when none. */
export function waitsSummary(r: { queuedMs: number; retryWaitMs: number; attempts: number; cacheReadMs: number | null }): string {
  if (r.cacheReadMs !== null) return `read from the answer cache in ${formatMs(r.cacheReadMs)}`;
  const parts: string[] = [];
  if (r.queuedMs >= 1) parts.push(`queued ${formatMs(r.queuedMs)}`);
  if (r.attempts > 1) parts.push(`retry waits ${formatMs(r.retryWaitMs)} (${r.attempts} attempts)`);
  return parts.join(' · ');
}
