// Test hooks are injected, not always on: a panel keeps no log of what it posts unless the tests
// asked (test/integration/index.ts turns it on for the suite). Also: the first run loads the
// OpenAI SDK from dist/vendor/, which activation did not (activation.test.ts).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { GPT, getApi, openFixture, profile, readyPanel, restoreSettings, useModels, waitFor } from './helpers';

const root = path.resolve(__dirname, '..', '..', '..');

describe('test hooks', function () {
  this.timeout(60_000);
  after(restoreSettings);

  it('the profile panel has no `posted` log unless the test hook is on', async () => {
    const api = await getApi();
    await useModels(api, [GPT]);
    api.panel()?.dispose();
    api.recordPanelMessages(false);
    try {
      await openFixture('summarize.prompt');
      await profile(true);
      const panel = await readyPanel(api);
      assert.equal('posted' in panel, false, 'no message log in production');
      assert.ok(Object.keys(require.cache).includes(path.join(root, 'dist', 'vendor', 'openai.js')), 'the run loaded the OpenAI SDK on first use');
      panel.dispose();
    } finally {
      api.recordPanelMessages(true);
    }
    await profile(true);
    const recorded = await readyPanel(api);
    await waitFor('the panel to log what it posted', () => recorded.posted?.some((m) => m.type === 'state'));
  });
});
