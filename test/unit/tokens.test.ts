import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
// Independent reference tokenizer: js-tiktoken (the engine uses gpt-tokenizer).
import { Tiktoken } from 'js-tiktoken/lite';
import cl100kRanks from 'js-tiktoken/ranks/cl100k_base';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import {
  ANTHROPIC_ESTIMATE_FACTOR,
  TokenCounter,
  chatTokens,
  countChatTokens,
  countChatTokensSync,
  countTextTokens,
  countTextTokensSync,
  encodingFor,
  encodingNameFor,
  loadEncoding,
  loadTokenizer,
  tokenizerIfLoaded,
  tokenizerSpecFor,
  type EncodingName,
} from '../../src/core/tokens';
import type { ChatRequest, TokenCount } from '../../src/core/types';

const reference: Record<EncodingName, Tiktoken> = {
  o200k_base: new Tiktoken(o200kRanks),
  cl100k_base: new Tiktoken(cl100kRanks),
};
/** Reference count; special-token strings count as plain text, as in the engine. */
const ref = (enc: EncodingName, text: string) => reference[enc].encode(text, [], []).length;

const TEXTS: Record<string, string> = {
  empty: '',
  english: 'The quick brown fox jumps over the lazy dog. Prompt caching cuts the cost of long static prefixes.',
  accents: 'Le coût d’un prompt dépend du modèle — naïve façade, Übergrößenträger, São Paulo, Kraków.',
  cjk: 'プロンプトのコストはモデルによって異なります。提示词的成本取决于模型。비용은 모델에 따라 다릅니다.',
  emoji: 'Ship it 🚀🚀 — family 👨‍👩‍👧‍👦, skin tone 👋🏽, flags 🇫🇷🇯🇵, keycap 1️⃣, ✅ done.',
  code: [
    'export async function countTokens(request: ChatRequest): Promise<number> {',
    '  const total = request.messages.reduce((n, m) => n + m.content.length, 0);',
    "  if (total > 1_000_000) throw new Error(`too long: ${total}`);",
    '  return Math.ceil(total / 3.5); // ≈ heuristic',
    '}',
    '',
    'SELECT id, name FROM users WHERE created_at >= NOW() - INTERVAL 7 DAY;',
  ].join('\n'),
  whitespace: '  leading\tand   trailing   \n\n\n  blank lines\r\n',
  specialTokensAsText: 'Docs mention <|endoftext|> and <|im_start|>user literally.',
};

const LONG = Array.from({ length: 400 }, (_, i) => `${i}. ${TEXTS.english} ${TEXTS.code} ${TEXTS.emoji}`).join('\n');

describe('tokens: exact OpenAI counts (gpt-tokenizer vs js-tiktoken reference)', () => {
  for (const enc of ['o200k_base', 'cl100k_base'] as const) {
    for (const [name, text] of Object.entries({ ...TEXTS, long: LONG })) {
      it(`${enc}: ${name}`, async () => {
        const e = await loadEncoding(enc);
        assert.equal(e.count(text), ref(enc, text));
        assert.deepEqual(e.encode(text), reference[enc].encode(text, [], []));
      });
    }
  }

  it('the two encodings really differ (the mapping matters)', () => {
    assert.notEqual(ref('o200k_base', TEXTS.cjk), ref('cl100k_base', TEXTS.cjk));
  });

  it('countTextTokens uses the model’s encoding and reports it as exact', async () => {
    assert.deepEqual(await countTextTokens(TEXTS.cjk, 'gpt-4o-mini'), {
      tokens: ref('o200k_base', TEXTS.cjk),
      estimated: false,
      method: 'o200k_base',
    });
    assert.deepEqual(await countTextTokens(TEXTS.cjk, 'gpt-4'), {
      tokens: ref('cl100k_base', TEXTS.cjk),
      estimated: false,
      method: 'cl100k_base',
    });
  });

  it('a literal anchor: "hello world" is 2 tokens in o200k_base', async () => {
    assert.equal((await countTextTokens('hello world', 'gpt-4o')).tokens, 2);
  });
});

describe('tokens: chat framing', () => {
  const request: ChatRequest = {
    model: 'gpt-4o',
    system: 'You are a terse assistant. Answer in one sentence.',
    messages: [
      { role: 'user', content: 'What does prompt caching save? 💸' },
      { role: 'assistant', content: 'It bills repeated prefixes at a discount.' },
      { role: 'user', content: TEXTS.code },
    ],
  };

  /** Independent: OpenAI cookbook rule with the reference tokenizer. */
  function expectedChat(enc: EncodingName, req: ChatRequest): number {
    const msgs = [...(req.system ? [{ role: 'system', content: req.system }] : []), ...req.messages];
    let n = 3; // reply priming
    for (const m of msgs) n += 3 + ref(enc, m.role) + ref(enc, m.content);
    return n;
  }

  it('literal: one user message "hello world" on gpt-4o = 3 + 1 + 2 + 3 = 9', async () => {
    const r = await countChatTokens({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello world' }] }, 'gpt-4o');
    assert.deepEqual(r, { tokens: 9, estimated: false, method: 'o200k_base' });
  });

  it('multi-message request with system prompt, o200k_base (gpt-4o)', async () => {
    const r = await countChatTokens(request, 'gpt-4o');
    assert.equal(r.tokens, expectedChat('o200k_base', request));
    assert.equal(r.estimated, false);
  });

  it('multi-message request, cl100k_base (gpt-3.5-turbo)', async () => {
    const r = await countChatTokens(request, 'gpt-3.5-turbo');
    assert.equal(r.tokens, expectedChat('cl100k_base', request));
    assert.equal(r.method, 'cl100k_base');
  });

  it('system counts as a leading system message; an empty system is not sent', async () => {
    const withSystem = await countChatTokens(request, 'gpt-4o');
    const noSystem = await countChatTokens({ ...request, system: undefined }, 'gpt-4o');
    assert.equal(withSystem.tokens - noSystem.tokens, 3 + ref('o200k_base', 'system') + ref('o200k_base', request.system!));
    assert.equal((await countChatTokens({ ...request, system: '' }, 'gpt-4o')).tokens, noSystem.tokens);
  });

  it('an empty request is the 3 priming tokens', async () => {
    assert.equal((await countChatTokens({ model: 'gpt-4o', messages: [] }, 'gpt-4o')).tokens, 3);
  });

  it('a name costs 1 + its tokens', async () => {
    const enc = await loadEncoding('o200k_base');
    const base = chatTokens(enc, [{ role: 'user', content: 'hi' }]);
    assert.equal(chatTokens(enc, [{ role: 'user', content: 'hi', name: 'alice_smith' }]), base + 1 + ref('o200k_base', 'alice_smith'));
  });

  it('sync variants give the same answers once loaded', async () => {
    await loadTokenizer('gpt-4o');
    await loadTokenizer('gpt-4');
    assert.deepEqual(countChatTokensSync(request, 'gpt-4o'), await countChatTokens(request, 'gpt-4o'));
    assert.deepEqual(countTextTokensSync(LONG, 'gpt-4'), await countTextTokens(LONG, 'gpt-4'));
    assert.equal(encodingFor('gpt-4o-mini').count(LONG), ref('o200k_base', LONG));
    assert.ok(tokenizerIfLoaded('gpt-4o'));
  });
});

describe('tokens: model → encoding', () => {
  const cases: [string, EncodingName][] = [
    ['gpt-4o', 'o200k_base'],
    ['gpt-4o-mini', 'o200k_base'],
    ['gpt-4o-2024-08-06', 'o200k_base'],
    ['chatgpt-4o-latest', 'o200k_base'],
    ['gpt-4.1', 'o200k_base'],
    ['gpt-4.1-nano-2025-04-14', 'o200k_base'],
    ['gpt-5', 'o200k_base'],
    ['gpt-5-mini', 'o200k_base'],
    ['gpt-5.4-mini', 'o200k_base'],
    ['o1', 'o200k_base'],
    ['o1-mini', 'o200k_base'],
    ['o3-2025-04-16', 'o200k_base'],
    ['o4-mini', 'o200k_base'],
    ['ft:gpt-4o-mini-2024-07-18:org::abc', 'o200k_base'],
    ['openai/gpt-4o', 'o200k_base'],
    ['gpt-4', 'cl100k_base'],
    ['gpt-4-0613', 'cl100k_base'],
    ['gpt-4-turbo', 'cl100k_base'],
    ['gpt-4-32k', 'cl100k_base'],
    ['gpt-3.5-turbo', 'cl100k_base'],
    ['gpt-3.5-turbo-0125', 'cl100k_base'],
    ['gpt-35-turbo', 'cl100k_base'],
  ];
  for (const [model, enc] of cases) {
    it(`${model} → ${enc} (exact)`, () => {
      assert.equal(encodingNameFor(model), enc);
      assert.deepEqual(tokenizerSpecFor(model), { encoding: enc, exact: true, factor: 1, method: enc });
    });
  }

  it('unknown names default to o200k_base, labelled as an estimate', async () => {
    for (const model of ['llama3.2', 'mistral-large', 'gpt-oss:20b', 'o2-something']) {
      const spec = tokenizerSpecFor(model);
      assert.equal(spec.encoding, 'o200k_base');
      assert.equal(spec.exact, false);
      assert.match(spec.method, /^≈ estimate \(o200k_base, tokenizer of this model unknown\)$/);
    }
    const c = await countTextTokens(TEXTS.english, 'llama3.2');
    assert.deepEqual(c, {
      tokens: ref('o200k_base', TEXTS.english),
      estimated: true,
      method: '≈ estimate (o200k_base, tokenizer of this model unknown)',
    });
  });

  it('Claude models (by name or by the anthropic provider) get the ×1.1 estimate', async () => {
    assert.equal(ANTHROPIC_ESTIMATE_FACTOR, 1.1);
    for (const spec of [tokenizerSpecFor('claude-haiku-4-5'), tokenizerSpecFor('whatever', 'anthropic')]) {
      assert.deepEqual(spec, { encoding: 'o200k_base', exact: false, factor: 1.1, method: '≈ estimate (o200k_base ×1.1)' });
    }
    const req: ChatRequest = { model: 'claude-haiku-4-5', system: 'Be brief.', messages: [{ role: 'user', content: TEXTS.english }] };
    const raw = 3 + (3 + ref('o200k_base', 'system') + ref('o200k_base', 'Be brief.')) + (3 + ref('o200k_base', 'user') + ref('o200k_base', TEXTS.english));
    const c = await countChatTokens(req, 'claude-haiku-4-5');
    assert.deepEqual(c, { tokens: Math.ceil(raw * 1.1), estimated: true, method: '≈ estimate (o200k_base ×1.1)' });
  });
});

describe('tokens: lazy loading', () => {
  it('importing the module loads no rank table; the first count loads only the encoding it needs', function () {
    this.timeout(30_000);
    const root = path.resolve(__dirname, '..', '..');
    // A static import of gpt-tokenizer would show up in require.cache (tsx compiles it to require);
    // the dynamic import may go through the ESM loader, so "after" is read from the module's state.
    const script = `
      const ranks = () => Object.keys(require.cache).filter((k) => /gpt-tokenizer[\\\\/].*bpeRanks/.test(k));
      const t = require('./src/core/tokens');
      const before = { ranks: ranks(), o200k: t.isEncodingLoaded('o200k_base'), cl100k: t.isEncodingLoaded('cl100k_base') };
      t.countTextTokens('hello', 'gpt-4o').then((c) => {
        const after = { o200k: t.isEncodingLoaded('o200k_base'), cl100k: t.isEncodingLoaded('cl100k_base'), sync: !!t.tokenizerIfLoaded('gpt-4o') };
        process.stdout.write(JSON.stringify({ before, after, tokens: c.tokens }));
      });`;
    const r = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      before: { ranks: [], o200k: false, cl100k: false },
      after: { o200k: true, cl100k: false, sync: true },
      tokens: 1,
    });
  });
});

describe('tokens: TokenCounter', () => {
  const req = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
    model: 'claude-haiku-4-5',
    system: 'You are terse.',
    messages: [{ role: 'user', content }],
    ...extra,
  });

  function fakeCounter(result: (n: number) => TokenCount | number | undefined | Promise<never>) {
    const calls: { modelId: string; request: ChatRequest }[] = [];
    const exactCounter = async (modelId: string, request: ChatRequest) => {
      calls.push({ modelId, request });
      await new Promise((r) => setTimeout(r, 5));
      return result(calls.length);
    };
    return { calls, exactCounter };
  }

  it('anthropic: the injected counter is called once for identical content (cached by content hash)', async () => {
    const f = fakeCounter(() => ({ tokens: 123, estimated: false, method: 'Anthropic count_tokens' }));
    const counter = new TokenCounter({ exactCounter: f.exactCounter });
    const id = 'anthropic:claude-haiku-4-5';
    // Concurrent identical requests share one call.
    const [a, b] = await Promise.all([counter.count(id, req('hello')), counter.count(id, req('hello'))]);
    assert.deepEqual(a, { tokens: 123, estimated: false, method: 'Anthropic count_tokens' });
    assert.deepEqual(b, a);
    // Settings that do not change the prompt's tokens hit the cache too.
    await counter.count(id, req('hello', { temperature: 0.7, maxOutputTokens: 10, cacheSystem: true, cacheTtl: '1h' }));
    assert.equal(f.calls.length, 1);
    assert.equal(f.calls[0]!.modelId, id);
    // Different content, or another model, is another call.
    await counter.count(id, req('hello!'));
    await counter.count('anthropic:claude-sonnet-4-5', req('hello'));
    await counter.count(id, req('hello', { system: 'Other system.' }));
    assert.equal(f.calls.length, 4);
    // The cached exact count is also served synchronously.
    assert.deepEqual(counter.countSync(id, req('hello')), a);
  });

  it('content keys are sha256 hex and depend on model, system and messages only', () => {
    const k = TokenCounter.contentKey('anthropic:claude-haiku-4-5', req('x'));
    assert.match(k, /^[0-9a-f]{64}$/);
    assert.equal(TokenCounter.contentKey('anthropic:claude-haiku-4-5', req('x', { temperature: 1 })), k);
    assert.notEqual(TokenCounter.contentKey('anthropic:claude-opus-4-5', req('x')), k);
    assert.notEqual(TokenCounter.contentKey('anthropic:claude-haiku-4-5', req('x', { system: undefined })), k);
    assert.notEqual(
      TokenCounter.contentKey('anthropic:claude-haiku-4-5', { messages: [{ role: 'assistant', content: 'x' }], system: 'You are terse.' }),
      k,
    );
  });

  it('a plain number from the counter is an exact count labelled with the provider', async () => {
    const f = fakeCounter(() => 77);
    const c = await new TokenCounter({ exactCounter: f.exactCounter }).count('anthropic:claude-haiku-4-5', req('a'));
    assert.deepEqual(c, { tokens: 77, estimated: false, method: 'anthropic count_tokens' });
  });

  it('remote: false never calls the counter and returns the labelled estimate', async () => {
    const f = fakeCounter(() => 1);
    const counter = new TokenCounter({ exactCounter: f.exactCounter });
    const c = await counter.count('anthropic:claude-haiku-4-5', req('offline'), { remote: false });
    assert.equal(f.calls.length, 0);
    assert.equal(c.estimated, true);
    assert.equal(c.method, '≈ estimate (o200k_base ×1.1)');
    assert.deepEqual(c, await countChatTokens(req('offline'), 'claude-haiku-4-5'));
  });

  it('no answer or a failure falls back to the estimate; failures are retried, not cached', async () => {
    const none = fakeCounter(() => undefined);
    const c1 = await new TokenCounter({ exactCounter: none.exactCounter }).count('anthropic:claude-haiku-4-5', req('k'));
    assert.equal(c1.estimated, true);

    const failing = fakeCounter(() => Promise.reject(new Error('network down')));
    const counter = new TokenCounter({ exactCounter: failing.exactCounter });
    const c2 = await counter.count('anthropic:claude-haiku-4-5', req('k'));
    assert.equal(c2.estimated, true);
    assert.equal(c2.method, '≈ estimate (o200k_base ×1.1)');
    await counter.count('anthropic:claude-haiku-4-5', req('k'));
    assert.equal(failing.calls.length, 2);
  });

  it('OpenAI models are counted locally and exactly: the counter is never called', async () => {
    const f = fakeCounter(() => 999);
    const counter = new TokenCounter({ exactCounter: f.exactCounter });
    const r: ChatRequest = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello world' }] };
    assert.deepEqual(await counter.count('openai:gpt-4o-mini', r), { tokens: 9, estimated: false, method: 'o200k_base' });
    assert.equal(f.calls.length, 0);
    assert.deepEqual(counter.countSync('openai:gpt-4o-mini', r), { tokens: 9, estimated: false, method: 'o200k_base' });
  });

  it('unknown OpenAI-compatible models: local estimate, exact counter used when it answers', async () => {
    const r: ChatRequest = { model: 'llama3.2', messages: [{ role: 'user', content: 'hello world' }] };
    const local = await new TokenCounter().count('ollama:llama3.2', r);
    assert.deepEqual(local, { tokens: 9, estimated: true, method: '≈ estimate (o200k_base, tokenizer of this model unknown)' });
    const f = fakeCounter(() => ({ tokens: 11, estimated: false, method: 'ollama count' }));
    assert.deepEqual(await new TokenCounter({ exactCounter: f.exactCounter }).count('ollama:llama3.2', r), {
      tokens: 11,
      estimated: false,
      method: 'ollama count',
    });
  });

  it('countText counts bare text for a model id', async () => {
    const counter = new TokenCounter();
    assert.deepEqual(await counter.countText('openai:gpt-4', TEXTS.cjk), {
      tokens: ref('cl100k_base', TEXTS.cjk),
      estimated: false,
      method: 'cl100k_base',
    });
  });
});
