// Token counting rules of the fake server. These are the rules the project's own counter is
// checked against, so they are spelled out exactly (see README.md, "Token counts").
import * as o200k from 'gpt-tokenizer/encoding/o200k_base';
import * as cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import o200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import cl100kRanks from 'gpt-tokenizer/bpeRanks/cl100k_base';

export type EncodingName = 'o200k_base' | 'cl100k_base';

const NO_SPECIAL = { disallowedSpecial: new Set<string>() };

/** Tokens of `text`; special-token strings such as `<|endoftext|>` count as plain text. */
export function encodeText(text: string, encoding: EncodingName = 'o200k_base'): number[] {
  if (!text) return [];
  return encoding === 'cl100k_base' ? cl100k.encode(text, NO_SPECIAL) : o200k.encode(text, NO_SPECIAL);
}

export function countText(text: string, encoding: EncodingName = 'o200k_base'): number {
  return encodeText(text, encoding).length;
}

export function decodeTokens(tokens: number[], encoding: EncodingName = 'o200k_base'): string {
  return encoding === 'cl100k_base' ? cl100k.decode(tokens) : o200k.decode(tokens);
}

/**
 * The UTF-8 byte length of each token (a token may hold part of a character): the rank tables
 * give every token's bytes, as a string when they are valid UTF-8, else as the byte values.
 */
export function tokenByteLengths(tokens: number[], encoding: EncodingName = 'o200k_base'): number[] {
  const ranks = encoding === 'cl100k_base' ? cl100kRanks : o200kRanks;
  return tokens.map((t) => {
    const bytes = ranks[t];
    if (bytes === undefined) return Buffer.byteLength(decodeTokens([t], encoding)); // a special token
    return typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.length;
  });
}

/** cl100k_base for `gpt-4`, `gpt-4-*` and `gpt-3.5*` (optionally `ft:`-prefixed); o200k_base otherwise. */
export function openaiEncodingFor(model: string): EncodingName {
  const m = model.replace(/^ft:/, '');
  return /^(gpt-3\.5|gpt-4(-|$))/.test(m) ? 'cl100k_base' : 'o200k_base';
}

// ---------------------------------------------------------------------------------------------
// OpenAI Chat Completions prompt
// ---------------------------------------------------------------------------------------------

/** OpenAI message framing: <|im_start|>{role}<|im_sep|>{content}<|im_end|> = 3 + role + content. */
export const OPENAI_TOKENS_PER_MESSAGE = 3;
/** Extra tokens when a message has a `name`. */
export const OPENAI_TOKENS_PER_NAME = 1;
/** Every reply is primed with <|im_start|>assistant<|im_sep|>. */
export const OPENAI_REPLY_PRIMING = 3;

// Markers standing for framing tokens in the prefix sequence used by the cache simulation.
const M_START = -1;
const M_SEP = -2;
const M_END = -3;
const M_NAME = -4;
const M_PRIME = -5;

/** The text of an OpenAI message `content`: a string, or the concatenated `text` of its parts. */
export function openaiContentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p) => (p && typeof p === 'object' && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : ''))
      .join('');
  }
  return '';
}

/**
 * The prompt as a token sequence (framing tokens are negative markers). Its length is
 * `prompt_tokens`:
 *
 *   tools?  enc(JSON.stringify(tools))                 (only when `tools` is a non-empty array)
 *   + Σ messages [ 3 + enc(role) + enc(content text)
 *                  + (name ? 1 + enc(name) : 0)
 *                  + (tool_calls ? enc(JSON.stringify(tool_calls)) : 0) ]
 *   + 3
 */
export function openaiPromptSequence(body: { messages?: unknown; tools?: unknown }, encoding: EncodingName): number[] {
  const seq: number[] = [];
  const push = (arr: number[]): void => {
    for (const t of arr) seq.push(t);
  };
  if (Array.isArray(body.tools) && body.tools.length > 0) push(encodeText(JSON.stringify(body.tools), encoding));
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const raw of messages) {
    const m = (raw ?? {}) as { role?: unknown; content?: unknown; name?: unknown; tool_calls?: unknown };
    seq.push(M_START);
    push(encodeText(String(m.role ?? ''), encoding));
    seq.push(M_SEP);
    push(encodeText(openaiContentText(m.content), encoding));
    if (typeof m.name === 'string' && m.name) {
      seq.push(M_NAME);
      push(encodeText(m.name, encoding));
    }
    if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) push(encodeText(JSON.stringify(m.tool_calls), encoding));
    seq.push(M_END);
  }
  seq.push(M_PRIME, M_PRIME, M_PRIME);
  return seq;
}

/** `prompt_tokens` as the fake (and OpenAI) computes it. */
export function countOpenAIPrompt(body: { messages?: unknown; tools?: unknown }, model: string, encoding?: EncodingName): number {
  return openaiPromptSequence(body, encoding ?? openaiEncodingFor(model)).length;
}

// ---------------------------------------------------------------------------------------------
// Anthropic Messages prompt (declared deterministic approximation, o200k_base)
// ---------------------------------------------------------------------------------------------

/** Fixed tokens per request (counted first, so they belong to every cached prefix). */
export const CLAUDE_REQUEST_OVERHEAD = 3;
/** Fixed tokens before the system blocks, when there is a non-empty system prompt. */
export const CLAUDE_SYSTEM_OVERHEAD = 3;
/** Fixed tokens before each message's blocks. */
export const CLAUDE_TOKENS_PER_MESSAGE = 3;

export type CacheTtl = '5m' | '1h';

/** One cacheable unit of the Claude prompt, in prompt order (tools, system, messages). */
export interface ClaudeSegment {
  /** Tokens of the segment, framing included. */
  tokens: number;
  /** Canonical text of the segment (used to hash prefixes). */
  canon: string;
  /** Set when the block carries `cache_control` (or gets the top-level one). */
  breakpoint?: CacheTtl;
  /** True for the last block of a message or of the system prompt, or a tool definition. */
  cacheable: boolean;
}

function stripCacheControl(block: Record<string, unknown>): Record<string, unknown> {
  const { cache_control: _cc, ...rest } = block;
  return rest;
}

function ttlOf(cc: unknown): CacheTtl | undefined {
  if (!cc || typeof cc !== 'object') return undefined;
  return (cc as { ttl?: unknown }).ttl === '1h' ? '1h' : '5m';
}

/** Token count of one Claude content block (o200k_base). */
export function claudeBlockTokens(block: unknown): number {
  if (typeof block === 'string') return countText(block);
  if (!block || typeof block !== 'object') return 0;
  const b = block as Record<string, unknown>;
  switch (b.type) {
    case 'text':
      return countText(typeof b.text === 'string' ? b.text : '');
    case 'thinking':
      return countText(typeof b.thinking === 'string' ? b.thinking : '');
    case 'redacted_thinking':
      return countText(typeof b.data === 'string' ? b.data : '');
    case 'tool_use':
      return countText(JSON.stringify({ name: b.name, input: b.input }));
    case 'tool_result': {
      const c = b.content;
      if (typeof c === 'string') return countText(c);
      if (Array.isArray(c)) return c.reduce((n: number, x) => n + claudeBlockTokens(x), 0);
      return 0;
    }
    default:
      return countText(JSON.stringify(stripCacheControl(b)));
  }
}

/**
 * The Claude prompt split into segments:
 *   [request overhead 3]
 *   + each tool: enc(JSON.stringify({name, description, input_schema}))
 *   + system (if non-empty): 3 + Σ blocks (a string system is one text block)
 *   + each message: 3 + Σ blocks (a string content is one text block)
 * Block tokens: text → enc(text); thinking → enc(thinking); tool_use → enc(JSON.stringify({name,input}));
 * tool_result → enc(string content) or Σ of its blocks; anything else → enc(JSON.stringify(block
 * without cache_control)). The framing tokens are attached to the first segment that follows them.
 */
export function claudeSegments(body: { system?: unknown; messages?: unknown; tools?: unknown; cache_control?: unknown }): ClaudeSegment[] {
  const segs: ClaudeSegment[] = [];
  let pending = CLAUDE_REQUEST_OVERHEAD;
  let pendingCanon = 'req|';
  const add = (tokens: number, canon: string, cc: unknown, cacheable: boolean): void => {
    segs.push({ tokens: tokens + pending, canon: pendingCanon + canon, breakpoint: ttlOf(cc), cacheable });
    pending = 0;
    pendingCanon = '';
  };
  if (Array.isArray(body.tools)) {
    for (const t of body.tools as Record<string, unknown>[]) {
      const def = { name: t?.name, description: t?.description, input_schema: t?.input_schema };
      add(countText(JSON.stringify(def)), 'tool|' + JSON.stringify(stripCacheControl(t ?? {})), t?.cache_control, true);
    }
  }
  const system = body.system;
  const sysBlocks: unknown[] = typeof system === 'string' ? (system ? [{ type: 'text', text: system }] : []) : Array.isArray(system) ? system : [];
  if (sysBlocks.length > 0) {
    pending += CLAUDE_SYSTEM_OVERHEAD;
    pendingCanon += 'system|';
    sysBlocks.forEach((b, i) => {
      const o = (b ?? {}) as Record<string, unknown>;
      add(claudeBlockTokens(b), JSON.stringify(stripCacheControl(o)), o.cache_control, i === sysBlocks.length - 1);
    });
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const raw of messages) {
    const m = (raw ?? {}) as { role?: unknown; content?: unknown };
    const blocks: unknown[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : Array.isArray(m.content) ? m.content : [];
    pending += CLAUDE_TOKENS_PER_MESSAGE;
    pendingCanon += `msg:${String(m.role)}|`;
    if (blocks.length === 0) {
      add(0, '', undefined, true);
      continue;
    }
    blocks.forEach((b, i) => {
      const o = (b ?? {}) as Record<string, unknown>;
      add(claudeBlockTokens(b), JSON.stringify(stripCacheControl(o)), o.cache_control, i === blocks.length - 1);
    });
  }
  if (pending > 0) add(0, '', undefined, false); // only when there is nothing else (no blocks at all)
  // Request-level cache_control: marks the last cacheable segment.
  const top = ttlOf(body.cache_control);
  if (top) {
    for (let i = segs.length - 1; i >= 0; i--) {
      if (segs[i].cacheable) {
        segs[i].breakpoint = segs[i].breakpoint ?? top;
        break;
      }
    }
  }
  return segs;
}

/** Total Claude prompt tokens (= count_tokens = input + cache_creation + cache_read). */
export function countClaudePrompt(body: { system?: unknown; messages?: unknown; tools?: unknown }): number {
  return claudeSegments(body).reduce((n, s) => n + s.tokens, 0);
}

/** Claude output tokens: o200k_base count of the reply text. */
export function countClaudeOutput(text: string): number {
  return countText(text, 'o200k_base');
}
