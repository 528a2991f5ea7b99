// The prompt-cache planner: exact stable-prefix lengths (OpenAI locally, Anthropic through
// count_tokens), cache breakers, cache_control placement, TTL and break-even figures from the
// bundled prices, and the verification against the fake server's prompt-cache simulation.
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { ProfilerEngine } from '../../src/core/engine';
import {
  applyCachePlan,
  cacheEconomics,
  planPromptCache,
  verifyCachePlan,
  type CachePlan,
} from '../../src/core/planner';
import { effectiveRates, PriceBook } from '../../src/core/pricing';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeResolver } from './support/fakeProviders';

const o200k = getEncoding('o200k_base');
const enc = (s: string) => o200k.encode(s).length;
const close = (actual: number, expected: number, what = '') => assert.ok(Math.abs(actual - expected) < 1e-12, `${what} ${actual} ≠ ${expected}`);

// A long static system prompt (≈ 4,500 tokens: over claude-haiku-4-5's 4,096 minimum), a static
// context, then the question.
const S = Array(500).fill('You review distributed-systems designs with care.').join(' ');
const CONTEXT = 'Static background paragraph. '.repeat(20).trim();
const HEAD = `Context: ${CONTEXT}\n\nQuestion:`;
const TEMPLATE = `system:\n${S}\n\nuser:\nContext: ${CONTEXT}\n\nQuestion: {{question}}\n`;
const POLICY = 'Refunds are processed within 14 days of a written request. '.repeat(120).trim();

describe('prompt-cache planner', function () {
  let fake: FakeLlm;
  const prices = new PriceBook();
  const engine = () =>
    new ProfilerEngine({
      resolveProvider: fakeResolver(fake),
    });
  const exactCounter = (e: ProfilerEngine, modelId: string) => (r: Parameters<ProfilerEngine['countTokens']>[1]) => e.countTokens(modelId, r, true);

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: 'Noted.' } } });
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  describe('stable prefix and breakpoints', () => {
    it('OpenAI (exact, local): system message + the opening of the user message up to {{question}}', async () => {
      const plan = await planPromptCache(TEMPLATE, { modelId: 'openai:gpt-4o-mini', prices });
      const prefix = 3 + 1 + enc(S) + (2 + 1 + enc(HEAD)); // <|im_start|>system<|im_sep|>S<|im_end|> + <|im_start|>user<|im_sep|>HEAD
      assert.equal(plan.vendor, 'openai');
      assert.deepEqual(plan.counting, { method: 'o200k_base', estimated: false });
      assert.equal(plan.stablePrefix.tokens, prefix);
      assert.equal(plan.totalTokens, 3 + 1 + enc(S) + 3 + 1 + enc(`${HEAD} {{question}}`) + 3);
      assert.equal(plan.variablePart.tokens, plan.totalTokens - prefix);
      assert.equal(plan.stablePrefix.description, 'the system prompt and message 1 up to {{question}}');
      assert.deepEqual(plan.stablePrefix.end, { block: 0, role: 'user', offset: `${HEAD} `.length });
      assert.equal(plan.stablePrefix.text, `${S}\n\n${HEAD}`);
      assert.equal(plan.minCacheableTokens, 1024);
      assert.equal(plan.automatic, true);
      assert.deepEqual(plan.breakpoints, []);
      // 1,024 tokens then 128-token steps.
      assert.deepEqual(plan.prediction.repeatCall, { cacheReadTokens: 1024 + 128 * Math.floor((prefix - 1024) / 128), cacheWriteTokens: 0 });
      assert.deepEqual(plan.findings, []);
    });

    it('Anthropic (exact via count_tokens): a breakpoint after the system prompt and one on the static part of the user message', async () => {
      const e = engine();
      const plan = await planPromptCache(TEMPLATE, { modelId: 'anthropic:claude-haiku-4-5', prices, countTokens: exactCounter(e, 'anthropic:claude-haiku-4-5') });
      const system = 3 + 3 + enc(S); // request framing + system block framing + text (the fake's declared rule)
      const prefix = system + 3 + enc(HEAD);
      assert.deepEqual(plan.counting, { method: 'Anthropic count_tokens', estimated: false });
      assert.equal(plan.minCacheableTokens, 4096);
      assert.equal(plan.stablePrefix.tokens, prefix);
      assert.equal(plan.totalTokens, system + 3 + enc(`${HEAD} {{question}}`));
      assert.deepEqual(
        plan.breakpoints.map((b) => [b.block, b.splitBeforeVariable, b.tokens, b.ttl]),
        [
          ['system', false, system],
          [0, true, prefix],
        ].map((x) => [...x, '5m']),
      );
      assert.ok(plan.breakpoints.length <= 4);
      assert.deepEqual(plan.prediction, {
        firstCall: { cacheReadTokens: 0, cacheWriteTokens: prefix },
        repeatCall: { cacheReadTokens: prefix, cacheWriteTokens: 0 },
      });
      assert.equal(fake.requests.every((r) => r.route === 'anthropic.count_tokens'), true, 'counting sends no generation request');
    });

    it('Anthropic without a key: a labelled estimate (o200k ×1.1)', async () => {
      const plan = await planPromptCache(TEMPLATE, { modelId: 'anthropic:claude-haiku-4-5', prices });
      assert.deepEqual(plan.counting, { method: '≈ estimate (o200k_base ×1.1)', estimated: true });
      assert.equal(plan.stablePrefix.tokens, Math.ceil(1.1 * (4 + enc(S) + 4 + enc(HEAD))));
      assert.equal(plan.breakpoints[0].tokens, Math.ceil(1.1 * (4 + enc(S))));
    });

    it('applies the plan: cacheSystem, the split user message with its breakpoint, the TTL', async () => {
      const plan = await planPromptCache(TEMPLATE, { modelId: 'anthropic:claude-haiku-4-5', prices, callsPerHour: 6 });
      assert.equal(plan.ttl, '1h');
      assert.deepEqual(applyCachePlan(TEMPLATE, plan, { question: 'Why?' }), {
        system: S,
        cacheSystem: true,
        cacheTtl: '1h',
        messages: [
          { role: 'user', content: HEAD, cacheBreakpoint: true },
          { role: 'user', content: ' Why?' },
        ],
      });
      const openai = await planPromptCache(TEMPLATE, { modelId: 'openai:gpt-4o-mini', prices });
      assert.deepEqual(applyCachePlan(TEMPLATE, openai, { question: 'Why?' }), {
        system: S,
        messages: [{ role: 'user', content: `${HEAD} Why?` }],
      });
    });

    it('a prompt without variables is stable as a whole; the breakpoint goes on its last block', async () => {
      const text = `system:\n${S}\n\nuser:\nSummarise the rules above.\n`;
      const o = await planPromptCache(text, { modelId: 'openai:gpt-4o-mini', prices });
      assert.equal(o.stablePrefix.tokens, o.totalTokens);
      assert.equal(o.stablePrefix.description, 'the whole prompt (no variables)');
      assert.equal(o.stablePrefix.end, null);
      const e = engine();
      const a = await planPromptCache(text, { modelId: 'anthropic:claude-haiku-4-5', prices, countTokens: exactCounter(e, 'anthropic:claude-haiku-4-5') });
      const total = 3 + 3 + enc(S) + 3 + enc('Summarise the rules above.');
      assert.equal(a.stablePrefix.tokens, total);
      assert.deepEqual(
        a.breakpoints.map((b) => [b.block, b.tokens, b.reason]),
        [
          ['system', 3 + 3 + enc(S), 'the end of the system prompt: it changes least often, and stays cached when the messages after it change'],
          [0, total, 'the end of the prompt (it has no variables)'],
        ],
      );
    });
  });

  describe('what breaks caching', () => {
    it('a variable before the static context (with a name that changes every call)', async () => {
      const text = `system:\nToday is {{today}}.\n${POLICY}\n\nuser:\n{{question}}\n`;
      const plan = await planPromptCache(text, { modelId: 'openai:gpt-4o-mini', prices });
      const prefix = 2 + 1 + enc('Today is');
      const lost = enc(`.\n${POLICY}`);
      assert.equal(plan.stablePrefix.tokens, prefix);
      assert.equal(plan.stablePrefix.description, 'the system prompt up to {{today}}');
      assert.equal(plan.stablePrefix.cacheable, false);
      const [f, below] = plan.findings;
      assert.equal(f.kind, 'variable_before_static');
      assert.equal(f.severity, 'error', 'moving it would make the prefix cacheable');
      assert.equal(f.lostTokens, lost);
      assert.deepEqual(f.at, { block: 'system', role: 'system', offset: 'Today is '.length });
      assert.equal(f.snippet, '{{today}}');
      assert.equal(
        f.message,
        `{{today}} comes before about ${lost.toLocaleString('en-US')} tokens of static text ({{today}} looks like it changes on every call): everything after a variable changes with it, so none of that text can be cached. Move {{today}} after the static context — that would bring the stable prefix over the 1,024-token minimum.`,
      );
      assert.equal(below.kind, 'below_minimum');
      assert.equal(
        below.message,
        `The stable prefix has ${prefix} tokens; openai:gpt-4o-mini caches prompts of at least 1,024: nothing would be cached (no error — both cache counters simply stay 0).`,
      );
      assert.equal(plan.economics, null);
      assert.deepEqual(plan.prediction.repeatCall, { cacheReadTokens: 0, cacheWriteTokens: 0 });
    });

    it('timestamps, dates and ids in the stable prefix, with their token offsets', async () => {
      const system = `Generated 2025-06-01T10:00:00Z for request_id=ab12cd34ef on 3/14/2025.\nTrace 3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f, build 9f86d081884c7d659a2feaa0c55ad015.\n${POLICY}`;
      const plan = await planPromptCache(`system:\n${system}\n\nuser:\n{{question}}\n`, { modelId: 'openai:gpt-4o-mini', prices });
      const at = (s: string) => enc(system.slice(0, system.indexOf(s)));
      assert.deepEqual(
        plan.findings.map((f) => [f.kind, f.snippet, f.tokenOffset, f.at?.offset]),
        [
          ['volatile_text', '2025-06-01T10:00:00Z', at('2025-06-01'), system.indexOf('2025')],
          ['volatile_text', 'request_id=ab12cd34ef', at('request_id'), system.indexOf('request_id')],
          ['volatile_text', '3/14/2025', at('3/14'), system.indexOf('3/14')],
          ['volatile_text', '3f2a9c1e-7b4d-4e8a-9c0f-1a2b3c4d5e6f', at('3f2a'), system.indexOf('3f2a')],
          ['volatile_text', '9f86d081884c7d659a2feaa0c55ad015', at('9f86'), system.indexOf('9f86')],
        ],
      );
      assert.match(plan.findings[0].message, /^A timestamp \("2025-06-01T10:00:00Z"\) at about token 2 of the stable prefix: if it changes between calls/);
      assert.match(plan.findings[3].message, /^A UUID /);
      assert.equal(plan.stablePrefix.cacheable, true, 'a literal date does not stop the plan: it is a warning');
    });

    it('Anthropic: a variable inside the system prompt leaves the whole block uncached', async () => {
      const text = `system:\nYou help {{team}}.\n${POLICY}\n\nuser:\n{{question}}\n`;
      const plan = await planPromptCache(text, { modelId: 'anthropic:claude-sonnet-4-6', prices });
      assert.equal(plan.stablePrefix.tokens, 0);
      assert.equal(plan.stablePrefix.description, 'nothing: the prompt starts with a variable');
      assert.deepEqual(plan.breakpoints, []);
      const f = plan.findings.find((x) => x.kind === 'variable_in_system')!;
      assert.equal(f.lostTokens, Math.ceil(1.1 * enc('You help ')));
      assert.match(f.message, /^\{\{team\}\} is inside the system prompt: Anthropic caches whole blocks/);
      assert.deepEqual(
        plan.findings.map((x) => x.kind),
        ['variable_before_static', 'variable_in_system', 'below_minimum'],
      );
    });

    it('a provider with no known prompt caching', async () => {
      const plan = await planPromptCache(TEMPLATE, { modelId: 'ollama:llama3.2', prices });
      assert.equal(plan.vendor, 'other');
      assert.equal(plan.minCacheableTokens, null);
      assert.deepEqual(plan.findings.map((f) => f.kind), ['no_caching']);
      assert.equal(plan.economics, null);
    });
  });

  describe('TTL, break-even and savings per hour (bundled prices)', () => {
    const haiku = effectiveRates(prices.lookup('anthropic:claude-haiku-4-5')!, 5000); // $1 in, $1.25 5m write, $2 1h write, $0.10 read
    const mini = effectiveRates(prices.lookup('openai:gpt-4o-mini')!, 2000); // $0.15 in, $0.075 read, writes free

    it('claude-haiku-4-5, 5,000-token prefix: break-even 1.28 calls (5m) and 2.11 calls (1h); 60 calls/hour → 5m', () => {
      const e = cacheEconomics('anthropic', haiku, 5000, 60);
      const [m5, h1] = e.options;
      assert.deepEqual([m5.ttl, m5.rates], ['5m', { input: 1, cacheRead: 0.1, cacheWrite: 1.25 }]);
      assert.deepEqual([h1.ttl, h1.rates], ['1h', { input: 1, cacheRead: 0.1, cacheWrite: 2 }]);
      close(m5.breakEvenCalls!, (1.25 - 0.1) / (1 - 0.1));
      close(h1.breakEvenCalls!, (2 - 0.1) / (1 - 0.1));
      assert.equal(m5.callsToSave, 2);
      assert.equal(h1.callsToSave, 3);
      // 60 calls an hour, one a minute: 1 write then 59 reads (each read restarts the TTL).
      assert.deepEqual([m5.perHour.writes, m5.perHour.reads], [1, 59]);
      close(m5.perHour.uncached, (60 * 5000 * 1) / 1e6); // $0.30
      close(m5.perHour.cached, (5000 * (1.25 + 59 * 0.1)) / 1e6); // $0.03575
      close(m5.perHour.saving, 0.26425);
      close(h1.perHour.cached, (5000 * (2 + 59 * 0.1)) / 1e6); // $0.0395
      close(h1.perHour.saving, 0.2605);
      assert.equal(e.recommended, '5m');
      assert.equal(e.reason, 'At 60 calls per hour (one every 1 min), a 5m TTL saves the most (1h: saves less).');
    });

    it('6 calls/hour (one every 10 min): the 5-minute cache expires between calls, the 1-hour one pays', () => {
      const e = cacheEconomics('anthropic', haiku, 5000, 6);
      const [m5, h1] = e.options;
      assert.deepEqual([m5.perHour.writes, m5.perHour.reads, h1.perHour.writes, h1.perHour.reads], [6, 0, 1, 5]);
      close(m5.perHour.saving, 0.03 - 0.0375); // every call pays a write: −$0.0075
      close(h1.perHour.saving, 0.03 - 0.0125);
      assert.equal(e.recommended, '1h');
      assert.equal(e.reason, 'At 6 calls per hour (one every 10 min), a 1h TTL saves the most (5m: costs more than no caching).');
    });

    it('one call every 2 hours: no caching', () => {
      const e = cacheEconomics('anthropic', haiku, 5000, 0.5);
      assert.equal(e.recommended, 'none');
      close(e.options[1].perHour.saving, 0.5 * 5000 * (1 - 2) / 1e6);
      assert.equal(e.reason, 'At 0.5 calls per hour (one every 2 h) the cache expires between calls: every call would pay for a write.');
    });

    it('gpt-4o-mini: automatic caching, no write premium: any repeat within minutes saves', () => {
      const e = cacheEconomics('openai', mini, 2000, 60);
      const [auto] = e.options;
      assert.deepEqual([auto.ttl, auto.ttlMinutes, auto.rates], ['auto', 5, { input: 0.15, cacheRead: 0.075, cacheWrite: 0.15 }]);
      assert.equal(auto.breakEvenCalls, 1);
      assert.equal(auto.callsToSave, 2);
      close(auto.perHour.uncached, (60 * 2000 * 0.15) / 1e6);
      close(auto.perHour.cached, (2000 * (0.15 + 59 * 0.075)) / 1e6);
      close(auto.perHour.saving, 0.00885);
      assert.equal(e.recommended, 'auto');
    });

    it('the plan carries the economics of its own prefix at the given rate', async () => {
      const plan = await planPromptCache(TEMPLATE, { modelId: 'anthropic:claude-haiku-4-5', prices, callsPerHour: 6 });
      const p = plan.stablePrefix.tokens;
      assert.equal(plan.economics!.prefixTokens, p);
      close(plan.economics!.options[1].perHour.cached, (p * (2 + 5 * 0.1)) / 1e6);
      assert.deepEqual(plan.breakpoints.map((b) => b.ttl), ['1h', '1h']);
    });
  });

  describe('verify against the fake server', () => {
    async function verified(modelId: string, plan: CachePlan, e: ProfilerEngine) {
      const v = await verifyCachePlan(e, TEMPLATE, plan);
      assert.equal(v.ok, true, v.summary);
      return v;
    }

    it('OpenAI: the second call reads exactly the predicted 1,024 + 128·k tokens', async () => {
      const e = engine();
      const plan = await planPromptCache(TEMPLATE, { modelId: 'openai:gpt-4o-mini', prices });
      const v = await verified('openai:gpt-4o-mini', plan, e);
      const predicted = plan.prediction.repeatCall.cacheReadTokens;
      assert.deepEqual(v.reported, { firstCall: { cacheReadTokens: 0, cacheWriteTokens: 0 }, repeatCall: { cacheReadTokens: predicted, cacheWriteTokens: 0 } });
      assert.equal(v.readDifference, 0);
      assert.equal(v.summary, `Call 1 read 0 cached tokens (predicted 0), call 2 read ${predicted.toLocaleString('en-US')} (predicted ${predicted.toLocaleString('en-US')}): difference 0 tokens.`);
      close(v.savedUsd!, (predicted * (0.15 - 0.075)) / 1e6);
      // The two calls shared only the prefix: different questions.
      const bodies = fake.requests.filter((r) => r.route === 'openai.chat').map((r) => r.body.messages[1].content);
      assert.deepEqual(bodies, [`${HEAD} sample question`, `${HEAD} (2) sample question`]);
    });

    it('Anthropic (exact counts): call 1 writes and call 2 reads exactly the predicted prefix; 1h TTL billed at 2×', async () => {
      const e = engine();
      const plan = await planPromptCache(TEMPLATE, {
        modelId: 'anthropic:claude-haiku-4-5',
        prices,
        callsPerHour: 6,
        countTokens: exactCounter(e, 'anthropic:claude-haiku-4-5'),
      });
      const v = await verified('anthropic:claude-haiku-4-5', plan, e);
      const prefix = 3 + 3 + enc(S) + 3 + enc(HEAD);
      assert.deepEqual(v.reported, {
        firstCall: { cacheReadTokens: 0, cacheWriteTokens: prefix },
        repeatCall: { cacheReadTokens: prefix, cacheWriteTokens: 0 },
      });
      assert.deepEqual([v.readDifference, v.writeDifference], [0, 0]);
      assert.equal(v.calls[0].usage.cacheWrite1hTokens, prefix);
      close(v.calls[0].cost!.cacheWrite1h, (prefix * 2) / 1e6);
      close(v.calls[1].cost!.cacheRead, (prefix * 0.1) / 1e6);
      close(v.savedUsd!, (prefix * (1 - 0.1)) / 1e6);
      const sent = fake.requests.find((r) => r.route === 'anthropic.messages')!.body;
      assert.deepEqual(sent.system, [{ type: 'text', text: S, cache_control: { type: 'ephemeral', ttl: '1h' } }]);
      assert.deepEqual(sent.messages[0], { role: 'user', content: [{ type: 'text', text: HEAD, cache_control: { type: 'ephemeral', ttl: '1h' } }] });
      assert.equal(v.summary, `Call 1 wrote ${prefix.toLocaleString('en-US')} tokens to the cache (predicted ${prefix.toLocaleString('en-US')}), call 2 read ${prefix.toLocaleString('en-US')} (predicted ${prefix.toLocaleString('en-US')}): difference 0 tokens.`);
    });

    it('Anthropic (offline estimate): the verification shows how far the estimate was', async () => {
      const e = engine();
      const plan = await planPromptCache(TEMPLATE, { modelId: 'anthropic:claude-haiku-4-5', prices });
      const v = await verified('anthropic:claude-haiku-4-5', plan, e);
      const actual = 3 + 3 + enc(S) + 3 + enc(HEAD);
      const estimate = Math.ceil(1.1 * (4 + enc(S) + 4 + enc(HEAD)));
      assert.equal(v.reported.repeatCall.cacheReadTokens, actual);
      assert.equal(v.predicted.repeatCall.cacheReadTokens, estimate);
      assert.equal(v.readDifference, actual - estimate);
      assert.ok(v.readDifference < 0, 'the estimate errs high');
      assert.match(v.summary, new RegExp(`difference ${(actual - estimate).toLocaleString('en-US')} tokens \\(the prediction was an estimate\\)\\.$`));
    });

    it('a prefix below the minimum: nothing predicted, nothing reported', async () => {
      const e = engine();
      const text = 'system:\nBe brief.\n\nuser:\n{{question}}\n';
      const plan = await planPromptCache(text, { modelId: 'anthropic:claude-haiku-4-5', prices, countTokens: exactCounter(e, 'anthropic:claude-haiku-4-5') });
      assert.equal(plan.stablePrefix.tokens, 3 + 3 + enc('Be brief.'));
      assert.deepEqual(plan.breakpoints, []);
      const v = await verifyCachePlan(e, text, plan);
      assert.deepEqual(v.reported, plan.prediction);
      assert.equal(v.readDifference, 0);
    });
  });
});
