// Inline estimates at scale, in the real VS Code: our own language id (the built-in Markdown
// extension leaves `.prompt` files alone), VS Code's own prompt files counted as prompts, a
// keystroke in a 1 MB prompt re-encoding one chunk (encoder calls counted through an injected
// encoding), a large prompt counted in the count worker (approximate and labelled while typing,
// exact once typing stops), and typing in another document costing the CodeLens nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatInt, formatUsd } from '../../src/core/format';
import type { CountingEncoding } from '../../src/core/prompt/chunked';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { APPROXIMATE_METHOD, PromptDocuments } from '../../src/extension/inline/promptDocuments';
import { GPT, HAIKU, enc, expectedCost, fake, getApi, openaiPromptTokens, restoreSettings, sleep, useModels, waitFor, workspaceUri } from './helpers';
import { promptLines } from '../unit/support/promptText';

async function writeAndOpen(name: string, text: string, column = vscode.ViewColumn.One): Promise<vscode.TextEditor> {
  const uri = workspaceUri(name);
  fs.mkdirSync(vscode.Uri.joinPath(uri, '..').fsPath, { recursive: true });
  fs.writeFileSync(uri.fsPath, text);
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { viewColumn: column, preview: false });
}

/** Drops unsaved edits and closes the document's editor (no save prompt). */
async function revertAndClose(doc: vscode.TextDocument): Promise<void> {
  await vscode.window.showTextDocument(doc, { preview: false });
  await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
}

function symbolNames(symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined): string[] {
  return (symbols ?? []).map((s) => s.name);
}

describe('inline estimates at scale', function () {
  this.timeout(120_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
  });
  beforeEach(() => fake.reset());
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await restoreSettings();
  });

  it('.prompt files open with our language id, and the built-in Markdown extension does not claim them', async () => {
    const text = '# Heading\n\nSummarize the notes below, see [the notes](./notes.md).\n\n## Details\n\nKeep it short.\n';
    // What the Markdown extension (or its language server) gives a document it claims.
    const markdownFeatures = async (uri: vscode.Uri) => {
      const [symbols, folds, links] = await Promise.all([
        vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri),
        vscode.commands.executeCommand<vscode.FoldingRange[]>('vscode.executeFoldingRangeProvider', uri),
        vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', uri),
      ]);
      return { symbols: symbolNames(symbols), folds: folds?.length ?? 0, links: links?.length ?? 0 };
    };
    // The control: VS Code's own prompt files are Markdown to the built-in extension.
    const theirs = await writeAndOpen('.github/prompts/control.prompt.md', text);
    assert.equal(theirs.document.languageId, 'prompt');
    const claimed = await waitFor(
      'the Markdown extension to serve a .prompt.md',
      async () => {
        const f = await markdownFeatures(theirs.document.uri);
        return f.symbols.length || f.folds || f.links ? f : undefined;
      },
      40_000,
      500,
    );
    const ours = await writeAndOpen('heading.prompt', text);
    assert.equal(ours.document.languageId, 'prompt-profiler.prompt');
    const served = await markdownFeatures(ours.document.uri);
    assert.deepEqual(served, { symbols: [], folds: 0, links: 0 }, `no Markdown feature serves our .prompt files (a .prompt.md got ${JSON.stringify(claimed)})`);
    const prompty = await writeAndOpen('basic.prompty', text);
    assert.equal(prompty.document.languageId, 'prompt-profiler.prompt');
  });

  it("VS Code's prompt files are prompts: CodeLens, hover and Profile Prompt read their front matter and body", async () => {
    const body = 'Review the selected code for injection bugs and list each with its line.';
    const editor = await writeAndOpen('.github/prompts/review.prompt.md', `---\ndescription: 'Security review of a diff'\nmodel: GPT-4o mini\n---\n${body}\n`);
    const doc = editor.document;
    assert.equal(doc.languageId, 'prompt');
    const tokens = openaiPromptTokens([{ role: 'user', content: body }]);

    // The front matter's model (GPT-4o mini) replaces the configured two.
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    assert.deepEqual(
      lenses.map((l) => l.command?.title).sort(),
      ['Profile', `${formatInt(tokens)} tok · ${formatUsd(expectedCost(GPT, tokens, 0))}–${formatUsd(expectedCost(GPT, tokens, 1024))}`].sort(),
    );
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(4, 3));
    const md = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
    assert.ok(md.includes(new vscode.MarkdownString().appendText('Security review of a diff').value), md);
    assert.ok(md.includes(`| \`${GPT}\` | ${formatInt(tokens)} |`), md);

    editor.selection = new vscode.Selection(4, 0, 4, 0);
    await vscode.commands.executeCommand('promptProfiler.profilePrompt');
    const sent = (await fake.generations()).map((r) => [r.route, r.body.messages]);
    assert.deepEqual(sent, [['openai.chat', [{ role: 'user', content: body }]]]);
  });

  it('a keystroke in a 1 MB prompt re-encodes only the changed chunk; both models share one o200k pass', async () => {
    const lines = promptLines(1_000_000, 16);
    const editor = await writeAndOpen('large-1mb.prompt', lines.join('\n'));
    const doc = editor.document;
    const stats = { calls: 0, chars: 0 };
    // js-tiktoken's o200k_base (the helpers' reference), counting its calls.
    const counting: CountingEncoding = {
      name: 'o200k_base',
      count: (s) => {
        stats.calls++;
        stats.chars += s.length;
        return enc(s);
      },
    };
    // A PromptDocuments of the test's own, over the real document and its real change events.
    const documents = new PromptDocuments({ loadEncoding: async () => counting });
    try {
      const cold = await documents.counts(doc, [GPT, HAIKU], { waitForExact: true });
      const expected = openaiPromptTokens([{ role: 'user', content: doc.getText().trim() }]);
      assert.deepEqual([cold.complete, cold.counts.get(GPT)?.tokens, cold.counts.get(HAIKU)?.tokens], [true, expected, Math.ceil(expected * 1.1)]);
      assert.ok(stats.calls > 1000, `${stats.calls} chunks encoded cold`);

      const line = lines.findIndex((l, i) => i > lines.length / 2 && /^[a-z]{3,} [a-z]/.test(l));
      await editor.edit((b) => b.insert(new vscode.Position(line, 2), 'x'));
      stats.calls = 0;
      stats.chars = 0;
      const after = await documents.counts(doc, [GPT, HAIKU], { waitForExact: true });
      assert.equal(stats.calls, 1, 'one chunk encoded after the keystroke, for both models');
      assert.ok(stats.chars <= doc.lineAt(line).text.length + 1, `${stats.chars} characters encoded`);
      const now = openaiPromptTokens([{ role: 'user', content: doc.getText().trim() }]);
      assert.deepEqual([after.counts.get(GPT)?.tokens, after.counts.get(HAIKU)?.tokens], [now, Math.ceil(now * 1.1)]);
    } finally {
      documents.dispose();
      await revertAndClose(doc);
    }
  });

  it('a large prompt is counted in the worker: approximate and labelled while typing, exact (js-tiktoken) once typing stops', async () => {
    const lines = promptLines(600_000, 23);
    const editor = await writeAndOpen('large-worker.prompt', lines.join('\n'));
    const doc = editor.document;
    // The extension's own dist/countWorker.js, with the size limit lowered so a 600 KB file goes to
    // it, and sent in slices of 200 lines so that the keystrokes land while it is being loaded.
    const root = path.resolve(__dirname, '..', '..', '..');
    const documents = new PromptDocuments({ largeDocumentChars: 100_000, loadLinesPerSlice: 200, workerFile: path.join(root, 'dist', 'countWorker.js') });
    const exactNow = () => openaiPromptTokens([{ role: 'user', content: doc.getText().trim() }]);
    const told: number[] = [];
    documents.onDidCount(() => told.push(doc.version));
    try {
      const first = await documents.counts(doc, [GPT, HAIKU]);
      assert.equal(first.complete, false);
      assert.deepEqual(first.counts.get(GPT), { tokens: Math.ceil(doc.getText().length / 4), estimated: true, method: APPROXIMATE_METHOD });

      // Typing as the lenses ask after every keystroke: each count supersedes the one before.
      // Lines near the start, the middle and the end: before, across and after what was sent.
      for (const at of [3, Math.floor(lines.length / 2), lines.length - 3, 40, Math.floor(lines.length / 3)]) {
        await editor.edit((b) => b.insert(new vscode.Position(at, 0), 'Line one\nand two '));
        const typing = await documents.counts(doc, [GPT, HAIKU]);
        assert.equal(typing.version, doc.version);
        if (!typing.complete) assert.equal(typing.counts.get(GPT)?.method, APPROXIMATE_METHOD);
      }
      const version = doc.version;
      await waitFor('the worker to say the count is exact', () => told.includes(version), 60_000, 50);
      const exact = await documents.counts(doc, [GPT, HAIKU]);
      const expected = exactNow();
      assert.deepEqual(
        [exact.version, exact.complete, exact.counts.get(GPT)?.tokens, exact.counts.get(GPT)?.estimated, exact.counts.get(HAIKU)?.tokens],
        [version, true, expected, false, Math.ceil(expected * 1.1)],
      );
    } finally {
      documents.dispose();
      await revertAndClose(doc);
    }
  });

  it('typing in a document that is not a prompt triggers no CodeLens work; typing in a prompt, VS Code asks again by itself', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const prompt = await writeAndOpen('typing.prompt', 'Translate to French: good morning.\n', vscode.ViewColumn.One);
    const other = await writeAndOpen('notes.txt', 'plain notes\n', vscode.ViewColumn.Two);
    await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', prompt.document.uri, 10);
    await sleep(1000); // the lenses of the opening settle
    const provider = api.codeLens;
    const calls = { provide: 0, resolve: 0 };
    const provide = provider.provideCodeLenses.bind(provider);
    const resolve = provider.resolveCodeLens.bind(provider);
    provider.provideCodeLenses = (doc) => (calls.provide++, provide(doc));
    provider.resolveCodeLens = (lens) => (calls.resolve++, resolve(lens));
    try {
      for (let i = 0; i < 5; i++) {
        await other.edit((b) => b.insert(new vscode.Position(0, 0), 'x'));
        await sleep(100);
      }
      await sleep(1500);
      assert.deepEqual(calls, { provide: 0, resolve: 0 }, 'typing in notes.txt asked nothing of the CodeLens');

      await prompt.edit((b) => b.insert(new vscode.Position(0, 0), 'Now: '));
      await waitFor('VS Code to ask for the lenses of the edited prompt', () => calls.provide > 0, 10_000);
    } finally {
      // Own properties over the prototype's methods: deleting them restores the originals.
      delete (provider as Partial<typeof provider>).provideCodeLenses;
      delete (provider as Partial<typeof provider>).resolveCodeLens;
      await revertAndClose(other.document);
      await revertAndClose(prompt.document);
    }
  });
});
