// The comparison table (src/webview/compare) in headless Chromium with runs of 2, 5 and 12
// models: one row per model with the run's exact figures, sorting, best-value marks, the word
// diff of two known answers, focus, the Markdown and CSV exports, the narrow (sidebar) cards,
// restore after a reload, live updates while streaming, and an axe-core accessibility check in
// light, dark and high-contrast themes. Screenshots go to test-results/compare-*.png.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatInt, formatMs, formatUsd } from '../../src/core/format';
import type { ModelView, PanelState } from '../../src/webview/protocol';
import { DIFF_A, DIFF_B, MODEL_RUNS, compareState, runColumn, type ModelRun } from './compareFixtures';
import { seedAnalysis } from './fixtures';
import { CHROMIUM, RESULTS, openPanel, type PanelHarness } from './harness';

/** The table's headers, left to right: cost, latency and quality first. */
const HEADERS = ['Model', 'Status', '$/call', '$/1k calls', 'p50', 'p95', 'TTFT', 'tok/s', 'Quality', 'In', 'Out', 'Cache', 'Finish'];

/** The order the expected rows below are written in (the issue's), mapped onto the cells' data-key. */
const KEYS = ['model', 'status', 'ttft', 'p50', 'p95', 'rate', 'input', 'output', 'cost', 'cost1k', 'cache', 'finish', 'quality'];
type Cells = Record<string, string>;
function cells(values: string[]): Cells {
  assert.equal(values.length, KEYS.length);
  return Object.fromEntries(KEYS.map((k, i) => [k, values[i]]));
}

/** The row the table must show for a model run, written from the fixture with the core formatters. */
function expectedRow(m: ModelRun, quality = '—'): Cells {
  if (m.status === 'error') return cells([m.modelId, `✕ error: ${m.error!.kind}`, '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', quality]);
  const cache = m.cacheHit ? ' (cache)' : '';
  const rate = m.rate! >= 100 ? formatInt(m.rate!) : m.rate!.toFixed(1);
  return cells([
    m.modelId,
    m.finish === 'length' ? '✂ truncated' : '✓ done',
    formatMs(m.ttftMs) + cache,
    formatMs(m.latencyMs) + cache,
    formatMs(m.latencyMs) + cache,
    rate,
    formatInt(m.inputTokens!),
    formatInt(m.outputTokens!),
    m.cost === null ? 'no price' : formatUsd(m.cost),
    m.cost === null ? 'no price' : formatUsd(m.cost * 1000),
    m.cacheHit ? 'hit' : 'miss',
    m.finish ?? '—',
    quality,
  ]);
}

/** Model ids ordered by a figure (ascending or descending), models without it last in run order. */
function orderBy(runs: ModelRun[], value: (m: ModelRun) => number | null, dir: 'asc' | 'desc'): string[] {
  const all = runs.map((m, i) => ({ id: m.modelId, i, v: value(m) }));
  const known = all.filter((x) => x.v !== null).sort((a, b) => (dir === 'asc' ? a.v! - b.v! : b.v! - a.v!) || a.i - b.i);
  return [...known, ...all.filter((x) => x.v === null)].map((x) => x.id);
}

const costOf = (m: ModelRun) => (m.status === 'done' ? m.cost : null);
const p95Of = (m: ModelRun) => (m.status === 'done' && !m.cacheHit ? m.latencyMs : null);

function qualityModel(modelId: string, value: number): ModelView {
  return {
    modelId,
    runs: 1,
    ok: 1,
    failed: 0,
    answerCacheHits: 0,
    latency: null,
    ttft: null,
    costPer1k: null,
    quality: { value, source: 'judge', n: 1, detail: 'judge openai:gpt-4o (1 answer)' },
    judge: { value, n: 1 },
    rating: null,
    promptCache: null,
  } as unknown as ModelView;
}

describe('comparison table in Chromium', function () {
  this.timeout(60_000);
  if (!fs.existsSync(CHROMIUM)) {
    it(`SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`, function () {
      this.skip();
    });
    return;
  }

  let panel: PanelHarness;
  before(async () => {
    panel = await openPanel();
  });
  after(async () => {
    await panel?.close();
  });

  /** Each row's cells by column key, in the table's order (the ★ and the "best:" for screen readers left out). */
  const rowsText = async (): Promise<Cells[]> =>
    (await panel.page.evaluate(`[...document.querySelectorAll('.compare-table tbody tr')].map((tr) =>
      Object.fromEntries([...tr.children].map((c) => {
        const copy = c.cloneNode(true);
        copy.querySelectorAll('.best-mark, .sr-only, .model-runs').forEach((e) => e.remove());
        return [c.dataset.key, copy.textContent.trim()];
      })))`)) as Cells[];
  const order = async (): Promise<string[]> => (await panel.page.locator('.compare-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-model')))) as string[];
  const bestCells = async (): Promise<Record<string, string[]>> =>
    (await panel.page.evaluate(`(() => {
      const out = {};
      for (const td of document.querySelectorAll('.compare-table td.best')) {
        const key = td.dataset.key;
        (out[key] = out[key] || []).push(td.closest('tr').dataset.model);
      }
      return out;
    })()`)) as Record<string, string[]>;
  const sortBy = async (label: string): Promise<void> => {
    await panel.page.locator('.compare-table thead button', { hasText: new RegExp(`^${label.replace(/[$/]/g, '\\$&')}( [▲▼])?$`) }).click();
    await panel.frames();
  };
  const lastPost = async (): Promise<Record<string, unknown>> => (await panel.posted()).at(-1)!;

  it('2 models: one row each with the run’s figures, sorting, best marks, the word diff, exports', async () => {
    const page = panel.page;
    await panel.applyTheme('dark');
    await panel.send({ type: 'state', state: compareState(2) });
    await page.waitForSelector('.compare-table tbody tr[data-model="@team:llama_3"]');
    assert.deepEqual(await page.locator('.compare-table thead th').allTextContents(), HEADERS);
    assert.deepEqual(await rowsText(), MODEL_RUNS.slice(0, 2).map((m) => expectedRow(m)));
    assert.deepEqual(await rowsText(), [
      cells(['openai:gpt-4o-mini', '✓ done', '412 ms', '2.34 s', '2.34 s', '87.4', '1,234', '567', '$0.000524', '$0.524', 'miss', 'stop', '—']),
      cells(['@team:llama_3', '✓ done', '350 ms', '1.98 s', '1.98 s', '121', '1,240', '610', '$0.00329', '$3.29', 'miss', 'stop', '—']),
    ]);
    assert.deepEqual(await bestCells(), { ttft: ['@team:llama_3'], p50: ['@team:llama_3'], p95: ['@team:llama_3'], rate: ['@team:llama_3'], cost: ['openai:gpt-4o-mini'], cost1k: ['openai:gpt-4o-mini'] });
    // Marked in words too: a screen reader hears "best", sighted users see ★ (not colour alone).
    assert.equal(await page.locator('.compare-table tr[data-model="openai:gpt-4o-mini"] td[data-key="cost"]').textContent(), '★best: $0.000524');

    await sortBy('$/call');
    assert.deepEqual(await order(), ['openai:gpt-4o-mini', '@team:llama_3']);
    assert.equal(await page.locator('th[data-key="cost"]').getAttribute('aria-sort'), 'ascending');
    await sortBy('$/call');
    assert.deepEqual(await order(), ['@team:llama_3', 'openai:gpt-4o-mini']);
    assert.equal(await page.locator('th[data-key="cost"]').getAttribute('aria-sort'), 'descending');
    assert.equal(await page.locator('.compare-note').textContent(), '2 models · sorted by $/call, highest first');

    // The word diff of the two known answers: exactly these words deleted and inserted.
    assert.deepEqual([await page.locator('#compare-a').inputValue(), await page.locator('#compare-b').inputValue()], ['0', '1']);
    await page.getByRole('button', { name: 'Diff A → B' }).click();
    await panel.frames();
    assert.equal(await page.locator('.btn-diff').getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await page.locator('.diff-text del').allTextContents(), ['brown', 'jumps', 'dog']);
    assert.deepEqual(await page.locator('.diff-text ins').allTextContents(), ['red', 'leaps', 'cat']);
    assert.equal(await page.locator('.diff-text').textContent(), 'The quick brownred fox jumpsleaps over the lazy dogcat.');
    assert.equal(await page.locator('.diff-legend').textContent(), '3 words only in A (struck through, −) · 3 words only in B (underlined, +)');
    assert.equal(await page.locator('.diff-title').textContent(), 'Diff: A openai:gpt-4o-mini → B @team:llama_3');
    // Swapping A and B swaps the deletions and insertions.
    await page.locator('#compare-a').selectOption('1');
    await page.locator('#compare-b').selectOption('0');
    await panel.frames();
    assert.deepEqual(await page.locator('.diff-text del').allTextContents(), ['red', 'leaps', 'cat']);
    assert.deepEqual(await page.locator('.diff-text ins').allTextContents(), ['brown', 'jumps', 'dog']);
    assert.equal(DIFF_A.split(' ').length + DIFF_B.split(' ').length, 18);

    // Markdown: the table in its current order, ★ on the best values, model text escaped.
    await page.getByRole('button', { name: 'Copy Markdown' }).click();
    assert.deepEqual(await lastPost(), {
      type: 'exportTable',
      format: 'markdown',
      action: 'copy',
      content: [
        'Prompt: Explain the CAP theorem in two short paragraphs.',
        '',
        '| Model | Status | $/call | $/1k calls | p50 | p95 | TTFT | tok/s | Quality | In | Out | Cache | Finish |',
        '| :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: | --: | :-- | :-- |',
        '| @team:llama\\_3 | ✓ done | $0.00329 | $3.29 | **★ 1.98 s** | **★ 1.98 s** | **★ 350 ms** | **★ 121** | — | 1,240 | 610 | miss | stop |',
        '| openai:gpt-4o-mini | ✓ done | **★ $0.000524** | **★ $0.524** | 2.34 s | 2.34 s | 412 ms | 87.4 | — | 1,234 | 567 | miss | stop |',
        '',
      ].join('\n'),
    });
    // CSV: raw numbers, CRLF, and a cell a spreadsheet would run as a formula prefixed with '.
    await page.getByRole('button', { name: 'Save CSV…' }).click();
    assert.deepEqual(await lastPost(), {
      type: 'exportTable',
      format: 'csv',
      action: 'save',
      content: [
        'model,runs,ok,failed,cancelled,error,cost_per_call_usd,cost_per_1k_usd,no_price,latency_p50_ms,latency_p95_ms,latency_n,ttft_ms,tokens_per_sec,quality,quality_source,input_tokens,output_tokens,tokens_estimated,cache_hits,finish_reason',
        "'@team:llama_3,1,1,0,0,,0.00329,3.29,false,1980,1980,1,350,120.5,,,1240,610,false,0,stop",
        'openai:gpt-4o-mini,1,1,0,0,,0.0005238,0.5238,false,2340,2340,1,412,87.4,,,1234,567,false,0,stop',
        '',
      ].join('\r\n'),
    });
  });

  it('5 models: exact rows with a failure and a model without a price; cost and p95 sorts; best marks', async () => {
    const page = panel.page;
    const runs = MODEL_RUNS.slice(0, 5);
    await panel.send({ type: 'state', state: compareState(5) });
    await page.waitForSelector('.compare-table tbody tr[data-model="openai:gpt-4.1-nano"]');
    // The sort chosen in the last run stays: $/call, highest first.
    assert.deepEqual(await order(), orderBy(runs, costOf, 'desc'));
    // Run order again for the exact rows: sort by Status keeps equal rows in run order (failure first).
    await sortBy('Status');
    assert.deepEqual(await order(), ['openai:gpt-4.1-nano', 'openai:gpt-4o-mini', '@team:llama_3', 'openai:gpt-4o', 'ollama:llama3.2']);
    const byId = new Map((await rowsText()).map((r) => [r.model, r]));
    for (const m of runs) assert.deepEqual(byId.get(m.modelId), expectedRow(m), m.modelId);
    assert.deepEqual(byId.get('openai:gpt-4.1-nano'), cells(['openai:gpt-4.1-nano', '✕ error: rate_limit', '—', '—', '—', '—', '—', '—', '—', '—', '—', '—', '—']));
    assert.deepEqual(byId.get('ollama:llama3.2'), cells(['ollama:llama3.2', '✓ done', '90 ms', '4.20 s', '4.20 s', '31.0', '1,250', '480', 'no price', 'no price', 'miss', 'stop', '—']));
    assert.deepEqual(byId.get('openai:gpt-4o'), cells(['openai:gpt-4o', '✓ done', '520 ms', '3.10 s', '3.10 s', '64.2', '1,234', '702', '$0.0101', '$10.12', 'miss', 'stop', '—']));
    // The failure is visible in its row, with the whole error on hover.
    assert.equal(await page.locator('.compare-table tr[data-model="openai:gpt-4.1-nano"]').getAttribute('class'), 'compare-row row-failed');
    assert.equal(await page.locator('.compare-table tr[data-model="openai:gpt-4.1-nano"] td[data-key="status"]').getAttribute('title'), 'rate_limit: 429 Too Many Requests: retry after 20 s');

    await sortBy('$/call');
    assert.deepEqual(await order(), ['openai:gpt-4o-mini', '@team:llama_3', 'openai:gpt-4o', 'ollama:llama3.2', 'openai:gpt-4.1-nano']);
    assert.deepEqual(await order(), orderBy(runs, costOf, 'asc'));
    await sortBy('p95');
    assert.deepEqual(await order(), ['@team:llama_3', 'openai:gpt-4o-mini', 'openai:gpt-4o', 'ollama:llama3.2', 'openai:gpt-4.1-nano']);
    await sortBy('p95');
    assert.deepEqual(await order(), ['ollama:llama3.2', 'openai:gpt-4o', 'openai:gpt-4o-mini', '@team:llama_3', 'openai:gpt-4.1-nano']);
    assert.deepEqual(await order(), orderBy(runs, p95Of, 'desc'));
    assert.deepEqual(await bestCells(), {
      ttft: ['ollama:llama3.2'],
      p50: ['@team:llama_3'],
      p95: ['@team:llama_3'],
      rate: ['@team:llama_3'],
      cost: ['openai:gpt-4o-mini'],
      cost1k: ['openai:gpt-4o-mini'],
    });
    fs.mkdirSync(RESULTS, { recursive: true });
    await page.locator('section.compare').screenshot({ path: path.join(RESULTS, 'compare-5-dark.png') });
  });

  it('12 models: exact rows (truncation, cache hit), sorts, best marks with quality, focus on two answers', async () => {
    const page = panel.page;
    const runs = MODEL_RUNS;
    assert.equal(runs.length, 12);
    await panel.send({ type: 'state', state: compareState(12) });
    const quality = { 'openai:gpt-4o': 0.92, 'anthropic:claude-sonnet-4-5': 0.95, 'openai:gpt-4o-mini': 0.8 } as Record<string, number>;
    const analysis = { ...seedAnalysis(112), models: Object.entries(quality).map(([id, q]) => qualityModel(id, q)) };
    await panel.send({ type: 'analysis', analysis });
    await page.waitForSelector('.compare-table tbody tr[data-model="ollama:qwen2.5"]');
    await panel.frames();
    assert.equal(await page.locator('.compare-table tbody tr').count(), 12);
    const byId = new Map((await rowsText()).map((r) => [r.model, r]));
    for (const m of runs) assert.deepEqual(byId.get(m.modelId), expectedRow(m, quality[m.modelId] === undefined ? '—' : `${quality[m.modelId].toFixed(2)} (judge, n=1)`), m.modelId);
    assert.equal(byId.get('anthropic:claude-sonnet-4-5')!.status, '✂ truncated');
    assert.equal(byId.get('anthropic:claude-sonnet-4-5')!.finish, 'length');
    const cached = byId.get('openai:gpt-4.1-mini')!;
    assert.deepEqual([cached.ttft, cached.p50, cached.p95], ['9 ms (cache)', '15 ms (cache)', '15 ms (cache)']);
    assert.equal(await page.locator('.compare-table tr[data-model="anthropic:claude-sonnet-4-5"]').getAttribute('class'), 'compare-row row-truncated');

    await sortBy('$/call');
    assert.deepEqual(await order(), orderBy(runs, costOf, 'asc'));
    assert.deepEqual((await order()).slice(0, 3), ['openrouter:mistral-small', 'openai:gpt-4o-mini', 'openrouter:deepseek-chat']);
    assert.deepEqual((await order()).slice(-3), ['ollama:llama3.2', 'openai:gpt-4.1-nano', 'ollama:qwen2.5']);
    await sortBy('p95');
    assert.deepEqual(await order(), orderBy(runs, p95Of, 'asc'));
    // A cache read is not the model's latency: it sorts with the unknowns.
    assert.deepEqual((await order()).slice(-2), ['openai:gpt-4.1-nano', 'openai:gpt-4.1-mini']);
    await sortBy('Quality');
    assert.deepEqual((await order()).slice(0, 3), ['anthropic:claude-sonnet-4-5', 'openai:gpt-4o', 'openai:gpt-4o-mini']);
    assert.deepEqual(await bestCells(), {
      ttft: ['ollama:llama3.2'],
      p50: ['openrouter:mistral-small'],
      p95: ['openrouter:mistral-small'],
      rate: ['openrouter:mistral-small'],
      cost: ['openrouter:mistral-small'],
      cost1k: ['openrouter:mistral-small'],
      quality: ['anthropic:claude-sonnet-4-5'],
    });

    // The table scrolls sideways with the model names pinned.
    await page.setViewportSize({ width: 900, height: 800 });
    await panel.frames();
    const scroll = (await page.evaluate(`(() => {
      const box = document.querySelector('.compare-scroll');
      box.scrollLeft = 200;
      const name = document.querySelector('.compare-table tbody .cell-model').getBoundingClientRect().left;
      return { overflow: box.scrollWidth > box.clientWidth, scrolled: box.scrollLeft, nameLeft: name - box.getBoundingClientRect().left };
    })()`)) as { overflow: boolean; scrolled: number; nameLeft: number };
    assert.ok(scroll.overflow && scroll.scrolled === 200, JSON.stringify(scroll));
    assert.ok(Math.abs(scroll.nameLeft - 1) <= 1, `model names pinned: ${JSON.stringify(scroll)}`);
    await page.setViewportSize({ width: 620, height: 800 });
    await panel.frames();
    await page.evaluate(`document.querySelector('.compare-scroll').scrollLeft = 0`);
    await page.locator('section.compare').screenshot({ path: path.join(RESULTS, 'compare-12-620px.png') });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Focus: only answers A and B, side by side, A first.
    await page.locator('#compare-a').selectOption('5');
    await page.locator('#compare-b').selectOption('9');
    await page.getByRole('button', { name: 'Focus A & B' }).click();
    await panel.frames();
    const visible = (await page.evaluate(
      `[...document.querySelectorAll('.column')].filter((c) => getComputedStyle(c).display !== 'none').sort((a, b) => a.getBoundingClientRect().left - b.getBoundingClientRect().left).map((c) => c.dataset.index)`,
    )) as string[];
    assert.deepEqual(visible, ['5', '9']);
    assert.equal(await page.locator('.btn-focus').getAttribute('aria-pressed'), 'true');
    await page.locator('section.compare').screenshot({ path: path.join(RESULTS, 'compare-12-dark.png') });
    await page.screenshot({ path: path.join(RESULTS, 'compare-12-focus.png') });
  });

  it('keyboard: a header sorts with Enter, every control is reachable with Tab', async () => {
    const page = panel.page;
    await page.locator('th[data-key="ttft"] button').focus();
    await page.keyboard.press('Enter');
    await panel.frames();
    assert.equal(await page.locator('th[data-key="ttft"]').getAttribute('aria-sort'), 'ascending');
    assert.equal((await order())[0], 'ollama:llama3.2');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(`document.activeElement.closest('th')?.dataset.key`), 'rate');
    // The focus ring is visible (an outline, in every theme: it uses --vscode-focusBorder).
    assert.notEqual(await page.evaluate(`getComputedStyle(document.activeElement).outlineStyle`), 'none');
  });

  it('restores the sort, A/B, focus and diff after a reload', async () => {
    const page = panel.page;
    await page.evaluate('new Promise((r) => setTimeout(r, 1100))');
    await page.reload();
    await page.waitForSelector('.compare-table tbody tr[data-model="ollama:qwen2.5"]');
    assert.equal(await page.locator('th[data-key="ttft"]').getAttribute('aria-sort'), 'ascending');
    assert.deepEqual([await page.locator('#compare-a').inputValue(), await page.locator('#compare-b').inputValue()], ['5', '9']);
    assert.equal(await page.locator('.btn-focus').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('.column.focus-out').count(), 10);
  });

  it('stays live while streaming: figures and status follow the patches', async () => {
    const page = panel.page;
    const state: PanelState = {
      runId: 200,
      promptPreview: 'p',
      running: true,
      columns: [
        { ...runColumn(0, MODEL_RUNS[0]), status: 'streaming', latencyMs: null, cost: null, outputTokens: 12, outputTokensPerSec: 40, outputLive: true, inputTokens: null, finishReason: null },
        { ...runColumn(1, MODEL_RUNS[2]), status: 'queued', ttftMs: null, latencyMs: null, cost: null, outputTokens: null, inputTokens: null, outputTokensPerSec: null, finishReason: null },
      ],
      summary: { cheapest: null, fastest: null, totalSpent: null, wallMs: null },
    };
    await panel.send({ type: 'state', state });
    await page.waitForSelector('.compare-table tr[data-model="openai:gpt-4o"]');
    // A new run shows every answer again (the focus of the last run is off), A and B on its first two.
    assert.equal(await page.locator('.column.focus-out').count(), 0);
    assert.equal(await page.locator('.btn-focus').getAttribute('aria-pressed'), 'false');
    assert.deepEqual([await page.locator('#compare-a').inputValue(), await page.locator('#compare-b').inputValue()], ['0', '1']);
    await sortBy('Model');
    const row = (id: string) => rowsText().then((rows) => rows.find((r) => r.model === id)!);
    assert.deepEqual(await row('openai:gpt-4o-mini'), cells(['openai:gpt-4o-mini', '● streaming', '412 ms', '—', '—', '≈ 40', '—', '≈ 12', '—', '—', '—', '—', '—']));
    const queued = await row('openai:gpt-4o');
    assert.deepEqual([queued.status, queued.ttft], ['○ queued', '—']);
    await panel.send({ type: 'patch', runId: 200, running: true, patches: [{ index: 0, set: { outputTokens: 30, outputTokensPerSec: 55 } }, { index: 1, set: { status: 'streaming', ttftMs: 505 } }] });
    // While running, the table is redrawn at most every 250 ms: wait for the patch to show.
    for (let i = 0; i < 100 && (await row('openai:gpt-4o')).status !== '● streaming'; i++) await panel.frames(1);
    const mini = await row('openai:gpt-4o-mini');
    assert.deepEqual([mini.rate, mini.input, mini.output], ['≈ 55', '—', '≈ 30']);
    const started = await row('openai:gpt-4o');
    assert.deepEqual([started.status, started.ttft], ['● streaming', '505 ms']);
    assert.deepEqual(await bestCells(), {}, 'no best value while the models are still running');
    await panel.send({
      type: 'patch',
      runId: 200,
      running: false,
      patches: [{ index: 0, set: { status: 'done', latencyMs: 2340, outputTokens: 567, outputTokensPerSec: 87.4, outputLive: false, inputTokens: 1234, cost: runColumn(0, MODEL_RUNS[0]).cost, finishReason: 'stop' } }],
    });
    await panel.frames(3);
    assert.deepEqual(await row('openai:gpt-4o-mini'), expectedRow(MODEL_RUNS[0]));
  });

  it('groups repeats into one row per model: p50/p95 over the runs (nearest rank)', async () => {
    const page = panel.page;
    const lat = [1000, 1400, 1200];
    const cost = [0.001, 0.002, 0.003];
    const columns = [0, 1, 2].flatMap((r) => [
      { ...runColumn(r * 2, { ...MODEL_RUNS[0], latencyMs: lat[r], ttftMs: 300 + r * 100, cost: cost[r] }, r) },
      { ...runColumn(r * 2 + 1, MODEL_RUNS[1], r) },
    ]);
    await panel.send({ type: 'state', state: { runId: 300, promptPreview: 'p', running: false, columns, summary: { cheapest: null, fastest: null, totalSpent: null, wallMs: 1 } } });
    await page.waitForSelector('.compare-table tr[data-model="@team:llama_3"]');
    assert.equal(await page.locator('.compare-table tbody tr').count(), 2);
    const mini = (await rowsText()).find((r) => r.model === 'openai:gpt-4o-mini')!;
    assert.deepEqual(mini, cells(['openai:gpt-4o-mini', '✓ done 3/3', '400 ms', '1.20 s', '1.40 s', '87.4', '1,234', '567', '$0.002', '$2.00', '0/3 hits', 'stop', '—']));
    assert.equal(await page.locator('.compare-table tr[data-model="openai:gpt-4o-mini"] .model-runs').textContent(), '3 runs');
  });

  it('narrow (sidebar width): one card per model with the same figures', async () => {
    const page = panel.page;
    await panel.send({ type: 'state', state: compareState(5, 400) });
    await page.setViewportSize({ width: 360, height: 800 });
    await panel.frames(3);
    assert.equal(await page.locator('.compare-scroll').isVisible(), false);
    assert.equal(await page.locator('.compare-card').count(), 5);
    const card = page.locator('.compare-card[data-model="openai:gpt-4o-mini"]');
    assert.deepEqual(await card.locator('dt').allTextContents(), HEADERS.slice(1));
    const figures = (await card.locator('.card-figure').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-key'), [...e.querySelector('dd')!.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('')])),
    )) as Cells;
    assert.deepEqual({ model: await card.locator('.card-model').textContent(), ...figures }, expectedRow(MODEL_RUNS[0]));
    const overflow = (await page.evaluate(`document.documentElement.scrollWidth > document.documentElement.clientWidth || document.getElementById('app').scrollWidth > document.getElementById('app').clientWidth`)) as boolean;
    assert.equal(overflow, false, 'nothing wider than the sidebar');
    await page.screenshot({ path: path.join(RESULTS, 'compare-narrow.png'), fullPage: false });
    await page.setViewportSize({ width: 1280, height: 800 });
    await panel.frames(2);
    assert.equal(await page.locator('.compare-scroll').isVisible(), true);
  });

  it('axe-core: no serious or critical violations in light, dark and high-contrast themes', async () => {
    const page = panel.page;
    // axe runs through the DevTools protocol, like every page.evaluate (the page's CSP allows no inline script).
    await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
    await panel.send({ type: 'state', state: compareState(12, 500) });
    await page.waitForSelector('.compare-table tr[data-model="ollama:qwen2.5"]');
    if ((await page.locator('.btn-diff').getAttribute('aria-pressed')) !== 'true') await page.locator('.btn-diff').click();
    await panel.frames(2);
    assert.equal(await page.locator('.diff-view').isVisible(), true);
    const report: string[] = [];
    for (const theme of ['light', 'dark', 'hc'] as const) {
      await panel.applyTheme(theme);
      const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ') + ': ' + n.failureSummary) })))`)) as {
        id: string;
        impact: string;
        nodes: string[];
      }[];
      const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      for (const v of serious) report.push(`${theme}: ${v.id} (${v.impact})\n  ${v.nodes.join('\n  ')}`);
      await page.screenshot({ path: path.join(RESULTS, `compare-a11y-${theme}.png`) });
    }
    assert.deepEqual(report, []);
  });
});
