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

/** A call's waits beyond the model, for logs and the panel: "queued 1.20 s · retry waits 2.00 s (2 attempts)", a cache read, or '' when none. */
export function waitsSummary(r: { queuedMs: number; retryWaitMs: number; attempts: number; cacheReadMs: number | null }): string {
  if (r.cacheReadMs !== null) return `read from the answer cache in ${formatMs(r.cacheReadMs)}`;
  const parts: string[] = [];
  if (r.queuedMs >= 1) parts.push(`queued ${formatMs(r.queuedMs)}`);
  if (r.attempts > 1) parts.push(`retry waits ${formatMs(r.retryWaitMs)} (${r.attempts} attempts)`);
  return parts.join(' · ');
}
