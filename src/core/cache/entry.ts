// The stored answer. The cost is NOT stored: prices change, so it is recomputed from `usage`.

import type { FinishReason, Usage } from '../types';
import { isCacheKey } from './key';

export interface AnswerCacheEntry {
  key: string;
  /** `provider:model`, e.g. `openai:gpt-4o-mini`. */
  model: string;
  /** When the answer was produced (ms since epoch, from the cache's clock). */
  createdAt: number;
  output: string;
  usage: Usage;
  finishReason: FinishReason;
  /** Time to first token in ms; `null` when no text arrived. */
  ttftMs: number | null;
  latencyMs: number;
}

const FINISH_REASONS: ReadonlySet<string> = new Set<FinishReason>([
  'stop',
  'length',
  'content_filter',
  'tool_calls',
  'other',
]);

const USAGE_NUMBERS = [
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'reasoningTokens',
] as const;

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Why `value` is not a valid entry, or `undefined` when it is. */
export function entryProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not an object';
  const e = value as Record<string, unknown>;
  if (!isCacheKey(e.key)) return 'bad key';
  if (typeof e.model !== 'string') return 'bad model';
  if (!isFiniteNumber(e.createdAt)) return 'bad createdAt';
  if (typeof e.output !== 'string') return 'bad output';
  if (typeof e.finishReason !== 'string' || !FINISH_REASONS.has(e.finishReason)) return 'bad finishReason';
  if (!(e.ttftMs === null || isFiniteNumber(e.ttftMs))) return 'bad ttftMs';
  if (!isFiniteNumber(e.latencyMs)) return 'bad latencyMs';
  const u = e.usage;
  if (u === null || typeof u !== 'object' || Array.isArray(u)) return 'bad usage';
  const usage = u as Record<string, unknown>;
  for (const f of USAGE_NUMBERS) if (!isFiniteNumber(usage[f])) return `bad usage.${f}`;
  if (typeof usage.estimated !== 'boolean') return 'bad usage.estimated';
  return undefined;
}

/**
 * A copy holding only the known fields (anything extra, e.g. an API key slipped in through a
 * cast, is dropped). Throws a TypeError for an invalid entry: that is a programming error.
 */
export function sanitizeEntry(entry: AnswerCacheEntry): AnswerCacheEntry {
  const problem = entryProblem(entry);
  if (problem) throw new TypeError(`Invalid answer-cache entry: ${problem}`);
  const u = entry.usage;
  return {
    key: entry.key,
    model: entry.model,
    createdAt: entry.createdAt,
    output: entry.output,
    usage: {
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      cacheReadTokens: u.cacheReadTokens,
      cacheWriteTokens: u.cacheWriteTokens,
      cacheWrite1hTokens: u.cacheWrite1hTokens,
      reasoningTokens: u.reasoningTokens,
      estimated: u.estimated,
    },
    finishReason: entry.finishReason,
    ttftMs: entry.ttftMs,
    latencyMs: entry.latencyMs,
  };
}

/** The exact text persisted for an entry (sanitized, compact JSON, UTF-8). */
export function serializeEntry(entry: AnswerCacheEntry): string {
  return JSON.stringify(sanitizeEntry(entry));
}

export type ParseResult = { ok: true; entry: AnswerCacheEntry } | { ok: false; reason: string };

/** Parses stored text; checks the shape and that the stored key is the one asked for. */
export function parseEntry(text: string, expectedKey: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `bad JSON: ${(err as Error).message}` };
  }
  const problem = entryProblem(value);
  if (problem) return { ok: false, reason: `wrong shape: ${problem}` };
  const entry = value as AnswerCacheEntry;
  if (entry.key !== expectedKey) return { ok: false, reason: 'key mismatch' };
  return { ok: true, entry: sanitizeEntry(entry) };
}
