// Anthropic Messages through the official `@anthropic-ai/sdk`, with prompt-cache breakpoints.
import type Anthropic from '@anthropic-ai/sdk';
import { anthropicSdk } from '../lazy';
import type { MessageCreateParamsStreaming, RawMessageStreamEvent, TextBlockParam } from '@anthropic-ai/sdk/resources/messages/messages';
import type { ErrorType } from '@anthropic-ai/sdk/resources/shared';
import type { ChatRequest, FinishReason, Provider, ProviderConfig, ReportedCost, StreamEvent, TokenCount, Usage, WireRecorder } from '../types';
import { baseURLProblem, parseJson, toProviderError } from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, StreamGuard } from './streamGuard';
import { completeUsage, type UsageEstimator } from './estimate';
import { costFromHeaders, sdkSharedOptions, secretsOf } from './sdkOptions';
import { eventJson, serverSentEvents } from './sse';
import { wireOptions } from './wire';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
/** Anthropic requires max_tokens; used when the request leaves it open. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** The SDK client for a provider config: explicit values only, never a key or URL from process.env. */
export function createAnthropicClient(config: ProviderConfig): Anthropic {
  return new (anthropicSdk().default)({
    apiKey: config.apiKey ?? null,
    authToken: null,
    baseURL: config.baseURL || ANTHROPIC_DEFAULT_BASE_URL,
    maxRetries: config.maxRetries ?? 2,
    timeout: config.timeoutMs ?? 10 * 60 * 1000,
    ...sdkSharedOptions(config),
  });
}

interface AnthropicUsageFields {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number } | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
}

export class AnthropicProvider implements Provider {
  private client: Anthropic | undefined;

  constructor(
    readonly config: ProviderConfig,
    private readonly estimateUsage: UsageEstimator,
  ) {}

  private getClient(): Anthropic {
    this.client ??= createAnthropicClient(this.config);
    return this.client;
  }

  async *stream(request: ChatRequest, signal?: AbortSignal, wire?: WireRecorder): AsyncIterable<StreamEvent> {
    if (!this.config.apiKey) {
      yield {
        type: 'error',
        error: { kind: 'auth', message: `No API key for ${this.config.name}: set ANTHROPIC_API_KEY or store a key.` },
      };
      return;
    }
    const badURL = baseURLProblem('Anthropic', this.config.baseURL);
    if (badURL) {
      yield { type: 'error', error: badURL };
      return;
    }
    const endpoint = `${(this.config.baseURL || ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '')}/v1/messages`;
    let started = false;
    let output = '';
    let finish: FinishReason | undefined;
    let stopped = false;
    let sawDelta = false;
    const raw: AnthropicUsageFields = {};
    let headerCost: ReportedCost | undefined;
    const guard = new StreamGuard(signal, this.config.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
    try {
      // The SDK makes the request (retries, error statuses); the stream we read ourselves (./sse.ts).
      const response = await this.getClient()
        .messages.create(toAnthropicParams(request), { signal: guard.signal, ...wireOptions(wire) })
        .asResponse();
      headerCost = costFromHeaders(response.headers);
      // The response has started: a failure from here on cuts an answer in progress.
      started = true;
      for await (const sse of serverSentEvents(response)) {
        guard.touch();
        if (sse.event === 'ping' || !sse.data) continue;
        if (sse.event === 'error') {
          // Its JSON, or its text when it is not JSON (as the SDK keeps it).
          const body = (parseJson(sse.data) ?? sse.data) as { error?: { type?: ErrorType } };
          throw new (anthropicSdk().APIError)(undefined, body, undefined, response.headers, body?.error?.type);
        }
        // Dispatched on the data's `type`: a gateway that leaves out the `event:` lines still streams.
        const event = eventJson(sse, this.config) as RawMessageStreamEvent | { type: 'error'; error?: { type?: ErrorType } };
        if (!event || typeof event !== 'object') continue;
        switch (event.type) {
          case 'error':
            throw new (anthropicSdk().APIError)(undefined, event, undefined, response.headers, event.error?.type);
          case 'message_start':
            Object.assign(raw, definedOnly(event.message.usage as AnthropicUsageFields));
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta') {
              output += event.delta.text;
              yield { type: 'text', text: event.delta.text };
            }
            break;
          case 'message_delta':
            sawDelta = true;
            // Counts in message_delta are cumulative; fields it leaves out keep message_start's.
            Object.assign(raw, definedOnly(event.usage as AnthropicUsageFields));
            if (event.delta.stop_reason) finish = mapAnthropicStop(event.delta.stop_reason);
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      }
      wire?.lastByte();
    } catch (e) {
      wire?.lastByte();
      const error =
        guard.stopReason('Anthropic', started) ??
        toProviderError(e, {
          vendor: 'Anthropic',
          signal,
          streamStarted: started,
          secrets: secretsOf(this.config),
          endpoint,
          dialect: 'anthropic',
        });
      if (started) yield { type: 'usage', usage: await this.usageOrEstimate(raw, request, output, sawDelta, headerCost) };
      yield { type: 'error', error };
      return;
    } finally {
      guard.dispose();
    }
    yield { type: 'usage', usage: await this.usageOrEstimate(raw, request, output, sawDelta, headerCost) };
    const cut = guard.stopReason('Anthropic', started);
    if (cut || !stopped || !finish) {
      yield { type: 'error', error: cut ?? { kind: 'stream_cut', message: 'Anthropic: the stream ended before message_stop.', url: endpoint } };
      return;
    }
    yield { type: 'finish', reason: finish };
  }

  /**
   * The input side is final in message_start; the output count only in message_delta (before it,
   * message_start's output_tokens is a placeholder). A stream cut before message_delta keeps the
   * exact input figures and counts the partial output locally, marked estimated. A proxy that
   * reports zeros while text streams gets local counts too.
   */
  private async usageOrEstimate(
    raw: AnthropicUsageFields,
    request: ChatRequest,
    output: string,
    sawDelta: boolean,
    reportedCost: ReportedCost | undefined,
  ): Promise<Usage> {
    const reported = raw.input_tokens == null ? undefined : fromAnthropicUsage(raw);
    const usage = await completeUsage(reported, request, output, this.estimateUsage, !sawDelta);
    return reportedCost ? { ...usage, reportedCost } : usage;
  }

  async countTokens(request: ChatRequest, signal?: AbortSignal): Promise<TokenCount> {
    const params = toAnthropicParams(request);
    const result = await this.getClient().messages.countTokens(
      { model: params.model, messages: params.messages, ...(params.system ? { system: params.system } : {}) },
      { signal },
    );
    return { tokens: result.input_tokens, estimated: false, method: 'Anthropic count_tokens' };
  }
}

function definedOnly<T extends object>(o: T | null | undefined): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o ?? {})) if (v !== null && v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** Anthropic's `input_tokens` EXCLUDES cache tokens: the total prompt is the sum of all three. */
export function fromAnthropicUsage(u: AnthropicUsageFields): Usage {
  const uncached = u.input_tokens ?? 0;
  const write = u.cache_creation_input_tokens ?? 0;
  const read = u.cache_read_input_tokens ?? 0;
  return {
    inputTokens: uncached + write + read,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: read,
    cacheWriteTokens: write,
    // Without a breakdown every write bills at the 5-minute rate.
    cacheWrite1hTokens: Math.min(write, u.cache_creation?.ephemeral_1h_input_tokens ?? 0),
    reasoningTokens: u.output_tokens_details?.thinking_tokens ?? 0,
    estimated: false,
  };
}

export function toAnthropicParams(request: ChatRequest): MessageCreateParamsStreaming {
  const cacheControl = { type: 'ephemeral' as const, ...(request.cacheTtl === '1h' ? { ttl: '1h' as const } : {}) };
  const block = (text: string, cache: boolean | undefined): TextBlockParam => ({
    type: 'text',
    text,
    ...(cache ? { cache_control: cacheControl } : {}),
  });
  const systemParts = [request.system, ...request.messages.filter((m) => m.role === 'system').map((m) => m.content)].filter(
    (s): s is string => !!s,
  );
  const systemText = systemParts.join('\n\n');
  const lastSystemBreakpoint = request.cacheSystem || request.messages.some((m) => m.role === 'system' && m.cacheBreakpoint);
  return {
    model: request.model,
    max_tokens: request.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    stream: true,
    ...(systemText ? { system: [block(systemText, lastSystemBreakpoint)] } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    messages: request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({
        role: m.role as 'user' | 'assistant',
        content: m.cacheBreakpoint ? [block(m.content, true)] : m.content,
      })),
  };
}

export function mapAnthropicStop(reason: string): FinishReason {
  switch (reason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'refusal':
      return 'content_filter';
    case 'tool_use':
      return 'tool_calls';
    default:
      return 'other';
  }
}
