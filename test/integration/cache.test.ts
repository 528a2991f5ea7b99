// The answer cache: a second run of the same prompt is answered from disk without a request,
// the entries live under the workspace's `context.storageUri`, they survive a rebuild of the
// extension's services (what a window reload does), Bypass Cache skips them, Clear empties them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptInput } from '../../src/core/engine';
import type { RunSummary } from '../../src/core/run';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { Services } from '../../src/extension/services';
import { GPT, HAIKU, fake, filesUnder, finalPanelState, getApi, openFixture, posted, profile, readyPanel, restoreSettings, selectLine, setSetting, useModels, waitFor } from './helpers';

describe('answer cache', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  let cacheDir: string;

  const entryFiles = () => filesUnder(cacheDir).filter((f) => f.endsWith('.json'));

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
    cacheDir = api.services.cacheDir.fsPath;
  });
  after(restoreSettings);

  /** Selects the prompt, clears the cache and runs once: 2 requests, 2 entries on disk. */
  async function freshRun(): Promise<RunSummary> {
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    await (await api.services.cache()).clear();
    await fake.reset();
    const first = await profile();
    assert.deepEqual(
      first.results.map((r) => r.cacheHit),
      [false, false],
    );
    assert.equal((await fake.generations()).length, 2);
    await fake.reset();
    return first;
  }

  it('lives in the workspace storage (context.storageUri)', () => {
    const storage = api.services.context.storageUri;
    assert.ok(storage, 'a folder is open: storageUri must be defined');
    assert.equal(cacheDir, path.join(storage.fsPath, 'answer-cache'));
  });

  it('answers the second run from the cache: no request, the same answers and costs', async () => {
    const first = await freshRun();
    assert.equal(entryFiles().length, 2, `entries on disk: ${entryFiles().join(', ')}`);
    const from = posted(api.panel()).length;

    const second = await profile();

    assert.equal((await fake.requests()).length, 0, 'the cached run sent a request');
    assert.deepEqual(
      second.results.map((r) => [r.modelId, r.ok, r.cacheHit]),
      [
        [GPT, true, true],
        [HAIKU, true, true],
      ],
    );
    for (const [i, r] of second.results.entries()) {
      assert.equal(r.output, first.results[i].output);
      assert.deepEqual(r.usage, first.results[i].usage);
      assert.equal(r.cost?.total, first.results[i].cost?.total);
    }
    await readyPanel(api);
    const state = await waitFor('the cached run in the panel', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    assert.deepEqual(
      state.columns.map((c) => [c.status, c.cacheHit, c.output, c.cost?.total]),
      second.results.map((r) => ['done', true, r.output, r.cost?.total]),
    );
    assert.equal(state.summary.totalSpent, 0, 'answers from the cache cost nothing this run');
  });

  it('is still a hit after the services are rebuilt from the extension context (as after a reload)', async () => {
    // The panel keeps the prompt for Re-run after a reload only where the user allows prompts at rest.
    await setSetting('history.includePrompts', true);
    await waitFor('includePrompts', () => api.services.config.value.history.includePrompts);
    const first = await freshRun();
    // What a reload does to this extension: a new Services over the same ExtensionContext, so a
    // new AnswerCache with an empty memory layer over the same folder. The prompt is the one
    // the panel saved in workspace state for Re-run after a reload. (The log channel is shared:
    // a second channel of the same name would close the extension's own when disposed.)
    const last = api.services.context.workspaceState.get<{ prompt: PromptInput; models: string[] }>('promptProfiler.lastRun');
    assert.ok(last, 'the panel did not save the last run in workspace state');
    assert.deepEqual(last.models, [GPT, HAIKU]);
    const fresh = new Services(api.services.context, api.services.log);
    try {
      assert.notEqual(await fresh.cache(), await api.services.cache());
      assert.equal(fresh.cacheDir.fsPath, cacheDir);
      const again = await fresh.run(last.prompt, last.models, {});
      assert.deepEqual(
        again.results.map((r) => [r.modelId, r.ok, r.cacheHit, r.output]),
        first.results.map((r) => [r.modelId, true, true, r.output]),
      );
      assert.equal((await fake.requests()).length, 0, 'the rebuilt services sent a request');
      assert.equal((await (await fresh.cache()).stats()).hits, 2, 'both answers came from the new cache instance (from disk)');
    } finally {
      fresh.dispose();
    }
  });

  it('Profile Prompt (Bypass Cache) sends the requests again', async () => {
    await freshRun();
    const bypass = await profile(true);
    assert.deepEqual(
      bypass.results.map((r) => [r.ok, r.cacheHit]),
      [
        [true, false],
        [true, false],
      ],
    );
    assert.equal((await fake.generations()).length, 2);
  });

  it('Clear Answer Cache empties the folder; the next run is a miss', async () => {
    await freshRun();
    assert.equal(entryFiles().length, 2);
    const cleared = await vscode.commands.executeCommand<number>('promptProfiler.clearAnswerCache');
    assert.equal(cleared, 2);
    assert.deepEqual(filesUnder(cacheDir), [], 'files left in the cache folder');
    const after = await profile();
    assert.deepEqual(
      after.results.map((r) => r.cacheHit),
      [false, false],
    );
    assert.equal((await fake.generations()).length, 2);
    assert.ok(fs.existsSync(cacheDir));
  });
});
