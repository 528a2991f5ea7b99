// Browser-level test of the profile panel: builds src/webview/main.ts with esbuild, serves the
// HTML shell from renderPanelHtml on 127.0.0.1, fakes `acquireVsCodeApi` before the script runs,
// drives it with host messages in headless Debian Chromium, and saves theme screenshots to
// test-results/webview-{dark,light,hc}.png and the Decide section to webview-decide-{dark,light}.png.
//
// Page-side code is passed as strings: the root tsconfig that checks this file has no DOM lib.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Page } from 'playwright-core';
import type { AnalysisView, ColumnPatch, HostToWebview, PanelState, RunSummaryView } from '../../src/webview/protocol';
import { OPENAI_COST, SEED_LIMITS, STRUCTURED_ANSWER, THEMES, column, screenshotState, seedAnalysis, startState } from './fixtures';
import { CHROMIUM, NONCE, RESULTS, ROOT, openPanel, type PanelHarness } from './harness';

describe('webview panel in Chromium', function () {
  this.timeout(30_000);
  if (!fs.existsSync(CHROMIUM)) {
    it(`SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`, function () {
      this.skip();
    });
    return;
  }

  let harness: PanelHarness;
  let origin: string;
  let page: Page;

  const posted = () => harness.posted();
  const send = (msg: HostToWebview) => harness.send(msg);
  const frames = (n?: number) => harness.frames(n);
  /** Polls a page expression (page.waitForFunction would `eval` in the page, which the CSP blocks). */
  const until = async (expr: string, timeoutMs = 5000): Promise<void> => {
    const end = Date.now() + timeoutMs;
    while (!(await page.evaluate(expr))) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${expr}`);
      await page.waitForTimeout(30);
    }
  };
  const col = (i: number, sel: string) => page.locator(`.column[data-index="${i}"] ${sel}`);
  const text = async (i: number, sel: string): Promise<string> => ((await col(i, sel).first().textContent()) ?? '').trim();
  const patch = (runId: number, patches: ColumnPatch[], running = true, summary?: RunSummaryView): HostToWebview => ({
    type: 'patch',
    runId,
    patches,
    running,
    ...(summary ? { summary } : {}),
  });

  before(async function () {
    // The Markdown renderers themselves, for the tests that compare incremental with whole renders.
    const renderers = await esbuild.build({
      absWorkingDir: ROOT,
      stdin: {
        contents: `import { renderMarkdown } from './src/webview/markdown';
          import { MarkdownStream } from './src/webview/markdownStream';
          import { RenderLoop } from './src/webview/renderLoop';
          window.__markdown = { renderMarkdown, MarkdownStream, RenderLoop };`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      target: 'es2022',
      tsconfig: 'src/webview/tsconfig.json',
      logLevel: 'silent',
    });
    harness = await openPanel({ width: 1280, height: 760 }, [renderers.outputFiles[0].text]);
    ({ page, origin } = harness);
  });

  after(async () => {
    await harness?.close();
  });

  it('serves a strict CSP with the nonce and posts ready first', async () => {
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.equal(
      csp,
      `default-src 'none'; style-src ${origin}; script-src 'nonce-${NONCE}'; img-src ${origin} data:; font-src ${origin};`,
    );
    assert.equal(await page.locator('script').count(), 1);
    // Chromium hides the nonce attribute from the DOM; the IDL property still has it.
    assert.equal(await page.evaluate('document.querySelector("script").nonce'), NONCE);
    assert.equal(await page.locator('[style]').count(), 0, 'no inline style attributes');
    assert.deepEqual((await posted())[0], { type: 'ready' });
    assert.equal((await posted()).length, 1);
    assert.equal(await page.locator('.empty').textContent(), 'Waiting for a run…');
  });

  it('draws a state and streams patches into three columns', async () => {
    await send({ type: 'state', state: startState() });
    await page.waitForSelector('.column[data-index="2"]');
    assert.equal(await page.locator('.column').count(), 3);
    assert.equal(await text(0, '.col-model'), 'gpt-4o-mini');
    assert.equal(await text(0, '.col-provider'), 'openai');
    assert.equal(await text(0, '.status-label'), 'queued');
    assert.equal(await text(0, '.placeholder'), 'Queued…');
    assert.equal(await page.locator('.prompt-preview').textContent(), 'Explain the CAP theorem in two short paragraphs.');
    assert.equal(await page.locator('.btn-stop').isEnabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Re-run', exact: true }).isEnabled(), false);

    const chunks = ['Hello, ', 'world', '! This is **bo', 'ld**.', '\n\n```js\nconst x = 1 < 2;\n```\n'];
    await send(patch(7, [{ index: 0, set: { status: 'streaming', ttftMs: 412, elapsedMs: 1000 } }, { index: 2, set: { status: 'streaming' } }]));
    for (const c of chunks) {
      await send(patch(7, [{ index: 0, append: c }, { index: 2, append: c.includes('```') ? '' : c.replace(/\*\*/g, '') }]));
    }
    // A render may wait a little after an expensive one (the throttle in ColumnView.renderText).
    await until(`document.querySelector('.column[data-index="0"] .markdown p')?.textContent === 'Hello, world! This is bold.'`);
    assert.equal(await text(0, '.markdown p'), 'Hello, world! This is bold.');
    assert.equal(await text(0, '.markdown p strong'), 'bold');
    assert.equal(await text(0, '.markdown pre code'), 'const x = 1 < 2;');
    assert.equal(await text(0, '.status-label'), 'streaming');
    assert.equal(await text(0, '.metric-value.ttft'), '412 ms');
    // While streaming, the host's local count: "≈" output tokens and tok/s, explained on hover.
    await send(patch(7, [{ index: 0, set: { outputTokens: 36, outputTokensPerSec: 15.7, outputLive: true } }]));
    await frames();
    assert.equal(await text(0, '.metric-value.output'), '≈ 36');
    assert.equal(await text(0, '.metric-value.rate'), '≈ 16 tok/s');
    assert.match((await col(0, '.metric-output').getAttribute('title')) ?? '', /^≈ counted locally while the answer streams/);
    assert.equal(await text(0, '.metric-value.input'), '—', 'the input is not estimated');
    // The clock ticks locally from the host's last elapsedMs (1000 ms).
    await page.waitForTimeout(350);
    const elapsed = await text(0, '.metric-value.elapsed');
    const secs = Number(/^([\d.]+) s$/.exec(elapsed)?.[1]);
    assert.ok(secs >= 1.3 && secs < 5, `elapsed ticks: ${elapsed}`);
    assert.equal(await text(0, '.metric-value.cost'), '—');
    // Stale patches (another run) are ignored.
    await send(patch(6, [{ index: 0, append: 'STALE' }]));
    await frames();
    assert.ok(!(await text(0, '.markdown')).includes('STALE'));
  });

  it('neutralises HTML in answers', async () => {
    const evil =
      '\n\n<script>window.__xss = 1</script>\n\n<img src=x onerror="window.__xss = 2">\n\n[click](javascript:window.__xss=3) <b onmouseover="window.__xss=4">b</b>\n';
    await send(patch(7, [{ index: 1, set: { status: 'streaming' }, append: evil }]));
    await frames();
    const md = col(1, '.markdown');
    assert.equal(await md.locator('script, img, b, [onerror], [onmouseover]').count(), 0);
    assert.equal(await md.locator('a[href^="javascript"]').count(), 0);
    assert.ok((await md.textContent())!.includes('<script>window.__xss = 1</script>'), 'raw HTML shows as text');
    await page.waitForTimeout(50);
    assert.equal(await page.evaluate('window.__xss'), undefined);
  });

  it('shows exact costs, "no price", "≈" tokens, the cache-hit badge and an error with partial output', async () => {
    const summary: RunSummaryView = {
      cheapest: { modelId: 'openai:gpt-4o-mini', total: 0.0005238 },
      fastest: { modelId: 'openai:gpt-4o-mini', latencyMs: 2340 },
      totalSpent: null,
      wallMs: null,
    };
    await send(
      patch(
        7,
        [
          {
            index: 0,
            set: {
              status: 'done',
              latencyMs: 2340,
              elapsedMs: 2340,
              outputTokensPerSec: 87.44,
              inputTokens: 1234,
              outputTokens: 567,
              cacheReadTokens: 1024,
              cost: OPENAI_COST,
              waits: { queuedMs: 1200, retryWaitMs: 2000, attempts: 2, cacheReadMs: null },
            },
          },
          {
            index: 1,
            set: {
              status: 'done', cacheHit: true, usageEstimated: true, inputTokens: 1234, outputTokens: 12345, cost: null, latencyMs: null, elapsedMs: 15,
              waits: { queuedMs: 0, retryWaitMs: 0, attempts: 0, cacheReadMs: 15 }, truncatedAt: 12345,
            },
          },
          { index: 2, append: ' and then', set: { status: 'error', error: { kind: 'rate_limit', message: '429 Too Many Requests' } } },
        ],
        true,
        summary,
      ),
    );
    await frames();
    assert.equal(await text(0, '.status-label'), 'done');
    assert.equal(await text(0, '.metric-value.cost'), '$0.000524');
    const tip = (await col(0, '.metric-cost').getAttribute('title')) ?? '';
    assert.equal(
      tip,
      [
        'Total: $0.000524',
        'Input (uncached): $0.000124',
        'Cache read: $0',
        'Cache write: $0',
        'Output: $0.0004',
        'Prices: @pydantic/genai-prices 0.1.8 (data 2026-10-30) · OpenAI · GPT-4o mini',
      ].join('\n'),
    );
    assert.equal(await text(0, '.metric-value.elapsed'), '2.34 s');
    assert.equal(await text(0, '.metric-value.rate'), '87.4 tok/s');
    assert.equal(await text(0, '.metric-value.input'), '1,234');
    assert.equal(await text(0, '.metric-value.output'), '567');
    assert.equal(await col(0, '.badge-cache').isVisible(), false);
    // The waits are shown apart from the model's Time and TTFT.
    assert.equal(await text(0, '.col-waits'), 'queued 1.20 s · retry waits 2.00 s (2 attempts)');
    assert.equal(await text(1, '.col-waits'), 'read from the answer cache in 15 ms');
    assert.equal(await text(1, '.metric-value.elapsed'), '15 ms');
    assert.equal(await col(2, '.col-waits').isVisible(), false, 'no wait, no line');

    assert.equal(await text(1, '.metric-value.cost'), 'no price');
    // Cut at the max-tokens cap: said in the status badge.
    assert.equal(await text(1, '.status-label'), 'truncated at 12,345 tokens');
    assert.equal(await col(1, '.badge.status-truncated').isVisible(), true);
    assert.equal(await text(1, '.metric-value.input'), '≈ 1,234');
    assert.equal(await text(1, '.metric-value.output'), '≈ 12,345');
    assert.equal(await col(1, '.badge-cache').isVisible(), true);
    assert.equal(await text(1, '.badge-cache'), 'cache hit');

    assert.equal(await text(2, '.status-label'), 'error');
    assert.equal(await col(2, '.partial-label').isVisible(), true);
    assert.equal(await text(2, '.partial-label'), 'partial');
    assert.equal(await text(2, '.markdown p'), 'Hello, world! This is bold. and then');
    assert.equal(await text(2, '.error-kind'), 'Error: rate_limit');
    assert.equal(await text(2, '.error-message'), '429 Too Many Requests');
    // The partial output sits above the error.
    const order = await page.evaluate(
      `(() => { const c = document.querySelector('.column[data-index="2"]');
        return !!(c.querySelector('.markdown').compareDocumentPosition(c.querySelector('.col-error')) & Node.DOCUMENT_POSITION_FOLLOWING); })()`,
    );
    assert.equal(order, true);
    assert.equal(await page.locator('.column[data-index="0"] .col-error').isVisible(), false);

    assert.equal(await page.locator('.sum-cheapest .sum-value').textContent(), 'openai:gpt-4o-mini · $0.000524');
    assert.equal(await page.locator('.sum-fastest .sum-value').textContent(), 'openai:gpt-4o-mini · 2.34 s');
    assert.equal(await page.locator('.sum-spent .sum-value').textContent(), 'no price for some models');
    assert.equal(await page.locator('.summary').getAttribute('aria-live'), 'polite');
  });

  it('posts retry, copy, stop and rerun', async () => {
    await col(2, 'button:has-text("Retry")').click();
    await col(0, 'button:has-text("Copy")').click();
    await page.locator('.btn-stop').click();
    assert.equal(await page.locator('.btn-stop').isEnabled(), false, 'Stop is disabled once pressed');
    let log = await posted();
    assert.deepEqual(log.slice(-3), [{ type: 'retry', index: 2 }, { type: 'copy', index: 0 }, { type: 'stop' }]);

    await send(
      patch(7, [], false, {
        cheapest: { modelId: 'openai:gpt-4o-mini', total: 0.0005238 },
        fastest: { modelId: 'openai:gpt-4o-mini', latencyMs: 2340 },
        totalSpent: null,
        wallMs: 3500,
      }),
    );
    await frames();
    assert.equal(await page.locator('.sum-wall .sum-value').textContent(), '3.50 s');
    assert.equal(await page.locator('.btn-stop').isEnabled(), false);
    await page.getByRole('button', { name: 'Re-run', exact: true }).click();
    await page.getByRole('button', { name: 'Re-run without cache' }).click();
    log = await posted();
    assert.deepEqual(log.slice(-2), [
      { type: 'rerun', bypassCache: false },
      { type: 'rerun', bypassCache: true },
    ]);
    assert.deepEqual(
      log.map((m) => m.type),
      ['ready', 'retry', 'copy', 'stop', 'rerun', 'rerun'],
    );
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  });

  it('redraws from getState after a reload, before the host answers', async () => {
    const saved = (await page.evaluate(`JSON.parse(sessionStorage.getItem('__ppWebviewState'))`)) as { state: PanelState };
    assert.equal(saved.state.runId, 7);
    assert.equal(saved.state.running, false);
    assert.equal(saved.state.columns[0].output, 'Hello, world! This is **bold**.\n\n```js\nconst x = 1 < 2;\n```\n');
    await page.reload();
    await page.waitForSelector('.column[data-index="2"]');
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    assert.equal(await text(0, '.metric-value.cost'), '$0.000524');
    assert.equal(await text(0, '.markdown p'), 'Hello, world! This is bold.');
    assert.equal(await text(1, '.metric-value.cost'), 'no price');
    // Cut at the max-tokens cap: said in the status badge.
    assert.equal(await text(1, '.status-label'), 'truncated at 12,345 tokens');
    assert.equal(await col(1, '.badge.status-truncated').isVisible(), true);
    assert.equal(await text(2, '.error-kind'), 'Error: rate_limit');
    assert.equal(await page.locator('.sum-wall .sum-value').textContent(), '3.50 s');
  });

  it('re-renders a long streamed answer at most once per frame', async () => {
    const state: PanelState = { ...startState(9), columns: [column(0, { status: 'streaming' })] };
    await send({ type: 'state', state });
    await page.waitForSelector('.column[data-index="0"] .markdown', { state: 'attached' });
    const para = 'Lorem ipsum dolor sit amet, **consectetur** adipiscing elit, sed do eiusmod tempor incididunt. ';
    const n = 400; // ~40 kB, about 10k tokens, two patches every few ms: faster than frames
    const result = (await page.evaluate(`(async () => {
      const md = document.querySelector('.column[data-index="0"] .markdown');
      let renders = 0, frames = 0, counting = true;
      new MutationObserver((records) => { if (records.some((r) => r.target === md && r.addedNodes.length)) renders++; })
        .observe(md, { childList: true });
      (function f() { frames++; if (counting) requestAnimationFrame(f); })();
      for (let i = 0; i < ${n}; i++) {
        const text = ${JSON.stringify(para)} + (i % 20 === 19 ? '\\n\\n' : '');
        window.postMessage({ type: 'patch', runId: 9, running: true, patches: [{ index: 0, append: text }] }, '*');
        if (i % 2) await new Promise((r) => setTimeout(r, 2));
      }
      window.postMessage({ type: 'patch', runId: 9, running: false, patches: [{ index: 0, set: { status: 'done' } }] }, '*');
      // The finished answer is drawn at the render loop's next pass.
      const expected = ${JSON.stringify(para.replace(/\*\*/g, '').repeat(n).replace(/\s+/g, ' ').trim())};
      for (let i = 0; i < 100 && md.textContent.replace(/\\s+/g, ' ').trim() !== expected; i++) await new Promise((r) => setTimeout(r, 20));
      counting = false;
      return { renders, frames, text: md.textContent.replace(/\\s+/g, ' ').trim() };
    })()`)) as { renders: number; frames: number; text: string };
    assert.ok(result.renders < n / 2, `renders ${result.renders} for ${n} patches`);
    assert.ok(result.renders <= result.frames + 1, `renders ${result.renders} > frames ${result.frames}`);
    assert.equal(result.text, para.replace(/\*\*/g, '').repeat(n).replace(/\s+/g, ' ').trim());
  });

  it('a streaming column redraws only its trailing block: finished blocks keep their DOM (counted with a MutationObserver)', async () => {
    const state: PanelState = { ...startState(12), columns: [column(0, { status: 'streaming' })] };
    await send({ type: 'state', state });
    await page.waitForSelector('.column[data-index="0"] .markdown', { state: 'attached' });
    const answer = STRUCTURED_ANSWER.repeat(4);
    const r = (await page.evaluate(`(async () => {
      const md = document.querySelector('.column[data-index="0"] .markdown');
      const added = new Set(), removed = new Set();
      let callbacks = 0, innerMutations = 0, maxRemovedElements = 0, notTrailing = 0;
      new MutationObserver((records) => {
        callbacks++;
        const gone = new Set(records.flatMap((r) => [...r.removedNodes]));
        let elements = 0;
        for (const r of records) {
          if (r.target !== md) { innerMutations++; continue; }
          for (const n of r.addedNodes) added.add(n);
          for (const n of r.removedNodes) {
            removed.add(n);
            if (n.nodeType === 1) elements++;
            // Trailing: nothing that stays comes after a removed node.
            for (let s = r.nextSibling; s; s = s.nextSibling) if (!gone.has(s)) { notTrailing++; break; }
          }
        }
        maxRemovedElements = Math.max(maxRemovedElements, elements);
      }).observe(md, { childList: true, subtree: true, characterData: true, attributes: true });
      const text = ${JSON.stringify(answer)};
      for (let i = 0; i < text.length; i += 9) {
        window.postMessage({ type: 'patch', runId: 12, running: true, patches: [{ index: 0, append: text.slice(i, i + 9) }] }, '*');
        // Past the render loop's minimum interval between passes (100 ms): a pass draws each group.
        if (i % 72 === 0) await new Promise((r) => setTimeout(r, 110));
      }
      await new Promise((r) => setTimeout(r, 150));
      const streamed = { renders: callbacks, innerMutations, maxRemovedElements, notTrailing };
      const kept = [...md.children].slice(0, -1);
      const keptIntact = kept.every((n) => added.has(n) && !removed.has(n));
      window.postMessage({ type: 'patch', runId: 12, running: false, patches: [{ index: 0, set: { status: 'done' } }] }, '*');
      await new Promise((r) => setTimeout(r, 100));
      return { ...streamed, blocks: md.children.length, kept: kept.length, keptIntact, html: md.innerHTML, whole: window.__markdown.renderMarkdown(text) };
    })()`)) as { renders: number; innerMutations: number; maxRemovedElements: number; notTrailing: number; blocks: number; kept: number; keptIntact: boolean; html: string; whole: string };
    assert.ok(r.renders > 20, `the answer was drawn in many renders while it streamed (${r.renders})`);
    assert.equal(r.innerMutations, 0, 'no render edits inside a block: blocks are added or replaced whole');
    assert.equal(r.notTrailing, 0, 'every node a render removed was at the end (the trailing block)');
    assert.ok(r.maxRemovedElements <= 2, `a render replaces at most the trailing block (and the one it just finished): ${r.maxRemovedElements} elements`);
    assert.equal(r.kept, 8 * 4 - 1, 'eight blocks per copy of the answer, all but the last finished');
    assert.ok(r.keptIntact, 'every block before the trailing one is the node first drawn for it');
    assert.equal(r.blocks, r.kept + 1);
    assert.equal(r.html, r.whole, 'the finished answer is exactly one render of the whole text');
  });

  it('incremental Markdown equals one render of the same text at every step (lists, fences, tables, setext, quotes)', async () => {
    const texts = [
      '1. one\n\n2. two\n\n3. three\n\npara after\n',
      '- a\n- b\n\n- c\n\nafter\n\n* star\n+ plus\n',
      'Title\n=====\n\ntext\nmore\n---\n\nend',
      '```js\nconst a = 1 < 2;\n\nconst b = 2;\n```\n\nafter\n\n~~~\nunclosed\n\n',
      'a | b\n--|:-:\n1 | 2\n3 | 4\n\nx',
      '> quote\nlazy\n\n> q2\n\n    indented code\n\n    more code\n\ntext',
      '- item\n\n  continued\n\n- next\n    - sub\n\nend\n2) two\n\n10. ten\n11. eleven',
      '<div>\n\n*x*</div>\n\n# H1 #\n## H2\n***\n',
      'p1 line\n\np2 a longer line\n\n- x\n- y\n\n  cont\n\n3. z\n\n    code\n\n> q\n\n> r\n-\n- item\n',
    ];
    const mismatches = (await page.evaluate(`(() => {
      const { MarkdownStream, renderMarkdown } = window.__markdown;
      const out = [];
      for (const text of ${JSON.stringify(texts)}) {
        const el = document.createElement('div');
        const stream = new MarkdownStream(el);
        for (let n = 1; n <= text.length; n++) {
          stream.update(text.slice(0, n), false);
          if (el.innerHTML !== renderMarkdown(text.slice(0, n))) { out.push({ prefix: text.slice(0, n), got: el.innerHTML }); break; }
        }
        stream.update(text, true);
        if (el.innerHTML !== renderMarkdown(text)) out.push({ final: text, got: el.innerHTML });
      }
      return out;
    })()`)) as unknown[];
    assert.deepEqual(mismatches, []);
    // A reference defined after its use changes an earlier block: the finished answer is checked whole.
    const ref = 'see [the docs][d]\n\nmore text\n\n[d]: http://127.0.0.1/docs\n';
    const html = (await page.evaluate(`(() => {
      const { MarkdownStream } = window.__markdown;
      const el = document.createElement('div');
      const stream = new MarkdownStream(el);
      const text = ${JSON.stringify(ref)};
      for (let n = 1; n <= text.length; n++) stream.update(text.slice(0, n), false);
      stream.update(text, true);
      return el.innerHTML;
    })()`)) as string;
    assert.equal(html, '<p>see <a href="http://127.0.0.1/docs">the docs</a></p>\n<p>more text</p>\n');
  });

  it('the render loop: every view reads before any writes, one layout per pass, a budget for the whole panel, the longest-waiting first', async () => {
    const r = (await page.evaluate(`(async () => {
      const { RenderLoop } = window.__markdown;
      const calls = [];
      let clock = 10000;
      const views = [4, 0, 3, 1, 2].map((age) => ({
        id: age, needsRender: true, waitingSince: clock - 1000 * age, late: null,
        measure() { calls.push('measure ' + this.id); },
        render() { calls.push('render ' + this.id); clock += 5; this.needsRender = false; },
        settle() { calls.push('settle ' + this.id); },
        setCatchingUp(on) { this.late = on; },
      }));
      const loop = new RenderLoop(() => views, () => calls.push('layout'), { budgetMs: 8, catchUpMs: 2500, now: () => clock });
      loop.schedule();
      loop.schedule(); // asked twice: one pass
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      const firstPass = calls.splice(0);
      for (let i = 0; i < 100 && views.some((v) => v.needsRender); i++) await new Promise((r) => setTimeout(r, 10));
      return { firstPass, rest: calls, late: views.map((v) => [v.id, v.late]) };
    })()`)) as { firstPass: string[]; rest: string[]; late: [number, boolean][] };
    // Five views waiting 4, 0, 3, 1 and 2 s; each render costs 5 ms against an 8 ms budget: the
    // two that waited longest draw in the first pass, the other three in the next ones.
    assert.deepEqual(r.firstPass, [
      'measure 4', 'measure 3', 'measure 2', 'measure 1', 'measure 0',
      'render 4', 'render 3',
      'settle 4', 'settle 3',
      'layout',
    ]);
    assert.deepEqual(r.rest, ['measure 2', 'measure 1', 'measure 0', 'render 2', 'render 1', 'settle 2', 'settle 1', 'layout', 'measure 0', 'render 0', 'settle 0', 'layout']);
    // Waiting over 2.5 s when its pass began: catching up.
    assert.deepEqual(r.late, [[4, true], [0, false], [3, true], [1, false], [2, false]]);
  });

  it('the render loop: passes begin at least minIntervalMs apart, however cheap they are (each is a frame for the whole window)', async () => {
    const starts = (await page.evaluate(`(async () => {
      const { RenderLoop } = window.__markdown;
      const starts = [];
      const view = {
        needsRender: false, waitingSince: 0,
        measure() { starts.push(performance.now()); },
        render() { this.needsRender = false; },
        settle() {},
        setCatchingUp() {},
      };
      const loop = new RenderLoop(() => [view], () => {}, { minIntervalMs: 100 });
      // Text arrives again as soon as a pass has drawn it: the loop is asked at once each time.
      for (let i = 0; i < 4; i++) {
        view.needsRender = true;
        loop.schedule();
        while (view.needsRender) await new Promise((r) => setTimeout(r, 1));
      }
      return starts;
    })()`)) as number[];
    assert.equal(starts.length, 4);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    assert.ok(gaps.every((g) => g >= 99), `passes began ${gaps.map((g) => g.toFixed(0)).join(', ')} ms apart`);
  });

  it('keeps columns at least 220 px wide and scrolls horizontally when there are many', async () => {
    const many: PanelState = { ...startState(10), columns: Array.from({ length: 8 }, (_, i) => column(i, { repeat: i })) };
    await send({ type: 'state', state: many });
    await page.waitForSelector('.column[data-index="7"]');
    const m = (await page.evaluate(`(() => {
      const c = document.querySelector('.columns');
      return { scroll: c.scrollWidth, client: c.clientWidth,
        widths: [...document.querySelectorAll('.column')].map((e) => e.getBoundingClientRect().width) };
    })()`)) as { scroll: number; client: number; widths: number[] };
    assert.ok(m.scroll > m.client, 'horizontal scroll');
    assert.ok(m.widths.every((w) => w >= 220), m.widths.join());
    assert.equal(await text(7, '.col-repeat'), 'run 8');
    assert.equal(await col(7, 'button:has-text("Copy")').isEnabled(), false, 'nothing to copy yet');
  });

  it('renders in dark, light and high-contrast themes (screenshots)', async () => {
    fs.mkdirSync(RESULTS, { recursive: true });
    await send({ type: 'state', state: screenshotState() });
    await page.waitForSelector('.column[data-index="3"]');
    for (const [name, theme] of Object.entries(THEMES)) {
      await harness.applyTheme(name as keyof typeof THEMES);
      const bg = await page.evaluate('getComputedStyle(document.body).backgroundColor');
      assert.equal(bg, hexToRgb(theme.vars['editor-background']), `${name} background`);
      await page.screenshot({ path: path.join(RESULTS, `webview-${name}.png`) });
    }
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  });

  // ---- Decide ----------------------------------------------------------------------------------

  /** Non-transparent pixels of the chart canvas (Chart.js drew something). */
  const inkedPixels = async (): Promise<number> =>
    (await page.evaluate(`(() => {
      const c = document.querySelector('.decide-canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    })()`)) as number;
  const canvasHash = async (): Promise<string> =>
    (await page.evaluate(`(() => {
      const c = document.querySelector('.decide-canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let h = 0;
      for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
      return String(h);
    })()`)) as string;
  const points = async (): Promise<{ id: string; x: number; y: number }[]> =>
    JSON.parse((await page.locator('.decide-canvas').getAttribute('data-points')) ?? '[]');
  const recText = async (): Promise<string> =>
    `${(await page.locator('.rec-head').textContent()) ?? ''} | ${(await page.locator('.rec-reason').textContent()) ?? ''}`.replace(/\s+/g, ' ').trim();

  it('Decide: hidden until the host posts an analysis of the current run', async () => {
    await harness.applyTheme('dark');
    await send({ type: 'state', state: { ...startState(11), running: false } });
    await page.waitForSelector('.column[data-index="2"]');
    assert.equal(await page.locator('section.decide').isVisible(), false);
    assert.equal(await page.locator('.btn-decide').isVisible(), false, 'nothing to go to yet');
    // An analysis of another run is stale.
    await send({ type: 'analysis', analysis: seedAnalysis(10) });
    await frames();
    assert.equal(await page.locator('section.decide').isVisible(), false);
    // The run's last patch carries its first analysis.
    await send({ ...patch(11, [], false), analysis: seedAnalysis(11, {}) } as HostToWebview);
    await page.locator('section.decide').waitFor({ state: 'visible' });
    assert.match(await recText(), /^Recommended: GPT-3\.5 \+ caching \+ prompt eng \| /);
    // "Decide ↓" in the toolbar scrolls the panel down to the section.
    await page.getByRole('button', { name: 'Decide ↓' }).click();
    await until(`document.getElementById('app').scrollTop > 100`);
    const top = (await page.evaluate(`document.querySelector('section.decide').getBoundingClientRect().top`)) as number;
    assert.ok(Math.abs(top) < 20, `the section is at the top of the panel (${top})`);
  });

  it('Decide: draws the chart with Chart.js under the strict CSP, the frontier and the recommendation', async () => {
    await send({ type: 'limits', requirements: SEED_LIMITS });
    await send({ type: 'analysis', analysis: seedAnalysis(11) });
    await frames();
    await page.locator('section.decide').waitFor({ state: 'visible' });
    await page.locator('section.decide').scrollIntoViewIfNeeded();
    await until(`JSON.parse(document.querySelector('.decide-canvas').dataset.points || '[]').length === 6`);
    await frames();
    assert.ok((await inkedPixels()) > 2000, 'the chart canvas has been drawn');
    // Chart.js sizes the canvas through the CSSOM, never with a <style> element or a blocked attribute.
    assert.equal(await page.locator('style').count(), 0, 'no <style> element was injected');
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
    // The limit inputs show the settings.
    assert.equal(await page.locator('#limit-maxLatencyS').inputValue(), '1');
    assert.equal(await page.locator('#limit-maxCostPer1k').inputValue(), '5');
    assert.equal(await page.locator('#limit-minQuality').inputValue(), '0.85');
    // The frontier: four members (the seed's printed output forgets "GPT-3.5 + caching").
    const frontier = await page.locator('tr.opt-row.on-frontier .opt-name').allTextContents();
    assert.deepEqual(
      frontier.map((t) => t.replace(/^\S+( \S+)? (?=GPT)/, '')),
      ['GPT-3.5 + caching', 'GPT-3.5 + caching + prompt eng', 'GPT-4 + caching', 'GPT-4-turbo + caching'],
    );
    assert.equal(await page.locator('tr.opt-row').count(), 7);
    assert.match(await recText(), /^Recommended: GPT-3\.5 \+ caching \+ prompt eng \| GPT-3\.5 \+ caching \+ prompt eng: lowest cost per quality point/);
    // Every percentile with its n, every quality with its source and n.
    const row = page.locator('tr.opt-row[data-id="openai:gpt-4-turbo|answer-cache"] td');
    assert.deepEqual(await row.allTextContents(), ['answer cache GPT-4-turbo + caching', '$4.00', '960 ms · 1.2 s (n=3)', '0.90 (judge, n=3)', '◆ frontier']);
    // The latency is the model's, and says so; the run's queue and retry waits are shown apart.
    assert.equal(await page.locator('.options-table th').nth(2).textContent(), 'Model latency p50 · p95 (n)');
    assert.match(
      (await page.locator('.assumptions').textContent())!,
      /Latency is the model's, on the wire \(the answering attempt, from the request to the last byte\); waits are not in it: queued p95 850 ms, 3 calls retried \(retry waits p95 2\.00 s\)\.$/,
    );
    assert.equal(
      await page.locator('tr.opt-row[data-id="openai:gpt-4|batch"] .frontier-cell').textContent(),
      'no known Batch API price for this provider',
    );
    // The judge's own cost, apart from the options.
    assert.match((await page.locator('.judge-line').textContent()) ?? '', /^Judge openai:gpt-4o: 9 answers scored · \$0\.0123 spent on judging — not part of any option's cost/);
    // Routing: the cheapest model that met the bar (as-is options: GPT-4 0.92 at $10, GPT-3.5 0.78).
    assert.match((await page.locator('.routing-bar').textContent()) ?? '', /met your quality bar on this prompt: openai:gpt-4 — /);
    assert.deepEqual(await page.locator('.routing-table tbody tr').first().locator('td').allTextContents(), [
      'classification',
      'cheap tier',
      'openai:gpt-4o-mini',
      'not in this run',
    ]);
  });

  it('Decide: changing a limit changes the recommendation at once and saves it through the host', async () => {
    const before = await canvasHash();
    const n0 = (await posted()).length;
    await page.locator('#limit-minQuality').fill('0.9');
    assert.match(await recText(), /^Nothing meets your limits — failing: min quality\. Closest: /);
    await page.locator('#limit-maxLatencyS').fill('1.5');
    assert.match(await recText(), /^Recommended: GPT-4-turbo \+ caching/);
    await frames();
    assert.notEqual(await canvasHash(), before, 'the chart was redrawn for the new limits');
    // One debounced message with the final limits (not one per keystroke).
    await until(`window.__posted.some((m) => m.type === 'setLimits')`);
    const sent = (await posted()).slice(n0);
    assert.deepEqual(sent, [{ type: 'setLimits', requirements: { maxLatencyS: 1.5, maxCostPer1k: 5, minQuality: 0.9 } }]);
    // Not a number: flagged, nothing recomputed or sent.
    await page.locator('#limit-maxCostPer1k').fill('-1');
    assert.equal(await page.locator('#limit-maxCostPer1k').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('.limits-error').textContent()) ?? '', /Max cost per 1k calls: USD, 0 or more/);
    assert.match(await recText(), /^Recommended: GPT-4-turbo \+ caching/);
    await page.locator('#limit-maxCostPer1k').fill('5');
    assert.equal(await page.locator('#limit-maxCostPer1k').getAttribute('aria-invalid'), null);
    // Valid again: saved again (the same limits), once the typing stopped.
    await until(`window.__posted.filter((m) => m.type === 'setLimits').length === 2`);
    // The host's echo of the saved settings leaves the inputs as typed.
    await send({ type: 'limits', requirements: { maxLatencyS: 1.5, maxCostPer1k: 5, minQuality: 0.9 } });
    await frames();
    assert.equal(await page.locator('#limit-maxLatencyS').inputValue(), '1.5');
  });

  it('Decide: hover shows a tooltip, a click selects the option and shows its details', async () => {
    const pts = await points();
    const target = pts.find((p) => p.id === 'openai:gpt-3.5-turbo')!;
    assert.ok(target, 'GPT-3.5 no caching is plotted');
    const box = (await page.locator('.decide-canvas').boundingBox())!;
    const before = await canvasHash();
    await page.mouse.move(box.x + target.x, box.y + target.y);
    await frames(3);
    assert.notEqual(await canvasHash(), before, 'the tooltip was drawn');
    await page.mouse.click(box.x + target.x, box.y + target.y);
    await frames();
    const details = ((await page.locator('.option-details').textContent()) ?? '').replace(/\s+/g, ' ');
    assert.match(details, /GPT-3\.5 no caching/);
    assert.match(details, /p95 800 ms · p99 800 ms \(n=3, measured: 3 runs\)/);
    assert.match(details, /quality: 0\.78 from judge \(n=3\)/);
    assert.match(details, /dominated by GPT-3\.5 \+ caching/);
    assert.equal(await page.locator('tr.opt-row[data-id="openai:gpt-3.5-turbo"]').getAttribute('aria-current'), 'true');
    // Keyboard: a table row selects too.
    await page.locator('tr.opt-row[data-id="openai:gpt-4|answer-cache"]').focus();
    await page.keyboard.press('Enter');
    assert.match((await page.locator('.option-details').textContent()) ?? '', /GPT-4 \+ caching/);
  });

  it('Decide: a rating posts a rate message; measuring prompt caching is a request to the host', async () => {
    const n0 = (await posted()).length;
    await page.locator('tr[data-model="openai:gpt-3.5-turbo"] button[data-rating="4"]').click();
    await page.locator('.btn-measure').click();
    assert.deepEqual((await posted()).slice(n0), [
      { type: 'rate', modelId: 'openai:gpt-3.5-turbo', rating: 4 },
      { type: 'measurePromptCache' },
    ]);
    assert.equal(await page.locator('.btn-measure').isDisabled(), true);
    // The host answers with the rating applied: the quality in use says "rating".
    const a = seedAnalysis(11);
    a.models[1] = { ...a.models[1], rating: 4, quality: { value: 0.75, source: 'rating', n: 1, detail: 'your rating (4/5)' } };
    await send({ type: 'analysis', analysis: a });
    await frames();
    assert.equal(await page.locator('tr[data-model="openai:gpt-3.5-turbo"] button[data-rating="4"]').getAttribute('aria-pressed'), 'true');
    assert.match((await page.locator('tr[data-model="openai:gpt-3.5-turbo"] .q-value').textContent()) ?? '', /^0\.75 \(rating, n=1\)/);
    assert.equal(await page.locator('tr[data-model="openai:gpt-3.5-turbo"] .q-judge').textContent(), '0.78 (n=3)');
    // The limits the user set survive the new analysis.
    assert.match(await recText(), /^Recommended: GPT-4-turbo \+ caching/);
  });

  it("Decide: a whole answer can be pinned as the judge's reference; the column and the section show it; unpin", async () => {
    const pin = (i: number) => col(i, '.pin-btn');
    const refText = async () => (await page.locator('.reference-text').textContent()) ?? '';
    await send(
      patch(
        11,
        [
          { index: 0, append: 'CAP: pick two.', set: { status: 'done' } },
          { index: 1, append: 'A partial answ', set: { status: 'error', error: { kind: 'stream_cut', message: 'The stream was cut.' } } },
        ],
        true,
      ),
    );
    await frames();
    assert.deepEqual([await pin(0).isDisabled(), await pin(1).isDisabled(), await pin(2).isDisabled()], [false, true, true], 'only a whole answer');
    assert.deepEqual([await pin(0).textContent(), await pin(0).getAttribute('aria-pressed')], ['Pin', 'false']);
    assert.equal(await pin(0).getAttribute('aria-label'), "Pin the answer of openai:gpt-4o-mini as the judge's reference");
    assert.equal(await refText(), "No reference answer: the judge grades against the rubric alone. Pin a column's answer, or add reference: to the prompt file's front matter.");
    assert.equal(await page.locator('.reference-line button').isVisible(), false);
    const n0 = (await posted()).length;
    await pin(0).click();
    assert.deepEqual((await posted()).slice(n0), [{ type: 'pinReference', index: 0 }]);

    // The host pinned it and the judge graded against it.
    const seed = seedAnalysis(11);
    const pinned: AnalysisView = { ...seed, judge: { ...seed.judge!, withReference: true }, reference: { source: 'pinned', modelId: 'openai:gpt-4o-mini', text: 'CAP: pick two.' } };
    await send({ type: 'analysis', analysis: pinned });
    await frames();
    assert.deepEqual([await pin(0).textContent(), await pin(0).getAttribute('aria-pressed')], ['Reference ✓', 'true']);
    assert.equal(await refText(), 'Reference answer: the answer of openai:gpt-4o-mini you pinned (14 characters).');
    assert.match((await page.locator('.judge-line').textContent()) ?? '', /; graded against the reference answer\.$/);
    // The pressed pin and the section's Unpin both unpin.
    const n1 = (await posted()).length;
    await pin(0).click();
    await page.locator('.reference-line button').click();
    assert.deepEqual((await posted()).slice(n1), [{ type: 'unpinReference' }, { type: 'unpinReference' }]);

    // The prompt file's reference: nothing to unpin in the panel, no column pressed; no judge yet.
    const fromFile: AnalysisView = { ...seed, judge: null, assumptions: { ...seed.assumptions, judgeModel: null }, reference: { source: 'prompt file', modelId: null, text: 'CAP: pick two.' } };
    await send({ type: 'analysis', analysis: fromFile });
    await frames();
    assert.equal(await pin(0).getAttribute('aria-pressed'), 'false');
    assert.equal(await page.locator('.reference-line button').isVisible(), false);
    assert.equal(
      await refText(),
      "Reference answer: from the prompt file's front matter (14 characters); pinning a column's answer replaces it. It is used once a judge model is set.",
    );
    await send({ type: 'analysis', analysis: seed });
    await frames();
  });

  it('Decide: screenshots in dark and light themes, restored after a reload', async () => {
    fs.mkdirSync(RESULTS, { recursive: true });
    // Tall enough for the whole section (an element screenshot cannot scroll inside the panel).
    await page.setViewportSize({ width: 1280, height: 1500 });
    for (const name of ['dark', 'light'] as const) {
      await harness.applyTheme(name);
      await frames(2);
      await page.locator('section.decide').scrollIntoViewIfNeeded();
      await page.locator('section.decide').screenshot({ path: path.join(RESULTS, `webview-decide-${name}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 760 });
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
    await page.evaluate('new Promise((r) => setTimeout(r, 1100))');
    await page.reload();
    await page.locator('section.decide').waitFor({ state: 'visible' });
    assert.match(await recText(), /^Recommended: GPT-4-turbo \+ caching/);
    assert.equal(await page.locator('#limit-maxLatencyS').inputValue(), '1.5');
    await until(`JSON.parse(document.querySelector('.decide-canvas').dataset.points || '[]').length === 6`);
    assert.ok((await inkedPixels()) > 2000, 'the chart is drawn again after the reload');
    assert.deepEqual(await page.evaluate('window.__cspViolations'), []);
  });
});

function hexToRgb(hex: string): string {
  const n = parseInt(hex.slice(1, 7), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
