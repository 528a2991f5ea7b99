// API keys through VS Code's real SecretStorage: set/get/delete round trip, a stored key wins over
// the environment variable (checked on the wire, at a recording server set in USER settings), the
// first-use prompt stores what the user typed, and prompts for several keys come one at a time.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { GPT, type Recorder, fake, getApi, keys, openFixture, profile, restoreSettings, selectLine, setSetting, sleep, startRecorder, stubWindow, useModels } from './helpers';

const SECRET = (provider: string) => `promptProfiler.${provider}.apiKey`;

describe('API keys in SecretStorage', function () {
  this.timeout(60_000);
  let api: PromptProfilerApi;
  let recorder: Recorder;

  before(async () => {
    api = await getApi();
    recorder = await startRecorder();
  });
  beforeEach(async () => {
    recorder.requests.length = 0;
    await fake.reset();
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
  });
  after(async () => {
    for (const p of ['openai', 'askme', 'aska', 'askb']) await api.services.context.secrets.delete(SECRET(p));
    await restoreSettings();
    await recorder.close();
  });

  it('set / get / delete round trip through the real SecretStorage', async () => {
    const secrets = api.services.context.secrets;
    const changed: string[] = [];
    const sub = api.services.keys.onDidChange((p) => changed.push(p));
    try {
      assert.equal(await api.services.keys.get('openai', undefined), keys.openai, 'without a stored key: the environment');
      await api.services.keys.set('openai', 'sk-stored-roundtrip-1234');
      assert.equal(await secrets.get(SECRET('openai')), 'sk-stored-roundtrip-1234');
      assert.equal(await api.services.keys.get('openai', undefined), 'sk-stored-roundtrip-1234', 'a stored key wins over OPENAI_API_KEY');
      await api.services.keys.delete('openai');
      assert.equal(await secrets.get(SECRET('openai')), undefined);
      assert.equal(await api.services.keys.get('openai', undefined), keys.openai);
      await waitForChanges(changed, 2);
      assert.deepEqual(changed, ['openai', 'openai'], 'secrets.onDidChange reached the key store');
    } finally {
      sub.dispose();
    }
  });

  it('a stored key is the one sent, not the environment variable (seen on the wire)', async () => {
    // User settings are the user's own: their base URL may receive the key without asking.
    await setSetting('baseUrls', { openai: recorder.url });
    await useModels(api, [GPT]);
    await api.services.keys.set('openai', 'sk-stored-wire-5678');
    try {
      const stored = await profile(true);
      assert.equal(stored.results[0].error?.kind, 'bad_request', 'the recorder answers 400');
      assert.equal(recorder.requests.length, 1);
      assert.equal(recorder.requests[0].url, '/chat/completions');
      assert.equal(recorder.requests[0].headers.authorization, 'Bearer sk-stored-wire-5678');
    } finally {
      await api.services.keys.delete('openai');
    }
    await profile(true);
    assert.equal(recorder.requests.length, 2);
    assert.equal(recorder.requests[1].headers.authorization, `Bearer ${keys.openai}`, 'after delete: the environment variable');
    assert.deepEqual(await fake.requests(), [], 'the fake server (OPENAI_BASE_URL) got nothing: the user setting wins');
  });

  it('asks for a missing key on first use, stores it in SecretStorage and sends it', async () => {
    delete process.env.PROMPT_PROFILER_TEST_UNSET_KEY;
    await setSetting('providers', { askme: { type: 'openai', baseURL: recorder.url, apiKeyEnv: 'PROMPT_PROFILER_TEST_UNSET_KEY' } });
    await useModels(api, ['askme:gpt-4o-mini']);
    const asked: vscode.InputBoxOptions[] = [];
    const restore = stubWindow('showInputBox', async (options?: vscode.InputBoxOptions) => {
      asked.push(options ?? {});
      return 'sk-typed-askme-5678';
    });
    try {
      await profile(true);
    } finally {
      restore();
    }
    assert.equal(asked.length, 1);
    assert.equal(asked[0].password, true, 'the key is typed into a password box');
    assert.equal(asked[0].title, 'Prompt Profiler: askme API key');
    assert.equal(await api.services.context.secrets.get(SECRET('askme')), 'sk-typed-askme-5678');
    assert.equal(recorder.requests.length, 1);
    assert.equal(recorder.requests[0].headers.authorization, 'Bearer sk-typed-askme-5678');
  });

  it('asks for several missing keys one at a time (a second input box would dismiss the first)', async () => {
    delete process.env.PROMPT_PROFILER_TEST_UNSET_KEY;
    await setSetting('providers', {
      aska: { type: 'openai', baseURL: recorder.url, apiKeyEnv: 'PROMPT_PROFILER_TEST_UNSET_KEY' },
      askb: { type: 'openai', baseURL: recorder.url, apiKeyEnv: 'PROMPT_PROFILER_TEST_UNSET_KEY' },
    });
    await useModels(api, ['aska:gpt-4o-mini', 'askb:gpt-4o-mini']);
    let open = 0;
    let maxOpen = 0;
    const titles: string[] = [];
    const restore = stubWindow('showInputBox', async (options?: vscode.InputBoxOptions) => {
      open++;
      maxOpen = Math.max(maxOpen, open);
      titles.push(options?.title ?? '');
      await sleep(150);
      open--;
      return `sk-typed-${titles.length}-000000`;
    });
    try {
      await profile(true);
    } finally {
      restore();
    }
    assert.deepEqual(titles.sort(), ['Prompt Profiler: aska API key', 'Prompt Profiler: askb API key']);
    assert.equal(maxOpen, 1, 'two key prompts were open at once');
    assert.deepEqual(recorder.requests.map((r) => r.headers.authorization).sort(), ['Bearer sk-typed-1-000000', 'Bearer sk-typed-2-000000']);
  });
});

async function waitForChanges(changed: string[], n: number): Promise<void> {
  for (let i = 0; i < 100 && changed.length < n; i++) await sleep(50);
}
