// Prompt-cache simulations for both vendors.
import { createHash } from 'node:crypto';
import type { CacheTtl, ClaudeSegment } from './tokens';

function intsToBuffer(arr: number[]): Buffer {
  return Buffer.from(Int32Array.from(arr).buffer);
}

/**
 * OpenAI automatic prompt caching. Prefixes of `min` tokens, then `min + 128k` tokens, are
 * remembered per scope (API key + model). A request's `cached_tokens` is the longest remembered
 * prefix of its prompt; afterwards all of its prefixes are remembered. No TTL (reset() clears).
 */
export class OpenAIPromptCache {
  static readonly STEP = 128;
  private readonly seen = new Map<string, Set<string>>();

  /** Returns cached_tokens and records the prompt's prefixes. */
  use(scope: string, seq: number[], min: number, opts: { forceMiss?: boolean } = {}): number {
    if (seq.length < min) return 0;
    let set = this.seen.get(scope);
    if (!set) {
      set = new Set();
      this.seen.set(scope, set);
    }
    let cached = 0;
    let prev = '';
    let start = 0;
    const hashes: string[] = [];
    for (let end = min; end <= seq.length; end += OpenAIPromptCache.STEP) {
      prev = createHash('sha256').update(prev).update(intsToBuffer(seq.slice(start, end))).digest('hex');
      start = end;
      hashes.push(prev);
      if (!opts.forceMiss && set.has(prev)) cached = end;
    }
    for (const h of hashes) set.add(h);
    return cached;
  }

  clear(): void {
    this.seen.clear();
  }
}

export const TTL_MS: Record<CacheTtl, number> = { '5m': 5 * 60_000, '1h': 60 * 60_000 };

export interface ClaudeCacheResult {
  read: number;
  write5m: number;
  write1h: number;
  /** Total prompt tokens. */
  total: number;
  /** Uncached input tokens: total − read − write5m − write1h. */
  input: number;
}

/**
 * Anthropic prompt caching, per the doc: hash the canonical prefix up to each breakpoint, keyed
 * by (API key, model). The longest live prefix is a read (and its TTL restarts); the breakpoints
 * after it are written, the tokens between two breakpoints taking the TTL of the later one.
 * Breakpoints whose prefix is below `min` tokens are ignored.
 */
export class ClaudePromptCache {
  private readonly entries = new Map<string, number>(); // key -> expiresAt (ms)

  use(scope: string, segs: ClaudeSegment[], min: number, now: number, opts: { forceMiss?: boolean } = {}): ClaudeCacheResult {
    const total = segs.reduce((n, s) => n + s.tokens, 0);
    const bps: { tokens: number; key: string; ttl: CacheTtl }[] = [];
    let tokens = 0;
    let hash = '';
    for (const s of segs) {
      tokens += s.tokens;
      hash = createHash('sha256').update(hash).update(s.canon).digest('hex');
      if (s.breakpoint && tokens >= min) bps.push({ tokens, key: `${scope}\n${hash}`, ttl: s.breakpoint });
    }
    let readIdx = -1;
    if (!opts.forceMiss) {
      for (let i = bps.length - 1; i >= 0; i--) {
        const exp = this.entries.get(bps[i].key);
        if (exp !== undefined && exp > now) {
          readIdx = i;
          break;
        }
      }
    }
    const read = readIdx >= 0 ? bps[readIdx].tokens : 0;
    if (readIdx >= 0) this.entries.set(bps[readIdx].key, now + TTL_MS[bps[readIdx].ttl]);
    let write5m = 0;
    let write1h = 0;
    let prev = read;
    for (let i = readIdx + 1; i < bps.length; i++) {
      const seg = Math.max(0, bps[i].tokens - prev);
      if (bps[i].ttl === '1h') write1h += seg;
      else write5m += seg;
      prev = Math.max(prev, bps[i].tokens);
      this.entries.set(bps[i].key, now + TTL_MS[bps[i].ttl]);
    }
    return { read, write5m, write1h, total, input: total - read - write5m - write1h };
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Documented minimum cacheable prompt lengths for Claude models (kept as data). */
export const CLAUDE_MIN_CACHE_TOKENS: [RegExp, number][] = [
  [/claude-opus-4-[56]/, 4096],
  [/claude-haiku-4-5/, 4096],
  [/claude-opus-4-7/, 2048],
  [/claude-3-haiku|claude-3-5-haiku|claude-haiku-3/, 2048],
  [/claude-opus-5|fable-5/, 512],
  [/claude-(sonnet|opus)-[45]/, 1024],
];

export function claudeMinCacheTokens(model: string): number {
  for (const [re, n] of CLAUDE_MIN_CACHE_TOKENS) if (re.test(model)) return n;
  return 1024;
}
