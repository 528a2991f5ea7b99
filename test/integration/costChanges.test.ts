// What a prompt edit costs, in the real VS Code with its built-in Git extension: the workspace's
// git-repo/ folder is a git repository (test/vscode/run.mjs commits its fixtures), so a committed
// prompt edited in the editor shows its exact Δ vs HEAD and its monthly figure (at the front
// matter's calls_per_day:) in the CodeLens and at the top of the hover; a new file there is "new
// vs HEAD"; a prompt outside any repository and without traffic gets neither (and is not counted again). Show Cost Changes
// lists the edit and opens the diff, and a budget of prompt-profiler.json broken by the edit is
// a warning in the Problems view. Token counts are checked against js-tiktoken.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { formatInt, formatUsd } from '../../src/core/format';
import { parsePrompt } from '../../src/core/prompt';
import { markdownText } from '../../src/core/text';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { costChangePicks } from '../../src/extension/commands/showCostChanges';
import { GPT, expectedCost, fake, finalPanelState, getApi, openFixture, openaiPromptTokens, profile, restoreSettings, setSetting, useModels, waitFor, workspaceUri } from './helpers';

const FILE = 'git-repo/costs.prompt';
const ADDED = ' Mention the order number, the delivery date and an apology if the parcel is late.';
const OUT = 100;
/** The fixture's front matter: `calls_per_day: 1000`. */
const CALLS = 1000;

const tokensOf = (text: string) => openaiPromptTokens(parsePrompt(text).messages);
const perCall = (text: string) => expectedCost(GPT, tokensOf(text), OUT);
const month = (usd: number) => usd * CALLS * 30;

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 20);
  return lenses.map((l) => l.command?.title ?? '').sort();
}

async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position);
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

describe('cost changes vs git HEAD (Git extension), monthly projection, budgets', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  const config = workspaceUri('prompt-profiler.json');
  const committed = workspaceUri(FILE);
  /** The fixture as committed. The web workbench saves edits after a second (files.autoSave's web default). */
  let original = '';

  before(async () => {
    api = await getApi();
    original = new TextDecoder().decode(await vscode.workspace.fs.readFile(committed));
    await useModels(api, [GPT]);
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ expectedOutputTokens: OUT })));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // As committed again, for the suites and walks that share this workspace.
    await vscode.workspace.fs.writeFile(committed, new TextEncoder().encode(original));
    await vscode.workspace.fs.delete(config);
    await restoreSettings();
  });

  it('an edited committed prompt: the CodeLens shows the exact Δ vs HEAD and the monthly figure; the top of the hover too', async () => {
    const editor = await openFixture(FILE);
    const doc = editor.document;
    const before = doc.getText();
    assert.equal(before, original);
    const monthly = (text: string) => `${formatUsd(month(perCall(text)))}/month at ${formatInt(CALLS)} calls/day`;
    const estimate = (text: string) => `${formatInt(tokensOf(text))} tok · ${formatUsd(expectedCost(GPT, tokensOf(text), 0))}–${formatUsd(expectedCost(GPT, tokensOf(text), 1024))}`;
    // Committed and unchanged: today's estimate, Profile and the monthly projection; no change line.
    await waitFor('the lenses of the committed prompt', async () => (await lensTitles(doc.uri)).includes(monthly(before)));
    assert.deepEqual(await lensTitles(doc.uri), [monthly(before), estimate(before), 'Profile'].sort());
    const unchangedHover = await hoverText(doc.uri, new vscode.Position(3, 3));
    assert.ok(unchangedHover.includes(`| \`${GPT}\` | ${formatUsd(month(perCall(before)))} |\n`), unchangedHover);
    assert.ok(!unchangedHover.includes('vs HEAD'), 'no change column for an unchanged prompt');

    await editor.edit((e) => e.insert(doc.lineAt(3).range.end, ADDED));
    const after = doc.getText();
    const dTokens = tokensOf(after) - tokensOf(before);
    assert.ok(dTokens > 10, `the edit adds tokens (${dTokens})`);
    const dCall = perCall(after) - perCall(before);
    const change = `+${formatInt(dTokens)} tok · +${formatUsd(dCall)}/call · +${formatUsd(month(dCall))}/month`;
    const titles = await waitFor('the change line in the CodeLens', async () => {
      const t = await lensTitles(doc.uri);
      return t.includes(`${change} vs HEAD`) ? t : undefined;
    });
    assert.deepEqual(titles, [`${change} vs HEAD`, monthly(after), estimate(after), 'Profile'].sort());
    const changeLens = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 20)).find((l) => l.command?.title.endsWith('vs HEAD'))!;
    assert.equal(changeLens.command!.command, 'promptProfiler.openHeadDiff');

    // The hover: the monthly figures and the change first, under the title; then today's table.
    const md = await hoverText(doc.uri, new vscode.Position(3, 3));
    const section = md.indexOf(`**Per month** at ${formatInt(CALLS)} calls/day (calls_per_day:), ${OUT} output tokens a call`);
    assert.ok(section > md.indexOf('before sending') && section < md.indexOf('| model | input tokens'), md);
    assert.ok(md.includes(`| model | per month | vs HEAD |\n|---|--:|---|\n| \`${GPT}\` | ${formatUsd(month(perCall(after)))} | ${markdownText(change)} |\n`), md);
  });

  it('a new prompt in the repository is "new vs HEAD"; a prompt outside any repository, without traffic, shows neither', async () => {
    const added = workspaceUri('git-repo', 'added.prompt');
    await vscode.workspace.fs.writeFile(added, new TextEncoder().encode('Classify the sentiment of this review.\n'));
    try {
      const doc = (await openFixture('git-repo/added.prompt')).document;
      await waitFor('the "new vs HEAD" lens', async () => (await lensTitles(doc.uri)).includes('new vs HEAD'), 20_000, 200);
      assert.deepEqual((await lensTitles(doc.uri)).filter((t) => !/ tok · |^Profile$/.test(t)), ['new vs HEAD'], 'no monthly lens without traffic');
    } finally {
      // Its own tab only: closing whatever is active could close the edited costs.prompt unsaved.
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === added.toString());
      await vscode.window.tabGroups.close(tabs);
      await vscode.workspace.fs.delete(added);
      // Gone from the changes before the next test lists them: the Git extension's status and
      // the closed document's disposal both lag the delete (it was listed once in a full run).
      await waitFor('added.prompt gone from the cost changes', async () => !(await api.costChanges.changedPrompts()).some((i) => i.uri.toString() === added.toString()), 15_000, 250);
    }
    const outside = (await openFixture('lens.prompt')).document;
    const titles = await lensTitles(outside.uri);
    assert.equal(titles.length, 2, titles.join(' | '));
    assert.ok(!(await hoverText(outside.uri, new vscode.Position(0, 2))).includes('Per month'), 'no cost section in its hover');
    // Nothing to show, so nothing counted for it (the inline estimates count it already).
    assert.deepEqual((await api.costChanges.forDocument(outside))?.prompts, [], 'the cost changes counted a prompt they show nothing for');
    // Nor read: after a keystroke, deciding that costs no getText() of the whole document (on a
    // 1 MB prompt that read and its parse were most of the hover's time per keystroke).
    const editor = await vscode.window.showTextDocument(outside);
    const end = outside.lineAt(0).range.end;
    await editor.edit((e) => e.insert(end, ' '));
    let reads = 0;
    // The document (a frozen object) seen through one whose getText counts its calls.
    const counted: vscode.TextDocument = Object.create(outside, {
      getText: { value: (range?: vscode.Range) => (reads++, outside.getText(range)) },
    });
    try {
      assert.deepEqual((await api.costChanges.forDocument(counted))?.prompts, []);
    } finally {
      await editor.edit((e) => e.delete(new vscode.Range(end, end.translate(0, 1))));
    }
    assert.equal(reads, 0, 'the text was read');
  });

  it('a prompt written to disk a moment ago is listed at once: the list asks git for its status first (the Git extension refreshes it on its own schedule)', async () => {
    const fresh = workspaceUri('git-repo', 'just-written.prompt');
    const listed = async () => (await api.costChanges.changedPrompts()).some((i) => i.uri.toString() === fresh.toString());
    await vscode.workspace.fs.writeFile(fresh, new TextEncoder().encode('Reply in one word.\n'));
    try {
      assert.ok(await listed(), 'the file just written is among the changes');
    } finally {
      await vscode.workspace.fs.delete(fresh);
      assert.ok(!(await listed()), 'the file just deleted is no longer among them');
    }
  });

  it('Show Cost Changes lists the edited prompt with its Δ/month and opens the diff of HEAD vs the working copy', async () => {
    const editor = await openFixture(FILE);
    // Saved by now or not (autoSave), the edit is listed once the Git extension has seen it.
    const items = await waitFor('the edited prompt in the list', async () => {
      const found = await api.costChanges.changedPrompts();
      return found.length ? found : undefined;
    }, 15_000, 250);
    const picks = costChangePicks(items);
    assert.deepEqual(picks.map((p) => p.label), [FILE], 'only the edited prompt differs from HEAD');
    const dCall = perCall(editor.document.getText()) - perCall(original);
    assert.equal(picks[0].description, `+${formatInt(tokensOf(editor.document.getText()) - tokensOf(original))} tok · +${formatUsd(dCall)}/call · +${formatUsd(month(dCall))}/month vs HEAD`);

    // The command itself: a quick pick of the changes; picking the first opens the built-in diff.
    void vscode.commands.executeCommand('promptProfiler.showCostChanges');
    await waitFor('the cost changes quick pick', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      return input instanceof vscode.TabInputTextDiff;
    }, 20_000, 300);
    const diff = vscode.window.tabGroups.activeTabGroup.activeTab!.input as vscode.TabInputTextDiff;
    assert.equal(diff.original.scheme, 'git');
    assert.equal(diff.modified.path, items[0].uri.path);
  });

  it('a budget of prompt-profiler.json broken by the edit is a warning in the Problems view', async () => {
    const editor = await openFixture(FILE);
    const tokens = tokensOf(editor.document.getText());
    const budget = (maxInputTokens: number) => JSON.stringify({ expectedOutputTokens: OUT, budgets: [{ match: 'git-repo/*.prompt', maxInputTokens }] });
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(budget(tokens - 1)));
    const expected = `${FILE} · ${GPT}: ${formatInt(tokens)} input tokens > maxInputTokens ${formatInt(tokens - 1)} (budget "git-repo/*.prompt")`;
    const diagnostics = await waitFor('the budget diagnostic', () => {
      const d = vscode.languages.getDiagnostics(editor.document.uri).filter((x) => x.source === 'Prompt Profiler');
      return d.length ? d : undefined;
    });
    assert.deepEqual(diagnostics.map((d) => [d.message, d.severity, d.code, d.range.start.line]), [[expected, vscode.DiagnosticSeverity.Warning, 'maxInputTokens', 0]]);
    // Within budget again: the warning goes.
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(budget(tokens)));
    await waitFor('the diagnostic to clear', () => vscode.languages.getDiagnostics(editor.document.uri).filter((x) => x.source === 'Prompt Profiler').length === 0);
  });

  it("the panel's summary projects each model's measured cost per call to a month, at the prompt's calls_per_day: before the setting", async () => {
    await setSetting('projection.callsPerDay', 2000);
    fake.reset();
    await openFixture(FILE);
    const summary = await profile(true);
    const [r] = summary.results;
    assert.ok(r.ok, r.error?.message);
    const usd = month(expectedCost(GPT, r.usage.inputTokens, r.usage.outputTokens));
    // The summary reaches the webview with the run's last batched patch.
    const perMonth = await waitFor('the monthly projection in the panel summary', () => finalPanelState(api).summary.perMonth);
    assert.equal(perMonth.callsPerDay, CALLS);
    assert.deepEqual(perMonth.models.map((m) => m.modelId), [GPT]);
    assert.ok(Math.abs(perMonth.models[0].usd! - usd) < 1e-9, `${perMonth.models[0].usd} vs ${usd}`);
  });
});
