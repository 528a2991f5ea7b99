// What a prompt edit costs, in the real VS Code with its built-in Git extension: the workspace is
// a git repository (test/vscode/run.mjs commits the fixtures), so a committed prompt edited in
// the editor shows its exact Δ vs HEAD and its monthly figure in the CodeLens and the hover,
// Show Cost Changes lists it and opens the diff, and a budget of prompt-profiler.json breached
// by the edit is a warning in the Problems view. Token counts are checked against js-tiktoken.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { formatInt, formatUsd } from '../../src/core/format';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { costChangePicks } from '../../src/extension/commands/showCostChanges';
import { GPT, expectedCost, fake, finalPanelState, getApi, openFixture, openaiPromptTokens, profile, restoreSettings, setSetting, useModels, waitFor, workspaceUri } from './helpers';

const FILE = 'costs.prompt';
const ADDED = ' Mention the order number, the delivery date and an apology if the parcel is late.';
const OUT = 100;
const CALLS = 2000;

const tokensOf = (text: string) => openaiPromptTokens([{ role: 'user', content: text.trim() }]);
const perCall = (text: string) => expectedCost(GPT, tokensOf(text), OUT);

async function lensTitles(uri: vscode.Uri): Promise<string[]> {
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 20);
  return lenses.map((l) => l.command?.title ?? '');
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

describe('cost changes vs git HEAD (Git extension), monthly projection, budgets', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  const config = workspaceUri('prompt-profiler.json');

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT]);
    await setSetting('projection.callsPerDay', CALLS);
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ expectedOutputTokens: OUT })));
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.fs.delete(config);
    await restoreSettings();
  });

  it('an edited committed prompt: the CodeLens shows the exact Δ vs HEAD and the monthly figure; the hover too', async () => {
    const editor = await openFixture(FILE);
    const before = editor.document.getText();
    const monthly = (text: string) => `${formatUsd(perCall(text) * CALLS * 30)}/month at ${formatInt(CALLS)} calls/day`;
    // Committed and unchanged: the monthly projection, no change line.
    await waitFor('the monthly CodeLens of the committed prompt', async () => (await lensTitles(editor.document.uri)).includes(monthly(before)));
    assert.ok(!(await lensTitles(editor.document.uri)).some((t) => t.includes('vs HEAD')), 'an unchanged prompt has no change line');

    await editor.edit((e) => e.insert(editor.document.lineAt(0).range.end, ADDED));
    const after = editor.document.getText();
    const dTokens = tokensOf(after) - tokensOf(before);
    assert.ok(dTokens > 10, `the edit adds tokens (${dTokens})`);
    const dCall = perCall(after) - perCall(before);
    const expectedLine = `+${formatInt(dTokens)} tok · +${formatUsd(dCall)}/call · +${formatUsd(dCall * CALLS * 30)}/month vs HEAD`;
    const titles = await waitFor('the change line in the CodeLens', async () => {
      const t = await lensTitles(editor.document.uri);
      return t.includes(expectedLine) && t.includes(monthly(after)) ? t : undefined;
    });
    assert.ok(titles.some((t) => /tok · /.test(t) && !t.includes('vs HEAD')), `today's estimate is still there: ${titles.join(' | ')}`);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 3));
    const md = hoverText(hovers);
    assert.ok(md.includes(`**Per month** at ${formatInt(CALLS)} calls/day (setting), ${OUT} output tokens per call`), md);
    assert.ok(md.includes(`| openai:gpt-4o-mini | ${formatUsd(perCall(after))} | ${formatUsd(perCall(after) * CALLS * 30)}/month | +${formatInt(dTokens)} tok · +${formatUsd(dCall)}/call · +${formatUsd(dCall * CALLS * 30)}/month |`), md);
  });

  it('Show Cost Changes lists the edited prompt with its Δ/month and opens the diff of HEAD vs the working copy', async () => {
    const editor = await openFixture(FILE);
    const items = await api.costChanges.changedPrompts();
    const picks = costChangePicks(items);
    const mine = picks.find((p) => p.label === FILE);
    assert.ok(mine, `not listed: ${picks.map((p) => p.label).join(', ')}`);
    const before = (await vscode.workspace.fs.readFile(workspaceUri(FILE))).toString();
    const dCall = perCall(editor.document.getText()) - perCall(before);
    assert.equal(mine.description, `+${formatInt(tokensOf(editor.document.getText()) - tokensOf(before))} tok · +${formatUsd(dCall)}/call · +${formatUsd(dCall * CALLS * 30)}/month vs HEAD`);
    // Sorted: largest |Δ per month| first.
    const weights = items.map((i) => i.weight);
    assert.deepEqual(weights, [...weights].sort((a, b) => b - a));

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
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ expectedOutputTokens: OUT, budgets: [{ match: '*.prompt', maxInputTokens: tokens - 1 }] })));
    const expected = `${FILE} · ${GPT}: ${formatInt(tokens)} input tokens > maxInputTokens ${formatInt(tokens - 1)} (budget "*.prompt")`;
    const diagnostics = await waitFor('the budget diagnostic', () => {
      const d = vscode.languages.getDiagnostics(editor.document.uri).filter((x) => x.source === 'Prompt Profiler');
      return d.length ? d : undefined;
    });
    assert.deepEqual(diagnostics.map((d) => [d.message, d.severity, d.code, d.range.start.line]), [[expected, vscode.DiagnosticSeverity.Warning, 'maxInputTokens', 0]]);
    // Within budget again: the warning goes.
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(JSON.stringify({ expectedOutputTokens: OUT, budgets: [{ match: '*.prompt', maxInputTokens: tokens }] })));
    await waitFor('the diagnostic to clear', () => vscode.languages.getDiagnostics(editor.document.uri).filter((x) => x.source === 'Prompt Profiler').length === 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it("the panel's summary projects each model's measured cost per call to a month", async () => {
    fake.reset();
    await openFixture(FILE);
    const summary = await profile(true);
    const [r] = summary.results;
    assert.ok(r.ok, r.error?.message);
    const usd = expectedCost(GPT, r.usage.inputTokens, r.usage.outputTokens) * CALLS * 30;
    // The summary reaches the webview with the run's last batched patch.
    const month = await waitFor('the monthly projection in the panel summary', () => finalPanelState(api).summary.perMonth);
    assert.equal(month?.callsPerDay, CALLS);
    assert.equal(month?.models.length, 1);
    assert.equal(month!.models[0].modelId, GPT);
    assert.ok(Math.abs(month!.models[0].usd! - usd) < 1e-9, `${month!.models[0].usd} vs ${usd}`);
  });
});
