// The prompt-cache planner: for a prompt or a template, what a provider's prompt cache can reuse
// from one call to the next, what spoils it, where Anthropic's `cache_control` goes, which TTL,
// and whether it pays.
//
// - Stable prefix: the system prompt and everything before the first {{variable}}, in the order
//   the provider reads the prompt (system, then the messages). What follows it is the variable part.
// - OpenAI caches automatically, token by token: prefixes of 1,024 tokens and then every 128 more.
//   The prefix is counted exactly (chat framing included) and no breakpoint is needed.
// - Anthropic caches whole content blocks up to a `cache_control` breakpoint (at most 4), once
//   the prefix reaches the model's minimum. A user message whose text starts static and then
//   has a {{variable}} is split into two blocks so that the static part can be cached. Counts
//   come from Anthropic's count_tokens when a counter is given (exact), else a labelled estimate.
import { compileTemplate, isVariable, renderParts, type CompiledTemplate, type TemplatePart } from '../prompt/template';
import type { PromptInput } from '../engine';
import { effectiveRates, minCacheableTokens, type PriceBook } from '../pricing';
import { chatTokens, framedMessages, isAnthropicModel, loadTokenizer, OPENAI_REPLY_PRIMING, OPENAI_TOKENS_PER_MESSAGE, type ModelTokenizer } from '../tokens';
import type { ChatMessage, ChatRequest, Role, TokenCount } from '../types';
import { parseModelId } from '../types';
import { cacheEconomics, type CacheEconomics, type CacheTtl } from './economics';

export type CacheVendor = 'openai' | 'anthropic' | 'other';

/** Anthropic accepts at most this many `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;
/** Static text after the first variable is reported once it reaches this many tokens. */
export const LOST_STATIC_MIN_TOKENS = 32;
/** OpenAI caches prefixes of 1,024 tokens, then in steps of 128. */
export const OPENAI_CACHE_STEP_TOKENS = 128;
export const DEFAULT_CALLS_PER_HOUR = 60;

/** A place in the template: the system prompt or a message (0-based, as in the template). */
export interface PromptLocation {
  block: 'system' | number;
  role: Role;
  /** Character offset in that block's text, {{variables}} counted as written. */
  offset: number;
}

export type CacheFindingKind =
  | 'variable_before_static'
  | 'volatile_text'
  | 'variable_in_system'
  | 'below_minimum'
  | 'not_worth_it'
  | 'no_caching';

export interface CacheFinding {
  kind: CacheFindingKind;
  severity: 'error' | 'warning' | 'info';
  message: string;
  at?: PromptLocation;
  /** The text concerned (a date, an id, `{{today}}`): lets an editor find it. */
  snippet?: string;
  /** About how many prompt tokens come before it. */
  tokenOffset?: number;
  /** Static tokens that cannot be cached because of it. */
  lostTokens?: number;
}

export interface CacheBreakpoint {
  /** The block that gets `cache_control`. */
  block: 'system' | number;
  /** Split the message before its first {{variable}}: `cache_control` goes on a first text block holding the static part. */
  splitBeforeVariable: boolean;
  /** Prompt tokens up to and including this breakpoint (what a hit reads). */
  tokens: number;
  ttl: CacheTtl;
  reason: string;
}

export interface CachePrediction {
  /** With a cold cache. */
  firstCall: { cacheReadTokens: number; cacheWriteTokens: number };
  /** Same prefix again within the TTL (different variable values). */
  repeatCall: { cacheReadTokens: number; cacheWriteTokens: number };
}

export interface CachePlan {
  modelId: string;
  vendor: CacheVendor;
  /** How the tokens were counted, e.g. `o200k_base`, `Anthropic count_tokens`, `≈ estimate (o200k_base ×1.1)`. */
  counting: { method: string; estimated: boolean };
  /** Below this a provider caches nothing (and says nothing); null when unknown. */
  minCacheableTokens: number | null;
  /** The prompt with the sample values. */
  totalTokens: number;
  stablePrefix: {
    tokens: number;
    /** `the system prompt and message 1 up to {{question}}`, … */
    description: string;
    /** Where the variable part starts (the first {{variable}}); null when the prompt has none. */
    end: PromptLocation | null;
    /** Its text, blocks separated by a blank line. */
    text: string;
    /** At least the model's minimum. */
    cacheable: boolean;
  };
  variablePart: { tokens: number; firstVariable: string | null; variables: string[] };
  /** OpenAI: caching is automatic (no breakpoints). */
  automatic: boolean;
  /** Anthropic `cache_control` placements, at most MAX_CACHE_BREAKPOINTS. */
  breakpoints: CacheBreakpoint[];
  prediction: CachePrediction;
  /** null when the model has no price or the prefix cannot be cached. */
  economics: CacheEconomics | null;
  /** TTL used for the breakpoints. */
  ttl: CacheTtl | 'auto' | null;
  findings: CacheFinding[];
}

export interface PlannerOptions {
  /** `provider:model`. */
  modelId: string;
  prices: PriceBook;
  /** For the savings per hour; default DEFAULT_CALLS_PER_HOUR. */
  callsPerHour?: number;
  /** Force a TTL for the breakpoints (default: the cheaper one at `callsPerHour`). */
  ttl?: CacheTtl;
  /** Values for the variables when counting the variable part (default: the front matter's samples). */
  samples?: Record<string, unknown>;
  /**
   * An exact prompt counter (e.g. `(r) => engine.countTokens(modelId, r, true)`: Anthropic's
   * count_tokens when a key is at hand). Used for Anthropic; OpenAI is counted exactly locally.
   */
  countTokens?: (request: ChatRequest) => Promise<TokenCount>;
  /** Override the vendor guessed from the model id (for a custom provider of type anthropic). */
  vendor?: CacheVendor;
}

interface Block {
  block: 'system' | number;
  role: Role;
  parts: TemplatePart[];
}

const VOLATILE: { what: string; re: RegExp }[] = [
  { what: 'timestamp', re: /\b\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g },
  { what: 'UUID', re: /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi },
  { what: 'date', re: /\b\d{4}-\d{2}-\d{2}\b/g },
  { what: 'date', re: /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/g },
  { what: 'date', re: /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}\b/gi },
  { what: 'date', re: /\b\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,? \d{4}\b/gi },
  { what: 'time of day', re: /\b(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d)?(?:\s?[ap]\.?m\b\.?)?/gi },
  { what: 'Unix timestamp', re: /\b1[5-9]\d{8}(?:\d{3})?\b/g },
  { what: 'id', re: /\b(?:request|session|trace|run|conversation|correlation|user|message|order)[ _-]?id\s*[:=#]\s*[\w-]{4,}/gi },
  { what: 'hex id', re: /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{16,}\b/gi },
];

/** Variable names that usually change on every call. */
const VOLATILE_NAME = /(^|[_.-])(now|today|date|time|timestamp|datetime|uuid|guid|nonce|id|session|request)([_.-]|$)/i;

function vendorOf(provider: string, model: string): CacheVendor {
  if (provider.toLowerCase() === 'openai') return 'openai';
  if (isAnthropicModel(model, provider)) return 'anthropic';
  return 'other';
}

function textOf(parts: TemplatePart[]): string {
  return parts.map((p) => (isVariable(p) ? `{{${p.variable}}}` : p.text)).join('');
}

function blocksOf(t: CompiledTemplate): Block[] {
  const blocks: Block[] = [];
  if (t.system && t.system.length) blocks.push({ block: 'system', role: 'system', parts: t.system });
  t.messages.forEach((m, i) => blocks.push({ block: i, role: m.role, parts: m.parts }));
  return blocks;
}

function ordinalBlock(b: Block): string {
  return b.block === 'system' ? 'the system prompt' : `${b.role} message ${b.block + 1}`;
}

/** Values for counting: the caller's samples, else the front matter's, else the literal `{{name}}`. */
export function sampleValues(t: CompiledTemplate, samples: Record<string, unknown> = {}): (name: string) => string {
  return (name) => {
    const v = samples[name];
    if (v !== undefined && v !== null) return typeof v === 'string' ? v : JSON.stringify(v);
    return t.defaults[name] ?? `{{${name}}}`;
  };
}

/** The first {{variable}} in provider order: its block index and the static text before it there. */
function firstVariable(blocks: Block[]): { index: number; head: string; name: string | null } {
  for (let i = 0; i < blocks.length; i++) {
    const k = blocks[i].parts.findIndex(isVariable);
    if (k >= 0) {
      const v = blocks[i].parts[k] as { variable: string };
      return { index: i, head: renderParts(blocks[i].parts.slice(0, k), () => ''), name: v.variable };
    }
  }
  return { index: blocks.length, head: '', name: null };
}

/** Splits text before its trailing whitespace (kept with the variable part, so no token is lost). */
function splitTrailingSpace(s: string): [string, string] {
  const m = /\s*$/.exec(s);
  const i = m ? m.index : s.length;
  return [s.slice(0, i), s.slice(i)];
}

/** Counts prompts and prefixes: exact where possible, else a labelled estimate. */
class Counter {
  exact: boolean;
  method: string;

  constructor(
    private readonly tok: ModelTokenizer,
    private readonly model: string,
    private readonly remote?: (request: ChatRequest) => Promise<TokenCount>,
  ) {
    this.exact = tok.exact;
    this.method = tok.spec.method;
  }

  private scale(raw: number): number {
    return this.tok.spec.factor === 1 ? raw : Math.ceil(raw * this.tok.spec.factor);
  }

  /** Local: the chat-framed count (OpenAI rule), without or with the reply priming. */
  local(request: Pick<ChatRequest, 'system' | 'messages'>, priming: boolean): number {
    return this.scale(chatTokens(this.tok.encoding, framedMessages(request)) - (priming ? 0 : OPENAI_REPLY_PRIMING));
  }

  text(s: string): number {
    return this.scale(this.tok.encoding.count(s));
  }

  /** OpenAI: a message's opening (start, role, separator) and the text after it, no end marker. */
  openMessage(role: Role, text: string): number {
    return this.scale(OPENAI_TOKENS_PER_MESSAGE - 1 + this.tok.encoding.count(role) + this.tok.encoding.count(text));
  }

  /** Exact remote count when every answer is exact; undefined otherwise (then all counts are local). */
  async remoteCount(request: Pick<ChatRequest, 'system' | 'messages'>): Promise<number | undefined> {
    if (!this.remote) return undefined;
    try {
      const c = await this.remote({ model: this.model, ...request });
      if (c.estimated) return undefined;
      this.method = c.method;
      return c.tokens;
    } catch {
      return undefined;
    }
  }

  /**
   * Anthropic prefix through the last block of `request`. A system-only prefix cannot be counted
   * directly (a request needs a message): it is derived from three counts,
   *   c(S,[x]) − c([x]) + R,  with the request overhead R = c([x]) − (c([x,a,x]) − c([x])) / 2.
   */
  async anthropicPrefix(request: Pick<ChatRequest, 'system' | 'messages'>): Promise<number | undefined> {
    if (request.messages.length > 0) return this.remoteCount(request);
    const x: ChatMessage = { role: 'user', content: 'x' };
    const a: ChatMessage = { role: 'assistant', content: 'x' };
    const [withSystem, one, three] = await Promise.all([
      this.remoteCount({ system: request.system, messages: [x] }),
      this.remoteCount({ messages: [x] }),
      this.remoteCount({ messages: [x, a, x] }),
    ]);
    if (withSystem === undefined || one === undefined || three === undefined || (three - one) % 2 !== 0) return undefined;
    return withSystem - one + (one - (three - one) / 2);
  }
}

interface Cut {
  /** Index in `blocks` of the last block included. */
  index: number;
  split: boolean;
  request: Pick<ChatRequest, 'system' | 'messages'>;
}

export async function planPromptCache(template: string | CompiledTemplate, options: PlannerOptions): Promise<CachePlan> {
  const t = typeof template === 'string' ? compileTemplate(template) : template;
  const { provider, model } = parseModelId(options.modelId);
  const vendor = options.vendor ?? vendorOf(provider, model);
  const callsPerHour = options.callsPerHour ?? DEFAULT_CALLS_PER_HOUR;
  const min = vendor === 'other' ? null : minCacheableTokens(options.modelId);
  const blocks = blocksOf(t);
  const first = firstVariable(blocks);
  const value = sampleValues(t, options.samples);
  const rendered = blocks.map((b) => renderParts(b.parts, value));
  const toRequestParts = (upTo: number, extra?: ChatMessage): Pick<ChatRequest, 'system' | 'messages'> => {
    const messages: ChatMessage[] = [];
    let system: string | undefined;
    for (let i = 0; i < upTo; i++) {
      const b = blocks[i];
      if (b.block === 'system') system = rendered[i];
      else messages.push({ role: b.role, content: rendered[i] });
    }
    if (extra) messages.push(extra);
    return { ...(system !== undefined ? { system } : {}), messages };
  };
  const full = toRequestParts(blocks.length);

  const tok = await loadTokenizer(model, provider);
  const counter = new Counter(tok, model, vendor === 'anthropic' ? options.countTokens : undefined);
  const [head] = splitTrailingSpace(first.head);
  const firstBlock = blocks[first.index] as Block | undefined;

  let totalTokens: number;
  let prefixTokens: number;
  let prefixText: string[];
  let description: string;
  let systemCut: { tokens: number } | undefined;
  let lastCut: (Cut & { tokens: number }) | undefined;

  if (vendor === 'anthropic') {
    // Block boundaries a breakpoint can follow, up to the first variable.
    const cuts: Cut[] = [];
    for (let i = 0; i < first.index; i++) cuts.push({ index: i, split: false, request: toRequestParts(i + 1) });
    if (firstBlock && firstBlock.block !== 'system' && head.trim() !== '') {
      cuts.push({ index: first.index, split: true, request: toRequestParts(first.index, { role: firstBlock.role, content: head }) });
    }
    const last = cuts.at(-1);
    const sys = blocks[0]?.block === 'system' && cuts[0]?.index === 0 && last !== cuts[0] ? cuts[0] : undefined;
    // Exact counts when every one is exact; otherwise all local, so that they stay comparable.
    const exact = options.countTokens
      ? await Promise.all([counter.remoteCount(full), last ? counter.anthropicPrefix(last.request) : 0, sys ? counter.anthropicPrefix(sys.request) : 0])
      : undefined;
    if (exact && exact.every((n) => n !== undefined)) {
      counter.exact = true;
      [totalTokens, prefixTokens] = exact as number[];
      if (sys) systemCut = { tokens: exact[2]! };
    } else {
      counter.exact = false;
      counter.method = tok.spec.method;
      totalTokens = counter.local(full, true);
      prefixTokens = last ? counter.local(last.request, false) : 0;
      if (sys) systemCut = { tokens: counter.local(sys.request, false) };
    }
    if (last) lastCut = { ...last, tokens: prefixTokens };
    const upTo = last ? (last.split ? last.index : last.index + 1) : 0;
    prefixText = [...rendered.slice(0, upTo), ...(last?.split ? [head] : [])];
    description = describe(blocks, upTo, last?.split ? first.name : null, first.name === null);
  } else {
    totalTokens = counter.local(full, true);
    if (first.name === null) {
      prefixTokens = totalTokens;
      prefixText = rendered;
    } else {
      const before = first.index > 0 ? counter.local(toRequestParts(first.index), false) : 0;
      prefixTokens = before + counter.openMessage(firstBlock!.role, head);
      prefixText = [...rendered.slice(0, first.index), ...(head ? [head] : [])];
    }
    description = describe(blocks, first.index, first.name !== null && head.trim() !== '' ? first.name : null, first.name === null);
  }

  const cacheable = min !== null && prefixTokens >= min;
  const price = options.prices.lookup(options.modelId);
  const economics =
    price && cacheable && vendor !== 'other' ? cacheEconomics(vendor, effectiveRates(price, totalTokens), prefixTokens, callsPerHour) : null;
  const ttl: CacheTtl | 'auto' | null =
    vendor === 'openai' ? 'auto' : vendor === 'anthropic' ? (options.ttl ?? (economics?.recommended === '1h' ? '1h' : '5m')) : null;

  // Breakpoints (Anthropic): the end of the stable prefix; also the end of the system prompt when
  // more static blocks follow it (the system prompt then stays cached when they change).
  const breakpoints: CacheBreakpoint[] = [];
  if (vendor === 'anthropic' && lastCut && cacheable && ttl !== 'auto' && ttl !== null) {
    if (systemCut && min !== null && systemCut.tokens >= min) {
      breakpoints.push({
        block: 'system',
        splitBeforeVariable: false,
        tokens: systemCut.tokens,
        ttl,
        reason: 'the end of the system prompt: it changes least often, and stays cached when the messages after it change',
      });
    }
    const b = blocks[lastCut.index];
    breakpoints.push({
      block: b.block,
      splitBeforeVariable: lastCut.split,
      tokens: lastCut.tokens,
      ttl,
      reason:
        first.name === null
          ? 'the end of the prompt (it has no variables)'
          : lastCut.split
            ? `the end of the stable prefix: split ${ordinalBlock(b)} into two text blocks, the static text before {{${first.name}}} first`
            : `the end of the stable prefix, before {{${first.name}}}`,
    });
  }

  const lastBreakpoint = breakpoints.at(-1);
  // OpenAI: the longest cached prefix is 1,024 tokens plus whole 128-token steps.
  const openaiRead = cacheable && min !== null ? min + OPENAI_CACHE_STEP_TOKENS * Math.floor((prefixTokens - min) / OPENAI_CACHE_STEP_TOKENS) : 0;
  const prediction: CachePrediction =
    vendor === 'anthropic'
      ? {
          firstCall: { cacheReadTokens: 0, cacheWriteTokens: lastBreakpoint?.tokens ?? 0 },
          repeatCall: { cacheReadTokens: lastBreakpoint?.tokens ?? 0, cacheWriteTokens: 0 },
        }
      : vendor === 'openai'
        ? { firstCall: { cacheReadTokens: 0, cacheWriteTokens: 0 }, repeatCall: { cacheReadTokens: openaiRead, cacheWriteTokens: 0 } }
        : { firstCall: { cacheReadTokens: 0, cacheWriteTokens: 0 }, repeatCall: { cacheReadTokens: 0, cacheWriteTokens: 0 } };

  const findings = findFindings({ blocks, first, head, counter, vendor, min, prefixTokens, options, economics });

  return {
    modelId: options.modelId,
    vendor,
    counting: { method: counter.method, estimated: !counter.exact },
    minCacheableTokens: min,
    totalTokens,
    stablePrefix: {
      tokens: prefixTokens,
      description,
      end: first.name === null ? null : { block: firstBlock!.block, role: firstBlock!.role, offset: textOf(firstBlock!.parts.slice(0, firstBlock!.parts.findIndex(isVariable))).length },
      text: prefixText.join('\n\n'),
      cacheable,
    },
    variablePart: { tokens: Math.max(0, totalTokens - prefixTokens), firstVariable: first.name, variables: t.variables },
    automatic: vendor === 'openai',
    breakpoints,
    prediction,
    economics,
    ttl,
    findings,
  };
}

function describe(blocks: Block[], wholeBlocks: number, partialBefore: string | null, noVariables: boolean): string {
  if (noVariables) return 'the whole prompt (no variables)';
  const names: string[] = [];
  const system = blocks[0]?.block === 'system' && wholeBlocks > 0;
  if (system) names.push('the system prompt');
  const msgs = blocks.slice(system ? 1 : 0, wholeBlocks).map((b) => (b.block as number) + 1);
  if (msgs.length === 1) names.push(`message ${msgs[0]}`);
  else if (msgs.length > 1) names.push(`messages ${msgs[0]}–${msgs.at(-1)}`);
  if (partialBefore !== null && blocks[wholeBlocks]) {
    const b = blocks[wholeBlocks];
    names.push(`${b.block === 'system' ? 'the system prompt' : `message ${(b.block as number) + 1}`} up to {{${partialBefore}}}`);
  }
  if (!names.length) return 'nothing: the prompt starts with a variable';
  return names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

function findFindings(ctx: {
  blocks: Block[];
  first: { index: number; head: string; name: string | null };
  head: string;
  counter: Counter;
  vendor: CacheVendor;
  min: number | null;
  prefixTokens: number;
  options: PlannerOptions;
  economics: CacheEconomics | null;
}): CacheFinding[] {
  const { blocks, first, counter, vendor, min, prefixTokens, options } = ctx;
  const findings: CacheFinding[] = [];
  const model = options.modelId;

  if (vendor === 'other') {
    findings.push({ kind: 'no_caching', severity: 'info', message: `No known prompt caching for ${model}: nothing to plan.` });
    return findings;
  }

  // 1. A variable before static context: everything after it changes with it.
  if (first.name !== null) {
    const b = blocks[first.index];
    const k = b.parts.findIndex(isVariable);
    let lost = 0;
    for (let i = first.index; i < blocks.length; i++) {
      const parts = i === first.index ? b.parts.slice(k) : blocks[i].parts;
      for (const p of parts) if (!isVariable(p)) lost += counter.text(p.text);
    }
    if (lost >= LOST_STATIC_MIN_TOKENS) {
      const volatile = VOLATILE_NAME.test(first.name) ? ` ({{${first.name}}} looks like it changes on every call)` : '';
      const unlocks = min !== null && prefixTokens < min && prefixTokens + lost >= min;
      findings.push({
        kind: 'variable_before_static',
        severity: unlocks ? 'error' : 'warning',
        message:
          `{{${first.name}}} comes before about ${lost.toLocaleString('en-US')} tokens of static text${volatile}: everything after a variable changes with it, so none of that text can be cached. ` +
          `Move {{${first.name}}} after the static context${unlocks ? ` — that would bring the stable prefix over the ${min!.toLocaleString('en-US')}-token minimum` : ''}.`,
        at: { block: b.block, role: b.role, offset: textOf(b.parts.slice(0, k)).length },
        snippet: `{{${first.name}}}`,
        tokenOffset: prefixTokens,
        lostTokens: lost,
      });
    }
  }

  // 2. Anthropic caches whole blocks: a variable inside the system prompt leaves it uncached.
  if (vendor === 'anthropic' && first.name !== null && blocks[first.index].block === 'system' && first.head.trim() !== '') {
    const staticTokens = counter.text(first.head);
    findings.push({
      kind: 'variable_in_system',
      severity: 'warning',
      message: `{{${first.name}}} is inside the system prompt: Anthropic caches whole blocks, so the ${staticTokens.toLocaleString('en-US')} static tokens before it are not cached. Move {{${first.name}}} to the user message (or send the system prompt as two blocks).`,
      at: { block: 'system', role: 'system', offset: first.head.length },
      snippet: `{{${first.name}}}`,
      lostTokens: staticTokens,
    });
  }

  // 3. Text in the stable prefix that usually changes from call to call (dates, times, ids).
  let before = 0;
  const stableBlocks = first.index;
  for (let i = 0; i <= Math.min(stableBlocks, blocks.length - 1); i++) {
    const b = blocks[i];
    const text = i < stableBlocks ? textOf(b.parts) : ctx.head;
    const taken: [number, number][] = [];
    for (const { what, re } of VOLATILE) {
      re.lastIndex = 0;
      for (const m of text.matchAll(re)) {
        const start = m.index;
        const end = start + m[0].length;
        if (taken.some(([s, e]) => start < e && end > s)) continue;
        taken.push([start, end]);
        const at = before + counter.text(text.slice(0, start));
        findings.push({
          kind: 'volatile_text',
          severity: 'warning',
          message: `A ${what} ("${m[0]}") at about token ${at.toLocaleString('en-US')} of the stable prefix: if it changes between calls (the current date, a request id), the cache breaks there and only the ${at.toLocaleString('en-US')} tokens before it can be reused. Move it after the static context.`,
          at: { block: b.block, role: b.role, offset: start },
          snippet: m[0],
          tokenOffset: at,
        });
      }
    }
    before += counter.text(text);
  }
  findings.sort((a, b) => (a.tokenOffset ?? 0) - (b.tokenOffset ?? 0) || a.kind.localeCompare(b.kind));

  // 4. Too short to cache at all.
  if (min !== null && prefixTokens < min) {
    findings.push({
      kind: 'below_minimum',
      severity: 'warning',
      message: `The stable prefix has ${prefixTokens.toLocaleString('en-US')} tokens; ${model} caches prompts of at least ${min.toLocaleString('en-US')}: nothing would be cached (no error — both cache counters simply stay 0).`,
      tokenOffset: prefixTokens,
    });
  }

  // 5. Caching that costs more than it saves at this call rate.
  if (ctx.economics && ctx.economics.recommended === 'none') {
    findings.push({ kind: 'not_worth_it', severity: 'info', message: ctx.economics.reason });
  }
  return findings;
}

/**
 * The template rendered with `values` and the plan's breakpoints applied, as the engine sends
 * it: Anthropic gets `cacheSystem` / `cacheBreakpoint` (a split message becomes two consecutive
 * user messages, which Anthropic joins into one turn of two blocks) and the TTL; OpenAI needs
 * nothing (automatic).
 */
export function applyCachePlan(template: string | CompiledTemplate, plan: CachePlan, values: Record<string, unknown> = {}): PromptInput {
  const t = typeof template === 'string' ? compileTemplate(template) : template;
  const value = sampleValues(t, values);
  const bp = new Map(plan.breakpoints.map((b) => [b.block, b]));
  const messages: ChatMessage[] = [];
  t.messages.forEach((m, i) => {
    const b = bp.get(i);
    if (b?.splitBeforeVariable) {
      const k = m.parts.findIndex(isVariable);
      const [head, space] = splitTrailingSpace(renderParts(m.parts.slice(0, k), value));
      messages.push({ role: m.role, content: head, cacheBreakpoint: true });
      messages.push({ role: m.role, content: space + renderParts(m.parts.slice(k), value) });
    } else {
      messages.push({ role: m.role, content: renderParts(m.parts, value), ...(b ? { cacheBreakpoint: true } : {}) });
    }
  });
  const system = t.system ? renderParts(t.system, value) : undefined;
  return {
    ...(system ? { system } : {}),
    ...(bp.has('system') ? { cacheSystem: true } : {}),
    ...(plan.breakpoints.length ? { cacheTtl: plan.breakpoints[0].ttl } : {}),
    messages,
    ...(t.temperature !== undefined ? { temperature: t.temperature } : {}),
    ...(t.maxOutputTokens !== undefined ? { maxOutputTokens: t.maxOutputTokens } : {}),
  };
}
