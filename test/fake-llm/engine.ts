// The transport-independent part of the fake: profiles, caches, ids, reply plans and the
// vendor-format bodies. server.ts streams these over HTTP; batches.ts runs them offline.
import { ClaudePromptCache, OpenAIPromptCache, claudeMinCacheTokens } from './cache';
import { globMatch } from './scenarios';
import { capTokens, chunkText, generateText, hashString } from './textgen';
import {
  claudeSegments,
  countClaudeOutput,
  countText,
  openaiContentText,
  openaiEncodingFor,
  openaiPromptSequence,
  type EncodingName,
} from './tokens';
import type { ModelProfile, ResolvedProfile, Vendor } from './types';

export interface Chunk {
  text: string;
  tokens: number;
}

export interface OpenAIPlan {
  model: string;
  profile: ResolvedProfile;
  text: string;
  chunks: Chunk[];
  finishReason: 'stop' | 'length';
  usage: OpenAIUsage;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number; audio_tokens: number };
  /** OpenRouter-style: the gateway's own cost of the call, in USD. */
  cost?: number;
  completion_tokens_details?: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  cache_creation?: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  output_tokens: number;
  service_tier: 'standard' | 'priority' | 'batch';
}

export interface AnthropicPlan {
  model: string;
  profile: ResolvedProfile;
  text: string;
  chunks: Chunk[];
  stopReason: 'end_turn' | 'max_tokens' | 'stop_sequence';
  stopSequence: string | null;
  usage: AnthropicUsage;
}

/** A validation failure, reported as a 400 in the vendor's format. */
export class BadRequest extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
  }
}

export const DEFAULT_PROFILE: Omit<ResolvedProfile, 'minCacheTokens' | 'encoding'> = {
  ttftMs: 0,
  tokensPerSec: 0,
  chunkTokens: 4,
  reasoningTokens: 0,
  sendUsage: true,
};

export const DEFAULT_OPENAI_MODELS = ['gpt-5.4', 'gpt-5.4-mini', 'gpt-5.4-nano', 'gpt-4.1-mini', 'gpt-4o', 'gpt-4o-mini', 'gpt-3.5-turbo'];
export const DEFAULT_ANTHROPIC_MODELS = ['claude-opus-4-6', 'claude-sonnet-4-6', 'claude-haiku-4-5'];

function definedOnly<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

function lastUserText(vendor: Vendor, body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    if (vendor === 'openai') return openaiContentText(m.content);
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.map((b: any) => (b?.type === 'text' ? String(b.text ?? '') : '')).join('');
    return '';
  }
  return '';
}

function applyStop(text: string, stops: string[]): { text: string; matched: string | null } {
  let best = -1;
  let matched: string | null = null;
  for (const s of stops) {
    if (!s) continue;
    const i = text.indexOf(s);
    if (i >= 0 && (best < 0 || i < best)) {
      best = i;
      matched = s;
    }
  }
  return best < 0 ? { text, matched: null } : { text: text.slice(0, best), matched };
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export class Engine {
  readonly openaiCache = new OpenAIPromptCache();
  readonly claudeCache = new ClaudePromptCache();
  private readonly profiles = new Map<string, ModelProfile>();
  private counter = 0;

  constructor(
    profiles: Record<string, ModelProfile> | undefined,
    readonly seed: number,
    readonly now: () => number,
  ) {
    for (const [k, v] of Object.entries(profiles ?? {})) this.profiles.set(k, v);
  }

  setProfile(model: string, profile: ModelProfile): void {
    this.profiles.set(model, profile);
  }

  profileNames(): string[] {
    return [...this.profiles.keys()];
  }

  profileFor(model: string): ResolvedProfile {
    let p = this.profiles.get(model);
    if (!p) {
      let bestLen = -1;
      for (const [pat, prof] of this.profiles) {
        if (pat === '*' || !pat.includes('*') || !globMatch(pat, model)) continue;
        const len = pat.replace(/\*/g, '').length;
        if (len > bestLen) {
          bestLen = len;
          p = prof;
        }
      }
    }
    p = p ?? this.profiles.get('*') ?? {};
    return {
      ...DEFAULT_PROFILE,
      minCacheTokens: claudeMinCacheTokens(model),
      encoding: openaiEncodingFor(model),
      ...definedOnly(p),
    };
  }

  /** Next sequence number, formatted `0001`. */
  nextId(): string {
    this.counter++;
    return String(this.counter).padStart(4, '0');
  }

  resetState(): void {
    this.openaiCache.clear();
    this.claudeCache.clear();
    this.counter = 0;
  }

  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  private baseText(vendor: Vendor, model: string, body: any, profile: ResolvedProfile, enc: EncodingName): string {
    const out = profile.output;
    if (typeof out === 'string') return out;
    if (typeof out === 'function') return out({ vendor, model, body, lastUserText: lastUserText(vendor, body) });
    const key = hashString(JSON.stringify([vendor, model, body?.system ?? null, body?.messages ?? null]), this.seed >>> 0);
    return generateText(key, profile.outputTokens, enc);
  }

  // ----------------------------------------------------------------------------------------- OpenAI

  validateOpenAIChat(body: any): void {
    if (!body || typeof body !== 'object') throw new BadRequest('The request body must be a JSON object.');
    if (typeof body.model !== 'string' || !body.model) throw new BadRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
    if (!Array.isArray(body.messages)) throw new BadRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
    if (body.messages.length === 0) throw new BadRequest("Invalid 'messages': empty array. Expected an array with minimum length 1.", 'messages', 'empty_array');
  }

  planOpenAIChat(body: any, apiKey: string, opts: { forceCacheMiss?: boolean } = {}): OpenAIPlan {
    this.validateOpenAIChat(body);
    const model: string = body.model;
    const profile = this.profileFor(model);
    const enc = profile.encoding;
    const seq = openaiPromptSequence(body, enc);
    const cached = this.openaiCache.use(`${apiKey}\n${model}`, seq, profile.minCacheTokens, { forceMiss: opts.forceCacheMiss });
    const completionCap = profile.ignoresMaxCompletionTokens ? undefined : body.max_completion_tokens;
    const cap = isInt(completionCap) ? completionCap : isInt(body.max_tokens) ? body.max_tokens : undefined;
    const reasoning = cap === undefined ? profile.reasoningTokens : Math.min(profile.reasoningTokens, cap);
    const stops: string[] = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop.filter((s: unknown) => typeof s === 'string') : [];
    const stopped = applyStop(this.baseText('openai', model, body, profile, enc), stops);
    const capped = capTokens(stopped.text, cap === undefined ? undefined : cap - reasoning, enc);
    const text = capped.text;
    const completion = countText(text, enc) + reasoning;
    return {
      model,
      profile,
      text,
      chunks: chunkText(text, profile.chunkTokens, enc),
      finishReason: capped.capped ? 'length' : 'stop',
      usage: profile.zeroUsage
        ? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
        : {
            prompt_tokens: seq.length,
            completion_tokens: completion,
            total_tokens: seq.length + completion,
            prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
            completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
            ...(profile.gatewayCost?.via === 'usage.cost' ? { cost: profile.gatewayCost.usd } : {}),
          },
    };
  }

  openaiChatBody(plan: OpenAIPlan, id: string): Record<string, unknown> {
    const out: Record<string, unknown> = {
      id: `chatcmpl-fake${id}`,
      object: 'chat.completion',
      created: this.nowSeconds(),
      model: plan.model,
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: plan.text, refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: plan.finishReason,
        },
      ],
      service_tier: 'default',
    };
    if (plan.profile.sendUsage) out.usage = plan.usage;
    return out;
  }

  // -------------------------------------------------------------------------------------- Anthropic

  validateAnthropic(body: any, forCount: boolean): void {
    if (!body || typeof body !== 'object') throw new BadRequest('The request body must be a JSON object.');
    if (typeof body.model !== 'string' || !body.model) throw new BadRequest('model: Field required');
    if (!forCount && !isInt(body.max_tokens)) throw new BadRequest('max_tokens: Field required');
    if (!Array.isArray(body.messages)) throw new BadRequest('messages: Field required');
    let explicit = 0;
    const count = (blocks: unknown): void => {
      if (Array.isArray(blocks)) for (const b of blocks) if (b && typeof b === 'object' && (b as any).cache_control) explicit++;
    };
    count(body.tools);
    count(body.system);
    for (const m of body.messages) count(m?.content);
    const n = explicit + (body.cache_control ? 1 : 0);
    if (n > 4) throw new BadRequest(`A maximum of 4 blocks with cache_control may be provided. Found ${n}.`);
  }

  countAnthropic(body: any): number {
    this.validateAnthropic(body, true);
    return claudeSegments(body).reduce((n, s) => n + s.tokens, 0);
  }

  planAnthropic(body: any, apiKey: string, opts: { forceCacheMiss?: boolean; serviceTier?: AnthropicUsage['service_tier'] } = {}): AnthropicPlan {
    this.validateAnthropic(body, false);
    const model: string = body.model;
    const profile = this.profileFor(model);
    const enc: EncodingName = 'o200k_base';
    const cache = this.claudeCache.use(`${apiKey}\n${model}`, claudeSegments(body), profile.minCacheTokens, this.now(), {
      forceMiss: opts.forceCacheMiss,
    });
    const stops: string[] = Array.isArray(body.stop_sequences) ? body.stop_sequences.filter((s: unknown) => typeof s === 'string') : [];
    const stopped = applyStop(this.baseText('anthropic', model, body, profile, enc), stops);
    const capped = capTokens(stopped.text, body.max_tokens, enc);
    const text = capped.text;
    return {
      model,
      profile,
      text,
      chunks: chunkText(text, profile.chunkTokens, enc),
      stopReason: capped.capped ? 'max_tokens' : stopped.matched !== null ? 'stop_sequence' : 'end_turn',
      stopSequence: capped.capped ? null : stopped.matched,
      usage: profile.zeroUsage
        ? { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, service_tier: opts.serviceTier ?? 'standard' }
        : {
            input_tokens: cache.input,
            cache_creation_input_tokens: cache.write5m + cache.write1h,
            cache_read_input_tokens: cache.read,
            cache_creation: { ephemeral_5m_input_tokens: cache.write5m, ephemeral_1h_input_tokens: cache.write1h },
            output_tokens: countClaudeOutput(text),
            service_tier: opts.serviceTier ?? 'standard',
          },
    };
  }

  anthropicMessageBody(plan: AnthropicPlan, id: string): Record<string, unknown> {
    return {
      id: `msg_fake${id}`,
      type: 'message',
      role: 'assistant',
      model: plan.model,
      content: [{ type: 'text', text: plan.text }],
      stop_reason: plan.stopReason,
      stop_sequence: plan.stopSequence,
      usage: plan.usage,
    };
  }

  // ------------------------------------------------------------------------------------- models

  openaiModels(): string[] {
    const extra = this.profileNames().filter((n) => !n.includes('*') && !n.startsWith('claude'));
    return [...new Set([...DEFAULT_OPENAI_MODELS, ...extra])];
  }

  anthropicModels(): string[] {
    const extra = this.profileNames().filter((n) => !n.includes('*') && n.startsWith('claude'));
    return [...new Set([...DEFAULT_ANTHROPIC_MODELS, ...extra])];
  }
}

/** Error bodies in each vendor's format. */
export function openaiErrorBody(status: number, message?: string, extra: { type?: string; code?: string | null; param?: string | null } = {}): unknown {
  const defaults: Record<number, { type: string; code: string | null; message: string }> = {
    400: { type: 'invalid_request_error', code: null, message: 'Bad request.' },
    401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
    403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Permission denied.' },
    404: { type: 'invalid_request_error', code: 'not_found', message: 'Not found.' },
    408: { type: 'server_error', code: 'timeout', message: 'Request timed out.' },
    409: { type: 'invalid_request_error', code: 'conflict', message: 'Conflict.' },
    429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests (fake).' },
  };
  const d = defaults[status] ?? (status >= 500 ? { type: 'server_error', code: null, message: 'The server had an error while processing your request (fake).' } : { type: 'invalid_request_error', code: null, message: `HTTP ${status}` });
  return {
    error: {
      message: message ?? d.message,
      type: extra.type ?? d.type,
      param: extra.param ?? null,
      code: extra.code !== undefined ? extra.code : d.code,
    },
  };
}

export const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorBody(status: number, requestId: string, message?: string, type?: string): unknown {
  const t = type ?? ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  const defaults: Record<string, string> = {
    authentication_error: 'invalid x-api-key',
    rate_limit_error: 'Number of requests has exceeded your rate limit (fake).',
    overloaded_error: 'Overloaded',
    api_error: 'Internal server error',
    not_found_error: 'Not found',
  };
  return { type: 'error', error: { type: t, message: message ?? defaults[t] ?? `HTTP ${status}` }, request_id: requestId };
}
