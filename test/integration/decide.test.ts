// Decide (issue 5) in a real VS Code: after profiling a prompt file against the fake LLM server,
// the panel posts the options (as is, answer cache, prompt caching, Batch API per model, and the
// cheap → strong cascade), the frontier and a recommendation; a limit from the webview changes
// the recommendation and writes the setting; a rating overrides the judge; provider prompt caching
// is measured on request. Costs are checked against the fake server's recorded usage at list prices.
// Also the live column figures while streaming (TTFT at the first token, ≈ output tokens and tok/s).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import type { ProfilePanel } from '../../src/extension/panel/profilePanel';
import { HistoryLog, type HistoryRecord } from '../../src/core/history';
import type { RecordedRequest } from '../fake-llm/types';
import type { AnalysisView, HostToWebview } from '../../src/webview/protocol';
import {
  GPT,
  HAIKU,
  column,
  fake,
  finalPanelState,
  getApi,
  historyOnDisk,
  openFixture,
  posted,
  profile,
  readyPanel,
  restoreSettings,
  selectLine,
  setSetting,
  useModels,
  waitFor,
  workspaceUri,
} from './helpers';

const JUDGE = 'openai:gpt-4o';
const JUDGE_REPLY = 'The answer follows the task and the style guide.\nSCORE: 0.8';
const PROMPT_FILE = 'decide-style-guide.prompt';
/** USD per million tokens: uncached input, cache read, output (list prices). */
const LIST: Record<string, { input: number; read: number; output: number }> = {
  'gpt-4o-mini': { input: 0.15, read: 0.075, output: 0.6 },
  'gpt-4o': { input: 2.5, read: 1.25, output: 10 },
  'claude-haiku-4-5': { input: 1, read: 0.1, output: 5 },
};

/** A prompt file whose static prefix (system + the text before {{question}}) is over 4,096 tokens. */
function promptFileText(): string {
  const rules = Array.from({ length: 330 }, (_, i) => `  Rule ${i + 1}: prefer plain words over jargon, and keep each sentence under twenty words.`);
  return [
    '---',
    'models:',
    `  - ${GPT}`,
    `  - ${HAIKU}`,
    'system: |',
    '  You answer questions about the house style guide below, briefly and exactly.',
    ...rules,
    'sample:',
    '  question: How long may a sentence be?',
    '---',
    'Using the style guide, answer in one sentence: {{question}}',
    '',
  ].join('\n');
}

/** USD of one recorded call from the vendor's usage, at list prices, in integer pico-dollars first. */
function recordedCost(rec: RecordedRequest): number {
  const p = LIST[rec.model!];
  assert.ok(p, `no list price in the test for ${rec.model}`);
  const u = (rec.usage ?? {}) as Record<string, number> & { prompt_tokens_details?: { cached_tokens?: number } };
  let input: number;
  let read: number;
  let output: number;
  if (rec.vendor === 'openai') {
    read = u.prompt_tokens_details?.cached_tokens ?? 0;
    input = u.prompt_tokens - read;
    output = u.completion_tokens;
  } else {
    assert.equal(u.cache_creation_input_tokens ?? 0, 0, 'no cache write in a plain run');
    read = u.cache_read_input_tokens ?? 0;
    input = u.input_tokens;
    output = u.output_tokens;
  }
  const pico = input * Math.round(p.input * 1e6) + read * Math.round(p.read * 1e6) + output * Math.round(p.output * 1e6);
  return pico / 1e12;
}

/** Every analysis the panel posted from `from` on (its own messages and those on a run's last patch). */
function analyses(panel: ProfilePanel, from: number): AnalysisView[] {
  return posted(panel).slice(from).flatMap((m: HostToWebview) => (m.type === 'analysis' ? [m.analysis] : m.type === 'patch' && m.analysis ? [m.analysis] : []));
}

function lastAnalysis(panel: ProfilePanel, from: number): AnalysisView {
  const all = analyses(panel, from);
  assert.ok(all.length, 'the panel posted no analysis');
  return all[all.length - 1];
}

const close = (a: number | null | undefined, b: number, what: string) => assert.ok(a !== null && a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} ≠ ${b}`);

describe('Decide: options, frontier and recommendation in the panel', function () {
  this.timeout(120_000);
  let api: PromptProfilerApi;
  const file = () => workspaceUri(PROMPT_FILE);

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
    fs.writeFileSync(file().fsPath, promptFileText());
    // The suite weighs every option, the Batch API included: no latency limit (the default is 60 s).
    await setSetting('requirements.maxLatencySeconds', null);
  });

  it("the default latency limit is 60 s, as the CLI's run --pareto: a prompt someone waits for", async () => {
    const key = 'requirements.maxLatencySeconds';
    assert.equal(vscode.workspace.getConfiguration('promptProfiler').inspect(key)?.defaultValue, 60);
    await vscode.workspace.getConfiguration('promptProfiler').update(key, undefined, vscode.ConfigurationTarget.Global);
    await waitFor('the default limit read', () => api.services.config.value.decide.requirements.maxLatencyS === 60, 5000);
    await setSetting(key, null);
    await waitFor('no latency limit read', () => api.services.config.value.decide.requirements.maxLatencyS === undefined, 5000);
  });

  after(async () => {
    const panel = api.panel();
    if (panel) {
      // Nothing of this suite may still be sending when the next one counts requests.
      await panel.decide.analysed;
      for (const m of [GPT, HAIKU]) await panel.onMessage({ type: 'rate', modelId: m, rating: null });
    }
    await restoreSettings();
    await fake.profiles({ 'gpt-4o': {}, 'gpt-4o-mini': {}, 'claude-haiku-4-5': {} });
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === file().toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
    fs.rmSync(file().fsPath, { force: true });
  });

  beforeEach(async () => {
    await fake.reset();
    await (await api.services.cache()).clear();
  });

  it('while a column streams: TTFT at the first token, ≈ output tokens and tok/s, then the exact figures', async () => {
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    // A listening panel first: patches sent before the webview's `ready` are not delivered.
    if (!api.panel()?.isReady) await profile();
    const panel = await readyPanel(api);
    // ~2 s of streaming: 60 tokens at 30 tokens/s after a 300 ms first token.
    await fake.profiles({ 'gpt-4o-mini': { ttftMs: 300, tokensPerSec: 30, chunkTokens: 2, outputTokens: 60 }, 'claude-haiku-4-5': { ttftMs: 0, tokensPerSec: 0 } });
    try {
      const from = posted(panel).length;
      const summary = await profile(true);
      const state = finalPanelState(api, from);
      const index = state.columns.findIndex((c) => c.modelId === GPT);
      const sets = posted(panel)
        .slice(from)
        .flatMap((m) => (m.type === 'patch' ? m.patches.filter((p) => p.index === index && p.set) : []))
        .map((p) => p.set!);
      const doneAt = sets.findIndex((s) => s.status === 'done');
      const live = sets.slice(0, doneAt);
      const ttft = live.find((s) => typeof s.ttftMs === 'number');
      assert.ok(ttft && ttft.ttftMs! >= 250, `a TTFT before the column finished: ${JSON.stringify(ttft)}`);
      const counts = live.filter((s) => s.outputLive === true).map((s) => s.outputTokens!);
      assert.ok(counts.length >= 3, `live ≈ output counts while streaming: ${counts.join(', ')}`);
      assert.ok(counts.every((n, i) => n > 0 && (i === 0 || n >= counts[i - 1])) && counts[counts.length - 1] <= 60, `counts grow: ${counts.join(', ')}`);
      assert.ok(live.some((s) => s.outputLive && typeof s.outputTokensPerSec === 'number' && s.outputTokensPerSec > 5), 'a live ≈ tok/s');
      // Finished: the runner's exact figures, no longer flagged as live.
      const c = column(state, GPT);
      const r = summary.results.find((x) => x.modelId === GPT)!;
      assert.deepEqual([c.outputLive, c.outputTokens, c.ttftMs, c.outputTokensPerSec], [false, 60, r.ttftMs, r.outputTokensPerSec]);
    } finally {
      await fake.profiles({ 'gpt-4o-mini': {}, 'claude-haiku-4-5': {} });
    }
  });

  it('after a profile: every option with its figures, the judge apart, the frontier, a recommendation; a limit changes it and is saved', async () => {
    await setSetting('repeats', 2);
    await setSetting('quality.judgeModel', JUDGE);
    // h from the setting here (the history holds the other suites' calls); the last test measures it.
    await setSetting('decide.hitRateSource', 'setting');
    await waitFor(
      'repeats, the judge model and the hit-rate source read',
      () => api.services.config.value.repeats === 2 && api.services.config.value.decide.judgeModel === JUDGE && api.services.config.value.decide.hitRateSource === 'setting',
      5000,
    );
    await fake.profiles({ 'gpt-4o': { output: JUDGE_REPLY, ttftMs: 0, tokensPerSec: 0 }, 'gpt-4o-mini': {}, 'claude-haiku-4-5': {} });
    // The panel of the previous test is open and listening: the run's last patch reaches it.
    const panelBefore = await readyPanel(api);
    // In the first editor group, as the other suites do: the panel keeps its own group (and its webview).
    const editor = await openFixture(PROMPT_FILE);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const from = posted(panelBefore).length;

    const summary = await profile();

    assert.deepEqual(
      summary.results.map((r) => [r.modelId, r.repeat, r.ok]),
      [
        [GPT, 0, true],
        [HAIKU, 0, true],
        [GPT, 1, true],
        [HAIKU, 1, true],
      ],
    );
    const panel = await readyPanel(api);
    await panel.decide.analysed;
    const all = analyses(panel, from);
    // The run's last patch carries the first analysis, while the judge is still grading.
    const lastPatch = posted(panel).slice(from).filter((m) => m.type === 'patch').pop();
    assert.ok(lastPatch?.type === 'patch' && lastPatch.running === false && lastPatch.analysis, 'the last patch carries the analysis');
    assert.equal(lastPatch.analysis.status, 'analysing');
    assert.equal(lastPatch.analysis.message, `Judging 4 answers with ${JUDGE}…`);
    const a = await waitFor('the judged analysis', () => {
      const x = lastAnalysis(panel, from);
      return x.status === 'ready' && x.judge ? x : undefined;
    });
    assert.ok(all.length >= 1);
    assert.equal(a.runId, finalPanelState(api, from).runId);

    // The options: per model as is, answer cache, prompt caching (not measured yet), Batch API; then the cascade.
    assert.deepEqual(
      a.options.map((o) => [o.id, o.kind, o.available]),
      [
        [GPT, 'as-is', true],
        [`${GPT}|answer-cache`, 'answer-cache', true],
        [`${GPT}|prompt-cache`, 'prompt-cache', false],
        [`${GPT}|batch`, 'batch', true],
        [HAIKU, 'as-is', true],
        [`${HAIKU}|answer-cache`, 'answer-cache', true],
        [`${HAIKU}|prompt-cache`, 'prompt-cache', false],
        [`${HAIKU}|batch`, 'batch', true],
        [`${GPT}>${HAIKU}|cascade`, 'cascade', true],
      ],
    );
    assert.match(a.options[2].reason ?? '', /^not measured yet/);

    // As is: the mean cost of the two runs per 1,000 calls, from the server's usage at list prices.
    const gens = await fake.generations();
    const runs = gens.filter((r) => r.model !== 'gpt-4o');
    assert.equal(runs.length, 4, 'one request per model and repeat: nothing else was sent for the options');
    const per1k = (model: string) => {
      const costs = runs.filter((r) => r.model === model).map(recordedCost);
      return (costs.reduce((s, c) => s + c, 0) / costs.length) * 1000;
    };
    const opt = (id: string) => a.options.find((o) => o.id === id)!;
    close(opt(GPT).costPer1k, per1k('gpt-4o-mini'), 'gpt-4o-mini as is');
    close(opt(HAIKU).costPer1k, per1k('claude-haiku-4-5'), 'haiku as is');
    close(opt(`${GPT}|answer-cache`).costPer1k, per1k('gpt-4o-mini') * 0.7, 'answer cache at h = 0.3');
    // Latency: nearest-rank percentiles of the two runs, with n.
    for (const m of [GPT, HAIKU]) {
      const lat = summary.results.filter((r) => r.modelId === m).map((r) => r.latencyMs / 1000);
      assert.deepEqual(opt(m).latency && { p50: opt(m).latency!.p50, p95: opt(m).latency!.p95, n: opt(m).latency!.n, source: opt(m).latency!.source }, {
        p50: Math.min(...lat),
        p95: Math.max(...lat),
        n: 2,
        source: 'measured',
      });
      // Quality from the judge, with its source and n.
      assert.deepEqual(
        { value: opt(m).quality?.value, source: opt(m).quality?.source, n: opt(m).quality?.n },
        { value: 0.8, source: 'judge', n: 2 },
      );
    }
    assert.equal(opt(`${GPT}|batch`).latency?.p95, 24 * 3600);
    assert.deepEqual(opt(`${GPT}>${HAIKU}|cascade`).notes[0], 'pass rate 2/2 at judge score ≥ 0.7');

    // The judge's own cost: its 4 calls at gpt-4o list prices, apart from every option.
    const judged = gens.filter((r) => r.model === 'gpt-4o');
    assert.equal(judged.length, 4);
    assert.deepEqual({ model: a.judge!.model, scored: a.judge!.scored, unscored: a.judge!.unscored }, { model: JUDGE, scored: 4, unscored: 0 });
    close(a.judge!.costUsd, judged.map(recordedCost).reduce((s, c) => s + c, 0), 'judge cost');

    // Frontier and recommendation, no limits: the Batch API halves every bucket (cheapest per quality point);
    // the answer cache beats "as is" (cheaper, same p95 and quality), so "as is" is dominated.
    const d = a.decision!;
    assert.ok(d.frontier.includes(`${GPT}|batch`) && d.frontier.includes(`${GPT}|answer-cache`), d.frontier.join());
    assert.ok(!d.frontier.includes(GPT), 'gpt-4o-mini as is is dominated by its answer-cache option');
    assert.equal(d.selected, `${GPT}|batch`);
    assert.match(d.reason, /^openai:gpt-4o-mini via Batch API: lowest cost per quality point/);
    assert.deepEqual(
      a.models.map((m) => [m.modelId, m.quality?.source, m.judge?.n, m.latency?.n]),
      [
        [GPT, 'judge', 2, 2],
        [HAIKU, 'judge', 2, 2],
      ],
    );

    // A limit from the webview: max p95 latency 60 s rules the batch out; the setting is written.
    const before = posted(panel).length;
    await panel.onMessage({ type: 'setLimits', requirements: { maxLatencyS: 60 } });
    assert.equal(vscode.workspace.getConfiguration('promptProfiler').get('requirements.maxLatencySeconds'), 60);
    await waitFor('the new limit read', () => api.services.config.value.decide.requirements.maxLatencyS === 60, 5000);
    const limited = await waitFor('the analysis under the new limit', () => {
      const x = analyses(panel, before).pop();
      return x?.requirements.maxLatencyS === 60 ? x : undefined;
    });
    assert.equal(limited.decision!.selected, `${GPT}|answer-cache`);
    assert.match(limited.decision!.reason, /within p95 ≤ 1 min|within p95 ≤ 60 s/);
    assert.ok(posted(panel).slice(before).some((m) => m.type === 'limits' && m.requirements.maxLatencyS === 60), 'the limits went back to the webview');

    // Back to no limit: the setting is removed, the batch is recommended again.
    const before2 = posted(panel).length;
    await panel.onMessage({ type: 'setLimits', requirements: {} });
    assert.equal(vscode.workspace.getConfiguration('promptProfiler').get('requirements.maxLatencySeconds'), null);
    const unlimited = await waitFor('the analysis without limits', () => {
      const x = analyses(panel, before2).pop();
      return x && x.requirements.maxLatencyS === undefined ? x : undefined;
    });
    assert.equal(unlimited.decision!.selected, `${GPT}|batch`);
  });

  it('a rating overrides the judge for that model; prompt caching is measured on request', async () => {
    const panel = await readyPanel(api);
    const from = posted(panel).length;
    await panel.onMessage({ type: 'rate', modelId: HAIKU, rating: 5 });
    const rated = lastAnalysis(panel, from);
    const haiku = rated.models.find((m) => m.modelId === HAIKU)!;
    assert.deepEqual([haiku.rating, haiku.quality?.value, haiku.quality?.source, haiku.quality?.n, haiku.judge], [5, 1, 'rating', 1, { value: 0.8, n: 2 }]);
    for (const o of rated.options.filter((x) => x.kind !== 'cascade' && x.models[0] === HAIKU)) assert.equal(o.quality?.source, 'rating', o.id);
    assert.equal(rated.options.find((o) => o.id === GPT)?.quality?.source, 'judge');

    // Two calls per model, the answer cache bypassed: a cold one that writes, a warm one that reads.
    await fake.reset();
    const before = posted(panel).length;
    await panel.onMessage({ type: 'measurePromptCache' });
    const measured = lastAnalysis(panel, before);
    assert.equal(measured.promptCache.state, 'measured');
    const probes = await fake.generations();
    assert.deepEqual(probes.map((r) => r.model).sort(), ['claude-haiku-4-5', 'claude-haiku-4-5', 'gpt-4o-mini', 'gpt-4o-mini']);
    const warmHaiku = probes.filter((r) => r.model === 'claude-haiku-4-5')[1];
    const read = (warmHaiku.usage as { cache_read_input_tokens?: number }).cache_read_input_tokens ?? 0;
    assert.ok(read > 4096, `the warm Claude call read the static prefix from the cache (${read} tokens)`);
    for (const m of [GPT, HAIKU]) {
      const pc = measured.options.find((o) => o.id === `${m}|prompt-cache`)!;
      assert.equal(pc.available, true, `${m}: ${pc.reason}`);
      assert.ok(pc.costPer1k! < measured.options.find((o) => o.id === m)!.costPer1k!, `${m}: prompt caching is cheaper than as is`);
      assert.match(pc.notes[0], /prompt tokens read from the cache on the warm call/);
    }
    assert.match(measured.models.find((m) => m.modelId === HAIKU)!.promptCache ?? '', new RegExp(`^${read} tokens read`));
    await panel.onMessage({ type: 'rate', modelId: HAIKU, rating: null });
    assert.equal(lastAnalysis(panel, before).models.find((m) => m.modelId === HAIKU)!.quality?.source, 'judge');
  });

  it("the judge grades against the prompt file's reference: answer, or a column's answer pinned in the panel; unpin goes back", async () => {
    const refFile = workspaceUri('decide-reference.prompt');
    const FILE_REF = 'Keep every sentence under twenty words.';
    fs.writeFileSync(refFile.fsPath, ['---', 'reference: |', `  ${FILE_REF}`, '---', 'How long may a sentence in our docs be?', ''].join('\n'));
    await fake.profiles({ 'gpt-4o': { output: JUDGE_REPLY, ttftMs: 0, tokensPerSec: 0 } });
    const judgeCalls = async () => (await fake.generations()).filter((r) => r.model === 'gpt-4o');
    /** What the judge was shown as the reference in one call ('' = none). */
    const shown = (r: RecordedRequest) => /<reference>\n([\s\S]*?)\n<\/reference>/.exec(JSON.stringify(r.body.messages.map((m: { content: unknown }) => m.content)).replace(/\\n/g, '\n'))?.[1] ?? '';
    try {
      const panel = await readyPanel(api);
      const editor = await vscode.window.showTextDocument(refFile, { viewColumn: vscode.ViewColumn.One });
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      const from = posted(panel).length;
      await profile();
      await panel.decide.analysed;
      const fromFile = lastAnalysis(panel, from);
      assert.deepEqual(fromFile.reference, { source: 'prompt file', modelId: null, text: FILE_REF });
      assert.equal(fromFile.judge?.withReference, true);
      assert.deepEqual((await judgeCalls()).map(shown), [FILE_REF, FILE_REF, FILE_REF, FILE_REF]);

      // Pin the answer of claude-haiku-4-5's first run: the judge grades all four answers against it.
      const state = finalPanelState(api, from);
      const index = state.columns.findIndex((c) => c.modelId === HAIKU && c.repeat === 0);
      const answer = state.columns[index].output;
      assert.ok(answer.length > 10);
      await fake.reset();
      const beforePin = posted(panel).length;
      await panel.onMessage({ type: 'pinReference', index });
      await panel.decide.analysed;
      const pinned = lastAnalysis(panel, beforePin);
      assert.deepEqual(pinned.reference, { source: 'pinned', modelId: HAIKU, text: answer });
      assert.equal(pinned.judge?.withReference, true);
      assert.deepEqual((await judgeCalls()).map(shown), [answer, answer, answer, answer]);
      assert.ok(
        analyses(panel, beforePin).some((a) => a.status === 'analysing' && a.message === `Judging 4 answers with ${JUDGE} against the reference answer…`),
        'the panel said it was grading again',
      );
      assert.equal((await fake.generations()).length, 4, 'only the judge was called again');

      // The pin is kept for this prompt: a re-run (from the answer cache) still uses it.
      const beforeRerun = posted(panel).length;
      await panel.onMessage({ type: 'rerun', bypassCache: false });
      await panel.decide.analysed;
      assert.deepEqual(lastAnalysis(panel, beforeRerun).reference, { source: 'pinned', modelId: HAIKU, text: answer });

      // Unpin: the prompt file's reference again, graded from the answer cache (nothing sent).
      await fake.reset();
      const beforeUnpin = posted(panel).length;
      await panel.onMessage({ type: 'unpinReference' });
      await panel.decide.analysed;
      const unpinned = lastAnalysis(panel, beforeUnpin);
      assert.deepEqual(unpinned.reference, { source: 'prompt file', modelId: null, text: FILE_REF });
      assert.deepEqual([unpinned.judge?.scored, unpinned.judge?.costUsd], [4, 0]);
      assert.equal((await fake.generations()).length, 0);
    } finally {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === refFile.toString());
      if (tabs.length) await vscode.window.tabGroups.close(tabs);
      fs.rmSync(refFile.fsPath, { force: true });
    }
  });

  it("the answer-cache hit rate comes from the call history's last 30 days, the run's own calls included", async () => {
    const panel = await readyPanel(api);
    await setSetting('decide.hitRateSource', 'history');
    // Another process (a second window, the CLI on this folder) writes 30 recent calls, 12 of them
    // answer-cache hits, and 5 hits from 40 days ago (outside the window).
    const now = Date.now();
    const record = (minutesAgo: number, cacheHit: boolean): HistoryRecord => ({
      v: 1,
      time: new Date(now - minutesAgo * 60_000).toISOString(),
      model: GPT,
      ok: true,
      cacheHit,
      repeat: 0,
      latencyMs: 900,
      ttftMs: 200,
      tokens: { input: 1000, output: 100, cacheRead: 0, cacheWrite: 0, cacheWrite1h: 0, reasoning: 0, estimated: false },
      cost: null,
      errorKind: null,
      finishReason: 'stop',
      promptHash: null,
      source: 'cli',
    });
    await new HistoryLog({ dir: api.services.history.dir.fsPath }).append([
      ...Array.from({ length: 5 }, (_, i) => record(40 * 24 * 60 + i, true)),
      ...Array.from({ length: 30 }, (_, i) => record(30 - i, i % 5 < 2)),
    ]);

    // A profile: its 4 calls (2 models × 2 repeats, the answer cache cleared) are recorded before the analysis.
    const editor = await openFixture(PROMPT_FILE);
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    const from = posted(panel).length;
    const summary = await profile();
    assert.equal(summary.results.filter((r) => !r.cacheHit).length, 4);
    await panel.decide.analysed;

    // The expected rate from the history files themselves: every call of the last 30 days.
    const onDisk = historyOnDisk(api.services.history.dir.fsPath);
    const recent = onDisk.filter((r) => Date.parse(r.time) >= Date.now() - 30 * 86_400_000);
    assert.equal(onDisk.length - recent.length, 5, 'the 40-day-old calls are outside the window');
    assert.deepEqual(
      recent.slice(-4).map((r) => [r.model, r.source, r.cacheHit]),
      summary.results.map((r) => [r.modelId, 'extension', false]),
      "the run's own calls are in the history",
    );
    const hits = recent.filter((r) => r.cacheHit).length;
    assert.ok(recent.length >= 34 && hits >= 12);
    const h = hits / recent.length;
    const a = await waitFor(`the analysis at h = ${hits}/${recent.length}`, () => {
      const x = lastAnalysis(panel, from);
      return x.status === 'ready' && x.assumptions.answerCacheHitRate === h ? x : undefined;
    });
    assert.equal(a.assumptions.hitRateSource, 'history');
    assert.match(a.assumptions.hitRateDetail, new RegExp(`^measured in the call history: ${hits} of ${recent.length} calls since \\d{4}-\\d{2}-\\d{2} were answer-cache hits$`));
    const asIs = a.options.find((o) => o.id === GPT)!;
    const cached = a.options.find((o) => o.id === `${GPT}|answer-cache`)!;
    close(cached.costPer1k, asIs.costPer1k! * (1 - h), 'answer cache at the measured h');
    assert.equal(cached.notes[0], `hit rate ${+h.toFixed(3)} ${a.assumptions.hitRateDetail}; a hit costs nothing`);
  });
});
