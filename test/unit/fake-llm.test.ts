// The fake LLM server, exercised through the REAL openai and @anthropic-ai/sdk clients.
import assert from 'node:assert/strict';
import OpenAI, { toFile } from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { getEncoding, type Tiktoken } from 'js-tiktoken';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';

// Independent tokenizers (js-tiktoken, not the gpt-tokenizer the server uses).
let o200k: Tiktoken;
let cl100k: Tiktoken;
const tok = (enc: Tiktoken, s: string): number => enc.encode(s).length;

/** OpenAI rule: Σ (3 + role + content [+ 1 + name]) + 3. */
function openaiPromptTokens(enc: Tiktoken, messages: { role: string; content: string; name?: string }[]): number {
  return messages.reduce((n, m) => n + 3 + tok(enc, m.role) + tok(enc, m.content) + (m.name ? 1 + tok(enc, m.name) : 0), 0) + 3;
}

/** Declared Claude approximation: 3 + (system ? 3 + system : 0) + Σ (3 + content). */
function claudePromptTokens(system: string | undefined, messages: { content: string }[]): number {
  return 3 + (system ? 3 + tok(o200k, system) : 0) + messages.reduce((n, m) => n + 3 + tok(o200k, m.content), 0);
}

/** ~`n`×9 tokens of deterministic filler. */
function longText(n: number, tag = 'item'): string {
  return Array.from({ length: n }, (_, i) => `${tag} ${i} costs ${i * 7} units`).join('; ');
}

const FAST = { ttftMs: 0, tokensPerSec: 0, chunkTokens: 4 };

describe('fake LLM server', function () {
  let fake: FakeLlm;
  let logLines: string[];
  let oa: OpenAI;
  let an: Anthropic;

  before(async function () {
    this.timeout(30000);
    o200k = getEncoding('o200k_base');
    cl100k = getEncoding('cl100k_base');
    logLines = [];
    fake = await startFakeLlm({
      profiles: {
        '*': FAST,
        'slow-model': { ttftMs: 200, tokensPerSec: 200, chunkTokens: 5, outputTokens: 40 },
        'drip-model': { ttftMs: 0, tokensPerSec: 20, chunkTokens: 1, outputTokens: 60 },
        'o-reasoner': { ...FAST, reasoningTokens: 64, outputTokens: 6 },
        'local-llama': { ...FAST, sendUsage: false },
        'fixed-model': { ...FAST, output: 'Hello world. STOP here.' },
      },
      log: (l) => logLines.push(l),
    });
    oa = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseURL });
    an = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.anthropicBaseURL });
  });

  after(async () => {
    await fake?.close();
  });

  beforeEach(() => fake.reset());

  describe('OpenAI chat completions', () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: 'Explain prompt caching in one line, please.', name: 'alice' },
    ];

    it('non-streaming: exact usage (o200k_base + framing rule) and x-request-id', async () => {
      const r = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages });
      const text = r.choices[0].message.content ?? '';
      assert.ok(text.length > 0);
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.equal(r.usage?.prompt_tokens, openaiPromptTokens(o200k, messages));
      assert.equal(r.usage?.completion_tokens, tok(o200k, text));
      assert.equal(r.usage?.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
      assert.equal(r.usage?.prompt_tokens_details?.cached_tokens, 0);
      assert.match(r._request_id ?? '', /^req_fake_/);
      const rec = fake.requests[0];
      assert.equal(rec.route, 'openai.chat');
      assert.equal(rec.model, 'gpt-5.4-mini');
      assert.equal(rec.apiKey, 'sk-test');
      assert.equal(rec.completed, true);
      assert.equal(rec.disconnected, false);
    });

    it('uses cl100k_base for gpt-4 / gpt-3.5 names', async () => {
      const r = await oa.chat.completions.create({ model: 'gpt-4', messages });
      assert.equal(r.usage?.prompt_tokens, openaiPromptTokens(cl100k, messages));
      assert.equal(r.usage?.completion_tokens, tok(cl100k, r.choices[0].message.content ?? ''));
    });

    it('streaming: role chunk, content chunks, finish chunk, usage chunk with choices: []', async () => {
      const expected = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages });
      const stream = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages, stream: true, stream_options: { include_usage: true } });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      assert.equal(chunks[0].choices[0].delta.role, 'assistant');
      const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
      assert.equal(text, expected.choices[0].message.content, 'same request → same text');
      const finish = chunks.find((c) => c.choices[0]?.finish_reason);
      assert.equal(finish?.choices[0].finish_reason, 'stop');
      const last = chunks[chunks.length - 1];
      assert.deepEqual(last.choices, []);
      assert.equal(last.usage?.prompt_tokens, openaiPromptTokens(o200k, messages));
      assert.equal(last.usage?.completion_tokens, tok(o200k, text));
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
      assert.ok(chunks.length >= 4);
    });

    it('streaming without include_usage leaves usage out', async () => {
      const stream = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages, stream: true });
      for await (const c of stream) {
        assert.equal('usage' in c, false);
        assert.ok(c.choices.length === 1);
      }
    });

    it('.stream() helper: finalChatCompletion() works', async () => {
      const s = oa.chat.completions.stream({ model: 'gpt-5.4-mini', messages, stream_options: { include_usage: true } });
      let deltas = '';
      s.on('content', (d) => (deltas += d));
      const final = await s.finalChatCompletion();
      assert.equal(final.choices[0].message.content, deltas);
      assert.equal(final.choices[0].finish_reason, 'stop');
      assert.equal(final.usage?.prompt_tokens, openaiPromptTokens(o200k, messages));
    });

    it('max_completion_tokens caps the text: finish_reason length', async () => {
      const r = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages, max_completion_tokens: 5 });
      assert.equal(r.choices[0].finish_reason, 'length');
      assert.equal(r.usage?.completion_tokens, 5);
      assert.equal(tok(o200k, r.choices[0].message.content ?? ''), 5);
    });

    it('reasoning tokens are part of completion_tokens', async () => {
      const r = await oa.chat.completions.create({ model: 'o-reasoner', messages });
      assert.equal(tok(o200k, r.choices[0].message.content ?? ''), 6);
      assert.equal(r.usage?.completion_tokens, 70);
      assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, 64);
    });

    it('stop sequences cut the text', async () => {
      const r = await oa.chat.completions.create({ model: 'fixed-model', messages, stop: ['STOP'] });
      assert.equal(r.choices[0].message.content, 'Hello world. ');
      assert.equal(r.choices[0].finish_reason, 'stop');
    });

    it('prompt cache: cached_tokens = longest seen prefix ≥ 1024 in 128-token steps, per key + model', async () => {
      const long = [
        { role: 'system' as const, content: longText(150) },
        { role: 'user' as const, content: 'Summarise the list.' },
      ];
      const P = openaiPromptTokens(o200k, long);
      assert.ok(P > 1200);
      const first = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages: long });
      assert.equal(first.usage?.prompt_tokens, P);
      assert.equal(first.usage?.prompt_tokens_details?.cached_tokens, 0);
      const second = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages: long });
      assert.equal(second.usage?.prompt_tokens_details?.cached_tokens, 1024 + 128 * Math.floor((P - 1024) / 128));
      const other = new OpenAI({ apiKey: 'sk-other', baseURL: fake.openaiBaseURL });
      const third = await other.chat.completions.create({ model: 'gpt-5.4-mini', messages: long });
      assert.equal(third.usage?.prompt_tokens_details?.cached_tokens, 0, 'other key, cold cache');
      const short = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages });
      assert.equal(short.usage?.prompt_tokens_details?.cached_tokens, 0, 'below 1024 tokens');
    });

    it('an OpenAI-compatible profile can send no usage at all', async () => {
      const stream = await oa.chat.completions.create({ model: 'local-llama', messages, stream: true, stream_options: { include_usage: true } });
      const chunks = [];
      for await (const c of stream) chunks.push(c);
      assert.ok(chunks.every((c) => !c.usage && c.choices.length === 1));
      const r = await oa.chat.completions.create({ model: 'local-llama', messages });
      assert.equal(r.usage, undefined);
    });

    it('GET /v1/models', async () => {
      const ids = [];
      for await (const m of oa.models.list()) ids.push(m.id);
      assert.ok(ids.includes('gpt-5.4-mini'));
      assert.ok(ids.includes('slow-model'));
      assert.equal(fake.requests[0].vendor, 'openai');
    });
  });

  describe('Anthropic messages', () => {
    const system = 'You are terse.';
    const msgs = [{ role: 'user' as const, content: 'Explain prompt caching in one line.' }];

    it('non-streaming: content, usage (declared approximation) and request-id', async () => {
      const m = await an.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 200, system, messages: msgs });
      const block = m.content[0];
      assert.equal(block.type, 'text');
      const text = block.type === 'text' ? block.text : '';
      assert.ok(text.length > 0);
      assert.equal(m.stop_reason, 'end_turn');
      assert.equal(m.usage.input_tokens, claudePromptTokens(system, msgs));
      assert.equal(m.usage.output_tokens, tok(o200k, text));
      assert.equal(m.usage.cache_creation_input_tokens, 0);
      assert.equal(m.usage.cache_read_input_tokens, 0);
      assert.match(m._request_id ?? '', /^req_fake_/);
      assert.equal(fake.requests[0].apiKey, 'sk-ant-test');
    });

    it('streaming: event order and cumulative usage; finalMessage() works', async () => {
      const expected = await an.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 200, system, messages: msgs });
      const raw = await an.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 200, system, messages: msgs, stream: true });
      const types: string[] = [];
      let text = '';
      let outTokens = -1;
      for await (const ev of raw) {
        types.push(ev.type);
        if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') text += ev.delta.text;
        if (ev.type === 'message_delta') outTokens = ev.usage.output_tokens;
      }
      assert.equal(types[0], 'message_start');
      assert.equal(types[1], 'content_block_start');
      assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
      const first = expected.content[0];
      assert.equal(text, first.type === 'text' ? first.text : '');
      assert.equal(outTokens, tok(o200k, text));

      const s = an.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 200, system, messages: msgs });
      const final = await s.finalMessage();
      assert.equal(final.stop_reason, 'end_turn');
      assert.equal(final.usage.output_tokens, tok(o200k, text));
      assert.equal(final.usage.input_tokens, claudePromptTokens(system, msgs));
    });

    it('max_tokens caps the text: stop_reason max_tokens', async () => {
      const m = await an.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 3, messages: msgs });
      assert.equal(m.stop_reason, 'max_tokens');
      assert.equal(m.usage.output_tokens, 3);
    });

    it('400 invalid_request_error when max_tokens is missing', async () => {
      await assert.rejects(
        an.messages.create({ model: 'claude-sonnet-4-6', messages: msgs } as unknown as Anthropic.MessageCreateParamsNonStreaming),
        (e: unknown) => e instanceof Anthropic.BadRequestError && /max_tokens/.test(e.message) && (e.error as any)?.error?.type === 'invalid_request_error',
      );
    });

    it('prompt cache: write (5m), read, TTL expiry and refresh on read, with exact numbers', async () => {
      let now = Date.UTC(2026, 0, 1);
      const f = await startFakeLlm({ profiles: { '*': FAST }, now: () => now });
      try {
        const c = new Anthropic({ apiKey: 'sk-ant-cache', baseURL: f.anthropicBaseURL });
        const sys = longText(200);
        const params = {
          model: 'claude-sonnet-4-6',
          max_tokens: 50,
          system: [{ type: 'text' as const, text: sys, cache_control: { type: 'ephemeral' as const } }],
          messages: msgs,
        };
        const prefix = 3 + 3 + tok(o200k, sys);
        const total = claudePromptTokens(sys, msgs);
        assert.ok(prefix >= 1024);
        const w = await c.messages.create(params);
        assert.deepEqual(
          [w.usage.input_tokens, w.usage.cache_creation_input_tokens, w.usage.cache_read_input_tokens],
          [total - prefix, prefix, 0],
        );
        assert.equal(w.usage.cache_creation?.ephemeral_5m_input_tokens, prefix);
        assert.equal(w.usage.cache_creation?.ephemeral_1h_input_tokens, 0);
        now += 4 * 60_000;
        const r1 = await c.messages.create(params);
        assert.deepEqual([r1.usage.input_tokens, r1.usage.cache_creation_input_tokens, r1.usage.cache_read_input_tokens], [total - prefix, 0, prefix]);
        now += 4 * 60_000; // 8 min after the write, 4 after the read: the read restarted the TTL
        const r2 = await c.messages.stream(params).finalMessage();
        assert.equal(r2.usage.cache_read_input_tokens, prefix);
        now += 6 * 60_000; // expired
        const w2 = await c.messages.create(params);
        assert.equal(w2.usage.cache_creation_input_tokens, prefix);
        assert.equal(w2.usage.cache_read_input_tokens, 0);
        // count_tokens agrees with the total the messages endpoint reports
        const count = await c.messages.countTokens({ model: params.model, system: params.system, messages: params.messages });
        assert.equal(count.input_tokens, w2.usage.input_tokens + w2.usage.cache_creation_input_tokens + w2.usage.cache_read_input_tokens);
        assert.equal(count.input_tokens, total);
      } finally {
        await f.close();
      }
    });

    it('prompt cache: 1h TTL, two breakpoints, top-level cache_control, other key/model cold', async () => {
      const sys = longText(150, 'rule');
      const doc = longText(120, 'doc');
      const base = {
        max_tokens: 20,
        system: [{ type: 'text' as const, text: sys, cache_control: { type: 'ephemeral' as const, ttl: '1h' as const } }],
        messages: [
          {
            role: 'user' as const,
            content: [
              { type: 'text' as const, text: doc, cache_control: { type: 'ephemeral' as const } },
              { type: 'text' as const, text: 'Question?' },
            ],
          },
        ],
      };
      const p1 = 3 + 3 + tok(o200k, sys);
      const p2 = p1 + 3 + tok(o200k, doc);
      const total = p2 + tok(o200k, 'Question?');
      const a = await an.messages.create({ model: 'claude-sonnet-4-6', ...base });
      assert.equal(a.usage.cache_creation?.ephemeral_1h_input_tokens, p1);
      assert.equal(a.usage.cache_creation?.ephemeral_5m_input_tokens, p2 - p1);
      assert.equal(a.usage.cache_creation_input_tokens, p2);
      assert.equal(a.usage.input_tokens, total - p2);
      const b = await an.messages.create({ model: 'claude-sonnet-4-6', ...base });
      assert.equal(b.usage.cache_read_input_tokens, p2);
      assert.equal(b.usage.cache_creation_input_tokens, 0);
      // Same system, different document: reads the system prefix, writes the rest.
      const changed = { ...base, messages: [{ role: 'user' as const, content: [{ ...base.messages[0].content[0], text: doc + ' (v2)' }, base.messages[0].content[1]] }] };
      const c = await an.messages.create({ model: 'claude-sonnet-4-6', ...changed });
      assert.equal(c.usage.cache_read_input_tokens, p1);
      assert.equal(c.usage.cache_creation?.ephemeral_5m_input_tokens, p2 + tok(o200k, doc + ' (v2)') - tok(o200k, doc) - p1);
      // Other model: cold.
      const d = await an.messages.create({ model: 'claude-opus-4-1', ...base });
      assert.equal(d.usage.cache_read_input_tokens, 0);
      // Top-level cache_control marks the last block.
      const top = await an.messages.create({
        model: 'claude-sonnet-4-6',
        max_tokens: 20,
        system: sys,
        messages: [{ role: 'user', content: 'Question?' }],
        cache_control: { type: 'ephemeral' },
      } as Anthropic.MessageCreateParamsNonStreaming);
      const topTotal = claudePromptTokens(sys, [{ content: 'Question?' }]);
      assert.equal(top.usage.cache_creation_input_tokens, topTotal);
      assert.equal(top.usage.input_tokens, 0);
    });

    it('prompt cache: below the model minimum (claude-haiku-4-5: 4096) nothing is cached', async () => {
      const sys = longText(200);
      const params = {
        model: 'claude-haiku-4-5',
        max_tokens: 20,
        system: [{ type: 'text' as const, text: sys, cache_control: { type: 'ephemeral' as const } }],
        messages: msgs,
      };
      assert.ok(3 + 3 + tok(o200k, sys) < 4096);
      for (let i = 0; i < 2; i++) {
        const m = await an.messages.create(params);
        assert.equal(m.usage.cache_creation_input_tokens, 0);
        assert.equal(m.usage.cache_read_input_tokens, 0);
        assert.equal(m.usage.input_tokens, claudePromptTokens(sys, msgs));
      }
      assert.equal(fake.profileFor('claude-haiku-4-5').minCacheTokens, 4096);
    });

    it('count_tokens: 400 without model; equals input_tokens when nothing is cached', async () => {
      await assert.rejects(
        an.messages.countTokens({ messages: msgs } as unknown as Anthropic.MessageCountTokensParams),
        Anthropic.BadRequestError,
      );
      const count = await an.messages.countTokens({ model: 'claude-sonnet-4-6', system, messages: msgs });
      const m = await an.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 5, system, messages: msgs });
      assert.equal(count.input_tokens, m.usage.input_tokens);
    });

    it('GET /v1/models routes to Anthropic on anthropic-version / x-api-key', async () => {
      const page = await an.models.list();
      assert.ok(page.data.some((m) => m.id === 'claude-sonnet-4-6'));
      assert.equal(fake.requests[0].vendor, 'anthropic');
    });
  });

  describe('auth', () => {
    it('only validKeys are accepted; 401 in each vendor format; the key never reaches the log', async () => {
      const lines: string[] = [];
      const f = await startFakeLlm({ validKeys: ['sk-good'], profiles: { '*': FAST }, log: (l) => lines.push(l) });
      try {
        const bad = new OpenAI({ apiKey: 'sk-bad-secret', baseURL: f.openaiBaseURL, maxRetries: 0 });
        await assert.rejects(bad.chat.completions.create({ model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
          return e instanceof OpenAI.AuthenticationError && e.status === 401 && e.code === 'invalid_api_key' && /^req_fake_/.test(e.requestID ?? '');
        });
        const badA = new Anthropic({ apiKey: 'sk-ant-bad-secret', baseURL: f.anthropicBaseURL, maxRetries: 0 });
        await assert.rejects(badA.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
          return e instanceof Anthropic.AuthenticationError && (e.error as any)?.error?.type === 'authentication_error';
        });
        const good = new OpenAI({ apiKey: 'sk-good', baseURL: f.openaiBaseURL });
        await good.chat.completions.create({ model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'x' }] });
        assert.equal(lines.length, 3);
        assert.ok(lines.every((l) => !l.includes('secret') && !l.includes('sk-good')));
        const viaAdmin = await (await fetch(`${f.url}/__admin/requests`)).text();
        assert.ok(!viaAdmin.includes('secret') && !viaAdmin.includes('sk-good'));
      } finally {
        await f.close();
      }
    });
  });

  describe('scenarios', () => {
    const req = { model: 'gpt-5.4-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
    const areq = { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };

    it('429 is retried by the SDK (retry count recorded)', async () => {
      fake.setScenario({ kind: 'http_error', status: 429 });
      const r = await oa.chat.completions.create(req);
      assert.equal(r.choices[0].finish_reason, 'stop');
      assert.deepEqual(
        fake.requests.map((x) => [x.status, x.retryCount]),
        [
          [429, 0],
          [200, 1],
        ],
      );
    });

    it('error_after_n fails N tries then succeeds (both SDKs); 529 overloaded for Anthropic', async () => {
      fake.setScenario([{ kind: 'error_after_n', n: 2, status: 500, vendor: 'openai' }, { kind: 'error_after_n', n: 2, status: 529, vendor: 'anthropic' }]);
      await oa.chat.completions.create(req);
      const m = await an.messages.create(areq);
      assert.equal(m.stop_reason, 'end_turn');
      assert.deepEqual(
        fake.requests.map((x) => `${x.vendor}:${x.status}:${x.retryCount}`),
        ['openai:500:0', 'openai:500:1', 'openai:200:2', 'anthropic:529:0', 'anthropic:529:1', 'anthropic:200:2'],
      );
    });

    it('x-fake-scenario header (name) applies to every try; error_after_N uses x-stainless-retry-count', async () => {
      const c = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseURL, defaultHeaders: { 'x-fake-scenario': 'error_after_1' } });
      await c.chat.completions.create(req);
      assert.deepEqual(fake.requests.map((x) => x.status), [429, 200]);
      const d = new Anthropic({ apiKey: 'sk-a', baseURL: fake.anthropicBaseURL, maxRetries: 1, defaultHeaders: { 'x-fake-scenario': 'overloaded' } });
      await assert.rejects(d.messages.create(areq), (e: unknown) => e instanceof Anthropic.InternalServerError && e.status === 529);
    });

    it('429 with maxRetries 0 → RateLimitError; x-should-retry:false stops retries', async () => {
      fake.setScenario({ kind: 'http_error', status: 429 });
      await assert.rejects(oa.chat.completions.create(req, { maxRetries: 0 }), OpenAI.RateLimitError);
      fake.setScenario({ kind: 'http_error', status: 429, shouldRetry: false });
      await assert.rejects(an.messages.create(areq), (e: unknown) => e instanceof Anthropic.RateLimitError && (e.error as any)?.error?.type === 'rate_limit_error');
      assert.equal(fake.requests.length, 2);
    });

    it('model filter: the scenario waits for a matching model', async () => {
      fake.setScenario({ kind: 'http_error', status: 400, model: 'claude-*' });
      await oa.chat.completions.create(req);
      await assert.rejects(an.messages.create(areq), Anthropic.BadRequestError);
      assert.deepEqual(fake.pendingScenarios(), []);
    });

    it('mid-stream error → APIError (OpenAI data:{error}, Anthropic event: error), partial text kept', async () => {
      fake.setScenario({ kind: 'mid_stream_error', afterChunks: 2 });
      const stream = await oa.chat.completions.create({ ...req, stream: true });
      let got = 0;
      await assert.rejects(
        (async () => {
          for await (const c of stream) if (c.choices[0]?.delta?.content) got++;
        })(),
        (e: unknown) => e instanceof OpenAI.APIError && e.status === undefined,
      );
      assert.equal(got, 2);
      fake.setScenario({ kind: 'mid_stream_error', afterChunks: 1 });
      await assert.rejects(an.messages.stream(areq).finalMessage(), (e: unknown) => e instanceof Anthropic.APIError && /overloaded_error/.test(e.message));
    });

    it('truncate: destroyed socket or a stream without [DONE] / message_stop', async () => {
      fake.setScenario({ kind: 'truncate', afterChunks: 1 });
      await assert.rejects(oa.chat.completions.stream(req).finalChatCompletion(), /terminated/);
      fake.setScenario({ kind: 'truncate', afterChunks: 1, mode: 'end' });
      await assert.rejects(oa.chat.completions.stream(req).finalChatCompletion(), /missing finish_reason/);
      fake.setScenario({ kind: 'truncate', afterChunks: 1, mode: 'end' });
      await assert.rejects(an.messages.stream(areq).finalMessage(), /stream ended without producing/);
      assert.deepEqual(fake.requests.map((r) => [r.outcome, r.completed, r.disconnected]), [
        ['truncated', false, false],
        ['truncated', true, false],
        ['truncated', true, false],
      ]);
    });

    it('malformed JSON frame → the SDK throws', async () => {
      // logLevel 'off': the SDKs would print the unparseable frame
      const qo = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseURL, logLevel: 'off' });
      const qa = new Anthropic({ apiKey: 'sk-ant-test', baseURL: fake.anthropicBaseURL, logLevel: 'off' });
      fake.setScenario({ kind: 'malformed' });
      await assert.rejects(qo.chat.completions.stream(req).finalChatCompletion(), /JSON/);
      fake.setScenario({ kind: 'malformed' });
      await assert.rejects(qa.messages.stream(areq).finalMessage(), /JSON/);
      assert.deepEqual(fake.requests.map((r) => r.outcome), ['malformed', 'malformed']);
    });

    it('client abort mid-stream → server records disconnected and stops writing', async () => {
      const stream = await oa.chat.completions.create({ model: 'drip-model', messages: req.messages, stream: true });
      for await (const c of stream) if (c.choices[0]?.delta?.content) break; // break aborts the request
      await fake.waitForIdle();
      assert.equal(fake.requests[0].disconnected, true);
      assert.equal(fake.requests[0].completed, false);

      const s = an.messages.stream({ ...areq, model: 'drip-model' });
      s.on('text', () => s.abort());
      await assert.rejects(s.finalMessage(), Anthropic.APIUserAbortError);
      await fake.waitForIdle();
      assert.equal(fake.requests[1].disconnected, true);
    });

    it('stall forever + client timeout → APIConnectionTimeoutError, disconnect recorded', async () => {
      fake.setScenario({ kind: 'stall' });
      const c = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseURL, timeout: 200, maxRetries: 0 });
      await assert.rejects(c.chat.completions.create(req), OpenAI.APIConnectionTimeoutError);
      await fake.waitForIdle();
      assert.equal(fake.requests[0].disconnected, true);
    });

    it('finite stall and slow_headers delay but complete', async () => {
      fake.setScenario({ kind: 'stall', afterChunks: 1, ms: 150 });
      let t = Date.now();
      const a = await oa.chat.completions.stream(req).finalChatCompletion();
      assert.ok(Date.now() - t >= 140);
      assert.equal(a.choices[0].finish_reason, 'stop');
      fake.setScenario({ kind: 'slow_headers', ms: 150 });
      t = Date.now();
      await an.messages.create(areq);
      assert.ok(Date.now() - t >= 140);
    });

    it('duplicate_frames sends every content frame twice; cache_miss forces a miss', async () => {
      const once = await oa.chat.completions.create(req);
      fake.setScenario({ kind: 'duplicate_frames' });
      const stream = await oa.chat.completions.create({ ...req, stream: true });
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      assert.ok(text.length > (once.choices[0].message.content ?? '').length);

      const long = [{ role: 'user' as const, content: longText(150) }];
      await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages: long });
      fake.setScenario({ kind: 'cache_miss' });
      const miss = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages: long });
      assert.equal(miss.usage?.prompt_tokens_details?.cached_tokens, 0);
      const hit = await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages: long });
      assert.ok((hit.usage?.prompt_tokens_details?.cached_tokens ?? 0) >= 1024);
    });

    it('admin API over HTTP: scenario, requests (keys redacted), reset', async () => {
      const post = (p: string, body?: unknown): Promise<Response> =>
        fetch(`${fake.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
      assert.equal((await post('/__admin/scenario', { name: '401' })).status, 200);
      await assert.rejects(oa.chat.completions.create(req), OpenAI.AuthenticationError);
      const list = (await (await fetch(`${fake.url}/__admin/requests`)).json()) as { headers: Record<string, string>; status: number }[];
      assert.equal(list.length, 1);
      assert.equal(list[0].status, 401);
      assert.equal(list[0].headers.authorization, '[redacted]');
      assert.equal((await post('/__admin/reset')).status, 200);
      assert.equal(fake.requests.length, 0);
    });
  });

  describe('timing and determinism', () => {
    it('profiles with ttftMs 200 really take ~200ms; latency 0 is fast', async () => {
      let t = performance.now();
      let ttft = -1;
      const s = oa.chat.completions.stream({ model: 'slow-model', messages: [{ role: 'user', content: 'hi' }] });
      s.on('content', () => {
        if (ttft < 0) ttft = performance.now() - t;
      });
      const final = await s.finalChatCompletion();
      const total = performance.now() - t;
      assert.ok(final.choices[0].message.content);
      assert.ok(ttft >= 190 && ttft < 1000, `ttft ${ttft}`);
      // 40 tokens in chunks of 5 at 200 tok/s: 200 + 35/200 s = 375ms
      assert.ok(total >= 360 && total < 1500, `total ${total}`);
      t = performance.now();
      await oa.chat.completions.create({ model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'hi' }], stream: false });
      assert.ok(performance.now() - t < 250, 'latency 0 is fast');
    });

    it('same request + seed → same text; another seed → another text', async () => {
      const p = { model: 'gpt-5.4-mini', messages: [{ role: 'user' as const, content: 'determinism' }] };
      const a = await oa.chat.completions.create(p);
      const b = await oa.chat.completions.create(p);
      assert.equal(a.choices[0].message.content, b.choices[0].message.content);
      const f = await startFakeLlm({ seed: 42 });
      try {
        const c = await new OpenAI({ apiKey: 'k', baseURL: f.openaiBaseURL }).chat.completions.create(p);
        assert.notEqual(c.choices[0].message.content, a.choices[0].message.content);
      } finally {
        await f.close();
      }
    });
  });

  describe('batches', () => {
    it('OpenAI: upload, create, advance, output lines with custom_id', async () => {
      const lines = ['a', 'b', 'c'].map((id) =>
        JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-5.4-mini', messages: [{ role: 'user', content: `q ${id}` }] } }),
      );
      lines.push(JSON.stringify({ custom_id: 'bad', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-5.4-mini' } }));
      const file = await oa.files.create({ file: await toFile(Buffer.from(lines.join('\n')), 'in.jsonl'), purpose: 'batch' });
      assert.equal(file.purpose, 'batch');
      const batch = await oa.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal(batch.status, 'validating');
      assert.equal((await oa.batches.retrieve(batch.id)).status, 'validating', 'no progress on wall time');
      fake.advanceBatches();
      assert.equal((await oa.batches.retrieve(batch.id)).status, 'in_progress');
      fake.advanceBatches({ complete: true });
      const done = await oa.batches.retrieve(batch.id);
      assert.equal(done.status, 'completed');
      assert.deepEqual(done.request_counts, { total: 4, completed: 3, failed: 1 });
      const out = (await (await oa.files.content(done.output_file_id!)).text()).trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(out.map((l) => l.custom_id).sort(), ['a', 'b', 'c']);
      assert.notDeepEqual(out.map((l) => l.custom_id), ['a', 'b', 'c'], 'lines are unordered');
      const a = out.find((l) => l.custom_id === 'a');
      assert.equal(a.response.status_code, 200);
      assert.equal(a.response.body.usage.prompt_tokens, openaiPromptTokens(o200k, [{ role: 'user', content: 'q a' }]));
      const err = (await (await oa.files.content(done.error_file_id!)).text()).trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(err[0].custom_id, 'bad');
      assert.equal(err[0].response.status_code, 400);
    });

    it('OpenAI: cancel → cancelled with batch_cancelled error lines', async () => {
      const line = JSON.stringify({ custom_id: 'x', method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-5.4-mini', messages: [{ role: 'user', content: 'q' }] } });
      const file = await oa.files.create({ file: await toFile(Buffer.from(line), 'in.jsonl'), purpose: 'batch' });
      const batch = await oa.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      assert.equal((await oa.batches.cancel(batch.id)).status, 'cancelling');
      fake.advanceBatches();
      const b = await oa.batches.retrieve(batch.id);
      assert.equal(b.status, 'cancelled');
      const err = JSON.parse((await (await oa.files.content(b.error_file_id!)).text()).trim());
      assert.equal(err.error.code, 'batch_cancelled');
    });

    it('Anthropic: create, advance, results via absolute results_url', async () => {
      const batch = await an.messages.batches.create({
        requests: [
          { custom_id: 'one', params: { model: 'claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user', content: 'q1' }] } },
          { custom_id: 'two', params: { model: 'claude-sonnet-4-6', max_tokens: 20, messages: [{ role: 'user', content: 'q2' }] } },
        ],
      });
      assert.equal(batch.processing_status, 'in_progress');
      assert.equal(batch.results_url, null);
      fake.advanceBatches();
      const ended = await an.messages.batches.retrieve(batch.id);
      assert.equal(ended.processing_status, 'ended');
      assert.equal(ended.request_counts.succeeded, 2);
      assert.ok(ended.results_url?.startsWith(fake.url));
      const seen: string[] = [];
      for await (const r of await an.messages.batches.results(batch.id)) {
        seen.push(r.custom_id);
        assert.equal(r.result.type, 'succeeded');
        if (r.result.type === 'succeeded') assert.equal(r.result.message.usage.service_tier, 'batch');
      }
      assert.deepEqual(seen.sort(), ['one', 'two']);
    });
  });
});
