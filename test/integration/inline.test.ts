// Inline cost before anything is sent: the hover on a prompt (tokens per model, input cost, cost
// at the max output), the CodeLens above a prompt file (`N tok · $low–$high` and `Profile`), and
// the status bar for a selection. Token counts are checked against js-tiktoken.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { formatInt, formatUsd } from '../../src/core/format';
import type { PromptProfilerApi } from '../../src/extension/extension';
import {
  GPT,
  HAIKU,
  claudePromptTokens,
  expectedCost,
  fake,
  getApi,
  openFixture,
  openaiPromptTokens,
  restoreSettings,
  selectLine,
  setSetting,
  useModels,
  waitFor,
} from './helpers';

/** The Claude estimate rule of the engine's spec: the o200k chat count × 1.1, rounded up. */
const claudeEstimate = (openaiCount: number) => Math.ceil(openaiCount * 1.1);

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

describe('inline cost: hover, CodeLens, status bar', function () {
  this.timeout(60_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
  });
  beforeEach(() => fake.reset());
  after(restoreSettings);

  it('the hover on a prompt file gives tokens and costs per model (exact counts)', async () => {
    const editor = await openFixture('hover.prompt');
    const text = editor.document.getText().trim();
    const gptTokens = openaiPromptTokens([{ role: 'user', content: text }]);
    // Trusted workspace and a key: Claude's count comes from count_tokens (the fake server's rule).
    const claudeTokens = claudePromptTokens(undefined, [{ role: 'user', content: text }]);

    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(1, 3));

    const md = hoverText(hovers);
    const row = (model: string, tokens: number, price: (i: number, o: number) => number) =>
      `| \`${model}\` | ${formatInt(tokens)} | ${formatUsd(price(tokens, 0))} | ${formatUsd(price(tokens, 1024))} |`;
    assert.ok(md.includes('| model | input tokens | input cost | with 1,024 output tokens |'), md);
    assert.ok(md.includes(row(GPT, gptTokens, (i, o) => expectedCost(GPT, i, o))), `no exact row for ${GPT} in:\n${md}`);
    assert.ok(md.includes(row(HAIKU, claudeTokens, (i, o) => expectedCost(HAIKU, i, o))), `no exact row for ${HAIKU} in:\n${md}`);
    assert.match(md, /Counted by: o200k_base, Anthropic count_tokens\./);
    // The hover asked the fake server for the Claude count, with the prompt as one user message.
    const counts = (await fake.requests()).filter((r) => r.route === 'anthropic.count_tokens');
    assert.equal(counts.length, 1);
    assert.deepEqual(counts[0].body.messages, [{ role: 'user', content: text }]);
    assert.deepEqual(await fake.generations(), [], 'a hover never runs the prompt');
    // The formatting itself, pinned for this fixture so a change to the numbers is visible.
    assert.deepEqual([gptTokens, formatUsd(expectedCost(GPT, gptTokens, 0)), formatUsd(expectedCost(GPT, gptTokens, 1024))], [25, '$0.00000375', '$0.000618']);
  });

  it('CodeLens above a prompt file: `≈ N tok · $low–$high` and Profile', async () => {
    // Claude first: its count here is the local estimate (a CodeLens never calls count_tokens).
    await useModels(api, [HAIKU, GPT]);
    try {
      const editor = await openFixture('lens.prompt');
      const text = editor.document.getText().trim();
      const gptTokens = openaiPromptTokens([{ role: 'user', content: text }]);
      const claudeTokens = claudeEstimate(gptTokens);

      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 10);

      assert.equal(lenses.length, 2, JSON.stringify(lenses.map((l) => l.command?.title)));
      const low = expectedCost(GPT, gptTokens, 0);
      const high = expectedCost(HAIKU, claudeTokens, 1024);
      // (The command lists resolved lenses after the ones that came with a command: not the
      // order on screen, which is the provider's: the figures, then Profile.)
      assert.deepEqual(
        lenses.map((l) => [l.range.start.line, l.command?.title]).sort(),
        [
          [0, 'Profile'],
          [0, `≈ ${formatInt(claudeTokens)} tok · ${formatUsd(low)}–${formatUsd(high)}`],
        ],
      );
      const profileLens = lenses.find((l) => l.command?.title === 'Profile')!.command!;
      assert.equal(profileLens.command, 'promptProfiler.profileBlock');
      assert.equal((profileLens.arguments?.[0] as vscode.Uri).toString(), editor.document.uri.toString());
      assert.deepEqual(profileLens.arguments?.slice(1), [0, editor.document.lineCount]);
      assert.deepEqual(await fake.requests(), [], 'a CodeLens sends nothing');

      // GPT first: its count is exact, so the "≈" moves to the range, which mixes in Claude's estimate.
      await useModels(api, [GPT, HAIKU]);
      const again = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 10);
      assert.deepEqual(
        again.map((l) => l.command?.title).sort(),
        ['Profile', `${formatInt(gptTokens)} tok · ≈ ${formatUsd(low)}–${formatUsd(high)}`].sort(),
      );
    } finally {
      await useModels(api, [GPT, HAIKU]);
    }
  });

  it('the CodeLens Profile of a Markdown ```prompt block sends the text inside the fences', async () => {
    const editor = await openFixture('blocks.md');
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri, 10);
    const profiles = lenses.filter((l) => l.command?.title === 'Profile').sort((a, b) => a.range.start.line - b.range.start.line);
    assert.equal(profiles.length, 2, 'one Profile lens per fenced prompt block');
    await (await api.services.cache()).clear();
    const cmd = profiles[1].command!;
    await vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
    const sent = (await fake.generations()).map((r) => [r.route, r.body.messages]);
    const user = [{ role: 'user', content: 'Give one word that rhymes with orange, or explain why none exists.' }];
    assert.deepEqual(
      sent.sort(),
      [
        ['anthropic.messages', user],
        ['openai.chat', user],
      ],
    );
  });

  it('the status bar shows tokens and cost of the selection for the first model', async () => {
    const editor = await openFixture('notes.md');
    const text = selectLine(editor, 'Translate');
    const tokens = openaiPromptTokens([{ role: 'user', content: text.trim() }]);
    const expected = `$(symbol-numeric) ${formatInt(tokens)} tok · ${formatUsd(expectedCost(GPT, tokens, 0))}`;
    await waitFor(`the status bar to show ${expected} (shows ${api.statusBar.text})`, () => api.statusBar.text === expected, 10_000);

    // The model shown follows promptProfiler.statusBar.model.
    await setSetting('statusBar.model', HAIKU);
    const claude = `$(symbol-numeric) ≈ ${formatInt(claudeEstimate(tokens))} tok · ${formatUsd(expectedCost(HAIKU, claudeEstimate(tokens), 0))}`;
    await waitFor(`the status bar to show ${claude} (shows ${api.statusBar.text})`, () => api.statusBar.text === claude, 10_000);
  });
});
