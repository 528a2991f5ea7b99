// Public types of the fake LLM server. See README.md in this folder for the full description.

export type Vendor = 'openai' | 'anthropic';

/** What a reply generator gets when `ModelProfile.output` is a function. */
export interface OutputContext {
  vendor: Vendor;
  model: string;
  /** The parsed request body. */
  body: any;
  /** Text of the last user message ('' if none). */
  lastUserText: string;
}

/**
 * Per-model behaviour. Every field is optional; defaults are listed on each field.
 * Profiles are looked up by exact model name, then by glob pattern (`*` wildcard, the longest
 * pattern wins), then the `'*'` profile, then the built-in defaults.
 */
export interface ModelProfile {
  /** Delay before the first content token, in ms (real setTimeout). Default 0. */
  ttftMs?: number;
  /** Output speed after the first chunk. 0 or Infinity = no delay at all. Default 0. */
  tokensPerSec?: number;
  /** Tokens per streamed content chunk. Default 4. */
  chunkTokens?: number;
  /**
   * Fixed reply text, or a function producing it. Default: a deterministic text generated
   * from a seeded hash of the request (same request + same seed => same text).
   */
  output?: string | ((ctx: OutputContext) => string);
  /** Exact token length of the generated default text. Default: seeded, 16..48 tokens. */
  outputTokens?: number;
  /**
   * OpenAI only: hidden reasoning tokens, added to `completion_tokens` and reported in
   * `completion_tokens_details.reasoning_tokens`. They count against max_completion_tokens.
   * Default 0.
   */
  reasoningTokens?: number;
  /**
   * Minimum cacheable prefix, in tokens. Anthropic default comes from a table of documented
   * minimums (e.g. 4096 for claude-haiku-4-5, 1024 for claude-sonnet-4-6); OpenAI default 1024.
   */
  minCacheTokens?: number;
  /**
   * false = an "OpenAI-compatible" server that never reports usage (no usage chunk even with
   * `stream_options.include_usage`, no `usage` in non-streaming replies). Default true.
   */
  sendUsage?: boolean;
  /** Tokenizer for OpenAI-side counts. Default: cl100k_base for gpt-4 / gpt-3.5 names, else o200k_base. */
  encoding?: 'o200k_base' | 'cl100k_base';
  /** true = a proxy that reports every usage count as 0 while the text streams (both vendors). Default false. */
  zeroUsage?: boolean;
  /** true = an OpenAI-side server that only knows `max_tokens` and ignores `max_completion_tokens`. Default false. */
  ignoresMaxCompletionTokens?: boolean;
  /**
   * A gateway's own cost of each call in USD: `usage.cost` in the usage (OpenRouter style, OpenAI
   * side) or the `x-litellm-response-cost` response header (LiteLLM style, both vendors).
   */
  gatewayCost?: { usd: number; via: 'usage.cost' | 'header' };
  /**
   * Headers a gateway insists on (name → exact value): a generation request without them gets a
   * 400 `{"status":"failure","message":"…"}`, the body shape of a gateway, not of a vendor.
   */
  requiredHeaders?: Record<string, string>;
}

/** Fully-resolved profile (all defaults applied). */
export interface ResolvedProfile {
  ttftMs: number;
  tokensPerSec: number;
  chunkTokens: number;
  output?: string | ((ctx: OutputContext) => string);
  outputTokens?: number;
  reasoningTokens: number;
  minCacheTokens: number;
  sendUsage: boolean;
  encoding: 'o200k_base' | 'cl100k_base';
  zeroUsage?: boolean;
  ignoresMaxCompletionTokens?: boolean;
  gatewayCost?: { usd: number; via: 'usage.cost' | 'header' };
  requiredHeaders?: Record<string, string>;
}

/** Which requests a queued scenario applies to. */
export interface ScenarioFilter {
  /** Exact model name or glob (`claude-*`). Default: any model. */
  model?: string;
  /** Default: either vendor. */
  vendor?: Vendor;
  /**
   * Exact request path (`/v1/messages/count_tokens`, `/v1/models`, …). Default: only the
   * generation endpoints `/v1/chat/completions` and `/v1/messages`.
   */
  path?: string;
  /** Number of matching requests the scenario applies to before it is used up. Default 1. */
  times?: number;
}

export interface HttpErrorScenario extends ScenarioFilter {
  kind: 'http_error';
  status: number;
  /** Response body; default: the vendor's error format for that status. */
  body?: unknown;
  /** A body sent as is (plain text, HTML, a stack trace), with `contentType` (default text/plain). */
  rawBody?: string;
  contentType?: string;
  /** Extra response headers (override the defaults). */
  headers?: Record<string, string>;
  /** Error message in the default body. */
  message?: string;
  /** `retry-after-ms` header. Default 1 for 408/409/429/5xx; null = no header. */
  retryAfterMs?: number | null;
  /** Sends `x-should-retry: true|false` (overrides the SDK retry policy). */
  shouldRetry?: boolean;
}

/** Fails the first `n` matching requests (default with 429), then lets them succeed. */
export interface ErrorAfterNScenario extends Omit<HttpErrorScenario, 'kind' | 'status' | 'times'> {
  kind: 'error_after_n';
  n: number;
  /** Default 429. */
  status?: number;
}

export interface MidStreamErrorScenario extends ScenarioFilter {
  kind: 'mid_stream_error';
  /** Content chunks sent before the error. Default 2. */
  afterChunks?: number;
  /** Default: OpenAI `server_error`, Anthropic `overloaded_error`. */
  errorType?: string;
  message?: string;
  /** The error frame's data as sent (any JSON: another server's shape); overrides errorType/message. */
  payload?: unknown;
}

export interface TruncateScenario extends ScenarioFilter {
  kind: 'truncate';
  /** Content chunks sent before the cut. Default 2. */
  afterChunks?: number;
  /**
   * 'destroy' (default): the socket is destroyed (the client sees a terminated body).
   * 'end': the HTTP response ends cleanly, just without `[DONE]` / `message_stop`.
   */
  mode?: 'destroy' | 'end';
}

export interface MalformedScenario extends ScenarioFilter {
  kind: 'malformed';
  /** Content chunks sent before the broken JSON frame. Default 1. */
  afterChunks?: number;
}

export interface StallScenario extends ScenarioFilter {
  kind: 'stall';
  /** Content chunks sent before the stall. Default 1. */
  afterChunks?: number;
  /** Stall duration; omitted = forever (until the client disconnects or the server closes). */
  ms?: number;
}

export interface SlowHeadersScenario extends ScenarioFilter {
  kind: 'slow_headers';
  /** Delay before the status line is sent; omitted = forever. */
  ms?: number;
}

/** Every content frame is sent twice (tests de-duplication / robustness). */
export interface DuplicateFramesScenario extends ScenarioFilter {
  kind: 'duplicate_frames';
}

/**
 * The stream as some gateways and proxies write it: no `event:` lines (data only), and no blank
 * line after the last event before the connection closes.
 */
export interface BareFramesScenario extends ScenarioFilter {
  kind: 'bare_frames';
}

/** Forces a prompt-cache miss (no read; writes still happen). */
export interface CacheMissScenario extends ScenarioFilter {
  kind: 'cache_miss';
}

export type Scenario =
  | HttpErrorScenario
  | ErrorAfterNScenario
  | MidStreamErrorScenario
  | TruncateScenario
  | MalformedScenario
  | StallScenario
  | SlowHeadersScenario
  | DuplicateFramesScenario
  | BareFramesScenario
  | CacheMissScenario;

export type ScenarioKind = Scenario['kind'];

/** What the server recorded about one API request (admin requests are not recorded). */
export interface RecordedRequest {
  /** 1, 2, 3 … in arrival order. */
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names. Contains the API key: never print it. */
  headers: Record<string, string>;
  /** Parsed JSON body (or a summary for multipart uploads); undefined when empty. */
  body: any;
  vendor?: Vendor;
  /** Route name, e.g. `openai.chat`, `anthropic.messages`, `anthropic.count_tokens`. */
  route?: string;
  model?: string;
  stream: boolean;
  /** The API key the request carried (Bearer or x-api-key). Never logged. */
  apiKey?: string;
  /** From `x-stainless-retry-count` (0 when absent). */
  retryCount: number;
  /** The scenario that was applied, if any. */
  scenario?: Scenario;
  /** HTTP status sent (undefined if headers were never sent). */
  status?: number;
  /** `x-request-id` / `request-id` sent back. */
  requestId?: string;
  /** Reply text generated for this request (generation endpoints). */
  replyText?: string;
  /** The usage object reported (vendor format), when one was computed. */
  usage?: any;
  startedAt: number;
  endedAt?: number;
  /** Date.now() when the first / last content chunk of a stream was written (for benches). */
  firstChunkAt?: number;
  lastChunkAt?: number;
  /** The response was fully written. */
  completed: boolean;
  /** The client closed the connection before the response ended. */
  disconnected: boolean;
  /** Short description of how the request ended: `ok`, `http_error`, `truncated`, … */
  outcome?: string;
}

export interface FakeLlmOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. Only loopback addresses make sense. */
  host?: string;
  profiles?: Record<string, ModelProfile>;
  /** Seed for generated texts. Default 0. */
  seed?: number;
  /** When given, only these API keys are accepted; others get a 401 in the vendor's format. */
  validKeys?: string[];
  /** Clock in ms used for cache TTLs and timestamps. Default Date.now. */
  now?: () => number;
  /** Receives one line per request (never contains the API key). Default: silent. */
  log?: (line: string) => void;
}

export interface BatchAdvanceOptions {
  /** Number of steps (default 1). */
  steps?: number;
  /** Advance until every batch is in a terminal state. */
  complete?: boolean;
  /** Expire every non-terminal batch instead of advancing it. */
  expire?: boolean;
}

export interface FakeLlm {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** `${url}/v1` — pass as `baseURL` to `new OpenAI()`. */
  readonly openaiBaseURL: string;
  /** `${url}` (no /v1) — pass as `baseURL` to `new Anthropic()`. */
  readonly anthropicBaseURL: string;
  /** Live array of recorded API requests. */
  readonly requests: RecordedRequest[];
  /** Appends one-shot scenarios to the queue. */
  setScenario(s: Scenario | Scenario[]): void;
  /** Empties the scenario queue. */
  clearScenarios(): void;
  /** Scenarios still queued. */
  pendingScenarios(): Scenario[];
  /** Adds or replaces a profile (exact model name or glob). */
  setProfile(model: string, profile: ModelProfile): void;
  /** The profile a model resolves to. */
  profileFor(model: string): ResolvedProfile;
  /** Clears requests, scenarios, prompt caches and batches (profiles are kept). */
  reset(): void;
  /** Resolves once no request is in flight (e.g. after a client abort was noticed). */
  waitForIdle(timeoutMs?: number): Promise<void>;
  /** Advances batch state (see batches.ts). Never happens on wall time. */
  advanceBatches(opts?: BatchAdvanceOptions): void;
  /** Stops the server, destroying open connections. */
  close(): Promise<void>;
}
