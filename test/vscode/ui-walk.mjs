// UI walk: drives the real workbench (code-server + headless Chromium) the way a user would, with
// the extension under development loaded, and leaves PNG screenshots in test-results/.
// Run by test/vscode/run.mjs after the integration suite (same `npm run test:vscode`, or alone with
// `npm run test:vscode -- --ui-only`), with the same env (fake LLM URLs and test keys).
//
// The walk: open summarize.prompt (CodeLens) → select it (status bar) → right-click → Profile
// Prompt → columns stream (the fake server is paced through its admin API; a mid-stream screenshot
// must show partial text) → every column done, tokens and costs checked against the server's
// recorded usage and the list prices → the Decide section: chart, ratings, a limit that changes
// the recommendation → hover the prompt → CodeLens → select a paragraph of
// notes.md → a second paced run, stopped: columns cancelled with partial answers, streams closed →
// the panel in a dark and a high-contrast theme → a window reload restores the panel, and its
// Re-run still works → Select Models… picks a VS Code model (the test extension's) beside
// gpt-4o-mini, and a profile shows the two columns → one that refuses says so, with Select Models… Steps wait on conditions, never on fixed sleeps.
// Add steps to `walk()`; the helpers below hide the workbench's selectors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { formatUsd } from '../../src/core/format.ts';
import { startSession, workbenchUrl } from './session.mjs';
import { paths } from './paths.mjs';

const STEP_TIMEOUT = 30_000;
/** Longest wait for a streamed run to finish (slow 2-core machines). */
const RUN_TIMEOUT = 90_000;

/** Prices (USD per million tokens) the walk checks the panel's costs against. */
const PRICES = {
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
};
const MODELS = Object.keys(PRICES);

/** Paced output: a first token after 400 ms, then 2 tokens per chunk at 15 tokens/s (~11 s). */
const PACED = { ttftMs: 400, tokensPerSec: 15, chunkTokens: 2, outputTokens: 160 };
const UNPACED = { ttftMs: 0, tokensPerSec: 0 };
/**
 * The same profile for every model: by exact name too, since an exact-name profile (the
 * integration suite may leave one on the shared server) wins over '*'.
 */
const profiles = (p) => Object.fromEntries(['*', ...MODELS.map((m) => m.split(':')[1])].map((k) => [k, p]));

/** The user-level steps. Each `step` is timed, reported, and screenshotted on failure. */
async function walk(ui) {
  const fake = ui.fake;
  /** Text of each column seen mid-stream (checked against the final answer). */
  const midStream = new Map();
  /** Input tokens the server billed per model in the first run. */
  const billed = new Map();
  /** Tokens the status bar showed for the selected prompt (default model). */
  let statusTokens = NaN;
  const tokensOf = (s) => parseInt(/([\d,]+) tok/.exec(s)?.[1].replace(/,/g, '') ?? 'NaN', 10);

  await ui.step('workbench opens on the fixture folder', async () => {
    await ui.waitForWorkbench();
    await ui.waitForExtensionsActivated();
  });

  await ui.step('Quick Open opens summarize.prompt', async () => {
    await ui.openFile('summarize.prompt');
    // The CodeLens appears at once ("Profile"); its token count once the tokenizer has run.
    await ui.codeLens().waitFor({ state: 'visible', timeout: 60_000 });
    await ui.screenshot('01-summarize-prompt-open');
  });

  await ui.step('select the prompt, right-click: the context menu offers Profile Prompt', async () => {
    await ui.selectAll();
    // The status bar shows the selection's tokens and cost for the default model.
    const status = await ui.selectionStatusText();
    assert(/^≈? ?[\d,]+ tok · \$[\d.]+$/.test(status), `status bar for the selection: ${JSON.stringify(status)}`);
    statusTokens = tokensOf(status);
    ui.note(`status bar: "${status}"`);
    await ui.rightClickEditor('Summarize the following');
    await ui.contextMenuItem('Profile Prompt').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    await ui.screenshot('02-context-menu');
  });

  await ui.step('Profile Prompt: the panel opens and the columns stream', async () => {
    await fake.post('/__admin/reset');
    await fake.post('/__admin/profiles', profiles(PACED));
    await ui.clickContextMenu('Profile Prompt');
    const wv = ui.webviewFrame();
    await waitUntil(async () => (await wv.locator('section.column').count()) === MODELS.length, RUN_TIMEOUT, 'one column per configured model');
    const heads = await wv.locator('section.column .col-model').allTextContents();
    assert.deepEqual(heads, MODELS.map((m) => m.split(':')[1]), 'column headers');
    // Every column has some text and is still streaming…
    await waitUntil(async () => {
      const cols = await ui.readColumns();
      return cols.every((c) => c.status === 'streaming' && c.text.length > 0);
    }, RUN_TIMEOUT, 'every column streaming with some text');
    const before = await ui.readColumns();
    await ui.screenshot('03-panel-streaming');
    await ui.screenshotPanel('03b-panel-streaming-panel');
    // …and still was once the screenshot was taken: it shows partial answers.
    const after = await ui.readColumns();
    for (const [i, c] of after.entries()) {
      assert.equal(c.status, 'streaming', `${c.model} still streaming after the screenshot`);
      assert(c.text.startsWith(before[i].text), `${c.model}: the text only grows while streaming`);
      midStream.set(i, c.text);
    }
    ui.note(`mid-stream: ${after.map((c) => `${c.model} ${c.text.length} chars, out ${c.output}`).join('; ')}`);
  });

  await ui.step('the run finishes: every column done, costs match tokens × prices and the server\'s usage', async () => {
    const wv = ui.webviewFrame();
    await waitUntil(async () => (await ui.readColumns()).every((c) => c.status === 'done'), RUN_TIMEOUT, 'every column done');
    await wv.locator('.btn-stop:disabled').waitFor({ timeout: STEP_TIMEOUT });
    const cols = await ui.readColumns();
    const requests = (await fake.get('/__admin/requests')).filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');
    assert.equal(requests.length, MODELS.length, `one generation request per model (got ${requests.map((r) => r.model)})`);
    let spent = 0;
    for (const [i, c] of cols.entries()) {
      const modelId = MODELS[i];
      assert(!c.cacheHit, `${modelId}: no answer-cache hit on the first run`);
      assert(c.text.length > midStream.get(i).length && c.text.startsWith(midStream.get(i)), `${modelId}: the final answer extends the mid-stream text`);
      const input = parseInt(c.input.replace(/[^\d]/g, ''), 10);
      const output = parseInt(c.output.replace(/[^\d]/g, ''), 10);
      assert(!c.input.includes('≈') && !c.output.includes('≈'), `${modelId}: token counts are the server's, not estimates (${c.input}, ${c.output})`);
      const rec = requests.find((r) => `${r.vendor}:${r.model}` === modelId);
      assert(rec, `${modelId}: the server recorded its request`);
      assert(rec.completed && !rec.disconnected, `${modelId}: the stream completed`);
      // The column shows exactly the answer the server sent (no chunk lost or doubled).
      assert.equal(norm(c.text), norm(rec.replyText ?? ''), `${modelId}: the column's text = the server's reply`);
      const u = usageOf(rec);
      assert.equal(input, u.input, `${modelId}: input tokens shown = the server's usage`);
      assert.equal(output, u.output, `${modelId}: output tokens shown = the server's usage`);
      assert.equal(output, PACED.outputTokens, `${modelId}: output tokens = the paced profile's`);
      const usd = (input * PRICES[modelId].input + output * PRICES[modelId].output) / 1e6;
      assert.equal(c.cost, formatUsd(usd), `${modelId}: cost shown for ${input} in / ${output} out`);
      assert(/^\$0\.0\d+$/.test(c.cost), `${modelId}: a cost string like $0.0…: ${c.cost}`);
      assert(/Prices: /.test(c.costTitle) && c.costTitle.includes(`Total: ${c.cost}`), `${modelId}: the cost tooltip has the breakdown and provenance`);
      spent += usd;
      billed.set(modelId, input);
      ui.note(`${modelId}: ${input} in, ${output} out → ${c.cost}`);
    }
    // What the status bar counted before sending is what gpt-4o-mini (its model) billed.
    assert.equal(statusTokens, billed.get(MODELS[0]), 'status bar tokens = the input tokens billed');
    const summary = await ui.readSummary();
    assert.equal(summary.spent, formatUsd(spent), 'Spent this run');
    assert(summary.cheapest.startsWith('openai:gpt-4o-mini'), `Cheapest: ${summary.cheapest}`);
    ui.note(`summary: ${JSON.stringify(summary)}`);
    await ui.screenshot('04-panel-finished');
    await ui.screenshotPanel('04b-panel-finished-panel');
  });

  await ui.step('Decide: scroll to the chart, rate the answers, a limit changes the recommendation', async () => {
    const wv = ui.webviewFrame();
    const decide = wv.locator('section.decide');
    await decide.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    // The toolbar's "Decide ↓" takes the user past the answers to the Decide section.
    await wv.getByRole('button', { name: 'Decide ↓' }).click();
    await waitUntil(async () => (await wv.locator('#app').evaluate((el) => el.scrollTop)) > 100, STEP_TIMEOUT, 'the panel scrolled down to Decide');
    const canvas = wv.locator('canvas.decide-canvas');
    await canvas.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    const inked = () =>
      canvas.evaluate((c) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;
      });
    await waitUntil(async () => (await inked()) > 2000, STEP_TIMEOUT, 'the chart canvas drawn');
    // Every option of both models is listed; without a judge or a prior, quality is unknown until rated.
    const rows = await wv.locator('tr.opt-row').count();
    assert(rows >= 8, `options listed: ${rows}`);
    const rec = async () => norm(`${await wv.locator('.rec-head').innerText()} | ${await wv.locator('.rec-reason').innerText()}`);
    ui.note(`before rating: ${await rec()}`);
    // Rate the answers: gpt-4o-mini 3 of 5, claude-haiku-4-5 5 of 5 (the host recomputes the quality).
    await wv.locator('tr[data-model="openai:gpt-4o-mini"] button[data-rating="3"]').click();
    await wv.locator('tr[data-model="anthropic:claude-haiku-4-5"] button[data-rating="5"]').click();
    await waitUntil(async () => (await wv.locator('tr[data-model="anthropic:claude-haiku-4-5"] .q-value').innerText()).startsWith('1.00 (rating'), STEP_TIMEOUT, 'the ratings applied');
    await waitUntil(async () => (await rec()).startsWith('Recommended: '), STEP_TIMEOUT, 'a recommendation');
    const first = await rec();
    ui.note(`recommendation: ${first}`);
    assert(first.startsWith('Recommended: openai:gpt-4o-mini'), `the cheaper model wins on cost per quality point: ${first}`);
    // The user only accepts quality ≥ 0.8: the recommendation moves to claude-haiku-4-5 at once.
    await wv.locator('#limit-minQuality').fill('0.8');
    await waitUntil(async () => (await rec()) !== first, STEP_TIMEOUT, 'the recommendation to change');
    const second = await rec();
    ui.note(`with min quality 0.8: ${second}`);
    assert(second.startsWith('Recommended: anthropic:claude-haiku-4-5'), `min quality 0.8 leaves claude-haiku-4-5: ${second}`);
    assert(/met your quality bar on this prompt: anthropic:claude-haiku-4-5/.test(norm(await wv.locator('.routing-bar').innerText())), 'routing: the cheapest model meeting the bar');
    await waitUntil(async () => (await inked()) > 2000, STEP_TIMEOUT, 'the chart redrawn');
    await wv.locator('.decide-head').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await ui.screenshotPanel('11-decide-chart');
    // Back to the answers, and back to the editor (the panel's group took the focus with the clicks).
    await wv.locator('#app').evaluate((el) => el.scrollTo({ top: 0 }));
    await page(ui).locator('.monaco-editor[data-uri] .view-line', { hasText: 'Release notes:' }).first().click();
    await page(ui).locator('.editor-group-container.active .monaco-editor[data-uri] .view-line', { hasText: 'Release notes:' }).first().waitFor({ timeout: STEP_TIMEOUT });
  });

  await ui.step('hover the prompt: tokens and cost per model', async () => {
    // Back in the editor, the user clicks into the prompt (this also ends the mouse gesture the
    // context menu left open: until a click, Monaco shows no hovers) and hovers over it.
    await ui.editor().locator('.view-line', { hasText: 'Release notes:' }).first().click();
    const hover = await ui.hoverText('release notes');
    await hover.getByText('claude-haiku-4-5').first().waitFor({ timeout: STEP_TIMEOUT });
    const text = norm(await hover.innerText());
    ui.note(`hover: ${JSON.stringify(text)}`);
    assert(text.includes('before sending'), 'hover title');
    // The hover's counts are exact: the same as the tokens the server billed for this prompt.
    for (const m of MODELS) {
      const row = new RegExp(`${escapeRegExp(m)} (≈ )?([\\d,]+) (\\$[\\d.]+) (\\$[\\d.]+)`).exec(text);
      assert(row, `hover row for ${m}`);
      const tokens = parseInt(row[2].replace(/,/g, ''), 10);
      assert.equal(tokens, billed.get(m), `${m}: hover tokens = the input tokens of the run`);
      assert.equal(row[3], formatUsd((tokens * PRICES[m].input) / 1e6), `${m}: hover input cost`);
      assert.equal(row[4], formatUsd((tokens * PRICES[m].input + 1024 * PRICES[m].output) / 1e6), `${m}: hover cost with 1,024 output tokens`);
    }
    await ui.screenshot('05-cost-hover');
    await page(ui).keyboard.press('Escape');
  });

  await ui.step('CodeLens above the prompt: ≈ tokens · cost range | Profile', async () => {
    const lens = ui.codeLens();
    await lens.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    const text = norm(await lens.innerText());
    // No monthly or change lens here: summarize.prompt has no traffic set and is in no repository.
    const m = /^≈? ?([\d,]+) tok · (?:≈ )?(\$[\d.]+)–(\$[\d.]+) \| Profile$/.exec(text);
    assert(m, `CodeLens: ${JSON.stringify(text)}`);
    ui.note(`CodeLens: "${text}"`);
    // Tokens of the first model; the range runs from the cheapest input to the dearest full answer.
    const tokens = tokensOf(text);
    assert.equal(tokens, billed.get(MODELS[0]), 'CodeLens tokens = the input tokens billed');
    assert.equal(m[2], formatUsd((tokens * PRICES[MODELS[0]].input) / 1e6), 'CodeLens low end: the cheapest input cost');
    assert(Number(m[3].slice(1)) > Number(m[2].slice(1)), 'CodeLens high end above the low end');
    await ui.screenshot('06-codelens');
  });

  await ui.step('edit a committed prompt: the CodeLens and the hover show the change vs HEAD and the month', async () => {
    // git-repo/costs.prompt (calls_per_day: 1000 in its front matter) in an editor of its own, full width.
    await ui.runCommand('View: Close All Editors');
    await ui.openFile('costs.prompt');
    await ui.codeLens(/\/month at/).waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    assert.equal(await ui.codeLens(/vs HEAD/).count(), 0, 'as committed: no change line');
    await ui.editor().locator('.view-line', { hasText: 'Keep it under twenty words' }).first().click();
    await page(ui).keyboard.press('End');
    await page(ui).keyboard.type(' Mention the order number.');
    const lens = ui.codeLens(/vs HEAD/);
    await lens.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    // Today's estimate resolves on its own (resolveCodeLens): the line is read once it has all four.
    const full = /^≈? ?[\d,]+ tok · (?:≈ )?\$[\d.]+–\$[\d.]+ \| Profile \| \$[\d.,]+\/month at 1,000 calls\/day \| \+[\d,]+ tok · \+\$[\d.]+\/call · \+\$[\d.,]+\/month vs HEAD$/;
    let text = '';
    await waitUntil(async () => full.test((text = norm(await lens.innerText()))), STEP_TIMEOUT, `the whole CodeLens line (last: ${JSON.stringify(text)})`).catch(() => {
      throw new Error(`CodeLens: ${JSON.stringify(text)}`);
    });
    ui.note(`CodeLens: "${text}"`);
    // The whole line is on screen: its right end is inside the editor.
    const [lensBox, editorBox] = [await lens.boundingBox(), await ui.editor().boundingBox()];
    assert(lensBox.x + lensBox.width <= editorBox.x + editorBox.width, `the CodeLens fits the editor (${Math.round(lensBox.x + lensBox.width)} > ${Math.round(editorBox.x + editorBox.width)})`);
    await ui.screenshot('06b-cost-change-codelens');
    // Hover the start of the prompt's first line (the edited line ends far right).
    const hover = await ui.hoverText('Summarize the customer');
    await hover.getByText('Per month').first().waitFor({ timeout: STEP_TIMEOUT });
    const hoverText = norm(await hover.innerText());
    ui.note(`hover: ${JSON.stringify(hoverText)}`);
    assert(/Per month at 1,000 calls\/day \(calls_per_day:\), 1,024 output tokens a call model per month vs HEAD openai:gpt-4o-mini \$[\d.,]+ \+[\d,]+ tok · \+\$[\d.]+\/call · \+\$[\d.,]+\/month/.test(hoverText), `the hover's cost section: ${JSON.stringify(hoverText)}`);
    assert(hoverText.indexOf('Per month') < hoverText.indexOf('input tokens'), 'the monthly figures come before the estimate table');
    // Near the top: the section is in view without scrolling the hover.
    const [sectionBox, hoverBox] = [await hover.getByText('Per month').first().boundingBox(), await hover.boundingBox()];
    assert(sectionBox.y + sectionBox.height <= hoverBox.y + hoverBox.height, 'the cost section is inside the visible hover');
    await ui.screenshot('06c-cost-change-hover');
    await page(ui).keyboard.press('Escape');
  });

  await ui.step('Prompt Profiler: Show Cost Changes lists the edited prompt; picking it opens the diff', async () => {
    await ui.runCommand('Prompt Profiler: Show Cost Changes');
    const row = page(ui).locator('.quick-input-widget .monaco-list-row', { hasText: 'costs.prompt' }).first();
    await row.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    const text = norm(await row.innerText());
    ui.note(`list row: "${text}"`);
    assert(/vs HEAD/.test(text), `the row shows the change: ${JSON.stringify(text)}`);
    await ui.screenshot('06d-cost-changes-list');
    await row.click();
    await page(ui).locator('.tabs-container .tab.active[aria-label*="HEAD"]').waitFor({ timeout: STEP_TIMEOUT });
    await ui.screenshot('06e-cost-change-diff');
    // Revert the edit (when it is still unsaved) and close the editors; no later step reads git-repo/.
    await ui.openFile('costs.prompt');
    await ui.runCommand('File: Revert File');
    await ui.runCommand('View: Close All Editors');
  });

  await ui.step('notes.md: select a paragraph, the status bar shows its tokens', async () => {
    await ui.openFile('notes.md');
    await ui.selectLine('Translate "Good morning');
    const status = await ui.selectionStatusText();
    assert(/^≈? ?[\d,]+ tok · \$[\d.]+$/.test(status), `status bar for the selection: ${JSON.stringify(status)}`);
    ui.note(`status bar: "${status}"`);
    await ui.screenshot('07-status-bar-selection');
  });

  await ui.step('a second, paced run: Stop leaves the columns cancelled with partial answers', async () => {
    await fake.post('/__admin/reset');
    await fake.post('/__admin/profiles', profiles({ ...PACED, tokensPerSec: 8, outputTokens: 400 }));
    await ui.rightClickEditor('Translate "Good morning');
    await ui.clickContextMenu('Profile Prompt');
    const wv = ui.webviewFrame();
    await wv.locator('.prompt-preview', { hasText: 'Translate' }).waitFor({ timeout: RUN_TIMEOUT });
    await waitUntil(async () => {
      const cols = await ui.readColumns();
      return cols.length === MODELS.length && cols.every((c) => c.status === 'streaming' && c.text.length > 0);
    }, RUN_TIMEOUT, 'every column streaming with some text');
    await wv.locator('.btn-stop:not(:disabled)').click();
    await waitUntil(async () => (await ui.readColumns()).every((c) => c.status === 'cancelled'), RUN_TIMEOUT, 'every column cancelled');
    const cols = await ui.readColumns();
    for (const c of cols) {
      assert(c.text.length > 0, `${c.model}: the partial answer is kept`);
      assert(c.partialVisible, `${c.model}: marked as partial`);
      // What was spent before the stop; marked "≈" when the tokens had to be counted locally.
      assert(/^(≈ )?\$[\d.]+$/.test(c.cost), `${c.model}: cost of the partial answer: ${c.cost}`);
      if (c.input.includes('≈') || c.output.includes('≈')) assert(c.cost.startsWith('≈ '), `${c.model}: estimated tokens, estimated cost: ${c.cost}`);
      ui.note(`${c.model}: cancelled, ${c.text.length} chars, ${c.input} in, ${c.output} out → ${c.cost}`);
    }
    // Stop is disabled from the click on; the run has ended when the panel's body loses `running`
    // (the summary comes with that last patch, possibly after the columns' cancellations).
    await wv.locator('body:not(.running)').waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
    const summary = await ui.readSummary();
    assert(/^(≈ )?\$[\d.]+$/.test(summary.spent), `Spent this run: ${summary.spent}`);
    if (cols.some((c) => c.cost.startsWith('≈'))) assert(summary.spent.startsWith('≈ '), `an estimated part makes the total an estimate: ${summary.spent}`);
    ui.note(`summary: ${JSON.stringify(summary)}`);
    await ui.screenshot('08-panel-stopped');
    await ui.screenshotPanel('08b-panel-stopped-panel');
    // The HTTP streams were closed, not left running.
    await waitUntil(async () => {
      const reqs = (await fake.get('/__admin/requests')).filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');
      return reqs.length === MODELS.length && reqs.every((r) => r.endedAt && r.disconnected && !r.completed);
    }, STEP_TIMEOUT, 'the server saw both streams closed by the client');
  });

  for (const [theme, file] of [
    ['Dark Modern', '09-panel-dark'],
    ['Dark High Contrast', '10-panel-high-contrast'],
  ]) {
    await ui.step(`the panel in the ${theme} theme`, async () => {
      await ui.runCommand('Preferences: Color Theme');
      // The theme picker replaces the command palette in the same quick input.
      const input = page(ui).locator('.quick-input-widget .quick-input-box input[placeholder*="Color Theme"]');
      await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await input.fill(theme);
      const row = page(ui)
        .locator('.quick-input-widget .monaco-list-row')
        .filter({ has: page(ui).locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(theme)}$`) }) })
        .first();
      await row.click({ timeout: STEP_TIMEOUT });
      await page(ui).locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
      // The webview follows: its body gets the theme's class.
      const cls = theme.includes('High Contrast') ? 'vscode-high-contrast' : 'vscode-dark';
      await ui.webviewFrame().locator(`body.${cls}`).waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
      await ui.screenshot(file);
      await ui.screenshotPanel(`${file}-panel`);
    });
  }

  await ui.step('a window reload restores the panel (the stopped run as it was), and its Re-run still works', async () => {
    const before = await ui.readColumns();
    // Reload as a user does, through VS Code's command: the workbench shuts down first and saves
    // its editors' state (a bare page.reload() may unload before that IndexedDB write ends, and
    // the panel then is not restored: seen in clean-clone CI runs).
    const reloaded = ui.page.waitForEvent('load', { timeout: 60_000 });
    await ui.runCommand('Developer: Reload Window');
    await reloaded;
    await ui.waitForWorkbench();
    await ui.waitForExtensionsActivated();
    // VS Code brings the webview back through the extension's serializer; the webview redraws
    // the run it kept with setState.
    await waitUntil(async () => (await ui.readColumns()).length === before.length, 60_000, 'the panel restored with its columns');
    const after = await ui.readColumns();
    assert.deepEqual(
      after.map((c) => [c.model, c.status, c.text, c.cost]),
      before.map((c) => [c.model, c.status, c.text, c.cost]),
      'the same columns, statuses, answers and costs',
    );
    // The revived host kept the last request: Re-run (answer cache allowed) sends that prompt again.
    await fake.post('/__admin/reset');
    await fake.post('/__admin/profiles', profiles(UNPACED));
    await ui.webviewFrame().getByRole('button', { name: 'Re-run', exact: true }).click();
    await waitUntil(async () => {
      const cols = await ui.readColumns();
      return cols.length === MODELS.length && cols.every((c) => c.status === 'done');
    }, RUN_TIMEOUT, 'the re-run finished');
    const sent = (await fake.get('/__admin/requests')).filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');
    assert.equal(sent.length, MODELS.length, 'one request per model');
    for (const r of sent) {
      const text = JSON.stringify(r.body.messages);
      assert(text.includes('Translate \\"Good morning'), `${r.model}: the same prompt: ${text.slice(0, 120)}`);
    }
    await ui.screenshotPanel('12-panel-restored-rerun');
  });

  // VS Code's own models (the test extension test/vscode/lm-test-extension registers them through
  // the Language Model API): picked in Select Models…, profiled beside an API model.
  const LM_MODEL = 'vscode:pp-test/paced';
  const LM_ANSWER = 'Paced answer: one two three four five six seven eight.';
  /** A row of the open quick pick, by its exact label. */
  const row = (label) =>
    page(ui)
      .locator('.quick-input-widget .monaco-list-row')
      .filter({ has: page(ui).locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
      .first();
  /** In the open multi-select quick pick: click (toggle) each label's row, then OK. */
  const toggleAndAccept = async (labels) => {
    const input = page(ui).locator('.quick-input-widget .quick-input-box input');
    for (const label of labels) {
      await input.fill(label);
      await row(label).click({ timeout: STEP_TIMEOUT });
    }
    await input.fill('');
    await page(ui).keyboard.press('Enter');
    await page(ui).locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  };
  await ui.step("Select Models… lists VS Code's models beside the API models: pick one with gpt-4o-mini", async () => {
    await ui.runCommand('Prompt Profiler: Select Models…');
    const input = page(ui).locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    await input.fill('pp-test');
    await row(LM_MODEL).waitFor({ timeout: STEP_TIMEOUT });
    const line = norm(await row(LM_MODEL).innerText());
    ui.note(`picker: ${JSON.stringify(line)}`);
    assert(line.includes('VS Code · PP Test paced · up to 100,000 input tokens · no per-token price (subscription)'), `the picker's line: ${line}`);
    await ui.screenshot('13-select-models-vscode');
    // Multi-select: a click toggles the row. Check the VS Code model, uncheck claude-haiku-4-5.
    await toggleAndAccept([LM_MODEL, 'anthropic:claude-haiku-4-5']);
  });

  await ui.step('profile on the VS Code model and gpt-4o-mini: two columns; countTokens, "no per-token price", the system-prompt note', async () => {
    await fake.post('/__admin/reset');
    await fake.post('/__admin/profiles', profiles(UNPACED));
    // Room for the two columns: only the prompt and the panel (a new one) on screen.
    await ui.runCommand('View: Close All Editor Groups');
    await ui.runCommand('View: Toggle Primary Side Bar Visibility');
    await ui.openFile('lm.prompt');
    await ui.runCommand('Prompt Profiler: Profile Prompt');
    const wv = ui.webviewFrame();
    await waitUntil(async () => {
      const cols = await ui.readColumns();
      return cols.length === 2 && cols.every((c) => c.status === 'done');
    }, RUN_TIMEOUT, 'both columns done');
    const cols = await ui.readColumns();
    const lm = cols.find((c) => c.model === 'pp-test/paced');
    const gpt = cols.find((c) => c.model === 'gpt-4o-mini');
    ui.note(`columns: ${JSON.stringify([lm, gpt].map(({ model, status, input, output, cost, notes }) => ({ model, status, input, output, cost, notes })))}`);
    assert(lm && gpt, `the two columns: ${cols.map((c) => c.model)}`);
    assert.equal(lm.text, LM_ANSWER, "the VS Code model's answer");
    // The test provider's rule: a token per word; 6 + 4 words in, 10 out. Exact, so no "≈".
    assert.deepEqual([lm.input, lm.output, lm.cost], ['10', '10', 'no per-token price (subscription)']);
    assert(lm.notes.includes('Tokens: VS Code countTokens') && lm.notes.includes('the system prompt was sent as the first user message'), `notes: ${lm.notes}`);
    assert(/^\$0\.0\d+$/.test(gpt.cost), `gpt-4o-mini has its cost: ${gpt.cost}`);
    assert.equal(gpt.notes, '', 'no note on an API model');
    await wv.locator('body:not(.running)').waitFor({ state: 'attached', timeout: STEP_TIMEOUT });
    await ui.screenshot('14-vscode-model-beside-api-model');
    await ui.screenshotPanel('14b-vscode-model-beside-api-model-panel');
  });

  await ui.step('a VS Code model that refuses (NoPermissions): the column says so; its Select Models… opens the picker', async () => {
    const refuses = 'vscode:pp-test/refuses';
    await ui.runCommand('Prompt Profiler: Select Models…');
    await row(LM_MODEL).waitFor({ timeout: STEP_TIMEOUT });
    await toggleAndAccept([LM_MODEL, 'openai:gpt-4o-mini', refuses]);
    await ui.editor().locator('.view-line', { hasText: 'Name three' }).first().click();
    await ui.runCommand('Prompt Profiler: Profile Prompt');
    const wv = ui.webviewFrame();
    const col = wv.locator('section.column[data-status="error"]');
    await col.waitFor({ timeout: RUN_TIMEOUT });
    const message = norm(await col.locator('.error-message').innerText());
    ui.note(`error: ${JSON.stringify(message)}`);
    assert.equal(message, `VS Code did not allow Prompt Profiler to use ${refuses} (the test provider refuses this extension). Allow it when VS Code asks, or pick another model with Select Models…`);
    await ui.screenshotPanel('15-vscode-model-refused-panel');
    await col.getByRole('button', { name: 'Select Models…' }).click();
    await row(refuses).waitFor({ timeout: STEP_TIMEOUT });
    await page(ui).keyboard.press('Escape');
    await page(ui).locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
  });
}

function page(ui) {
  return ui.page;
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function norm(s) {
  return s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
}

/** Input/output tokens from a recorded request's vendor-format usage. */
export function usageOf(rec) {
  const u = rec.usage ?? {};
  if (rec.vendor === 'openai') return { input: u.prompt_tokens, output: u.completion_tokens };
  return {
    input: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0),
    output: u.output_tokens,
  };
}

/** Polls `cond` until it returns true (no fixed sleeps where a condition exists). */
export async function waitUntil(cond, timeout, what) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for: ${what}${last ? ` (${last.message ?? last})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The fake LLM server's admin API (loopback). */
function fakeAdmin(url) {
  const call = async (method, p, body) => {
    if (!url) throw new Error('PROMPT_PROFILER_FAKE_LLM_URL is not set: the walk needs the fake LLM server');
    const res = await fetch(url + p, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return { url, get: (p) => call('GET', p), post: (p, body) => call('POST', p, body ?? {}) };
}

/** Helpers over one Playwright page showing the workbench. */
export function createUi(page, { resultsDir = paths.results, log = console.log, fakeUrl } = {}) {
  fs.mkdirSync(resultsDir, { recursive: true });
  const ui = {
    page,
    steps: [],
    fake: fakeAdmin(fakeUrl),
    /** Logs what a step saw. */
    note(s) {
      log(`    ${s}`);
    },
    /** Runs one named step; on failure takes a `FAILED-…` screenshot and rethrows. */
    async step(name, fn) {
      const t0 = performance.now();
      try {
        await fn();
        const ms = Math.round(performance.now() - t0);
        ui.steps.push({ name, ok: true, ms });
        log(`  ✔ ${name} (${ms} ms)`);
      } catch (e) {
        ui.steps.push({ name, ok: false, error: String(e) });
        log(`  ✘ ${name}: ${e?.message ?? e}`);
        await ui.screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
        await ui.dumpDom(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => {});
        throw e;
      }
    },
    /** Waits until the workbench is restored and the explorer shows the folder. */
    async waitForWorkbench() {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      // The smoke-test driver (enabled by the launcher) knows when the workbench is restored.
      await page.waitForFunction(() => typeof window.driver?.whenWorkbenchRestored === 'function', null, { timeout: 60_000 });
      await page.evaluate(() => window.driver.whenWorkbenchRestored());
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    },
    /** Opens a workspace file by name through Quick Open (Ctrl+P) and waits for its editor. */
    async openFile(name) {
      await ui.focusWorkbench();
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await input.fill(name);
      // Wait for the file to be the first result, then open it.
      await page
        .locator('.quick-input-widget .monaco-list-row', { hasText: name })
        .first()
        .waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await page.keyboard.press('Enter');
      await page.locator(`.tabs-container .tab.active[aria-label^="${name}"]`).waitFor({ timeout: STEP_TIMEOUT });
      await ui.editor().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    },
    /** The active text editor's Monaco element. */
    editor() {
      return page.locator('.editor-group-container.active .monaco-editor[data-uri]').first();
    },
    /** Waits until the status bar no longer shows "Activating Extensions…". */
    async waitForExtensionsActivated() {
      await page
        .locator('.statusbar-item', { hasText: 'Activating Extensions' })
        .waitFor({ state: 'detached', timeout: 60_000 })
        .catch(() => {});
    },
    /** Writes the page's DOM to test-results/<name>.html (to find selectors). */
    async dumpDom(name) {
      const file = path.join(resultsDir, `${name}.html`);
      fs.writeFileSync(file, await page.content());
      log(`    DOM: ${path.relative(process.cwd(), file)}`);
      return file;
    },
    /** Puts keyboard focus in the workbench (not the browser chrome). */
    async focusWorkbench() {
      await page.locator('.monaco-workbench').focus().catch(() => {});
    },
    /** Selects the whole content of the active editor. */
    async selectAll() {
      await ui.editor().locator('.view-lines').click();
      await page.keyboard.press('Control+A');
    },
    /**
     * Opens the editor's context menu with a right click on the first line showing `onText` (or
     * on the text area): a right click outside the selection would move the cursor and drop it.
     */
    async rightClickEditor(onText) {
      const target = onText ? ui.editor().locator('.view-line', { hasText: onText }).first() : ui.editor().locator('.view-lines');
      await target.click({ button: 'right' });
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
    },
    /** The context-menu entry whose label is exactly `label` (`focused`: only while highlighted). */
    contextMenuItem(label, { focused = false } = {}) {
      return page
        .locator(`.context-view .monaco-menu .action-item${focused ? '.focused' : ''} a.action-menu-item`)
        .filter({ has: page.locator('.action-label', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }) })
        .first();
    },
    /**
     * Clicks the context-menu entry whose label is `label`, and waits for the menu to close. A
     * click that lands while the menu is still settling is ignored by the workbench (seen about
     * once in ten runs): while the menu stays open, the click is repeated (at most 3 times).
     */
    async clickContextMenu(label) {
      const item = ui.contextMenuItem(label);
      const menu = page.locator('.context-view .monaco-menu');
      await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      for (let attempt = 1; ; attempt++) {
        try {
          // As a user does: move onto the entry (the menu highlights it), then click.
          await item.hover({ timeout: 5_000 });
          await ui.contextMenuItem(label, { focused: true }).waitFor({ timeout: 5_000 });
          await item.click({ timeout: 5_000 });
          await menu.waitFor({ state: 'hidden', timeout: 5_000 });
          return;
        } catch (e) {
          if (!(await menu.isVisible())) return; // the click did land
          if (attempt >= 3) throw e;
          log(`    the context menu is still open after click ${attempt}: clicking "${label}" again`);
        }
      }
    },
    /** Selects the whole (logical) line of the active editor that contains `text`: a triple click. */
    async selectLine(text) {
      await ui.editor().locator('.view-line', { hasText: text }).first().click({ clickCount: 3 });
    },
    /** The CodeLens line of the active editor that contains `text` (a string or RegExp). */
    codeLens(text = / tok · /) {
      return ui.editor().locator('.codelens-decoration', { hasText: text }).first();
    },
    /** Waits for the status bar item showing the selection's tokens; returns its text. */
    async selectionStatusText() {
      const item = page.locator('.statusbar-item', { hasText: / tok · / }).first();
      await item.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      return (await item.innerText()).replace(/\u00a0/g, ' ').trim();
    },
    /** What each column of the panel shows now. */
    async readColumns() {
      return ui.webviewFrame().locator('section.column').evaluateAll((els) =>
        els.map((el) => {
          const q = (sel) => el.querySelector(sel);
          const t = (sel) => (q(sel)?.textContent ?? '').trim();
          const partial = q('.partial-label');
          return {
            model: t('.col-model'),
            status: el.getAttribute('data-status'),
            text: (q('.markdown')?.textContent ?? '').trim(),
            input: t('.metric-value.input'),
            output: t('.metric-value.output'),
            cost: t('.metric-value.cost'),
            costTitle: q('.metric-cost')?.getAttribute('title') ?? '',
            cacheHit: !q('.badge-cache')?.hidden,
            partialVisible: !!partial && !partial.hidden,
            notes: q('.col-notes')?.hidden ? '' : t('.col-notes'),
          };
        }),
      );
    },
    /** The panel's summary row. */
    async readSummary() {
      const wv = ui.webviewFrame();
      const v = async (cls) => (await wv.locator(`.summary .${cls} .sum-value`).textContent()).trim();
      return { cheapest: await v('sum-cheapest'), fastest: await v('sum-fastest'), spent: await v('sum-spent'), wall: await v('sum-wall') };
    },
    /** Runs a command through the command palette (F1), by its title. */
    async runCommand(title) {
      await ui.focusWorkbench();
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      await input.fill(`>${title}`);
      // The entry whose label is exactly `title` (the first row may be another match, e.g.
      // "Preferences: Browse Color Themes in Marketplace" for "Preferences: Color Theme").
      const row = page
        .locator('.quick-input-widget .monaco-list-row')
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }) })
        .first();
      await row.waitFor({ timeout: STEP_TIMEOUT });
      await row.click();
    },
    /**
     * The content of a webview (outer `iframe.webview`, inner `iframe#active-frame`), as a
     * Playwright FrameLocator; `index` picks one when several webviews are in the DOM.
     */
    webviewFrame({ index = 0 } = {}) {
      return page.frameLocator('iframe.webview.ready').nth(index).frameLocator('iframe#active-frame');
    },
    /** Hovers the mouse over the first occurrence of `text` in the active editor. */
    async hoverText(text) {
      await ui.editor().locator('.view-line span', { hasText: text }).first().hover();
      const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
      await hover.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      return hover.first();
    },
    /** Saves a PNG of the profile panel alone (full resolution) to test-results/<name>.png. */
    async screenshotPanel(name) {
      const file = path.join(resultsDir, `${name}.png`);
      await ui.webviewFrame().locator('#app').screenshot({ path: file });
      log(`    screenshot: ${path.relative(process.cwd(), file)}`);
      return file;
    },
    /** Saves a PNG of the page to test-results/<name>.png and returns its path. */
    async screenshot(name) {
      const file = path.join(resultsDir, `${name}.png`);
      await page.screenshot({ path: file });
      log(`    screenshot: ${path.relative(process.cwd(), file)}`);
      return file;
    },
  };
  return ui;
}

/**
 * Opens the workbench on `folder` with this repository as the development extension and runs the
 * walk. Returns { passed, failed, steps }; never throws for a failing step.
 */
export async function runUiWalk({ folder, env = {}, log = console.log } = {}) {
  let session;
  const t0 = performance.now();
  log('UI walk');
  try {
    // Re-run after a reload needs the prompt at rest, which the user allows here (issue 11).
    session = await startSession({ folder, extensionDevelopmentPath: paths.root, extensions: [paths.lmTestExtension], env, settings: { 'promptProfiler.history.includePrompts': true } });
    const ui = createUi(session.page, { log, fakeUrl: env.PROMPT_PROFILER_FAKE_LLM_URL });
    let ok = true;
    try {
      await walk(ui);
    } catch {
      ok = false;
      if (!session.closed) log(session.logTail(20));
    } finally {
      // Leave the shared fake server unpaced for whatever runs next.
      await ui.fake.post('/__admin/profiles', profiles(UNPACED)).catch(() => {});
    }
    const passed = ui.steps.filter((s) => s.ok).length;
    const failed = ui.steps.length - passed;
    log(`UI walk: ${passed} steps passed, ${failed} failed (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    return { passed, failed: ok ? failed : Math.max(failed, 1), steps: ui.steps };
  } catch (e) {
    log(`UI walk could not start: ${e?.stack ?? e}`);
    return { passed: 0, failed: 1, steps: [] };
  } finally {
    await session?.close();
  }
}

export { workbenchUrl };
