// The answer-cache hit rate measured in the call history, for Decide's "answer cache" option:
// cache hits / calls over a recent window (the dashboard's definition), and whether the window
// holds enough calls to be a measurement rather than an anecdote.
import { toMs, type DateLike } from './dates';
import type { HistoryRecord } from './types';

/** Only recent calls count: traffic and the cache's contents change. */
export const HIT_RATE_WINDOW_DAYS = 30;
/** Below this many calls in the window the history says too little; the setting is used instead. */
export const HIT_RATE_MIN_CALLS = 20;

export interface MeasuredHitRate {
  /** hits / calls, 0–1. */
  rate: number;
  hits: number;
  calls: number;
  /** Start of the window (ISO). */
  since: string;
  /** At least `minCalls` calls in the window: the rate may stand in for the setting. */
  enough: boolean;
}

export interface HitRateOptions {
  now?: DateLike;
  windowDays?: number;
  minCalls?: number;
}

/** The window's start for `now`: the records to read. */
export function hitRateSince(options: HitRateOptions = {}): Date {
  return new Date(toMs(options.now ?? Date.now()) - (options.windowDays ?? HIT_RATE_WINDOW_DAYS) * 86_400_000);
}

/** Hits and calls of the records in [now − window, now] (a record's time is when its call finished). */
export function measureHitRate(records: readonly Pick<HistoryRecord, 'time' | 'cacheHit'>[], options: HitRateOptions = {}): MeasuredHitRate {
  const since = hitRateSince(options);
  const from = since.getTime();
  const until = toMs(options.now ?? Date.now());
  let calls = 0;
  let hits = 0;
  for (const r of records) {
    const t = Date.parse(r.time);
    if (!(t >= from && t <= until)) continue;
    calls++;
    if (r.cacheHit) hits++;
  }
  return { rate: calls ? hits / calls : 0, hits, calls, since: since.toISOString(), enough: calls >= (options.minCalls ?? HIT_RATE_MIN_CALLS) };
}
