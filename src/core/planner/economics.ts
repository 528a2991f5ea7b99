// Does prompt caching pay, and with which TTL? From the model's real prices: a cache write costs a
// premium over plain input (Anthropic 1.25× for 5 minutes, 2× for an hour), a cache read is a
// fraction of it (Anthropic 0.1×, OpenAI about 0.5×). Only the cached prefix is concerned: the
// variable part and the output cost the same either way.
import type { EffectiveRates } from '../pricing';

export type CacheTtl = '5m' | '1h';

/** OpenAI keeps an automatic cache entry for at least this long without use (5–10 minutes, up to an hour off-peak). */
export const OPENAI_CACHE_RETENTION_MINUTES = 5;
export const TTL_MINUTES: Readonly<Record<CacheTtl, number>> = { '5m': 5, '1h': 60 };

export interface TtlEconomics {
  /** `auto` = OpenAI's automatic caching (no choice of TTL, no write premium unless priced). */
  ttl: CacheTtl | 'auto';
  ttlMinutes: number;
  /** USD per million tokens. */
  rates: { input: number; cacheRead: number; cacheWrite: number };
  /**
   * (write − read) / (input − read): the number of calls within one TTL at which caching costs
   * exactly as much as not caching. null when a read is not cheaper than input (never pays).
   */
  breakEvenCalls: number | null;
  /** The fewest calls within one TTL that cost strictly less with caching. */
  callsToSave: number | null;
  /** N calls in one hour, evenly spaced, starting with a cold cache. USD for the prefix only. */
  perHour: { calls: number; writes: number; reads: number; uncached: number; cached: number; saving: number };
}

export interface CacheEconomics {
  callsPerHour: number;
  /** Minutes between two calls at that rate. */
  intervalMinutes: number;
  prefixTokens: number;
  options: TtlEconomics[];
  /** The option that saves the most at this rate; `none` when caching would cost more (or cannot happen). */
  recommended: CacheTtl | 'auto' | 'none';
  reason: string;
}

function usd(x: number): number {
  return Math.round(x * 1e12) / 1e12;
}

/** Break-even and savings of one TTL option. */
export function ttlEconomics(
  ttl: CacheTtl | 'auto',
  ttlMinutes: number,
  rates: { input: number; cacheRead: number; cacheWrite: number },
  prefixTokens: number,
  callsPerHour: number,
): TtlEconomics {
  const { input, cacheRead, cacheWrite } = rates;
  const gain = input - cacheRead;
  const breakEvenCalls = gain > 0 ? (cacheWrite - cacheRead) / gain : null;
  // Strictly cheaper: n·input > write + (n − 1)·read  ⇔  n > breakEven.
  const callsToSave = breakEvenCalls === null ? null : Math.max(1, Math.floor(breakEvenCalls + 1e-9) + 1);
  const n = Math.max(0, callsPerHour);
  const interval = n > 0 ? 60 / n : Infinity;
  // Evenly spaced calls: each read restarts the TTL, so a cache that survives one gap survives all.
  const writes = interval <= ttlMinutes ? Math.min(n, 1) : n;
  const reads = n - writes;
  const mtok = prefixTokens / 1e6;
  const uncached = usd(n * input * mtok);
  const cached = usd((writes * cacheWrite + reads * cacheRead) * mtok);
  return {
    ttl,
    ttlMinutes,
    rates: { input, cacheRead, cacheWrite },
    breakEvenCalls,
    callsToSave,
    perHour: { calls: n, writes, reads, uncached, cached, saving: usd(uncached - cached) },
  };
}

function minutes(m: number): string {
  if (!Number.isFinite(m)) return 'never';
  return m >= 60 ? `${+(m / 60).toFixed(1)} h` : `${+m.toFixed(1)} min`;
}

/**
 * The economics of caching `prefixTokens` at `callsPerHour`. Anthropic: 5-minute and 1-hour
 * TTLs; OpenAI: automatic caching only.
 */
export function cacheEconomics(vendor: 'openai' | 'anthropic', rates: EffectiveRates, prefixTokens: number, callsPerHour: number): CacheEconomics {
  const options =
    vendor === 'anthropic'
      ? [
          ttlEconomics('5m', TTL_MINUTES['5m'], { input: rates.input, cacheRead: rates.cacheRead, cacheWrite: rates.cacheWrite5m }, prefixTokens, callsPerHour),
          ttlEconomics('1h', TTL_MINUTES['1h'], { input: rates.input, cacheRead: rates.cacheRead, cacheWrite: rates.cacheWrite1h }, prefixTokens, callsPerHour),
        ]
      : [ttlEconomics('auto', OPENAI_CACHE_RETENTION_MINUTES, { input: rates.input, cacheRead: rates.cacheRead, cacheWrite: rates.cacheWrite5m }, prefixTokens, callsPerHour)];
  const interval = callsPerHour > 0 ? 60 / callsPerHour : Infinity;
  let best: TtlEconomics | undefined;
  for (const o of options) if (o.perHour.saving > 0 && (!best || o.perHour.saving > best.perHour.saving)) best = o;
  let reason: string;
  if (best) {
    const other = options.find((o) => o !== best);
    reason =
      `At ${callsPerHour} calls per hour (one every ${minutes(interval)}), ${best.ttl === 'auto' ? 'automatic caching' : `a ${best.ttl} TTL`} saves the most` +
      (other ? ` (${other.ttl}: ${other.perHour.saving > 0 ? 'saves less' : 'costs more than no caching'})` : '') +
      '.';
  } else if (callsPerHour <= 0) {
    reason = 'No calls: nothing to save.';
  } else if (options.every((o) => o.breakEvenCalls === null)) {
    reason = 'A cache read costs as much as plain input for this model: caching cannot save anything.';
  } else {
    reason = `At ${callsPerHour} calls per hour (one every ${minutes(interval)}) the cache expires between calls: every call would pay for a write.`;
  }
  return { callsPerHour, intervalMinutes: interval, prefixTokens, options, recommended: best ? best.ttl : 'none', reason };
}
