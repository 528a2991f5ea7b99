// The engine end to end: real SDKs → fake server → usage → exact costs; the answer cache;
// the context-window check; a provider that cannot be set up.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { getEncoding } from 'js-tiktoken';
import { AnswerCache, FileStore } from '../../src/core/cache';
import { ProfilerEngine, type PromptInput } from '../../src/core/engine';
import { loadTokenizer as realLoadTokenizer } from '../../src/core/tokens/count';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeResolver } from './support/fakeProviders';

const OUTPUT = 'Consistency, availability, partition tolerance: pick two when the network splits.';
const o200k = getEncoding('o200k_base');
const enc = (s: string) => o200k.encode(s).length;
const close = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);

describe('engine (real SDKs against the fake server)', function () {
  let fake: FakeLlm;
  let dir: string;
  const engine = (extra: { cache?: AnswerCache; prices?: ConstructorParameters<typeof ProfilerEngine>[0]['priceOverrides'] } = {}) =>
    new ProfilerEngine({
      resolveProvider: fakeResolver(fake),
      cache: extra.cache,
      priceOverrides: extra.prices,
    });
  const prompt: PromptInput = { system: 'You are terse.', messages: [{ role: 'user', content: 'Explain CAP.' }], maxOutputTokens: 300 };

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT } } });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-engine-'));
  });
  afterEach(() => {
    fake.reset();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(() => fake.close());

  it('gpt-4o-mini: exact cost from the bundled prices (0.15 in / 0.60 out per MTok)', async () => {
    const { results } = await engine().run(prompt, ['openai:gpt-4o-mini']);
    const r = results[0];
    const input = 3 + 1 + enc('You are terse.') + 3 + 1 + enc('Explain CAP.') + 3;
    const output = enc(OUTPUT);
    assert.equal(r.ok, true);
    assert.equal(r.usage.inputTokens, input);
    assert.equal(r.usage.outputTokens, output);
    close(r.cost!.input, (input * 0.15) / 1e6);
    close(r.cost!.output, (output * 0.6) / 1e6);
    close(r.cost!.total, (input * 0.15 + output * 0.6) / 1e6);
    assert.equal(r.cost!.batch, false);
    assert.match(r.cost!.provenance.detail, /genai-prices/);
  });

  it('claude-sonnet-4-5 with a cached system prefix: write at 3.75, then read at 0.30, per MTok', async () => {
    const system = 'You are a meticulous reviewer of distributed systems designs. '.repeat(120);
    const cached: PromptInput = { ...prompt, system, cacheSystem: true };
    const e = engine();
    const first = (await e.run(cached, ['anthropic:claude-sonnet-4-5'])).results[0];
    const second = (await e.run(cached, ['anthropic:claude-sonnet-4-5'])).results[0];
    const prefix = 3 + 3 + enc(system); // request framing + system block framing + text (fake's declared rule)
    const rest = 3 + enc('Explain CAP.');
    const out = enc(OUTPUT);
    assert.equal(first.usage.cacheWriteTokens, prefix);
    assert.equal(first.usage.inputTokens, prefix + rest);
    close(first.cost!.cacheWrite, (prefix * 3.75) / 1e6);
    close(first.cost!.input, (rest * 3) / 1e6);
    close(first.cost!.total, (prefix * 3.75 + rest * 3 + out * 15) / 1e6);
    assert.equal(second.usage.cacheReadTokens, prefix);
    close(second.cost!.cacheRead, (prefix * 0.3) / 1e6);
    close(second.cost!.total, (prefix * 0.3 + rest * 3 + out * 15) / 1e6);
  });

  it('batch pricing halves every bucket of a real usage', async () => {
    const e = engine();
    const r = (await e.run(prompt, ['anthropic:claude-haiku-4-5'])).results[0];
    const full = e.prices.cost('anthropic:claude-haiku-4-5', r.usage)!;
    const half = e.prices.cost('anthropic:claude-haiku-4-5', r.usage, { batch: true })!;
    for (const k of ['total', 'input', 'output', 'cacheRead', 'cacheWrite'] as const) close(half[k], full[k] / 2);
    assert.equal(half.batch, true);
  });

  it('price overrides win; an unknown model has no price (null, never 0)', async () => {
    const e = engine({ prices: { 'openai:gpt-4o-mini': { input: 2, output: 4 } } });
    const { results } = await e.run(prompt, ['openai:gpt-4o-mini', 'openai:my-finetune']);
    const [a, b] = results;
    close(a.cost!.total, (a.usage.inputTokens * 2 + a.usage.outputTokens * 4) / 1e6);
    assert.equal(a.cost!.provenance.source, 'override');
    assert.equal(b.ok, true);
    assert.equal(b.cost, null);
  });

  it('the answer cache: second run is a hit with the same usage and cost, also from a fresh process', async () => {
    const make = () => new AnswerCache(new FileStore({ dir }));
    const firstCache = make();
    const first = (await engine({ cache: firstCache }).run(prompt, ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'])).results;
    assert.deepEqual(first.map((r) => r.cacheHit), [false, false]);
    // The run reports before its cache writes land (they go on in the background): wait for them.
    await firstCache.flush();
    assert.equal(fake.requests.length, 2);
    const second = (await engine({ cache: make() }).run(prompt, ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'])).results;
    assert.deepEqual(second.map((r) => r.cacheHit), [true, true]);
    assert.equal(fake.requests.length, 2, 'no new request');
    assert.deepEqual(second.map((r) => r.output), first.map((r) => r.output));
    assert.deepEqual(second.map((r) => r.cost), first.map((r) => r.cost));
    const bypassCache = make();
    const bypass = (await engine({ cache: bypassCache }).run(prompt, ['openai:gpt-4o-mini'], { bypassCache: true })).results;
    assert.equal(bypass[0].cacheHit, false);
    await bypassCache.flush();
    assert.equal(fake.requests.length, 3);
    const files = fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json'));
    assert.equal(files.length, 2);
    for (const f of files) assert.doesNotMatch(fs.readFileSync(path.join(dir, f), 'utf8'), /sk-test-openai|sk-ant-test/);
  });

  it('a failed answer is not cached', async () => {
    const cache = new AnswerCache(new FileStore({ dir }));
    fake.setScenario({ kind: 'mid_stream_error', afterChunks: 1 });
    const a = (await engine({ cache }).run(prompt, ['openai:gpt-4o-mini'])).results[0];
    assert.equal(a.ok, false);
    const b = (await engine({ cache }).run(prompt, ['openai:gpt-4o-mini'])).results[0];
    assert.equal(b.ok, true);
    assert.equal(b.cacheHit, false);
  });

  it('refuses a prompt over the context window before sending it', async () => {
    const huge: PromptInput = { messages: [{ role: 'user', content: 'word '.repeat(130_000) }] };
    const r = (await engine().run(huge, ['openai:gpt-4o-mini'])).results[0];
    assert.equal(r.error?.kind, 'context_length');
    assert.match(r.error!.message, /^The prompt has 130,00\d tokens; openai:gpt-4o-mini accepts at most 128,000\. Not sent\.$/);
    assert.equal(fake.requests.length, 0);
  });

  it('a prompt that cannot be over the window is sent without being counted (no encoder call on the way)', async () => {
    let counted = 0;
    const loadTokenizer = async (model: string, provider?: string) => {
      const t = await realLoadTokenizer(model, provider);
      const countChat = t.countChat.bind(t);
      t.countChat = (request) => (counted++, countChat(request));
      return t;
    };
    const e = new ProfilerEngine({ resolveProvider: fakeResolver(fake), loadTokenizer });
    const rows: PromptInput[] = Array.from({ length: 20 }, (_, i) => ({ messages: [{ role: 'user', content: `Row ${i}: ${'é'.repeat(i)}` }] }));
    const { results } = await e.runRows(rows, ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5']);
    assert.deepEqual(results.map((r) => r.ok), results.map(() => true));
    assert.equal(counted, 0);
    // The bound: UTF-8 bytes plus the chat framing, never below the exact count.
    for (const text of ['Row 7', 'é'.repeat(50), '日本語のテキスト', 'a b c'.repeat(99)]) {
      const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: text }] };
      assert.equal(e.tokens.atMost('openai:gpt-4o-mini', request), 3 + 3 + 4 + Buffer.byteLength(text));
      assert.ok(e.tokens.atMost('openai:gpt-4o-mini', request) >= (await e.tokens.count('openai:gpt-4o-mini', request)).tokens);
    }
  });

  it('an unknown provider or a missing key becomes a typed error for that model only', async () => {
    const { results } = await engine().run(prompt, ['nope:model', 'openai:gpt-4o-mini']);
    assert.deepEqual(results[0].error, { kind: 'config', message: 'Unknown provider "nope".' });
    assert.equal(results[1].ok, true);
  });

  it('estimate: exact OpenAI counts; Claude exact through count_tokens when allowed, else labelled', async () => {
    const e = engine();
    const offline = await e.estimate(prompt, ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'], 1000, false);
    const input = 3 + 1 + enc('You are terse.') + 3 + 1 + enc('Explain CAP.') + 3;
    assert.equal(offline[0].inputTokens, input);
    assert.equal(offline[0].estimated, false);
    close(offline[0].inputCost!, (input * 0.15) / 1e6);
    close(offline[0].costAtMaxOutput!, (input * 0.15 + 1000 * 0.6) / 1e6);
    assert.equal(offline[1].estimated, true);
    assert.match(offline[1].method, /^≈ estimate/);
    assert.equal(fake.requests.length, 0, 'offline means offline');
    const exact = await e.estimate(prompt, ['anthropic:claude-haiku-4-5'], 1000, true);
    const claude = 3 + (3 + enc('You are terse.')) + (3 + enc('Explain CAP.'));
    assert.deepEqual([exact[0].inputTokens, exact[0].estimated, exact[0].method], [claude, false, 'Anthropic count_tokens']);
    close(exact[0].inputCost!, claude / 1e6);
    await e.estimate(prompt, ['anthropic:claude-haiku-4-5'], 1000, true);
    assert.equal(fake.requests.filter((r) => r.route === 'anthropic.count_tokens').length, 1, 'cached by content hash');
  });
});
