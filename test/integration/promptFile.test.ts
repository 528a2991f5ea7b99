// Prompt files profiled with no selection: YAML front matter (models, system, parameters, sample
// values for {{variables}}) and chat-style `system:` / `user:` / `assistant:` sections become the
// exact request bodies the vendors receive (read back from the fake server).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { GPT, HAIKU, fake, getApi, openFixture, profile, restoreSettings, useModels } from './helpers';

describe('prompt files', function () {
  this.timeout(60_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
  });
  beforeEach(async () => {
    await fake.reset();
    await (await api.services.cache()).clear();
  });
  after(restoreSettings);

  it('a .prompt file with front matter sends its system, variables, parameters to its own models', async () => {
    // The file names its models: they win over the setting.
    await useModels(api, ['openai:gpt-4o']);
    const editor = await openFixture('frontmatter.prompt');
    editor.selection = new vscode.Selection(0, 0, 0, 0);

    const summary = await profile();

    assert.deepEqual(
      summary.results.map((r) => [r.modelId, r.ok]),
      [
        [GPT, true],
        [HAIKU, true],
      ],
    );
    const requests = await fake.generations();
    const system = 'You are a patient teacher who explains tide pools simply.';
    const user = 'Explain tide pools to children in two sentences.';
    const openai = requests.find((r) => r.route === 'openai.chat')!;
    assert.deepEqual(
      {
        model: openai.body.model,
        messages: openai.body.messages,
        temperature: openai.body.temperature,
        // `openai` at a base URL that is not api.openai.com: the cap's name every compatible server knows.
        max_tokens: openai.body.max_tokens,
        stream: openai.body.stream,
      },
      {
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
        temperature: 0.2,
        max_tokens: 64,
        stream: true,
      },
    );
    const anthropic = requests.find((r) => r.route === 'anthropic.messages')!;
    assert.deepEqual(
      {
        model: anthropic.body.model,
        system: anthropic.body.system,
        messages: anthropic.body.messages,
        temperature: anthropic.body.temperature,
        max_tokens: anthropic.body.max_tokens,
      },
      {
        model: 'claude-haiku-4-5',
        system: [{ type: 'text', text: system }],
        messages: [{ role: 'user', content: user }],
        temperature: 0.2,
        max_tokens: 64,
      },
    );
  });

  it('a chat-style prompt file becomes system + alternating messages; unknown {{variables}} stay as written', async () => {
    await useModels(api, [GPT]);
    const editor = await openFixture('chat.prompt');
    editor.selection = new vscode.Selection(3, 0, 3, 0);

    const summary = await profile();

    assert.equal(summary.results[0].ok, true);
    const [req] = await fake.generations();
    assert.deepEqual(req.body.messages, [
      { role: 'system', content: 'You review pull requests for a small team.' },
      { role: 'user', content: 'Is this diff safe to merge?' },
      { role: 'assistant', content: 'Which diff do you mean?' },
      { role: 'user', content: 'The one that renames {{symbol}} across the codebase.' },
    ]);
    // No temperature in the file or the settings: the model's default (not sent).
    assert.equal('temperature' in req.body, false);
    assert.equal(req.body.max_tokens, 1024, 'promptProfiler.maxOutputTokens (default 1024)');
  });
});
