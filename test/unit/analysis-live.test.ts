// Decide against the fake server (real SDKs): options with exact figures from a live run, provider
// prompt caching measured by a cold and a warm call (Anthropic cache_control on the static prefix,
// OpenAI automatic), the minimum cacheable length, and the LLM judge with its cost kept apart.
import assert from 'node:assert/strict';
import { getEncoding } from 'js-tiktoken';
import { analyseRun, buildJudgePrompt, judgeAnswers } from '../../src/core/analysis';
import { ProfilerEngine, type PromptInput } from '../../src/core/engine';
import { parsePrompt } from '../../src/core/prompt';
import { startFakeLlm, type FakeLlm } from '../fake-llm/server';
import { fakeResolver } from './support/fakeProviders';

const OUTPUT = 'Consistency, availability, partition tolerance: pick two when the network splits.';
const o200k = getEncoding('o200k_base');
const enc = (s: string) => o200k.encode(s).length;
const close = (actual: number | null | undefined, expected: number, eps = 1e-12) =>
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < eps, `${actual} ≠ ${expected}`);

const SYSTEM = 'You are a meticulous reviewer of distributed systems designs. '.repeat(120).trim();
const TEMPLATE = `---\nsystem: ${SYSTEM}\nsample:\n  question: Explain CAP.\n---\nAnswer in two sentences.\nQuestion: {{question}}\n`;

function promptOf(text: string): PromptInput {
  const p = parsePrompt(text);
  return { system: p.system, messages: p.messages, maxOutputTokens: 300 };
}

describe('analysis against the fake server', function () {
  let fake: FakeLlm;
  const engine = () =>
    new ProfilerEngine({
      resolveProvider: fakeResolver(fake),
    });

  before(async () => {
    fake = await startFakeLlm({ profiles: { '*': { output: OUTPUT, ttftMs: 20 } } });
  });
  afterEach(() => fake.reset());
  after(() => fake.close());

  it('as is, answer cache, batch: exact costs per 1k from the run; p50/p95 from the repeats with n', async () => {
    const e = engine();
    // Under 1,024 tokens, so OpenAI's automatic prompt cache stays out of the repeats' usage.
    const prompt: PromptInput = { system: 'You are terse.', messages: [{ role: 'user', content: 'Explain CAP.' }], maxOutputTokens: 300 };
    const { results } = await e.run(prompt, ['openai:gpt-4o-mini'], { repeats: 3 });
    const a = await analyseRun({ engine: e, prompt, results, defaultPrior: 0.5, measurePromptCache: false, settings: { answerCacheHitRate: 0.25 } });
    const input = 3 + 1 + enc('You are terse.') + 3 + 1 + enc('Explain CAP.') + 3;
    const perCall = (input * 0.15 + enc(OUTPUT) * 0.6) / 1e6;
    const [asIs, cached, batch] = a.options;
    assert.deepEqual(a.options.map((o) => o.id), ['openai:gpt-4o-mini', 'openai:gpt-4o-mini|answer-cache', 'openai:gpt-4o-mini|batch']);
    close(asIs.costPer1k, perCall * 1000);
    close(cached.costPer1k, perCall * 1000 * 0.75);
    close(batch.costPer1k, (perCall * 1000) / 2);
    assert.equal(asIs.latency!.n, 3);
    assert.ok(asIs.latency!.p50 >= 0.02 && asIs.latency!.p95 >= asIs.latency!.p50, JSON.stringify(asIs.latency));
    assert.equal(asIs.latency!.p95, Math.max(...results.map((r) => r.latencyMs / 1000)), 'p95 of 3 runs is the slowest (nearest rank)');
    assert.deepEqual(asIs.quality, { value: 0.5, source: 'prior', n: 0, detail: 'default prior (settings), not a measurement' });
    assert.equal(a.judge, null);
    assert.equal(fake.requests.length, 3, 'no probe, no judge');
  });

  it('Anthropic prompt caching: cache_control at the end of the static prefix; cold write, warm read; write amortised over k calls', async () => {
    const e = engine();
    const prompt = promptOf(TEMPLATE);
    const model = 'anthropic:claude-sonnet-4-6';
    const { results } = await e.run(prompt, [model], { repeats: 2 });
    const a = await analyseRun({ engine: e, prompt, results, templateText: TEMPLATE, defaultPrior: 0.5, settings: { callsPerCacheWindow: 10 } });
    // The fake's declared counting: request framing 3, system block 3 + text, each message 3 + text.
    const prefix = 3 + (3 + enc(SYSTEM)) + (3 + enc('Answer in two sentences.\nQuestion:'));
    const rest = 3 + enc('Explain CAP.');
    const out = enc(OUTPUT);
    const pc = a.promptCache[model];
    assert.equal(pc.status, 'measured');
    if (pc.status !== 'measured') return;
    assert.deepEqual([pc.prefixTokens, pc.prefixEstimated, pc.readTokens, pc.creditedReadTokens, pc.cold.cacheWriteTokens, pc.warm.inputTokens], [prefix, false, prefix, prefix, prefix, prefix + rest]);
    assert.equal(pc.split, true);
    // What went over the wire: the first user turn split at {{question}}, the breakpoint on the static part.
    const probes = fake.requests.filter((r) => r.route === 'anthropic.messages' && JSON.stringify(r.body).includes('cache_control'));
    assert.equal(probes.length, 2);
    assert.deepEqual(probes[0].body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Answer in two sentences.\nQuestion:', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: 'Explain CAP.' },
    ]);
    // Per call: output as measured + (cold prompt + 9 warm prompts) / 10, at 3 in / 3.75 write / 0.30 read / 15 out per MTok.
    const cold = prefix * 3.75 + rest * 3;
    const warm = prefix * 0.3 + rest * 3;
    const option = a.options.find((o) => o.kind === 'prompt-cache')!;
    close(option.costPer1k, ((out * 15 + (cold + 9 * warm) / 10) / 1e6) * 1000);
    assert.deepEqual(option.latency, { ...a.options[0].latency, detail: `${a.options[0].latency!.detail}, without caching` });
    assert.equal(option.notes[1], 'cache write amortised over 10 calls per 5m TTL window');
    // The as-is cost has no caching at all: the whole prompt at the input rate.
    close(a.options[0].costPer1k, (((3 + (3 + enc(SYSTEM)) + (3 + enc('Answer in two sentences.\nQuestion: Explain CAP.'))) * 3 + out * 15) / 1e6) * 1000);
  });

  it('a static prefix under the minimum cacheable length: measured, and said so instead of a saving', async () => {
    const e = engine();
    const prompt = promptOf(TEMPLATE);
    const model = 'anthropic:claude-haiku-4-5'; // minimum 4,096 tokens
    const { results } = await e.run(prompt, [model]);
    const a = await analyseRun({ engine: e, prompt, results, templateText: TEMPLATE, defaultPrior: 0.5 });
    const prefix = 3 + (3 + enc(SYSTEM)) + (3 + enc('Answer in two sentences.\nQuestion:'));
    assert.ok(prefix > 1024 && prefix < 4096, String(prefix));
    const pc = a.promptCache[model];
    assert.deepEqual(pc, {
      status: 'too-short',
      vendor: 'anthropic',
      prefixTokens: prefix,
      prefixEstimated: false,
      minTokens: 4096,
      readTokens: 0,
      message: `static prefix is ${prefix.toLocaleString('en-US')} tokens, under anthropic:claude-haiku-4-5's minimum cacheable length of 4,096: no prompt-cache saving`,
    });
    const option = a.options.find((o) => o.kind === 'prompt-cache')!;
    assert.deepEqual([option.available, option.costPer1k, option.reason], [false, null, pc.status === 'too-short' ? pc.message : '']);
    assert.equal(fake.requests.filter((r) => r.route === 'anthropic.messages').length, 3, 'the run + cold + warm: measured, not assumed');
    assert.ok(!a.decision.frontier.includes(option.id));
    assert.deepEqual(a.decision.unranked, [{ id: option.id, reason: pc.status === 'too-short' ? pc.message : '' }]);
  });

  it('OpenAI automatic caching: the warm read, capped at the static prefix when a {{variable}} follows it; under 1,024 tokens: no saving', async () => {
    const e = engine();
    const long = 'You are a meticulous reviewer of distributed systems designs. '.repeat(110).trim();
    const question = 'Explain how quorum reads and writes interact with replica placement. '.repeat(25).trim();
    const template = `---\nsystem: ${long}\nsample:\n  question: ${question}\n---\nQuestion: {{question}}\n`;
    const prompt = promptOf(template);
    const model = 'openai:gpt-4o-mini';
    const { results } = await e.run(prompt, [model]);
    const a = await analyseRun({ engine: e, prompt, results, templateText: template, defaultPrior: 0.5 });
    const total = 3 + 1 + enc(long) + 3 + 1 + enc(`Question: ${question}`) + 3;
    const staticPrefix = 3 + 1 + enc(long) + 3 + 1 + enc('Question:');
    const step = (t: number) => 1024 + Math.floor((t - 1024) / 128) * 128;
    assert.ok(step(total) > step(staticPrefix), `${total} vs ${staticPrefix}`);
    const pc = a.promptCache[model];
    assert.equal(pc.status, 'measured');
    if (pc.status !== 'measured') return;
    assert.deepEqual([pc.prefixTokens, pc.readTokens, pc.creditedReadTokens], [staticPrefix, step(total), step(staticPrefix)]);
    // The run and both probes were the same request: no cache_control for OpenAI.
    assert.ok(fake.requests.every((r) => !JSON.stringify(r.body).includes('cache_control')));
    const read = step(staticPrefix);
    const out = enc(OUTPUT);
    // gpt-4o-mini: 0.15 in, 0.075 cached read, 0.6 out; a write bills as plain input (no surcharge).
    const cold = total * 0.15;
    const warm = read * 0.075 + (total - read) * 0.15;
    const option = a.options.find((o) => o.kind === 'prompt-cache')!;
    close(option.costPer1k, ((out * 0.6 + (cold + 9 * warm) / 10) / 1e6) * 1000);
    assert.equal(option.notes[0], `${read.toLocaleString('en-US')} prompt tokens read from the cache on the warm call (${step(total).toLocaleString('en-US')} read; only the static prefix counts)`);

    fake.reset();
    const short = promptOf('Explain CAP.');
    const s = await analyseRun({ engine: e, prompt: short, results: (await e.run(short, [model])).results, templateText: 'Explain CAP.', defaultPrior: 0.5 });
    const tokens = 3 + 1 + enc('Explain CAP.');
    assert.deepEqual(s.options.find((o) => o.kind === 'prompt-cache')!.reason, `static prefix is ${tokens} tokens, under openai:gpt-4o-mini's minimum cacheable length of 1,024: no prompt-cache saving`);
  });

  it('LLM-as-judge through the engine: scores per model, the judge cost apart from the options; a rating overrides it', async () => {
    const e = engine();
    fake.setProfile('gpt-4o-mini', { output: 'alpha: pick two of three.' });
    fake.setProfile('claude-haiku-4-5', { output: 'beta: it depends.' });
    fake.setProfile('gpt-4.1', { output: ({ lastUserText }) => (lastUserText.includes('alpha:') ? 'Complete and correct.\nSCORE: 0.8' : 'Vague.\n**Score:** 0.4') });
    const prompt: PromptInput = { system: 'You are terse.', messages: [{ role: 'user', content: 'Explain CAP.' }], maxOutputTokens: 300 };
    const models = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'];
    const { results } = await e.run(prompt, models, { repeats: 2 });
    const a = await analyseRun({ engine: e, prompt, results, judge: { model: 'openai:gpt-4.1', rubric: 'Names all three properties.' }, measurePromptCache: false, settings: { answerCacheHitRate: 0 } });
    assert.deepEqual(a.judge!.scores, { 'openai:gpt-4o-mini': [0.8, 0.8], 'anthropic:claude-haiku-4-5': [0.4, 0.4] });
    assert.deepEqual(
      models.map((m) => [a.quality[m]!.value, a.quality[m]!.source, a.quality[m]!.n, a.quality[m]!.detail]),
      [
        [0.8, 'judge', 2, 'judge openai:gpt-4.1 (2 answers)'],
        [0.4, 'judge', 2, 'judge openai:gpt-4.1 (2 answers)'],
      ],
    );
    // The judge's cost: its exact prompt and reply tokens at gpt-4.1's 2 / 8 per MTok.
    const judgeCost = (answer: string, reply: string) => {
      const p = buildJudgePrompt(prompt, answer, { model: 'openai:gpt-4.1', rubric: 'Names all three properties.' });
      return ((3 + 1 + enc(p.system!) + 3 + 1 + enc(p.messages[0].content) + 3) * 2 + enc(reply) * 8) / 1e6;
    };
    const expected = 2 * judgeCost('alpha: pick two of three.', 'Complete and correct.\nSCORE: 0.8') + 2 * judgeCost('beta: it depends.', 'Vague.\n**Score:** 0.4');
    close(a.judge!.costUsd, expected);
    close(a.judge!.costPerJudgementUsd, expected / 4);
    // The options' costs are the answers' alone.
    const answerCost = ((3 + 1 + enc('You are terse.') + 3 + 1 + enc('Explain CAP.') + 3) * 0.15 + enc('alpha: pick two of three.') * 0.6) / 1e6;
    close(a.options.find((o) => o.id === 'openai:gpt-4o-mini')!.costPer1k, answerCost * 1000);
    // The cascade needs the judge: cheap gpt-4o-mini (0.8 ≥ 0.7 every time) → haiku never called.
    const cascade = a.options.find((o) => o.kind === 'cascade')!;
    assert.equal(cascade.id, 'openai:gpt-4o-mini>anthropic:claude-haiku-4-5|cascade');
    close(cascade.costPer1k, answerCost * 1000);
    close(cascade.quality!.value, 0.8);

    // A user rating (1–5) overrides the judge for that model.
    const rated = await analyseRun({ engine: e, prompt, results, judge: { model: 'openai:gpt-4.1' }, ratings: { 'anthropic:claude-haiku-4-5': 5 }, measurePromptCache: false });
    assert.deepEqual([rated.quality['anthropic:claude-haiku-4-5']!.value, rated.quality['anthropic:claude-haiku-4-5']!.source], [1, 'rating']);
    assert.equal(rated.quality['openai:gpt-4o-mini']!.source, 'judge');
  });

  it('cascade pass rate measured over the repeats with a judge threshold', async () => {
    const e = engine();
    const answers = ['one: full answer', 'two: wrong', 'three: mostly right'];
    let i = 0;
    fake.setProfile('gpt-4o-mini', { output: () => answers[i++ % 3] });
    fake.setProfile('claude-sonnet-4-6', { output: 'strong: complete.' });
    const scores: Record<string, string> = { 'one:': 'SCORE: 0.9', 'two:': 'SCORE: 0.2', 'three:': 'SCORE: 0.75', 'strong:': 'SCORE: 1' };
    fake.setProfile('gpt-4.1', { output: ({ lastUserText }) => Object.entries(scores).find(([k]) => lastUserText.includes(`<answer>\n${k}`))![1] });
    const prompt: PromptInput = { messages: [{ role: 'user', content: 'Explain CAP.' }], maxOutputTokens: 300 };
    const { results } = await e.run(prompt, ['openai:gpt-4o-mini', 'anthropic:claude-sonnet-4-6'], { repeats: 3, concurrency: 1 });
    const a = await analyseRun({ engine: e, prompt, results, judge: { model: 'openai:gpt-4.1' }, measurePromptCache: false, settings: { cascadeThreshold: 0.7 } });
    const A = a.options.find((o) => o.id === 'openai:gpt-4o-mini')!;
    const B = a.options.find((o) => o.id === 'anthropic:claude-sonnet-4-6')!;
    const cascade = a.options.find((o) => o.kind === 'cascade')!;
    assert.equal(cascade.notes[0], 'pass rate 2/3 at judge score ≥ 0.7');
    close(cascade.costPer1k, A.costPer1k! + (1 / 3) * B.costPer1k!, 1e-9);
    close(cascade.quality!.value, (2 / 3) * ((0.9 + 0.75) / 2) + (1 / 3) * 1);
    assert.equal(cascade.latency!.n, 3);
    // Items: the 2 accepted runs of A at 1/3 each, the rejected run + each B run at 1/9 each; the
    // last 1/9 lies above 0.95, so p95 is the largest item.
    const sec = (r: (typeof results)[number]) => r.latencyMs / 1000;
    const aRuns = results.filter((r) => r.modelId === 'openai:gpt-4o-mini');
    const rejected = sec(aRuns.find((r) => r.output.startsWith('two:'))!);
    const items = [...aRuns.filter((r) => !r.output.startsWith('two:')).map(sec), ...results.filter((r) => r.modelId !== 'openai:gpt-4o-mini').map((r) => rejected + sec(r))];
    assert.equal(cascade.latency!.p95, Math.max(...items));
  });
});
