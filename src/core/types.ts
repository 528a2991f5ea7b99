// Shared vocabulary of the engine. Nothing here may import `vscode`: the CLI, the extension
// and the tests all drive the same engine.

export type Role = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: Role;
  content: string;
  /** Put a provider prompt-cache breakpoint after this message (Anthropic `cache_control`). */
  cacheBreakpoint?: boolean;
}

/** One request, vendor-neutral. `model` is the vendor's model name (no `provider:` prefix). */
export interface ChatRequest {
  model: string;
  /** System prompt, kept apart because Anthropic takes it outside `messages`. */
  system?: string;
  /** Mark the system prompt as a cache breakpoint (the static prefix). */
  cacheSystem?: boolean;
  /** Prompt-cache TTL for the breakpoints above (Anthropic); default 5m. */
  cacheTtl?: '5m' | '1h';
  messages: ChatMessage[];
  maxOutputTokens?: number;
  temperature?: number;
}

/**
 * Token usage of one call, normalised across vendors.
 * `inputTokens` is the TOTAL prompt size, cached tokens included (OpenAI's `prompt_tokens`,
 * Anthropic's `input_tokens + cache_creation_input_tokens + cache_read_input_tokens`).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Prompt tokens served from the provider's prompt cache (subset of inputTokens). */
  cacheReadTokens: number;
  /** Prompt tokens written to the provider's prompt cache (subset of inputTokens). */
  cacheWriteTokens: number;
  /** Of cacheWriteTokens, those written with a 1-hour TTL (the rest are 5-minute). */
  cacheWrite1hTokens: number;
  /** Reasoning tokens, a subset of outputTokens (never billed on top). */
  reasoningTokens: number;
  /** True when the server sent no usage (or zeros) and figures were counted locally. */
  estimated: boolean;
  /** Which figures were counted locally (both when the server sent no usage at all). */
  estimatedFields?: EstimatedUsageField[];
  /** The cost a gateway reported for this call itself (OpenRouter `usage.cost`, LiteLLM's header). */
  reportedCost?: ReportedCost;
}

export type EstimatedUsageField = 'inputTokens' | 'outputTokens';

/** The locally counted fields of a usage (an estimate from before the field list: both). */
export function estimatedFields(usage: Usage): EstimatedUsageField[] {
  if (!usage.estimated) return [];
  return usage.estimatedFields ?? ['inputTokens', 'outputTokens'];
}

export interface ReportedCost {
  usd: number;
  /** Where the figure came from, e.g. `usage.cost` or `x-litellm-response-cost header`. */
  source: string;
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

export type ErrorKind =
  | 'auth' // 401/403, missing key
  | 'rate_limit' // 429 after the SDK's retries
  | 'server' // 5xx, overloaded, mid-stream error event
  | 'network' // connection refused/reset, timeout
  | 'cancelled' // the caller aborted
  | 'stream_cut' // the stream ended without its terminator
  | 'bad_request' // other 4xx, malformed reply
  | 'context_length' // the prompt does not fit the model's window
  | 'config'; // unknown provider, no base URL, …

export interface ProviderError {
  kind: ErrorKind;
  /** Whole (a server's message may span lines); tables show its first line. */
  message: string;
  status?: number;
  requestId?: string;
  /** The URL that answered (or could not be reached). */
  url?: string;
}

export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'error'; error: ProviderError };

/** `vscode`: VS Code's Language Model API, supplied by the extension itself (never configured). */
export type ProviderType = 'openai' | 'anthropic' | 'openai-compatible' | 'vscode';

/** How a provider is reached. The API key is resolved by the shell (env, SecretStorage). */
export interface ProviderConfig {
  /** The name used in model ids (`openai`, `anthropic`, `ollama`, …). */
  name: string;
  type: ProviderType;
  baseURL?: string;
  apiKey?: string;
  /** SDK retries for 429/5xx/connection errors; the SDK default is 2. */
  maxRetries?: number;
  /** Request timeout in ms until the response starts (SDK option). */
  timeoutMs?: number;
  /** A stream with no data for this long is cut (default 120 s; 0 = never). */
  idleTimeoutMs?: number;
  /** Extra HTTP headers on every request (a gateway's routing or auth headers). */
  headers?: Record<string, string>;
  /** Names in `headers` whose values are secrets: redacted wherever the key is. */
  secretHeaders?: string[];
  /** The output cap's parameter name; default: `max_completion_tokens` on OpenAI's own host, else `max_tokens`. */
  outputTokensParam?: OutputTokensParam;
  /** Requests in flight at once; default 1 for an openai-compatible server on loopback. */
  concurrency?: number;
  /** Where the SDK's own log lines go (never the console). */
  log?: ProviderLog;
}

export type OutputTokensParam = 'max_tokens' | 'max_completion_tokens';

export type ProviderLog = (level: 'error' | 'warn' | 'info' | 'debug', message: string) => void;

export interface TokenCount {
  tokens: number;
  /** False when counted by the vendor's tokenizer or API; true for a labelled estimate. */
  estimated: boolean;
  /** What produced the count, e.g. `o200k_base`, `anthropic count_tokens`, `≈ chars/3.5`. */
  method: string;
}

/**
 * Stamps one call's wire times on the runner's clock (src/core/run/wire.ts). A provider calls
 * `attemptStarted` as each HTTP attempt is handed to the HTTP client (the SDK's retries
 * included; providers/wire.ts), and `lastByte` when the stream has ended, before any counting.
 */
export interface WireRecorder {
  attemptStarted(): void;
  lastByte(): void;
  /**
   * Stamps from inside the HTTP client (our node:http transport), taken as the bytes leave and
   * arrive, before the SDK or the runner spends any time on them: absent, the provider's and
   * runner's own stamps stand.
   */
  readonly httpClient?: HttpClientTimes;
}

/** What the HTTP client tells the recorder of an attempt: when it went out, when its body came in. */
export interface HttpClientTimes {
  /** The recorder's clock, for the client to stamp a chunk's arrival with. */
  now(): number;
  /**
   * The attempt is put on a socket, its bytes written next: its wire time starts here. Between the
   * hand-over and this, only our own process runs (other calls' work queued in the same tick).
   */
  sending(): void;
  /** A chunk is handed to the stream's reader; `arrivedAt` is when it came off the socket. */
  read(arrivedAt: number): void;
  /** The body's last byte came off the socket. */
  ended(): void;
}

/** A provider: one interface for every vendor. Streaming is an async iterable of events. */
export interface Provider {
  readonly config: ProviderConfig;
  /**
   * Streams one request. Never throws: failures arrive as a final `error` event, after any
   * text already received (so partial output is kept).
   */
  stream(request: ChatRequest, signal?: AbortSignal, wire?: WireRecorder): AsyncIterable<StreamEvent>;
  /** Exact prompt token count from the vendor, when it offers one. */
  countTokens?(request: ChatRequest, signal?: AbortSignal): Promise<TokenCount>;
}

/** `provider:model`, e.g. `openai:gpt-4o-mini`, `anthropic:claude-haiku-4-5`, `ollama:llama3.2`. */
export interface ModelId {
  provider: string;
  model: string;
}

export function parseModelId(id: string): ModelId {
  const i = id.indexOf(':');
  if (i <= 0 || i === id.length - 1) {
    throw new Error(`Model id "${id}" must look like provider:model (for example openai:gpt-4o-mini).`);
  }
  return { provider: id.slice(0, i), model: id.slice(i + 1) };
}

export function formatModelId(id: ModelId): string {
  return `${id.provider}:${id.model}`;
}

export function emptyUsage(): Usage {
  return {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cacheWrite1hTokens: 0,
    reasoningTokens: 0,
    estimated: false,
  };
}

/** Where a price came from, shown beside every cost. */
export interface PriceProvenance {
  source: 'genai-prices' | 'override';
  /** Date of the price data (genai-prices snapshot or the override's own date), ISO yyyy-mm-dd. */
  dataDate?: string;
  /** Human-readable note, e.g. `@pydantic/genai-prices 0.1.8 · Anthropic · Claude Haiku 4.5`. */
  detail: string;
}

/** Cost of one call in USD, per bucket. `null` cost elsewhere means "no price", never $0. */
export interface CostBreakdown {
  total: number;
  /** Uncached input tokens. */
  input: number;
  cacheRead: number;
  /** cacheWrite5m + cacheWrite1h. */
  cacheWrite: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  /** Output tokens, reasoning included. */
  output: number;
  batch: boolean;
  provenance: PriceProvenance;
}
