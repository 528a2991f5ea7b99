// The providers through the REAL SDKs against the project's fake server: events, usage
// normalisation, prompt caching, typed errors with partial output, cancellation.
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { createProvider } from '../../src/core/providers';
import { countTextTokens } from '../../src/core/tokens';
import type { ChatRequest, ProviderConfig, StreamEvent, Usage } from '../../src/core/types';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';

const OUTPUT = 'The quick brown fox jumps over the lazy dog. It was not amused.';

async function collect(stream: AsyncIterable<StreamEvent>) {
  let text = '';
  let usage: Usage | undefined;
  let finish: string | undefined;
  const errors: { kind: string; message: string; status?: number }[] = [];
  const order: string[] = [];
  for await (const e of stream) {
    order.push(e.type);
    if (e.type === 'text') text += e.text;
    if (e.type === 'usage') usage = e.usage;
    if (e.type === 'finish') finish = e.reason;
    if (e.type === 'error') errors.push(e.error);
  }
  return { text, usage, finish, error: errors[0], order };
}

// Independent reference: OpenAI's chat framing over js-tiktoken (not the tokenizer the engine uses).
const o200k = getEncoding('o200k_base');
const openaiPromptTokens = (msgs: { role: string; content: string }[]) =>
  msgs.reduce((n, m) => n + 3 + o200k.encode(m.role).length + o200k.encode(m.content).length, 0) + 3;

describe('providers against the fake server (real SDKs)', function () {
  let fake: FakeLlm;
  const openai = (over: Partial<ProviderConfig> = {}) =>
    createProvider({ name: 'openai', type: 'openai', baseURL: fake.openaiBaseURL, apiKey: 'sk-test-openai', ...over });
  const anthropic = (over: Partial<ProviderConfig> = {}) =>
    createProvider({ name: 'anthropic', type: 'anthropic', baseURL: fake.anthropicBaseURL, apiKey: 'sk-ant-test', ...over });
  const req = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model,
    system: 'You are terse.',
    messages: [{ role: 'user', content: 'Tell me about foxes.' }],
    maxOutputTokens: 200,
    ...extra,
  });

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { ttftMs: 0, tokensPerSec: 0, output: OUTPUT, chunkTokens: 3 } } });
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  it('OpenAI: streams text, then exact usage, then the finish reason', async () => {
    const r = await collect(openai().stream(req('gpt-4o-mini')));
    assert.equal(r.text, OUTPUT);
    assert.equal(r.finish, 'stop');
    assert.deepEqual(r.order.slice(-2), ['usage', 'finish']);
    assert.deepEqual(r.usage, {
      inputTokens: openaiPromptTokens([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Tell me about foxes.' },
      ]),
      outputTokens: o200k.encode(OUTPUT).length,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 0,
      estimated: false,
    });
    const sent = fake.requests[0].body as Record<string, unknown>;
    assert.deepEqual(sent.stream_options, { include_usage: true });
    // Not OpenAI's own host: the cap goes by the name every compatible server knows.
    assert.equal(sent.max_tokens, 200);
    assert.equal(sent.max_completion_tokens, undefined);
    assert.equal(fake.requests[0].headers.authorization, 'Bearer sk-test-openai');
  });

  it('OpenAI: cached_tokens become cache reads inside the total; reasoning stays inside output', async () => {
    fake.setProfile('gpt-5-mini', { output: OUTPUT, reasoningTokens: 64 });
    const long = 'lorem ipsum dolor sit amet '.repeat(300);
    const request = req('gpt-5-mini', { system: long });
    const first = await collect(openai().stream(request));
    const second = await collect(openai().stream(request));
    assert.equal(first.usage!.cacheReadTokens, 0);
    assert.equal(second.usage!.inputTokens, first.usage!.inputTokens);
    assert.ok(second.usage!.cacheReadTokens >= 1024 && second.usage!.cacheReadTokens % 128 === 0);
    assert.equal(second.usage!.cacheReadTokens, Math.floor(first.usage!.inputTokens / 128) * 128);
    assert.equal(second.usage!.reasoningTokens, 64);
    assert.equal(second.usage!.outputTokens, o200k.encode(OUTPUT).length + 64);
  });

  it('Anthropic: cache_control on the system prefix writes, then reads; input_tokens excludes them', async () => {
    const system = 'You are a meticulous assistant. '.repeat(200);
    const request = req('claude-sonnet-4-5', { system, cacheSystem: true });
    const p = anthropic();
    const count = await p.countTokens!(request);
    const first = await collect(p.stream(request));
    const second = await collect(p.stream(request));
    const sent = fake.requests.find((r) => r.route === 'anthropic.messages')!.body as { system: unknown };
    assert.deepEqual(sent.system, [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }]);
    assert.equal(first.usage!.inputTokens, count.tokens, 'the total agrees with count_tokens');
    assert.equal(count.estimated, false);
    const systemPrefix = 3 + 3 + o200k.encode(system).length; // request framing + system framing + text
    assert.equal(first.usage!.cacheWriteTokens, systemPrefix);
    assert.equal(first.usage!.cacheReadTokens, 0);
    assert.equal(second.usage!.cacheReadTokens, systemPrefix);
    assert.equal(second.usage!.cacheWriteTokens, 0);
    assert.equal(second.usage!.inputTokens, count.tokens);
    assert.equal(first.text, OUTPUT);
    assert.equal(first.finish, 'stop');
  });

  it('Anthropic: a 1-hour breakpoint is reported as a 1-hour write', async () => {
    const system = 'Context. '.repeat(1500);
    const r = await collect(anthropic().stream(req('claude-sonnet-4-5', { system, cacheSystem: true, cacheTtl: '1h' })));
    assert.ok(r.usage!.cacheWriteTokens > 1024);
    assert.equal(r.usage!.cacheWrite1hTokens, r.usage!.cacheWriteTokens);
  });

  it('an OpenAI-compatible server that sends no usage gets a local count, marked estimated', async () => {
    fake.setProfile('llama3.2', { output: OUTPUT, sendUsage: false });
    const p = createProvider({ name: 'ollama', type: 'openai-compatible', baseURL: fake.openaiBaseURL });
    const r = await collect(p.stream(req('llama3.2')));
    assert.equal(r.text, OUTPUT);
    assert.equal(r.usage!.estimated, true);
    assert.equal(r.usage!.outputTokens, o200k.encode(OUTPUT).length);
    assert.equal((fake.requests[0].body as { max_tokens?: number }).max_tokens, 200, 'compatible servers get max_tokens');
  });

  it('401 is an auth error with a clear message and no key in it', async () => {
    fake.setScenario({ kind: 'http_error', status: 401 });
    const r = await collect(openai({ apiKey: 'sk-test-secret-123456' }).stream(req('gpt-4o-mini')));
    assert.equal(r.error?.kind, 'auth');
    assert.equal(r.error?.status, 401);
    assert.match(r.error!.message, /^OpenAI rejected the API key \(401\)/);
    assert.doesNotMatch(r.error!.message, /sk-test-secret-123456/);
    assert.equal(r.text, '');
  });

  it('a missing key fails before any request', async () => {
    const r = await collect(anthropic({ apiKey: undefined }).stream(req('claude-haiku-4-5')));
    assert.deepEqual(r.error, { kind: 'auth', message: 'No API key for anthropic: set ANTHROPIC_API_KEY or store a key.' });
    assert.equal(fake.requests.length, 0);
  });

  it('429 and 5xx are retried by the SDK (retry-after-ms honoured), then succeed', async () => {
    fake.setScenario({ kind: 'error_after_n', n: 2, status: 429 });
    const r = await collect(anthropic().stream(req('claude-haiku-4-5')));
    assert.equal(r.error, undefined);
    assert.equal(r.text, OUTPUT);
    assert.deepEqual(
      fake.requests.map((x) => [x.status, x.retryCount]),
      [
        [429, 0],
        [429, 1],
        [200, 2],
      ],
    );
  });

  it('a 429 that outlasts the retries is a rate_limit error with the server wait', async () => {
    fake.setScenario({ kind: 'http_error', status: 429, times: 3, retryAfterMs: 5 });
    const r = await collect(openai().stream(req('gpt-4o-mini')));
    assert.equal(r.error?.kind, 'rate_limit');
    assert.equal((r.error as { retryAfterMs?: number }).retryAfterMs, 5);
    assert.equal(fake.requests.length, 3);
  });

  it('500 becomes a server error (Anthropic 529 overloaded too)', async () => {
    fake.setScenario({ kind: 'http_error', status: 500, times: 3 });
    const a = await collect(openai().stream(req('gpt-4o-mini')));
    assert.equal(a.error?.kind, 'server');
    assert.equal(a.error?.status, 500);
    fake.setScenario({ kind: 'http_error', status: 529, times: 3 });
    const b = await collect(anthropic().stream(req('claude-haiku-4-5')));
    assert.equal(b.error?.kind, 'server');
    assert.equal(b.error?.status, 529);
  });

  for (const vendor of ['openai', 'anthropic'] as const) {
    it(`${vendor}: a mid-stream error keeps the partial answer`, async () => {
      fake.setScenario({ kind: 'mid_stream_error', afterChunks: 2 });
      const p = vendor === 'openai' ? openai() : anthropic();
      const r = await collect(p.stream(req(vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5')));
      assert.equal(r.error?.kind, 'server');
      assert.match(r.error!.message, /mid-stream/);
      assert.ok(r.text.length > 0 && OUTPUT.startsWith(r.text) && r.text !== OUTPUT, `partial: ${r.text}`);
      assert.equal(r.usage?.outputTokens !== undefined, true, 'a usage figure for what was produced');
    });

    it(`${vendor}: a truncated stream is a stream_cut with the partial answer`, async () => {
      // Paced like a real server: a socket reset discards whatever the client had not read yet.
      const model = vendor === 'openai' ? 'gpt-4o-paced' : 'claude-paced';
      fake.setProfile(model, { output: OUTPUT, chunkTokens: 3, tokensPerSec: 300 });
      for (const mode of ['destroy', 'end'] as const) {
        fake.setScenario({ kind: 'truncate', afterChunks: 3, mode });
        const p = vendor === 'openai' ? openai() : anthropic();
        const r = await collect(p.stream(req(model)));
        assert.equal(r.error?.kind, 'stream_cut', `${mode}: ${JSON.stringify(r.error)}`);
        const vendorName = vendor === 'openai' ? 'OpenAI' : 'Anthropic';
        const ended = vendor === 'openai' ? 'the stream ended before the answer was finished.' : 'the stream ended before message_stop.';
        assert.equal(r.error?.message, `${vendorName}: ${mode === 'destroy' ? 'the connection closed mid-answer.' : ended}`, mode);
        assert.ok(r.text.length > 0 && OUTPUT.startsWith(r.text) && r.text !== OUTPUT, `${mode} partial: ${r.text}`);
        // The output side was never reported: counted locally from the partial text, marked.
        assert.equal(r.usage?.estimated, true, mode);
        assert.equal(r.usage?.outputTokens, (await countTextTokens(r.text, model)).tokens, mode);
        if (vendor === 'anthropic') {
          // …while message_start's input figures are exact and kept.
          const exact = await anthropic().countTokens!(req(model));
          assert.equal(r.usage?.inputTokens, exact.tokens, mode);
        }
      }
    });

    it(`${vendor}: aborting closes the HTTP stream (the server sees the disconnect)`, async () => {
      fake.setScenario({ kind: 'stall', afterChunks: 1 });
      const ac = new AbortController();
      const p = vendor === 'openai' ? openai() : anthropic();
      const events: StreamEvent[] = [];
      for await (const e of p.stream(req(vendor === 'openai' ? 'gpt-4o-mini' : 'claude-haiku-4-5'), ac.signal)) {
        events.push(e);
        if (e.type === 'text') ac.abort();
      }
      const error = events.find((e) => e.type === 'error');
      assert.deepEqual(error, { type: 'error', error: { kind: 'cancelled', message: 'Cancelled.' } });
      await fake.waitForIdle();
      assert.equal(fake.requests[0].disconnected, true);
      assert.equal(fake.requests[0].completed, false);
    });
  }

  it('a malformed frame is a clear error, not a crash', async () => {
    fake.setScenario({ kind: 'malformed', afterChunks: 1 });
    const r = await collect(openai().stream(req('gpt-4o-mini')));
    // The server broke the protocol: its fault (server), not the user's request (bad_request).
    assert.equal(r.error!.kind, 'server');
    assert.match(r.error!.message, /^OpenAI: the server sent a malformed stream event \(.+\) \(http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions\)\.$/);
  });

  it('a stream that stalls past the idle timeout is cut, the partial answer kept, the connection closed', async () => {
    fake.setScenario({ kind: 'stall', afterChunks: 2 });
    const r = await collect(anthropic({ idleTimeoutMs: 150 }).stream(req('claude-haiku-4-5')));
    assert.deepEqual(r.error, { kind: 'stream_cut', message: 'Anthropic: the stream stalled (no data for 0.2 s).' });
    assert.ok(r.text.length > 0 && OUTPUT.startsWith(r.text));
    await fake.waitForIdle();
    assert.equal(fake.requests[0].disconnected, true);
  });
});
