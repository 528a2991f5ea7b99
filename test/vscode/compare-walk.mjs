// Compare walk: the profile panel's comparison table in the real workbench (code-server +
// headless Chromium at 1600×1000, as a new user would try it) with 5 and then 12 models, at the
// editor-beside width and at a sidebar width (the panel's editor group dragged narrow). One model
// fails mid-stream and one stops at the output limit. The table must hold one row per model whose
// tokens are the ones the fake server billed, then sort by cost; at sidebar width it becomes one
// card per model. Screenshots: test-results/40-…-47-….png. Run by test/vscode/run.mjs after the
// UI walk (`--ui-only` runs it too).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paths } from './paths.mjs';
import { startSession } from './session.mjs';
import { createUi, usageOf, waitUntil } from './ui-walk.mjs';

const STEP_TIMEOUT = 30_000;
const RUN_TIMEOUT = 90_000;
const VIEWPORT = { width: 1600, height: 1000 };
/** A sidebar's width: the table turns into cards below 560 px. */
const SIDEBAR_PX = 340;

const FIVE = ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5', 'openai:gpt-4.1-nano', 'anthropic:claude-sonnet-4-5', 'openai:gpt-4o'];
const TWELVE = [
  ...FIVE,
  'openai:gpt-4.1',
  'openai:gpt-4.1-mini',
  'openai:o4-mini',
  'anthropic:claude-opus-4-1',
  'anthropic:claude-3-5-haiku-latest',
  'openai:gpt-3.5-turbo',
  // Not in any price list: the table says "no price", never $0.
  'openai:house-finetune-v2',
];
const FAILS = 'gpt-4.1-nano';
const TRUNCATED = 'claude-sonnet-4-5';
const MAX_OUTPUT = 120;

export async function runCompareWalk({ env = {}, folder, log = console.log } = {}) {
  log('Compare walk');
  const t0 = performance.now();
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-compare-walk-'));
  fs.cpSync(folder, workspace, { recursive: true });
  const settingsFile = path.join(workspace, '.vscode', 'settings.json');
  const setModels = (models) => {
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify({ 'promptProfiler.models': models }, null, 2));
  };
  setModels(FIVE);
  let session;
  let ui;
  try {
    session = await startSession({
      folder: workspace,
      extensionDevelopmentPath: paths.root,
      env,
      viewport: VIEWPORT,
      settings: { 'promptProfiler.maxOutputTokens': MAX_OUTPUT },
    });
    ui = createUi(session.page, { log, fakeUrl: env.PROMPT_PROFILER_FAKE_LLM_URL });
    await walk(ui, setModels);
  } catch (e) {
    if (!ui) log(`Compare walk could not start: ${e?.stack ?? e}`);
    else if (!session?.closed) log(session.logTail(20));
  } finally {
    await ui?.fake.post('/__admin/profiles', { '*': { ttftMs: 0, tokensPerSec: 0 } }).catch(() => {});
    await ui?.fake.post('/__admin/reset').catch(() => {});
    await session?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  const steps = ui?.steps ?? [];
  const passed = steps.filter((s) => s.ok).length;
  const failed = steps.length - passed || (passed ? 0 : 1);
  log(`Compare walk: ${passed} steps passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return { passed, failed, steps };
}

async function walk(ui, setModels) {
  const page = ui.page;
  const wv = () => ui.webviewFrame();
  const rows = () =>
    wv()
      .locator('.compare-table tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => {
          const cell = (k) => {
            const c = tr.querySelector(`[data-key="${k}"]`).cloneNode(true);
            c.querySelectorAll('.best-mark, .sr-only, .model-runs').forEach((e) => e.remove());
            return c.textContent.trim();
          };
          return { model: tr.dataset.model, status: cell('status'), input: cell('input'), output: cell('output'), cost: cell('cost'), finish: cell('finish') };
        }),
      );

  /** Profiles summarize.prompt on `models` (the workspace settings) and checks the table against the server. */
  const profileAndCheck = async (models) => {
    await ui.fake.post('/__admin/profiles', { '*': { ttftMs: 150, tokensPerSec: 400, chunkTokens: 4 }, [TRUNCATED]: { ttftMs: 150, tokensPerSec: 400, outputTokens: 400 } });
    // The settings file was just written: until VS Code has read it, a run has the previous models
    // (and is run again, with the failure queued again).
    await waitUntil(async () => {
      await ui.fake.post('/__admin/reset');
      await ui.fake.post('/__admin/scenario', { kind: 'mid_stream_error', model: FAILS, afterChunks: 2 });
      // Back in the prompt's editor (a click in the panel made the webview the active editor).
      await page.locator('.monaco-editor[data-uri$="summarize.prompt"] .view-lines').first().click();
      // The run label ("run N") tells this run from the one the panel still shows: a finished
      // earlier run must not pass for this one (its failure was queued for a run not yet started).
      const runLabel = async () => ((await wv().locator('.run-label').count()) ? await wv().locator('.run-label').innerText() : '');
      const before = await runLabel().catch(() => '');
      await ui.runCommand('Prompt Profiler: Profile Prompt (Bypass Cache)');
      await waitUntil(async () => (await runLabel()) !== before && (await wv().locator('section.column').count()) > 0, RUN_TIMEOUT, 'the panel shows the new run');
      await waitUntil(async () => (await wv().locator('.btn-stop:disabled').count()) === 1, RUN_TIMEOUT, 'the run finished');
      return (await wv().locator('section.column').count()) === models.length;
    }, RUN_TIMEOUT, `a run of ${models.length} models`);
    const got = await rows();
    // (In the table's order: a sort chosen earlier stays.)
    assert.deepEqual(got.map((r) => r.model).sort(), [...models].sort(), 'one row per model');
    const requests = (await ui.fake.get('/__admin/requests')).filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');
    for (const r of got) {
      const name = r.model.split(':')[1];
      const rec = requests.filter((q) => q.model === name).at(-1);
      assert(rec, `${r.model}: the server recorded its request`);
      if (name === FAILS) {
        assert.match(r.status, /^✕ error: /, `${r.model}: the failure is in its row`);
        continue;
      }
      const u = usageOf(rec);
      assert.equal(r.input, u.input.toLocaleString('en-US'), `${r.model}: input tokens as billed`);
      assert.equal(r.output, u.output.toLocaleString('en-US'), `${r.model}: output tokens as billed`);
      if (name === TRUNCATED) {
        assert.equal(r.status, '✂ truncated');
        assert.equal(r.finish, 'length');
        assert.equal(r.output, String(MAX_OUTPUT));
      } else {
        assert.equal(r.status, '✓ done', `${r.model}: done`);
        assert.equal(r.finish, 'stop');
      }
      if (name === 'house-finetune-v2') assert.equal(r.cost, 'no price');
      else assert.match(r.cost, /^\$\d/, `${r.model}: priced`);
    }
    ui.note(got.map((r) => `${r.model} ${r.status} in ${r.input} out ${r.output} ${r.cost}`).join('; '));
    // Sort by cost: the cheapest first, "no price" and the failure last.
    const costHead = wv().locator('th[data-key="cost"]');
    while ((await costHead.getAttribute('aria-sort')) !== 'ascending') await costHead.locator('button').click();
    await wv().locator('.compare-scroll').evaluate((box) => (box.scrollLeft = 0));
    const sorted = await rows();
    const usd = (s) => (s.startsWith('$') ? Number(s.slice(1)) : null);
    const priced = sorted.filter((r) => usd(r.cost) !== null).map((r) => usd(r.cost));
    assert.deepEqual(priced, [...priced].sort((a, b) => a - b), 'ascending by cost');
    assert.ok(sorted.slice(priced.length).every((r) => usd(r.cost) === null), 'unpriced rows last');
  };

  /** Drags the sash between the editor and the panel so the panel is `px` wide (a sidebar), or back. */
  const panelWidth = async () => (await page.locator('iframe.webview.ready').first().boundingBox()).width;
  const dragPanelTo = async (px) => {
    const frame = await page.locator('iframe.webview.ready').first().boundingBox();
    const sash = page.locator('.part.editor .monaco-sash.vertical:visible').filter({ hasNot: page.locator('.disabled') });
    const boxes = await sash.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2, h: r.height })));
    const near = boxes.filter((b) => b.h > 100).sort((a, b) => Math.abs(a.x - frame.x) - Math.abs(b.x - frame.x))[0];
    assert(near && Math.abs(near.x - frame.x) < 20, `the sash left of the panel (frame at ${frame.x}, sashes ${JSON.stringify(boxes)})`);
    const target = frame.x + frame.width - px;
    await page.mouse.move(near.x, near.y);
    await page.mouse.down();
    await page.mouse.move(target, near.y, { steps: 12 });
    await page.mouse.up();
    await waitUntil(async () => Math.abs((await panelWidth()) - px) < 30, STEP_TIMEOUT, `the panel ${px} px wide (now ${await panelWidth()})`);
  };

  await ui.step('compare: workbench opens at 1600×1000', async () => {
    await ui.waitForWorkbench();
    await ui.waitForExtensionsActivated();
    await ui.openFile('summarize.prompt');
  });

  await ui.step('compare: 5 models beside the editor, one row each with the billed tokens, sorted by cost', async () => {
    await profileAndCheck(FIVE);
    const width = await panelWidth();
    ui.note(`panel width ${Math.round(width)} px`);
    assert.equal(await wv().locator('.compare-scroll').isVisible(), true, 'a table, not cards, beside the editor');
    await ui.screenshot('40-compare-5-beside');
    await ui.screenshotPanel('41-compare-5-beside-panel');
  });

  await ui.step('compare: 5 models at sidebar width: one card per model', async () => {
    await dragPanelTo(SIDEBAR_PX);
    await waitUntil(async () => (await wv().locator('.compare-card').count()) === FIVE.length, STEP_TIMEOUT, 'one card per model');
    assert.equal(await wv().locator('.compare-scroll').isVisible(), false);
    const overflow = await wv().locator('#app').evaluate((app) => app.scrollWidth - app.clientWidth);
    assert.ok(overflow <= 0, `nothing wider than the panel (${overflow} px over)`);
    await ui.screenshot('42-compare-5-sidebar');
    await ui.screenshotPanel('43-compare-5-sidebar-panel');
  });

  await ui.step('compare: 12 models beside the editor; the table scrolls sideways with the names pinned', async () => {
    await dragPanelTo(VIEWPORT.width / 2);
    setModels(TWELVE);
    await profileAndCheck(TWELVE);
    assert.equal(await wv().locator('.compare-table tbody tr').count(), 12);
    const pinned = await wv()
      .locator('.compare-scroll')
      .evaluate((box) => {
        box.scrollLeft = box.scrollWidth;
        const name = box.querySelector('tbody .cell-model').getBoundingClientRect().left - box.getBoundingClientRect().left;
        const r = { overflow: box.scrollWidth - box.clientWidth, name };
        box.scrollLeft = 0;
        return r;
      });
    ui.note(`table overflow ${pinned.overflow} px; model names at ${pinned.name} px after scrolling`);
    assert.ok(pinned.overflow <= 0 || Math.abs(pinned.name - 1) <= 1, `model names pinned: ${JSON.stringify(pinned)}`);
    await ui.screenshot('44-compare-12-beside');
    await ui.screenshotPanel('45-compare-12-beside-panel');
  });

  await ui.step('compare: 12 models at sidebar width: cards; a diff of two answers', async () => {
    await dragPanelTo(SIDEBAR_PX);
    await waitUntil(async () => (await wv().locator('.compare-card').count()) === TWELVE.length, STEP_TIMEOUT, 'one card per model');
    await wv().getByRole('button', { name: 'Diff A → B' }).click();
    await wv().locator('.diff-view').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    assert.match((await wv().locator('.diff-legend').textContent()) ?? '', /^\d+ words? only in A .* \d+ words? only in B/);
    await ui.screenshot('46-compare-12-sidebar');
    await ui.screenshotPanel('47-compare-12-sidebar-panel');
  });
}
