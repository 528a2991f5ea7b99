// Fake OpenAI + Anthropic server for tests. The official SDKs talk to it unchanged.
// Usage and API: see README.md in this folder.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { BatchStore } from './batches';
import { BadRequest, Engine, type Chunk } from './engine';
import { Conn, idHeaders, sendError, sendJson, sendRaw, type Ctx } from './http';
import { ScenarioQueue, parseScenarios, scenarioMatches } from './scenarios';
import type {
  BatchAdvanceOptions,
  FakeLlm,
  FakeLlmOptions,
  MidStreamErrorScenario,
  ModelProfile,
  RecordedRequest,
  ResolvedProfile,
  Scenario,
  Vendor,
} from './types';

export * from './types';
export { countOpenAIPrompt, countClaudePrompt, countClaudeOutput, openaiEncodingFor, countText } from './tokens';
export { namedScenario, parseScenarios } from './scenarios';

/** Starts a fake server on 127.0.0.1 (port 0 = ephemeral by default). */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const server = new FakeLlmServer(options);
  await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return server;
}

interface Route {
  name: string;
  vendor: Vendor;
  params: string[];
  validate?: (ctx: Ctx) => void;
  handle: (ctx: Ctx) => Promise<void> | void;
}

interface StreamFrames {
  preamble: string[];
  chunk(c: Chunk): string;
  epilogue(): string[];
  error(sc: MidStreamErrorScenario): string;
  malformed: string;
}

const REDACTED = '[redacted]';
const SECRET_HEADERS = ['authorization', 'x-api-key', 'api-key'];

/** A copy of a recorded request without credentials (what the admin API returns). */
export function redactRequest(r: RecordedRequest): Omit<RecordedRequest, 'apiKey'> {
  const { apiKey: _k, ...rest } = r;
  const headers = { ...r.headers };
  for (const h of SECRET_HEADERS) if (headers[h] !== undefined) headers[h] = REDACTED;
  return { ...rest, headers };
}

function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

function event(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function isRetryable(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

class FakeLlmServer implements FakeLlm {
  url = '';
  port = 0;
  readonly requests: RecordedRequest[] = [];
  private readonly queue = new ScenarioQueue();
  private readonly engine: Engine;
  private readonly batches: BatchStore;
  private readonly server: http.Server;
  private readonly validKeys?: Set<string>;
  private readonly log?: (line: string) => void;
  private readonly now: () => number;
  private seq = 0;
  private inFlight = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: FakeLlmOptions) {
    this.now = options.now ?? Date.now;
    this.engine = new Engine(options.profiles, options.seed ?? 0, this.now);
    this.batches = new BatchStore(this.engine, () => this.url);
    this.validKeys = options.validKeys ? new Set(options.validKeys) : undefined;
    this.log = options.log;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `fake-llm internal error: ${String(err)}`, type: 'server_error', param: null, code: null } }));
        } else res.destroy();
      });
    });
  }

  get openaiBaseURL(): string {
    return `${this.url}/v1`;
  }

  get anthropicBaseURL(): string {
    return this.url;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address() as AddressInfo;
        this.port = addr.port;
        this.url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
        resolve();
      });
    });
  }

  // ------------------------------------------------------------------------------ public API

  setScenario(s: Scenario | Scenario[]): void {
    this.queue.push(parseScenarios(s));
  }

  clearScenarios(): void {
    this.queue.clear();
  }

  pendingScenarios(): Scenario[] {
    return this.queue.pending();
  }

  setProfile(model: string, profile: ModelProfile): void {
    this.engine.setProfile(model, profile);
  }

  profileFor(model: string): ResolvedProfile {
    return this.engine.profileFor(model);
  }

  reset(): void {
    this.requests.length = 0;
    this.queue.clear();
    this.engine.resetState();
    this.batches.reset();
  }

  advanceBatches(opts?: BatchAdvanceOptions): void {
    this.batches.advance(opts);
  }

  waitForIdle(timeoutMs = 5000): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`fake-llm: ${this.inFlight} request(s) still in flight after ${timeoutMs}ms`)), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ------------------------------------------------------------------------------ dispatch

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://fake');
    const path = u.pathname.replace(/\/+$/, '') || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const rawBody = await readBody(req);

    if (path.startsWith('/__admin/')) return this.handleAdmin(method, path, rawBody, res);

    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    const rec: RecordedRequest = {
      seq: ++this.seq,
      method,
      path,
      query: Object.fromEntries(u.searchParams),
      headers,
      body: undefined,
      stream: false,
      retryCount: Number(headers['x-stainless-retry-count'] ?? 0) || 0,
      startedAt: Date.now(),
      completed: false,
      disconnected: false,
    };
    this.requests.push(rec);
    this.inFlight++;
    const conn = new Conn(res, rec, () => this.onRequestClosed(rec));

    const route = this.route(method, path, headers);
    const vendor: Vendor = route?.vendor ?? (headers['anthropic-version'] || headers['x-api-key'] ? 'anthropic' : 'openai');
    const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1]?.trim();
    const apiKey = (vendor === 'anthropic' ? (headers['x-api-key'] ?? bearer) : (bearer ?? headers['api-key'])) ?? '';
    rec.vendor = vendor;
    rec.route = route?.name;
    if (apiKey) rec.apiKey = apiKey;
    const ctx: Ctx = {
      req,
      res,
      conn,
      rec,
      vendor,
      apiKey,
      body: undefined,
      rawBody,
      params: route?.params ?? [],
      requestId: `req_fake_${this.engine.nextId()}`,
      baseUrl: this.url,
    };
    rec.requestId = ctx.requestId;
    res.socket?.setNoDelay(true);

    const ct = headers['content-type'] ?? '';
    if (rawBody.length > 0 && !ct.includes('multipart/form-data')) {
      try {
        ctx.body = JSON.parse(rawBody.toString('utf8'));
      } catch {
        rec.body = rawBody.toString('utf8');
        return sendError(ctx, 400, 'We could not parse the JSON body of your request.', { type: 'invalid_request_error' });
      }
    }
    rec.body = ctx.body;
    if (typeof ctx.body?.model === 'string') rec.model = ctx.body.model;
    rec.stream = ctx.body?.stream === true;

    if (!route) return sendError(ctx, 404, `Invalid URL (${method} ${path})`, { type: vendor === 'anthropic' ? 'not_found_error' : 'invalid_request_error', code: null });

    if (this.validKeys && !this.validKeys.has(apiKey)) {
      rec.outcome = 'unauthorized';
      return sendError(
        ctx,
        401,
        vendor === 'anthropic' ? 'invalid x-api-key' : 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
      );
    }

    if (route.validate) {
      try {
        route.validate(ctx);
      } catch (err) {
        if (err instanceof BadRequest) {
          rec.outcome = 'bad_request';
          return sendError(ctx, 400, err.message, { param: err.param, code: err.code });
        }
        throw err;
      }
    }

    const required = rec.model && route.validate ? this.engine.profileFor(rec.model).requiredHeaders : undefined;
    const missing = Object.entries(required ?? {}).find(([k, v]) => headers[k.toLowerCase()] !== v);
    if (missing) {
      rec.outcome = 'missing_header';
      return sendJson(ctx, 400, { status: 'failure', message: `The gateway needs the header ${missing[0]}: ${missing[1]}.` });
    }

    // Scenario: the x-fake-scenario header (every request carrying it), else the queue.
    const hv = headers['x-fake-scenario'];
    let sc: Scenario | undefined;
    if (hv) {
      let list: Scenario[];
      try {
        list = parseScenarios(hv);
      } catch (err) {
        return sendError(ctx, 400, `x-fake-scenario: ${(err as Error).message}`);
      }
      sc = list.find((s) => scenarioMatches({ ...s, path: s.path ?? path }, { vendor, path, model: rec.model }));
      if (sc?.kind === 'error_after_n' && rec.retryCount >= sc.n) sc = undefined;
    } else {
      sc = this.queue.take({ vendor, path, model: rec.model });
    }
    if (sc) {
      ctx.scenario = sc;
      rec.scenario = sc;
    }

    if (sc?.kind === 'slow_headers') {
      await conn.sleep(sc.ms ?? Infinity);
      if (conn.closed) return;
    }
    if (sc?.kind === 'http_error' || sc?.kind === 'error_after_n') return this.sendScenarioError(ctx, sc);

    await route.handle(ctx);
  }

  private onRequestClosed(rec: RecordedRequest): void {
    this.inFlight--;
    if (this.log) {
      const extra = rec.disconnected ? ' (client disconnected)' : '';
      this.log(`${rec.method} ${rec.path}${rec.model ? ` model=${rec.model}` : ''}${rec.stream ? ' stream' : ''} -> ${rec.status ?? '-'} ${rec.outcome ?? ''}${extra}`.trim());
    }
    if (this.inFlight === 0) {
      const ws = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of ws) w();
    }
  }

  private route(method: string, path: string, headers: Record<string, string>): Route | undefined {
    if (method === 'POST' && path === '/v1/chat/completions') {
      return {
        name: 'openai.chat',
        vendor: 'openai',
        params: [],
        validate: (ctx) => this.engine.validateOpenAIChat(ctx.body),
        handle: (ctx) => this.openaiChat(ctx),
      };
    }
    if (method === 'POST' && path === '/v1/messages') {
      return {
        name: 'anthropic.messages',
        vendor: 'anthropic',
        params: [],
        validate: (ctx) => this.engine.validateAnthropic(ctx.body, false),
        handle: (ctx) => this.anthropicMessages(ctx),
      };
    }
    if (method === 'POST' && path === '/v1/messages/count_tokens') {
      return {
        name: 'anthropic.count_tokens',
        vendor: 'anthropic',
        params: [],
        validate: (ctx) => this.engine.validateAnthropic(ctx.body, true),
        handle: (ctx) => sendJson(ctx, 200, { input_tokens: this.engine.countAnthropic(ctx.body) }),
      };
    }
    const m = /^\/v1\/models(?:\/(.+))?$/.exec(path);
    if (method === 'GET' && m) {
      const vendor: Vendor = headers['anthropic-version'] || headers['x-api-key'] ? 'anthropic' : 'openai';
      const id = m[1] ? decodeURIComponent(m[1]) : undefined;
      return { name: `${vendor}.models`, vendor, params: id ? [id] : [], handle: (ctx) => this.models(ctx, id) };
    }
    return this.batches.route(method, path);
  }

  // ------------------------------------------------------------------------------ scenarios

  private sendScenarioError(ctx: Ctx, sc: Scenario & { kind: 'http_error' | 'error_after_n' }): void {
    const status = sc.kind === 'http_error' ? sc.status : (sc.status ?? 429);
    const headers: Record<string, string> = {};
    const retryAfter = sc.retryAfterMs === undefined ? (isRetryable(status) ? 1 : null) : sc.retryAfterMs;
    if (retryAfter !== null) headers['retry-after-ms'] = String(retryAfter);
    if (sc.shouldRetry !== undefined) headers['x-should-retry'] = String(sc.shouldRetry);
    if (status === 429) Object.assign(headers, this.rateLimitHeaders(ctx.vendor));
    Object.assign(headers, sc.headers ?? {});
    ctx.rec.outcome = 'http_error';
    if (sc.rawBody !== undefined) {
      for (const [k, v] of Object.entries({ ...idHeaders(ctx), ...headers })) ctx.res.setHeader(k, v);
      return sendRaw(ctx, status, sc.rawBody, sc.contentType ?? 'text/plain; charset=utf-8');
    }
    if (sc.body !== undefined) return sendJson(ctx, status, sc.body, headers);
    sendError(ctx, status, sc.message, { headers });
  }

  private rateLimitHeaders(vendor: Vendor): Record<string, string> {
    if (vendor === 'openai') {
      return {
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '0',
        'x-ratelimit-reset-requests': '120ms',
        'x-ratelimit-limit-tokens': '200000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '120ms',
      };
    }
    const reset = new Date(this.now() + 1000).toISOString();
    const out: Record<string, string> = {};
    for (const k of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
      out[`anthropic-ratelimit-${k}-limit`] = k === 'requests' ? '50' : '100000';
      out[`anthropic-ratelimit-${k}-remaining`] = '0';
      out[`anthropic-ratelimit-${k}-reset`] = reset;
    }
    return out;
  }

  /**
   * Send times (ms after the preamble) of each content chunk, plus one extra entry for the end:
   * chunk 0 at ttftMs, chunk k at ttftMs + (tokens of chunks 1..k) / tokensPerSec.
   */
  private schedule(chunks: Chunk[], profile: ResolvedProfile): number[] {
    const tps = profile.tokensPerSec;
    const paced = tps > 0 && Number.isFinite(tps);
    const out: number[] = [];
    let ms = profile.ttftMs;
    for (let k = 0; k <= chunks.length; k++) {
      if (paced && k >= 1 && k < chunks.length) ms += (chunks[k].tokens / tps) * 1000;
      out.push(ms);
    }
    return out;
  }

  private async runStream(ctx: Ctx, chunks: Chunk[], profile: ResolvedProfile, frames: StreamFrames): Promise<void> {
    const { conn, res } = ctx;
    const sc = ctx.scenario;
    ctx.rec.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...(ctx.vendor === 'anthropic' ? { 'request-id': ctx.requestId } : { 'x-request-id': ctx.requestId }),
      ...gatewayCostHeader(profile),
    });
    res.flushHeaders();
    const bare = sc?.kind === 'bare_frames';
    // bare_frames: data lines only; the last event's blank line is left out (see BareFramesScenario).
    const write = (f: string, last = false) => {
      if (!bare) return conn.write(f);
      const dataOnly = f.split('\n').filter((line) => !line.startsWith('event:')).join('\n');
      conn.write(last ? dataOnly.replace(/\n+$/, '') : dataOnly);
    };
    for (const f of frames.preamble) write(f);
    const t0 = performance.now();
    let shift = 0;
    const dup = sc?.kind === 'duplicate_frames';
    const at = this.schedule(chunks, profile);
    for (let k = 0; k <= chunks.length; k++) {
      await conn.sleep(t0 + shift + at[k] - performance.now());
      if (conn.closed) return;
      if (sc && this.triggersAt(sc, k, chunks.length)) {
        switch (sc.kind) {
          case 'mid_stream_error':
            ctx.rec.outcome = 'mid_stream_error';
            conn.write(frames.error(sc));
            conn.end();
            return;
          case 'malformed':
            ctx.rec.outcome = 'malformed';
            conn.write(frames.malformed);
            conn.end();
            return;
          case 'truncate':
            ctx.rec.outcome = 'truncated';
            if (sc.mode === 'end') conn.end();
            else conn.cut();
            return;
          case 'stall': {
            const s = performance.now();
            ctx.rec.outcome = 'stalled';
            await conn.sleep(sc.ms ?? Infinity);
            if (conn.closed) return;
            shift += performance.now() - s;
            break;
          }
          default:
            break;
        }
      }
      if (k < chunks.length) {
        const f = frames.chunk(chunks[k]);
        write(f);
        if (dup) write(f);
        ctx.rec.lastChunkAt = Date.now();
        ctx.rec.firstChunkAt ??= ctx.rec.lastChunkAt;
      }
    }
    const epilogue = frames.epilogue();
    epilogue.forEach((f, i) => write(f, i === epilogue.length - 1));
    ctx.rec.outcome = ctx.rec.outcome === 'stalled' ? 'ok_after_stall' : 'ok';
    conn.end();
  }

  private triggersAt(sc: Scenario, k: number, n: number): boolean {
    const defaults: Partial<Record<Scenario['kind'], number>> = { mid_stream_error: 2, truncate: 2, malformed: 1, stall: 1 };
    const d = defaults[sc.kind];
    if (d === undefined) return false;
    const after = Math.max(0, (sc as { afterChunks?: number }).afterChunks ?? d);
    return k === Math.min(after, n);
  }

  /** Non-streaming reply with the same timing, honouring the scenarios that make sense. */
  private async runJson(ctx: Ctx, chunks: Chunk[], profile: ResolvedProfile, body: Record<string, unknown>): Promise<void> {
    const { conn, res } = ctx;
    const sc = ctx.scenario;
    const text = JSON.stringify(body);
    const head = {
      'content-type': 'application/json',
      ...(ctx.vendor === 'anthropic' ? { 'request-id': ctx.requestId } : { 'x-request-id': ctx.requestId }),
      ...gatewayCostHeader(profile),
    };
    if (sc?.kind === 'stall') {
      // Non-streaming: nothing (not even headers) is sent while stalled, like a slow upstream.
      ctx.rec.outcome = 'stalled';
      await conn.sleep(sc.ms ?? Infinity);
      if (conn.closed) return;
    }
    await conn.sleep(this.schedule(chunks, profile)[chunks.length]);
    if (conn.closed) return;
    switch (sc?.kind) {
      case 'mid_stream_error':
        return sendError(ctx, 500, sc.message, { headers: { 'retry-after-ms': '1' } });
      case 'truncate':
      case 'malformed':
        ctx.rec.status = 200;
        ctx.rec.outcome = sc.kind === 'truncate' ? 'truncated' : 'malformed';
        if (!res.headersSent) res.writeHead(200, head);
        conn.write(text.slice(0, Math.floor(text.length / 2)));
        if (sc.kind === 'truncate' && sc.mode !== 'end') conn.cut();
        else conn.end();
        return;
      default:
        break;
    }
    ctx.rec.status = 200;
    ctx.rec.outcome = ctx.rec.outcome === 'stalled' ? 'ok_after_stall' : 'ok';
    if (!res.headersSent) res.writeHead(200, { ...head, 'content-length': String(Buffer.byteLength(text)) });
    conn.end(text);
  }

  // ------------------------------------------------------------------------------ OpenAI

  private async openaiChat(ctx: Ctx): Promise<void> {
    const body = ctx.body;
    const plan = this.engine.planOpenAIChat(body, ctx.apiKey, { forceCacheMiss: ctx.scenario?.kind === 'cache_miss' });
    ctx.rec.replyText = plan.text;
    if (plan.profile.sendUsage) ctx.rec.usage = plan.usage;
    const id = `chatcmpl-fake${this.engine.nextId()}`;
    if (!body.stream) {
      const out = this.engine.openaiChatBody(plan, id.slice('chatcmpl-fake'.length));
      return this.runJson(ctx, plan.chunks, plan.profile, out);
    }
    const withUsage = body.stream_options?.include_usage === true && plan.profile.sendUsage;
    const base = { id, object: 'chat.completion.chunk', created: this.engine.nowSeconds(), model: plan.model, system_fingerprint: null };
    const chunk = (choices: unknown[], usage: unknown = null): Record<string, unknown> => (withUsage ? { ...base, choices, usage } : { ...base, choices });
    const frames: StreamFrames = {
      preamble: [sse(chunk([{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]))],
      chunk: (c) => sse(chunk([{ index: 0, delta: { content: c.text }, logprobs: null, finish_reason: null }])),
      epilogue: () => [
        sse(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: plan.finishReason }])),
        ...(withUsage ? [sse({ ...base, choices: [], usage: plan.usage })] : []),
        'data: [DONE]\n\n',
      ],
      error: (sc) =>
        sc.payload !== undefined ? sse(sc.payload) : sse({ error: { message: sc.message ?? 'The server had an error while processing your request.', type: sc.errorType ?? 'server_error', param: null, code: null } }),
      malformed: `data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":\n\n`,
    };
    return this.runStream(ctx, plan.chunks, plan.profile, frames);
  }

  // ------------------------------------------------------------------------------ Anthropic

  private async anthropicMessages(ctx: Ctx): Promise<void> {
    const body = ctx.body;
    const plan = this.engine.planAnthropic(body, ctx.apiKey, { forceCacheMiss: ctx.scenario?.kind === 'cache_miss' });
    ctx.rec.replyText = plan.text;
    ctx.rec.usage = plan.usage;
    const seqId = this.engine.nextId();
    const msg = this.engine.anthropicMessageBody(plan, seqId);
    if (!body.stream) return this.runJson(ctx, plan.chunks, plan.profile, msg);
    const u = plan.usage;
    const frames: StreamFrames = {
      preamble: [
        event('message_start', {
          type: 'message_start',
          message: { ...msg, content: [], stop_reason: null, stop_sequence: null, usage: { ...u, output_tokens: Math.min(1, u.output_tokens) } },
        }),
        event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
        event('ping', { type: 'ping' }),
      ],
      chunk: (c) => event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: c.text } }),
      epilogue: () => [
        event('content_block_stop', { type: 'content_block_stop', index: 0 }),
        event('message_delta', {
          type: 'message_delta',
          delta: { stop_reason: plan.stopReason, stop_sequence: plan.stopSequence },
          usage: {
            input_tokens: u.input_tokens,
            cache_creation_input_tokens: u.cache_creation_input_tokens,
            cache_read_input_tokens: u.cache_read_input_tokens,
            output_tokens: u.output_tokens,
          },
        }),
        event('message_stop', { type: 'message_stop' }),
      ],
      error: (sc) => sc.payload !== undefined ? event('error', sc.payload) : event('error', { type: 'error', error: { type: sc.errorType ?? 'overloaded_error', message: sc.message ?? 'Overloaded' } }),
      malformed: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\n\n',
    };
    return this.runStream(ctx, plan.chunks, plan.profile, frames);
  }

  // ------------------------------------------------------------------------------ models

  private models(ctx: Ctx, id?: string): void {
    ctx.rec.outcome = 'ok';
    if (ctx.vendor === 'openai') {
      const obj = (m: string): unknown => ({ id: m, object: 'model', created: 1767225600, owned_by: 'fake-llm' });
      if (id) return sendJson(ctx, 200, obj(id));
      return sendJson(ctx, 200, { object: 'list', data: this.engine.openaiModels().map(obj) });
    }
    const obj = (m: string): unknown => ({ type: 'model', id: m, display_name: m, created_at: '2026-01-01T00:00:00Z' });
    if (id) return sendJson(ctx, 200, obj(id));
    const ids = this.engine.anthropicModels();
    sendJson(ctx, 200, { data: ids.map(obj), has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null });
  }

  // ------------------------------------------------------------------------------ admin

  private handleAdmin(method: string, path: string, rawBody: Buffer, res: http.ServerResponse): void {
    const reply = (status: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    };
    let body: any;
    try {
      body = rawBody.length ? JSON.parse(rawBody.toString('utf8')) : undefined;
    } catch {
      return reply(400, { error: 'invalid JSON' });
    }
    try {
      if (path === '/__admin/scenario' && method === 'POST') {
        const list = parseScenarios(body);
        this.queue.push(list);
        return reply(200, { queued: list.length, pending: this.queue.pending() });
      }
      if (path === '/__admin/scenario' && method === 'GET') return reply(200, { pending: this.queue.pending() });
      if (path === '/__admin/scenario' && method === 'DELETE') {
        this.queue.clear();
        return reply(200, { pending: [] });
      }
      if (path === '/__admin/requests' && method === 'GET') return reply(200, this.requests.map(redactRequest));
      if (path === '/__admin/reset' && method === 'POST') {
        this.reset();
        return reply(200, { ok: true });
      }
      if (path === '/__admin/profiles' && method === 'POST') {
        for (const [k, v] of Object.entries((body ?? {}) as Record<string, ModelProfile>)) this.setProfile(k, v);
        return reply(200, { ok: true });
      }
      if (path === '/__admin/batches/advance' && method === 'POST') {
        this.advanceBatches((body ?? {}) as BatchAdvanceOptions);
        return reply(200, { ok: true });
      }
      if (path === '/__admin/health' && method === 'GET') return reply(200, { ok: true });
    } catch (err) {
      return reply(400, { error: (err as Error).message });
    }
    reply(404, { error: `unknown admin route ${method} ${path}` });
  }
}

/** LiteLLM reports its cost of a call in a response header. */
function gatewayCostHeader(profile: ResolvedProfile): Record<string, string> {
  return profile.gatewayCost?.via === 'header' ? { 'x-litellm-response-cost': String(profile.gatewayCost.usd) } : {};
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

