// Test hooks are injected, not always on: a panel copies and keeps nothing of what it posts unless
// the tests inject an observer (test/integration/index.ts does, for the suite). Also: the first run
// loads the OpenAI SDK from dist/vendor/, which activation did not (activation.test.ts).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { GPT, getApi, logPanelMessage, openFixture, posted, profile, readyPanel, restoreSettings, useModels, waitFor } from './helpers';

const root = path.resolve(__dirname, '..', '..', '..');

describe('test hooks', function () {
  this.timeout(60_000);
  after(restoreSettings);

  it('the profile panel keeps no log of its messages: only an injected observer sees them', async () => {
    const api = await getApi();
    await useModels(api, [GPT]);
    api.panel()?.dispose();
    api.observePanelMessages(undefined);
    try {
      await openFixture('summarize.prompt');
      await profile(true);
      const panel = await readyPanel(api);
      assert.deepEqual(posted(panel), [], 'without the observer nothing saw the messages');
      assert.deepEqual(
        Object.values(panel).filter((v) => Array.isArray(v) && v.some((m) => typeof m === 'object' && m !== null && 'type' in m && m.type === 'state')),
        [],
        'the panel holds no log of posted messages of its own',
      );
      assert.ok(Object.keys(require.cache).includes(path.join(root, 'dist', 'vendor', 'openai.js')), 'the run loaded the OpenAI SDK on first use');
      panel.dispose();
    } finally {
      api.observePanelMessages(logPanelMessage);
    }
    await profile(true);
    const observed = await readyPanel(api);
    await waitFor('the observer to see the panel post its state', () => posted(observed).some((m) => m.type === 'state'));
  });
});
