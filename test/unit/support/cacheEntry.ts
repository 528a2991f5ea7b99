// An answer-cache entry with fixed figures, for the file and Redis store tests.
import type { AnswerCacheEntry } from '../../../src/core/cache';

export function makeEntry(key: string, createdAt: number, output = 'answer'): AnswerCacheEntry {
  return {
    key,
    model: 'openai:gpt-4o-mini',
    createdAt,
    output,
    usage: {
      inputTokens: 12,
      outputTokens: 3,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    },
    finishReason: 'stop',
    ttftMs: 120,
    latencyMs: 450,
  };
}
