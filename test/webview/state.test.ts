// Pure tests of the panel's state handling (no browser).

import assert from 'node:assert/strict';
import { applyMessage, restoredDecide, restoredState, revivedState } from '../../src/webview/state';
import { costLatencySkyline } from '../../src/webview/decide/frontierLine';
import { renderPanelHtml } from '../../src/webview/html';
import { PriceBook } from '../../src/core/pricing';
import type { RunResult } from '../../src/core/run';
import { emptyUsage } from '../../src/core/types';
import type { DecideConfig } from '../../src/extension/config';
import { buildAnalysisView, routingView, type Measurements } from '../../src/extension/decide/analysisView';
import { column, seedAnalysis, startState } from './fixtures';

describe('webview state', () => {
  it('applies appends and field updates to the matching columns only', () => {
    const s = startState(3);
    const r = applyMessage(s, {
      type: 'patch',
      runId: 3,
      running: true,
      patches: [
        { index: 1, append: 'Hel' },
        { index: 1, append: 'lo', set: { status: 'streaming', elapsedMs: 250 } },
        { index: 9, append: 'nobody' },
      ],
    });
    assert.equal(r.kind, 'update');
    assert.equal(s.columns[1].output, 'Hello');
    assert.equal(s.columns[1].status, 'streaming');
    assert.equal(s.columns[1].elapsedMs, 250);
    assert.equal(s.columns[0].output, '');
    if (r.kind === 'update') {
      assert.deepEqual(r.columns, [{ index: 1, text: true, fields: true, elapsed: true }]);
      assert.equal(r.running, false);
      assert.equal(r.summary, false);
    }
  });

  it('ignores patches for another run or before any state, and never rewrites index/output via set', () => {
    const s = startState(3);
    assert.equal(applyMessage(s, { type: 'patch', runId: 2, running: false, patches: [{ index: 0, append: 'x' }] }).kind, 'ignored');
    assert.equal(applyMessage(undefined, { type: 'patch', runId: 3, running: false, patches: [] }).kind, 'ignored');
    applyMessage(s, { type: 'patch', runId: 3, running: false, patches: [{ index: 0, set: { output: 'evil', index: 5 } as never }] });
    assert.equal(s.columns[0].output, '');
    assert.equal(s.columns[0].index, 0);
    assert.equal(s.running, false);
  });

  it('replaces everything on state, and restores only a plausible saved state', () => {
    const next = { ...startState(4), columns: [column(0, {})] };
    const r = applyMessage(startState(3), { type: 'state', state: next });
    assert.equal(r.kind === 'redraw' && r.state, next);
    assert.equal(restoredState(undefined), undefined);
    assert.equal(restoredState({ state: { runId: 'x', columns: [] } }), undefined);
    assert.equal(restoredState({ state: next }), next);
  });

  it('a revived panel starts from the newer of its two saved copies; what was still running is marked stopped', () => {
    const older = { ...startState(4), running: false, columns: [column(0, { status: 'done', output: 'old answer' })] };
    const newer = {
      ...startState(6),
      columns: [column(0, { status: 'done', output: 'A whole answer.' }), column(1, { status: 'streaming', output: 'A partial', outputLive: true }), column(2, { status: 'queued' })],
    };
    for (const copies of [[older, newer], [newer, older], [undefined, newer]]) {
      const r = revivedState(...copies)!;
      assert.equal(r.runId, 6);
      assert.equal(r.running, false);
      assert.deepEqual(
        r.columns.map((c) => [c.status, c.output, c.outputLive, c.error?.message ?? null]),
        [
          ['done', 'A whole answer.', false, null],
          ['cancelled', 'A partial', false, 'The window reloaded before this answer finished.'],
          ['cancelled', '', false, 'The window reloaded before this answer finished.'],
        ],
      );
    }
    assert.equal(newer.columns[1].status, 'streaming', 'the copies are not changed');
    assert.equal(revivedState(undefined, undefined), undefined);
  });

  it('renderPanelHtml has one nonce script, the CSP meta tag and no inline style', () => {
    const html = renderPanelHtml({
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      nonce: 'abc123',
      scriptUri: 'https://x/dist/webview.js',
      styleUri: 'https://x/media/panel.css',
      codiconsUri: 'https://x/dist/codicon.css',
    });
    assert.ok(
      html.includes(
        `content="default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net;"`,
      ),
    );
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes('<script nonce="abc123" src="https://x/dist/webview.js"></script>'));
    assert.ok(html.includes('<link rel="stylesheet" href="https://x/dist/codicon.css">'));
    assert.ok(!/style=|<style/.test(html));
    assert.throws(() => renderPanelHtml({ cspSource: 'x', nonce: "a' 'unsafe-inline", scriptUri: '', styleUri: '' }));
  });
});

// ---- Decide: the data the host posts and the webview keeps -----------------------------------------

describe('Decide data (host side, no vscode)', () => {
  const prices = new PriceBook({});
  const cfg = (over: Partial<DecideConfig> = {}): DecideConfig => ({
    requirements: {},
    judgeModel: undefined,
    rubric: undefined,
    priors: {},
    answerCacheHitRate: 0.3,
    hitRateSource: 'history',
    batchCompletionS: 86400,
    callsPerCacheWindow: 10,
    cascadeThreshold: 0.7,
    measurePromptCache: true,
    routing: {},
    ...over,
  });
  const result = (modelId: string, repeat: number, latencyMs: number): RunResult => {
    const usage = { ...emptyUsage(), inputTokens: 1000, outputTokens: 200 };
    return {
      modelId,
      repeat,
      ok: true,
      output: 'An answer.',
      finishReason: 'stop',
      cacheHit: false,
      ttftMs: 100,
      latencyMs,
      queuedMs: 0,
      retryWaitMs: 0,
      attempts: 1,
      cacheReadMs: null,
      outputTokensPerSec: 50,
      usage,
      cost: prices.cost(modelId, usage),
      error: null,
    };
  };
  const GPT = 'openai:gpt-4o-mini';
  const LLAMA = 'ollama:llama3.2';
  const measurements = (): Measurements => ({
    runId: 4,
    models: [GPT, LLAMA],
    results: [result(GPT, 0, 800), result(LLAMA, 0, 1500), result(GPT, 1, 1200), result(LLAMA, 1, 1700)],
    prices,
    judge: null,
    promptCache: undefined,
  });
  const status = { status: 'ready' as const, message: null, measuringPromptCache: false };

  it('lists every option kind per model, prompt caching as "not measured yet" (never an assumed saving)', () => {
    const v = buildAnalysisView(measurements(), cfg({ priors: { [GPT]: 0.8 } }), status, { ratings: {} });
    assert.deepEqual(
      v.options.map((o) => [o.id, o.available]),
      [
        [GPT, true],
        [`${GPT}|answer-cache`, true],
        [`${GPT}|prompt-cache`, false],
        [`${GPT}|batch`, true],
        [LLAMA, true],
        [`${LLAMA}|answer-cache`, true],
        [`${LLAMA}|prompt-cache`, false],
        [`${LLAMA}|batch`, false],
      ],
    );
    assert.match(v.options[2].reason!, /^not measured yet: "Measure prompt caching" sends a cold and a warm call$/);
    assert.equal(v.options[6].reason, 'no known provider prompt cache for ollama');
    // Only the OpenAI model has a prompt cache to measure: 2 calls.
    assert.deepEqual(v.promptCache, { state: 'idle', calls: 2 });
    // Quality: the prior for gpt-4o-mini; none for llama (its options are unranked, and said so).
    assert.deepEqual(v.models.map((m) => [m.modelId, m.quality?.source ?? null, m.latency?.n]), [
      [GPT, 'prior', 2],
      [LLAMA, null, 2],
    ]);
    assert.deepEqual(v.decision!.unranked.find((u) => u.id === LLAMA), { id: LLAMA, reason: 'no price' });
    assert.equal(v.decision!.selected, `${GPT}|batch`);
    const off = buildAnalysisView(measurements(), cfg({ measurePromptCache: false }), status, { ratings: {} });
    assert.equal(off.promptCache.state, 'off');
    assert.match(off.options[2].reason!, /measurePromptCache is off/);
  });

  it('a rating overrides the prior and is shown with its source; the limits decide', () => {
    const v = buildAnalysisView(measurements(), cfg({ priors: { [GPT]: 0.8 }, requirements: { maxLatencyS: 60, minQuality: undefined } }), status, { ratings: { [LLAMA]: 5 } });
    const llama = v.models.find((m) => m.modelId === LLAMA)!;
    assert.deepEqual([llama.rating, llama.quality?.value, llama.quality?.source, llama.quality?.n], [5, 1, 'rating', 1]);
    assert.deepEqual(v.requirements, { maxLatencyS: 60 }, 'absent limits are absent keys');
    // Batch (24 h) is out; llama, rated but without a price, cannot be ranked: gpt-4o-mini's answer cache.
    assert.equal(v.decision!.selected, `${GPT}|answer-cache`);
  });

  it('the answer-cache hit rate: measured in the history when it holds enough calls, else the setting, said which', () => {
    const asIs = (v: ReturnType<typeof buildAnalysisView>) => v.options.find((o) => o.id === GPT)!.costPer1k!;
    const cached = (v: ReturnType<typeof buildAnalysisView>) => v.options.find((o) => o.id === `${GPT}|answer-cache`)!;
    const enough = { rate: 0.45, hits: 9, calls: 20, since: '2026-10-28T08:00:00.000Z', enough: true };
    const v = buildAnalysisView(measurements(), cfg(), status, { ratings: {}, history: enough });
    const detail = 'measured in the call history: 9 of 20 calls since 2026-10-28 were answer-cache hits';
    assert.deepEqual([v.assumptions.answerCacheHitRate, v.assumptions.hitRateSource, v.assumptions.hitRateDetail], [0.45, 'history', detail]);
    assert.ok(Math.abs(cached(v).costPer1k! - asIs(v) * 0.55) < 1e-12);
    assert.equal(cached(v).name, `${GPT} + answer cache (h=0.45)`);
    assert.equal(cached(v).notes[0], `hit rate 0.45 ${detail}; a hit costs nothing`);
    // Too few calls: the setting, and why.
    const few = buildAnalysisView(measurements(), cfg(), status, { ratings: {}, history: { ...enough, hits: 1, calls: 3, enough: false } });
    assert.deepEqual([few.assumptions.answerCacheHitRate, few.assumptions.hitRateSource, few.assumptions.hitRateDetail], [
      0.3,
      'setting',
      'from settings: the call history holds 3 calls since 2026-10-28, fewer than the 20 needed to measure it',
    ]);
    assert.ok(Math.abs(cached(few).costPer1k! - asIs(few) * 0.7) < 1e-12);
    // The setting chosen, or the history not read (yet): the setting.
    for (const x of [buildAnalysisView(measurements(), cfg({ hitRateSource: 'setting' }), status, { ratings: {}, history: enough }), buildAnalysisView(measurements(), cfg(), status, { ratings: {} })]) {
      assert.deepEqual([x.assumptions.answerCacheHitRate, x.assumptions.hitRateSource, x.assumptions.hitRateDetail], [0.3, 'setting', 'from settings']);
    }
    // A measured 0 % is a measurement: no answer-cache option.
    const none = buildAnalysisView(measurements(), cfg(), status, { ratings: {}, history: { ...enough, rate: 0, hits: 0 } });
    assert.equal(none.options.some((o) => o.kind === 'answer-cache'), false);
  });

  it('the chart line joins only the frontier members that trade cost against p95 latency (no zig-zag)', () => {
    const p = (id: string, x: number, y: number) => ({ id, x, y });
    // As in the UI walk: two batch options (24 h) and two live ones; quality keeps all four on the frontier.
    const line = costLatencySkyline([p('b-haiku', 0.35, 86400), p('live-gpt', 0.09, 10), p('b-gpt', 0.07, 86400), p('live-haiku', 0.5, 10)]);
    assert.deepEqual(line.map((x) => x.id), ['b-gpt', 'live-gpt']);
    assert.deepEqual(costLatencySkyline([p('a', 1, 3), p('b', 2, 2), p('c', 2, 2), p('d', 3, 1), p('e', 4, 1)]).map((x) => x.id), ['a', 'b', 'd']);
    assert.deepEqual(costLatencySkyline([]), []);
  });

  it('reads the flat routing setting: tasks → tier or model, "cheap"/"strong" → the tier models, bad entries reported', () => {
    const r = routingView({ cheap: 'openai:gpt-4.1-nano', code: 'anthropic:claude-opus-4-5', Summarization: 'strong', bogus: 'nope' });
    const route = (task: string) => r.routes.find((x) => x.task === task);
    assert.deepEqual(route('classification'), { task: 'classification', tier: 'cheap', modelId: 'openai:gpt-4.1-nano', fromSettings: true });
    assert.deepEqual(route('code'), { task: 'code', tier: null, modelId: 'anthropic:claude-opus-4-5', fromSettings: true });
    assert.deepEqual(route('summarization'), { task: 'summarization', tier: 'strong', modelId: 'anthropic:claude-sonnet-4-5', fromSettings: true });
    assert.deepEqual(route('reasoning'), { task: 'reasoning', tier: 'strong', modelId: 'anthropic:claude-sonnet-4-5', fromSettings: false });
    assert.equal(route('bogus'), undefined);
    assert.deepEqual(r.problems, ['promptProfiler.routing: tasks.bogus must be "cheap", "strong" or a model id provider:model (got "nope").']);
  });

  it('restores only well-formed Decide state from getState', () => {
    assert.deepEqual(restoredDecide(undefined), {});
    assert.deepEqual(restoredDecide({ analysis: { runId: 'x' }, requirements: { maxLatencyS: 2, minQuality: 'high', maxCostPer1k: Infinity } }), {
      requirements: { maxLatencyS: 2 },
    });
    const analysis = seedAnalysis(3);
    assert.deepEqual(restoredDecide({ state: startState(3), analysis }).analysis, analysis);
  });
});
