// Decide (src/core/analysis), the pure parts: percentiles, dominance, the frontier (the seed's
// example and seeded property tests), the recommendation, judge-score parsing, quality sources,
// the static prefix, routing, and options derived from constructed runs with exact figures.
import assert from 'node:assert/strict';
import {
  buildJudgePrompt,
  cheapestMeetingBar,
  decide,
  deriveOptions,
  dominates,
  findStaticPrefix,
  limitDistance,
  paretoFrontier,
  parseJudgeScore,
  percentile,
  percentiles,
  recommend,
  resolveQuality,
  routeTask,
  routingTable,
  validateRoutingTable,
  weightedPercentile,
  withStaticPrefixBreakpoint,
  type JudgeReport,
  type ParetoPoint,
  type QualityFigure,
} from '../../src/core/analysis';
import { PriceBook } from '../../src/core/pricing';
import type { RunResult } from '../../src/core/run';
import type { Usage } from '../../src/core/types';
import { prng } from '../fake-llm/prng';

export const SEED_OPTIONS: ParetoPoint[] = [
  { name: 'GPT-4 no caching', latencyP95: 2.5, costPer1k: 10.0, quality: 0.92 },
  { name: 'GPT-3.5 no caching', latencyP95: 0.8, costPer1k: 2.0, quality: 0.78 },
  { name: 'GPT-3.5 + caching', latencyP95: 0.6, costPer1k: 1.2, quality: 0.78 },
  { name: 'GPT-3.5 + caching + prompt eng', latencyP95: 0.7, costPer1k: 1.3, quality: 0.85 },
  { name: 'GPT-4 + caching', latencyP95: 2.0, costPer1k: 6.0, quality: 0.92 },
  { name: 'GPT-4-turbo + caching', latencyP95: 1.2, costPer1k: 4.0, quality: 0.9 },
];


const close = (a: number | null | undefined, b: number, eps = 1e-9) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < eps, `${a} ≠ ${b}`);

describe('analysis: percentiles (nearest rank)', () => {
  it('takes sorted[ceil(q·n) − 1]: a measured value, never an interpolation', () => {
    const xs = [5, 1, 4, 2, 3];
    assert.equal(percentile(xs, 0.5), 3);
    assert.equal(percentile(xs, 0.95), 5);
    assert.equal(percentile(xs, 0.2), 1);
    assert.equal(percentile(xs, 0.21), 2);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.deepEqual(percentiles(hundred), { p50: 50, p95: 95, p99: 99, n: 100 });
    assert.deepEqual(percentiles([0.8]), { p50: 0.8, p95: 0.8, p99: 0.8, n: 1 });
    assert.equal(percentiles([]), null);
    assert.throws(() => percentile(xs, 0), RangeError);
  });

  it('the weighted form: smallest value whose cumulative weight reaches q', () => {
    const items = [
      { value: 3, weight: 0.5 },
      { value: 1, weight: 0.25 },
      { value: 2, weight: 0.25 },
    ];
    assert.equal(weightedPercentile(items, 0.25), 1);
    assert.equal(weightedPercentile(items, 0.5), 2);
    assert.equal(weightedPercentile(items, 0.51), 3);
    // 0.1 + 0.2 + … accumulates float error; 0.95 must still land on the right value.
    const tenths = Array.from({ length: 20 }, (_, i) => ({ value: i, weight: 0.05 }));
    assert.equal(weightedPercentile(tenths, 0.95), 18);
  });
});

describe('analysis: Pareto frontier', () => {
  it("the seed's example: four members, including GPT-3.5 + caching, in input order", () => {
    const frontier = paretoFrontier(SEED_OPTIONS).map((i) => SEED_OPTIONS[i].name);
    assert.deepEqual(frontier, ['GPT-3.5 + caching', 'GPT-3.5 + caching + prompt eng', 'GPT-4 + caching', 'GPT-4-turbo + caching']);
    // GPT-3.5 + caching is the cheapest and fastest: nothing dominates it.
    assert.ok(!SEED_OPTIONS.some((o) => dominates(o, SEED_OPTIONS[2])));
    assert.ok(dominates(SEED_OPTIONS[4], SEED_OPTIONS[0]), 'GPT-4 + caching dominates GPT-4 no caching');
    assert.ok(dominates(SEED_OPTIONS[2], SEED_OPTIONS[1]), 'GPT-3.5 + caching dominates GPT-3.5 no caching');
  });

  it("the seed's example: max latency 1.0, max cost 5.0, min quality 0.85 → GPT-3.5 + caching + prompt eng", () => {
    const rec = recommend(SEED_OPTIONS, { maxLatencyS: 1.0, maxCostPer1k: 5.0, minQuality: 0.85 });
    assert.equal(rec.selectedName, 'GPT-3.5 + caching + prompt eng');
    assert.equal(rec.selected, 3);
    assert.deepEqual(rec.feasible, [3]);
    assert.equal(
      rec.reason,
      'GPT-3.5 + caching + prompt eng: lowest cost per quality point ($1.53/1k per 1.0 quality; $1.30/1k, p95 700 ms, quality 0.85) of 1 option within p95 ≤ 1 s, cost ≤ $5.00/1k, quality ≥ 0.85.',
    );
  });

  it('equal options do not dominate each other: both stay on the frontier', () => {
    const a = { name: 'a', latencyP95: 1, costPer1k: 1, quality: 0.5 };
    const b = { ...a, name: 'b' };
    assert.equal(dominates(a, b), false);
    assert.deepEqual(paretoFrontier([a, b, { name: 'c', latencyP95: 1, costPer1k: 2, quality: 0.5 }]), [0, 1]);
  });

  it('property (200 seeded random sets): no member is dominated; every non-member is dominated by a member; the selection is a feasible member with the lowest cost per quality point', () => {
    const random = prng(20260923);
    for (let set = 0; set < 200; set++) {
      const n = 1 + Math.floor(random() * 30);
      // Half the sets on a coarse grid, so ties and exact duplicates happen often.
      const grid = set % 2 === 0;
      const pick = (k: number, scale: number) => (grid ? Math.floor(random() * k) * scale : random() * k * scale);
      const points: ParetoPoint[] = Array.from({ length: n }, (_, i) => ({
        name: `o${i}`,
        latencyP95: pick(4, 0.5),
        costPer1k: pick(5, 1),
        quality: Math.min(1, pick(4, 0.25)),
      }));
      const frontier = paretoFrontier(points);
      const members = new Set(frontier);
      assert.ok(frontier.length >= 1, `set ${set}: empty frontier`);
      assert.deepEqual(frontier, [...frontier].sort((x, y) => x - y), `set ${set}: not in input order`);
      for (const i of frontier) assert.ok(!points.some((q) => dominates(q, points[i])), `set ${set}: member ${i} is dominated`);
      points.forEach((p, i) => {
        if (!members.has(i)) assert.ok(frontier.some((j) => dominates(points[j], p)), `set ${set}: non-member ${i} not dominated by a member`);
      });
      const req = { maxLatencyS: 0.25 + random() * 2, maxCostPer1k: random() * 5, minQuality: random() };
      const rec = recommend(points, req);
      const feasible = points.map((_, i) => i).filter((i) => points[i].latencyP95 <= req.maxLatencyS && points[i].costPer1k <= req.maxCostPer1k && points[i].quality >= req.minQuality);
      assert.deepEqual(rec.feasible, feasible, `set ${set}`);
      if (feasible.length) {
        assert.ok(rec.selected !== null && members.has(rec.selected), `set ${set}: selection ${rec.selected} not on the frontier`);
        const ratio = (p: ParetoPoint) => (p.quality > 0 ? p.costPer1k / p.quality : Infinity);
        for (const i of feasible) assert.ok(ratio(points[rec.selected!]) <= ratio(points[i]), `set ${set}`);
      } else {
        assert.equal(rec.selected, null);
        assert.ok(rec.closest !== null && rec.failing.length > 0, `set ${set}`);
        for (const p of points) assert.ok(rec.closest!.distance <= limitDistance(p, req) + 1e-12, `set ${set}: closest is not closest`);
      }
    }
  });
});

describe('analysis: recommendation when nothing is feasible', () => {
  it('names the limits no option can meet, and the closest option by summed relative miss', () => {
    const rec = recommend(SEED_OPTIONS, { maxLatencyS: 0.5, minQuality: 0.95 });
    assert.equal(rec.selected, null);
    assert.deepEqual(rec.failing, ['maxLatencyS', 'minQuality']);
    // GPT-3.5 + caching: 0.1/0.5 + 0.17/0.95 = 0.3789…, the smallest.
    assert.equal(rec.closest!.name, 'GPT-3.5 + caching');
    close(rec.closest!.distance, 0.2 + 0.17 / 0.95);
    assert.equal(
      rec.reason,
      'Nothing meets p95 ≤ 500 ms, quality ≥ 0.95: no option has p95 ≤ 500 ms (fastest: GPT-3.5 + caching, 600 ms); ' +
        'no option reaches quality ≥ 0.95 (best: GPT-4 no caching, 0.92). Closest: GPT-3.5 + caching (p95 600 ms > 500 ms, quality 0.78 < 0.95).',
    );
  });

  it('when each limit alone can be met but not together: the limits the closest option misses', () => {
    const rec = recommend(SEED_OPTIONS, { maxLatencyS: 1.0, minQuality: 0.9 });
    assert.deepEqual(rec.failing, ['minQuality']);
    assert.equal(rec.closest!.name, 'GPT-3.5 + caching + prompt eng');
    assert.deepEqual(rec.closest!.misses, [{ limit: 'minQuality', value: 0.85, required: 0.9, relative: (0.9 - 0.85) / 0.9 }]);
    assert.match(rec.reason, /no option meets quality ≥ 0\.9 together with the other limits\. Closest: GPT-3\.5 \+ caching \+ prompt eng \(quality 0\.85 < 0\.9\)\.$/);
  });
});

describe('analysis: judge score parsing', () => {
  it('reads the forms judges write, the last score winning', () => {
    const cases: [string, number | null][] = [
      ['SCORE: 0.8', 0.8],
      ['The answer is right.\nSCORE: 1', 1],
      ['**Score:** .75', 0.75],
      ['Final score = 80%', 0.8],
      ['Score: 8/10', 0.8],
      ['{"reasoning": "ok", "score": 0.35}', 0.35],
      ['Scores go from 0 to 1. I would say score: 0.4. On reflection, SCORE: 0.6', 0.6],
      ['0.9', 0.9],
      ['  0  ', 0],
      ['Score: 8', null], // ambiguous: not on 0–1
      ['SCORE: 1.5', null],
      ['SCORE: -0.2', null],
      ['Score: 12/10', null],
      ['This answer is fine.', null],
      ['', null],
    ];
    for (const [reply, expected] of cases) assert.equal(parseJudgeScore(reply), expected, JSON.stringify(reply));
  });

  it('the judge prompt carries the task, the rubric, the reference when pinned, the answer, and asks for SCORE: x', () => {
    const p = buildJudgePrompt({ system: 'Be terse.', messages: [{ role: 'user', content: 'Explain CAP.' }] }, 'Pick two.', {
      model: 'openai:gpt-4o',
      rubric: 'Must name all three properties.',
      reference: 'Consistency, availability, partition tolerance.',
    });
    assert.equal(p.temperature, 0);
    assert.match(p.system!, /last line of exactly the form "SCORE: x"/);
    const text = p.messages[0].content;
    for (const s of ['[system]\nBe terse.', '[user]\nExplain CAP.', '<reference>\nConsistency, availability, partition tolerance.\n</reference>', 'Must name all three properties.', '<answer>\nPick two.\n</answer>']) {
      assert.ok(text.includes(s), s);
    }
    assert.doesNotMatch(buildJudgePrompt({ messages: [{ role: 'user', content: 'x' }] }, 'y', { model: 'openai:gpt-4o' }).messages[0].content, /reference/i);
  });
});

describe('analysis: quality sources', () => {
  it('rating overrides judge overrides prior; no prior → null (unranked); ratings map 1–5 to (r − 1)/4', () => {
    const inputs = {
      judgeScores: { 'a:x': [0.6, 0.8], 'b:y': [0.5] },
      judgeModel: 'openai:gpt-4o',
      ratings: { 'a:x': [5, 4] },
      priors: { 'c:z': 0.7 },
    };
    assert.deepEqual(resolveQuality('a:x', inputs), { value: 0.875, source: 'rating', n: 2, detail: 'your ratings (4.5/5, mean of 2)' });
    const b = resolveQuality('b:y', inputs)!;
    assert.deepEqual([b.value, b.source, b.n, b.detail], [0.5, 'judge', 1, 'judge openai:gpt-4o (1 answer)']);
    assert.deepEqual(resolveQuality('c:z', inputs), { value: 0.7, source: 'prior', n: 0, detail: 'prior for c:z (settings)' });
    assert.equal(resolveQuality('d:w', inputs), null);
    assert.equal(resolveQuality('d:w', { ...inputs, defaultPrior: 0.5 })!.source, 'prior');
    assert.throws(() => resolveQuality('a:x', { ratings: { 'a:x': 6 } }), RangeError);
  });
});

describe('analysis: static prefix', () => {
  const template = '---\nsystem: You review designs.\nsample:\n  question: Explain CAP.\n---\nAnswer in two sentences.\nQuestion: {{question}}\n';

  it('system prompt + the text before the first {{variable}}; the breakpoint splits the message there', () => {
    const sp = findStaticPrefix(template);
    assert.deepEqual(sp, { systemStatic: true, wholeMessages: 0, partialText: 'Answer in two sentences.\nQuestion: ', firstVariable: 'question' });
    const prompt = { system: 'You review designs.', messages: [{ role: 'user' as const, content: 'Answer in two sentences.\nQuestion: Explain CAP.' }] };
    const bp = withStaticPrefixBreakpoint(prompt, sp);
    assert.ok(bp.ok);
    assert.deepEqual(bp.prompt.messages, [
      { role: 'user', content: 'Answer in two sentences.\nQuestion:', cacheBreakpoint: true },
      { role: 'user', content: 'Explain CAP.' },
    ]);
    assert.deepEqual(bp.prefix, { system: 'You review designs.', messages: [{ role: 'user', content: 'Answer in two sentences.\nQuestion:', cacheBreakpoint: true }] });
    assert.equal(bp.split, true);
  });

  it('no variables: the whole prompt; a variable first: the system prompt only; a variable in the system prompt: none', () => {
    assert.deepEqual(findStaticPrefix('Hello there'), { systemStatic: true, wholeMessages: 1, partialText: '', firstVariable: null });
    const first = findStaticPrefix('---\nsystem: Be terse.\n---\n{{q}} please');
    const bp = withStaticPrefixBreakpoint({ system: 'Be terse.', messages: [{ role: 'user', content: 'Why? please' }] }, first);
    assert.ok(bp.ok);
    assert.equal(bp.prompt.cacheSystem, true);
    assert.deepEqual(bp.prompt.messages, [{ role: 'user', content: 'Why? please' }]);
    const inSystem = findStaticPrefix('---\nsystem: You speak {{lang}}.\n---\nHi');
    assert.deepEqual(inSystem, { systemStatic: false, wholeMessages: 0, partialText: '', firstVariable: 'lang' });
    const none = withStaticPrefixBreakpoint({ system: 'You speak French.', messages: [{ role: 'user', content: 'Hi' }] }, inSystem);
    assert.deepEqual(none, { ok: false, reason: 'the system prompt contains {{lang}}: only whole blocks take a cache breakpoint, so there is no static prefix to cache' });
    const bare = withStaticPrefixBreakpoint({ messages: [{ role: 'user', content: 'x y' }] }, findStaticPrefix('{{a}} y'));
    assert.deepEqual(bare, { ok: false, reason: 'the prompt starts with {{a}}: there is no static prefix to cache' });
  });

  it('chat sections: whole messages before the variable are in the prefix, the breakpoint on the last of them', () => {
    const sp = findStaticPrefix('system:\nBe terse.\nuser:\nHi\nassistant:\nHello\nuser:\n{{q}}\n');
    assert.deepEqual([sp.wholeMessages, sp.partialText, sp.firstVariable], [2, '', 'q']);
    const bp = withStaticPrefixBreakpoint(
      { system: 'Be terse.', messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }, { role: 'user', content: 'Why?' }] },
      sp,
    );
    assert.ok(bp.ok);
    assert.deepEqual(bp.prompt.messages.map((m) => m.cacheBreakpoint ?? false), [false, true, false]);
  });
});

describe('analysis: routing', () => {
  it('task → tier → model from a table; user entries on top; validation', () => {
    const table = routingTable({ tasks: { code: 'openai:gpt-4.1', triage: 'cheap' }, tiers: { strong: 'anthropic:claude-opus-4-5' } });
    assert.deepEqual(routeTask('Classification', table), { task: 'classification', tier: 'cheap', modelId: 'openai:gpt-4o-mini', reason: 'classification → cheap tier (openai:gpt-4o-mini)' });
    assert.equal(routeTask('reasoning', table).modelId, 'anthropic:claude-opus-4-5');
    assert.deepEqual([routeTask('code', table).tier, routeTask('code', table).modelId], [null, 'openai:gpt-4.1']);
    assert.equal(routeTask('triage', table).tier, 'cheap');
    assert.equal(routeTask('poetry', table).modelId, null);
    assert.deepEqual(validateRoutingTable({ tasks: { a: 'cheap', b: 'medium' }, tiers: { cheap: 'gpt-4o' } }), [
      'tasks.b must be "cheap", "strong" or a model id provider:model (got "medium").',
      'tiers.cheap must be a model id provider:model (got "gpt-4o").',
    ]);
  });

  it('the cheapest model that met the quality bar on this prompt', () => {
    const q = (value: number, source: QualityFigure['source'] = 'judge'): QualityFigure => ({ value, source, n: 3, detail: '' });
    const models = [
      { modelId: 'a:strong', costPer1k: 9, quality: q(0.95) },
      { modelId: 'b:mid', costPer1k: 2, quality: q(0.86) },
      { modelId: 'c:cheap', costPer1k: 0.5, quality: q(0.7) },
      { modelId: 'd:noprice', costPer1k: null, quality: q(0.99) },
    ];
    assert.deepEqual(cheapestMeetingBar(models, 0.85), {
      modelId: 'b:mid',
      reason: 'b:mid: the cheapest ($2.00/1k) of 2 models with quality ≥ 0.85 on this prompt (0.86, judge).',
    });
    assert.deepEqual(cheapestMeetingBar(models, 0.97), {
      modelId: null,
      reason: 'No model met quality ≥ 0.97 on this prompt (best: a:strong, 0.95 from judge); 1 model without a price or quality figure not considered.',
    });
  });
});

// ── options from constructed runs (exact latency and cost arithmetic) ───────────────────────

const usage = (input: number, output: number): Usage => ({
  inputTokens: input,
  outputTokens: output,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  reasoningTokens: 0,
  estimated: false,
});

// openai:* models (unknown to the data) priced by override: vendor rules of OpenAI, a Batch API.
const prices = new PriceBook({ 'openai:cheap': { input: 1, output: 2 }, 'openai:strong': { input: 10, output: 20 } });

function result(modelId: string, repeat: number, latencyMs: number, u: Usage, extra: Partial<RunResult> = {}): RunResult {
  return {
    modelId,
    repeat,
    ok: true,
    output: `answer ${repeat}`,
    finishReason: 'stop',
    cacheHit: false,
    ttftMs: latencyMs / 2,
    latencyMs,
    queuedMs: 0,
    retryWaitMs: 0,
    attempts: 1,
    cacheReadMs: null,
    outputTokensPerSec: null,
    usage: u,
    cost: prices.cost(modelId, u),
    error: null,
    ...extra,
  };
}

describe('analysis: options derived from runs', () => {
  // cheap: 1000 in + 500 out → (1000·1 + 500·2)/1e6 = $0.002 per call → $2 per 1k.
  // strong: 1000 in + 500 out → (1000·10 + 500·20)/1e6 = $0.02 per call → $20 per 1k.
  const cheapRuns = [
    result('openai:cheap', 0, 700, usage(1000, 500), { cacheHit: true, latencyMs: 0, ttftMs: null, cacheReadMs: 3, attempts: 0, original: { latencyMs: 700, ttftMs: 350, createdAt: 0 } }),
    result('openai:cheap', 1, 1000, usage(1000, 500)),
    result('openai:cheap', 2, 2000, usage(1000, 500)),
    result('openai:cheap', 3, 0, usage(0, 0), { ok: false, cost: null, error: { kind: 'server', message: 'boom' } }),
  ];
  const strongRuns = [3000, 5000].map((ms, i) => result('openai:strong', i, ms, usage(1000, 500)));
  const judge: JudgeReport = {
    model: 'openai:judge',
    rubric: '',
    withReference: false,
    judgements: [
      { modelId: 'openai:cheap', repeat: 0, score: 0.9, reply: 'SCORE: 0.9', error: null, costUsd: 0.001, cacheHit: false },
      { modelId: 'openai:cheap', repeat: 1, score: 0.5, reply: 'SCORE: 0.5', error: null, costUsd: 0.001, cacheHit: false },
      { modelId: 'openai:cheap', repeat: 2, score: 0.8, reply: 'SCORE: 0.8', error: null, costUsd: 0.001, cacheHit: false },
    ],
    scores: { 'openai:cheap': [0.9, 0.5, 0.8] },
    unscored: 0,
    costUsd: 0.003,
    costPerJudgementUsd: 0.001,
  };
  const quality = {
    'openai:cheap': resolveQuality('openai:cheap', { judgeScores: judge.scores, judgeModel: judge.model }),
    'openai:strong': { value: 0.9, source: 'rating' as const, n: 1, detail: 'your rating (4.6/5)' },
  };
  const options = deriveOptions({
    results: [...cheapRuns, ...strongRuns],
    prices,
    quality,
    judge,
    settings: { answerCacheHitRate: 0.3, batchCompletionS: 3600, cascadeThreshold: 0.7 },
  });
  const byId = new Map(options.map((o) => [o.id, o]));

  it('as is: cost per 1k from real usage; latency from fresh runs and a hit\'s original time, never the read time; failures left out', () => {
    const o = byId.get('openai:cheap')!;
    close(o.costPer1k, 2);
    assert.deepEqual(o.latency, { p50: 1, p95: 2, p99: 2, n: 3, source: 'measured', detail: '3 runs' });
    assert.deepEqual(o.notes, ['1 of 4 runs failed and are left out', '1 answer-cache hit: their original generation time is used, not the read time']);
    assert.equal(o.quality!.source, 'judge');
    close(o.quality!.value, (0.9 + 0.5 + 0.8) / 3);
  });

  it('answer cache at h: cost × (1 − h); latency the nearest-rank mixture with the measured hit read time', () => {
    const o = byId.get('openai:cheap|answer-cache')!;
    close(o.costPer1k, 2 * 0.7);
    // 0.003 s at weight 0.3, then 0.7 / 1 / 2 s at 0.7/3 each: cumulative 0.3, 0.533, 0.767, 1.
    assert.deepEqual([o.latency!.p50, o.latency!.p95, o.latency!.n, o.latency!.source], [0.7, 2, 3, 'mixture']);
    assert.equal(o.latency!.detail, '30 % hits at 3 ms (measured, mean of 1 hit), the rest as measured');
    const high = deriveOptions({ results: cheapRuns, prices, quality, settings: { answerCacheHitRate: 0.6 } }).find((x) => x.kind === 'answer-cache')!;
    assert.deepEqual([high.latency!.p50, high.latency!.p95], [0.003, 2]);
    const constant = deriveOptions({ results: strongRuns, prices, quality }).find((x) => x.kind === 'answer-cache')!;
    assert.match(constant.latency!.detail, /at 5 ms \(assumed constant\)/);
  });

  it('Batch API: every bucket at 50 %, latency the configured completion time with n=0', () => {
    const o = byId.get('openai:cheap|batch')!;
    close(o.costPer1k, 1);
    assert.deepEqual(o.latency, { p50: 3600, p95: 3600, p99: 3600, n: 0, source: 'setting', detail: 'expected batch completion time (setting), not measured' });
    const other = deriveOptions({ results: [result('local:llama', 0, 100, usage(1, 1), { cost: null })], prices, quality: {} });
    assert.deepEqual(other.map((x) => [x.id, x.available, x.reason ?? null]), [
      ['local:llama', true, null],
      ['local:llama|answer-cache', true, null],
      ['local:llama|batch', false, 'no known Batch API price for this provider'],
    ]);
  });

  it('cascade cheap → strong: cost(A) + (1 − pass) × cost(B); quality and latency likewise, pass rate over the judged repeats', () => {
    const o = byId.get('openai:cheap>openai:strong|cascade')!;
    assert.equal(o.name, 'openai:cheap → openai:strong (cascade, accept ≥ 0.7)');
    close(o.costPer1k, 2 + (1 / 3) * 20);
    // Accepted: 0.9 and 0.8 (mean 0.85) with probability 2/3; else the strong model's 0.9 (a rating).
    close(o.quality!.value, (2 / 3) * 0.85 + (1 / 3) * 0.9);
    assert.equal(o.quality!.source, 'judge');
    // Runs: 0.7 s (pass), 1 s (fail → 1+3, 1+5), 2 s (pass): 0.7 @1/3, 2 @1/3, 4 @1/6, 6 @1/6.
    assert.deepEqual([o.latency!.p50, o.latency!.p95, o.latency!.p99, o.latency!.n], [2, 6, 6, 3]);
    assert.equal(byId.has('openai:strong>openai:cheap|cascade'), false, 'only cheap → strong');
    const noJudge = deriveOptions({ results: [...cheapRuns, ...strongRuns], prices, quality }).find((x) => x.kind === 'cascade')!;
    assert.deepEqual([noJudge.available, noJudge.reason], [false, "the pass rate needs judge scores of openai:cheap's answers (configure a judge)"]);
  });

  it('decide: frontier and selection by option id; unavailable or unpriced options listed as unranked with the reason', () => {
    const d = decide(options, { maxLatencyS: 3 });
    // The as-is options are dominated by their answer-cache twins (cheaper, same p95, same quality).
    assert.deepEqual(d.frontier, ['openai:cheap|answer-cache', 'openai:cheap|batch', 'openai:strong|answer-cache', 'openai:strong|batch', 'openai:cheap>openai:strong|cascade']);
    assert.deepEqual(d.feasible, ['openai:cheap', 'openai:cheap|answer-cache']);
    assert.equal(d.selected, 'openai:cheap|answer-cache');
    assert.deepEqual(d.unranked, []);
    const none = decide(deriveOptions({ results: cheapRuns, prices, quality: {} }));
    assert.deepEqual(none.frontier, []);
    assert.equal(none.selected, null);
    assert.equal(none.reason, 'No option has a price, a latency and a quality figure to compare.');
    assert.deepEqual(none.unranked.map((u) => u.reason), ['no quality figure (no judge, rating or prior)', 'no quality figure (no judge, rating or prior)', 'no quality figure (no judge, rating or prior)']);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), d, 'plain serialisable data');
  });
});
