// No API key ever leaves SecretStorage/the environment except towards the user's own endpoints:
// not in settings, extension state, the Log channel's file, answer-cache files or webview
// messages; and a base URL from WORKSPACE settings (a cloned repository's) never receives a key
// unless the user approved it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import {
  GPT,
  HAIKU,
  fake,
  filesUnder,
  getApi,
  keys,
  openFixture,
  posted,
  profile,
  readyPanel,
  recordWarnings,
  restoreSettings,
  selectLine,
  setSetting,
  startRecorder,
  stubWindow,
  type Recorder,
  useModels,
  waitFor,
} from './helpers';

const STORED_KEY = 'sk-ant-stored-security-4242';
const APPROVALS = 'promptProfiler.approvedWorkspaceEndpoints';
const root = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, unknown> } };
};

describe('security: where keys go', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  const allKeys = () => [keys.openai, keys.anthropic, STORED_KEY];
  const leaks = (text: string) => allKeys().filter((k) => text.includes(k));

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
  });
  after(restoreSettings);

  describe('no key in settings, state, log, cache files or webview messages', () => {
    before(async () => {
      // A run with a stored key (Anthropic) and an environment key (OpenAI), fresh answers.
      await api.services.keys.set('anthropic', STORED_KEY);
      await fake.reset();
      const editor = await openFixture('notes.md');
      selectLine(editor, 'Translate');
      const summary = await profile(true);
      assert.deepEqual(
        summary.results.map((r) => r.ok),
        [true, true],
      );
      await readyPanel(api);
      // An error reply too (its message reaches the panel and the log).
      await fake.scenario({ kind: 'http_error', status: 401, model: 'gpt-4o-mini' });
      const failed = await profile(true);
      assert.equal(failed.results[0].error?.kind, 'auth');
    });
    after(() => api.services.keys.delete('anthropic'));

    it('not in any promptProfiler.* setting (user, workspace, folder)', () => {
      const config = vscode.workspace.getConfiguration('promptProfiler');
      const names = Object.keys(manifest.contributes.configuration.properties).map((k) => k.replace(/^promptProfiler\./, ''));
      assert.ok(names.length >= 10);
      const inspected = JSON.stringify(names.map((n) => config.inspect(n)));
      assert.deepEqual(leaks(inspected), []);
    });

    it('not in the extension state (workspace and global)', () => {
      const { workspaceState, globalState } = api.services.context;
      const dump = JSON.stringify([
        workspaceState.keys().map((k) => [k, workspaceState.get(k)]),
        globalState.keys().map((k) => [k, globalState.get(k)]),
      ]);
      assert.ok(dump.includes('promptProfiler.lastPanelState'), 'the state holds the last run (so the check looked at something)');
      assert.deepEqual(leaks(dump), []);
    });

    it('not in the Log output channel (its file under context.logUri)', async () => {
      const logDir = api.services.context.logUri.fsPath;
      // The channel's file: written asynchronously, so wait for this run's lines.
      const file = await waitFor(
        `a Prompt Profiler log file under ${logDir} with this run's lines`,
        () =>
          filesUnder(logDir).find((f) => {
            if (!/Prompt Profiler/.test(path.basename(f))) return false;
            const text = fs.readFileSync(f, 'utf8');
            return text.includes('Profiling on openai:gpt-4o-mini, anthropic:claude-haiku-4-5 (bypassing the answer cache)') && text.includes('openai:gpt-4o-mini: auth:');
          }),
        20_000,
        200,
      );
      const text = fs.readFileSync(file, 'utf8');
      assert.match(text, /anthropic: anthropic at http:\/\/127\.0\.0\.1:\d+ \(key set\)/);
      assert.deepEqual(leaks(text), [], `a key is in ${file}`);
    });

    it('not in the answer-cache files', () => {
      const files = filesUnder(api.services.cacheDir.fsPath);
      assert.ok(files.length >= 2, `cache files: ${files.length}`);
      for (const f of files) assert.deepEqual(leaks(fs.readFileSync(f, 'utf8')), [], `a key is in ${f}`);
    });

    it('not in any message posted to the webview', () => {
      const messages = JSON.stringify(posted(api.panel()!));
      assert.ok(messages.includes('"type":"patch"'), 'the panel posted patches (so the check looked at something)');
      assert.deepEqual(leaks(messages), []);
    });
  });

  describe('a base URL from workspace settings', () => {
    let recorder: Recorder;

    before(async () => {
      recorder = await startRecorder();
    });
    beforeEach(async () => {
      recorder.requests.length = 0;
      await fake.reset();
      await api.services.context.workspaceState.update(APPROVALS, undefined);
      await setSetting('baseUrls', { anthropic: recorder.url }, vscode.ConfigurationTarget.Workspace);
      await waitFor('the workspace base URL to be read', () => vscode.workspace.getConfiguration('promptProfiler').inspect('baseUrls')?.workspaceValue);
      await useModels(api, [HAIKU]);
    });
    afterEach(async () => {
      await api.services.context.workspaceState.update(APPROVALS, undefined);
    });
    after(async () => {
      await restoreSettings();
      await recorder.close();
    });

    it('is ignored when nothing may ask (hover count_tokens, non-interactive resolution)', async () => {
      const resolved = await (await api.services.endpoints()).resolve('anthropic', { interactive: false });
      assert.ok(resolved.ok);
      assert.equal(resolved.config.baseURL, process.env.ANTHROPIC_BASE_URL, 'the own (environment) base URL, not the workspace one');
      assert.equal(resolved.config.apiKey, keys.anthropic);

      const editor = await openFixture('lens.prompt');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, new vscode.Position(0, 2));
      assert.ok(hovers.length > 0, 'no hover');
      assert.deepEqual(recorder.requests, [], 'the workspace URL received a request');
      assert.equal((await fake.requests()).filter((r) => r.route === 'anthropic.count_tokens').length, 1, 'count_tokens went to the own endpoint');
    });

    it('is not sent the key when the user declines; the run uses the own endpoint', async () => {
      const { messages: asked, restore } = recordWarnings();
      let summary;
      try {
        const editor = await openFixture('notes.md');
        selectLine(editor, 'Translate');
        summary = await profile(true);
      } finally {
        restore();
      }
      assert.deepEqual(asked, [`This workspace's settings point anthropic at ${recorder.url}. Send your anthropic API key to that address?`]);
      assert.deepEqual(recorder.requests, [], 'the workspace URL received a request');
      assert.equal(summary.results[0].ok, true);
      assert.equal((await fake.generations()).length, 1, 'the run went to the own endpoint');
      assert.equal(api.services.context.workspaceState.get(APPROVALS), undefined, 'a refusal is not remembered as an approval');
    });

    it('receives the key once approved, and the approval is remembered in workspace state', async () => {
      let asked = 0;
      const restore = stubWindow('showWarningMessage', (async (_message: string, ...rest: unknown[]) => {
        asked++;
        return rest.find((r) => r === 'Send my key there');
      }) as typeof vscode.window.showWarningMessage);
      try {
        const editor = await openFixture('notes.md');
        selectLine(editor, 'Translate');
        await profile(true);
        assert.equal(asked, 1);
        assert.equal(recorder.requests.length, 1);
        assert.equal(recorder.requests[0].url, '/v1/messages');
        assert.equal(recorder.requests[0].headers['x-api-key'], keys.anthropic);
        assert.deepEqual(api.services.context.workspaceState.get(APPROVALS), [`anthropic|${recorder.url}`]);
        // Remembered: the next run does not ask again.
        await profile(true);
        assert.equal(asked, 1);
        assert.equal(recorder.requests.length, 2);
      } finally {
        restore();
      }
      assert.deepEqual(await fake.generations(), []);
    });

    it('a provider defined by the workspace cannot name your key variable', async () => {
      await setSetting(
        'providers',
        { wsevil: { type: 'openai-compatible', baseURL: recorder.url, apiKeyEnv: 'OPENAI_API_KEY' } },
        vscode.ConfigurationTarget.Workspace,
      );
      await useModels(api, ['wsevil:gpt-4o-mini']);
      const editor = await openFixture('notes.md');
      selectLine(editor, 'Translate');
      await profile(true);
      assert.equal(recorder.requests.length, 1, 'a keyless local server may be used');
      const auth = recorder.requests[0].headers.authorization ?? '';
      assert.deepEqual(leaks(auth), [], 'the workspace provider received a key');
      assert.equal(auth, 'Bearer no-key');
    });

    it('nor the variable of a secret header (headersFromEnv); its plain headers are sent', async () => {
      await setSetting(
        'providers',
        { wsgw: { type: 'openai-compatible', baseURL: recorder.url, headers: { 'x-route': 'a' }, headersFromEnv: { 'x-gw-secret': 'OPENAI_API_KEY' } } },
        vscode.ConfigurationTarget.Workspace,
      );
      const resolved = await (await api.services.endpoints()).resolve('wsgw', { interactive: false });
      assert.ok(resolved.ok);
      assert.deepEqual(resolved.config.headers, { 'x-route': 'a' });
      assert.equal(resolved.config.apiKey, undefined);
    });

    it("a secret header obeys the key's rule: a workspace base URL gets it only once approved", async () => {
      // Your provider, keyless, with a secret header; the workspace points it elsewhere.
      await setSetting('providers', { gw: { type: 'openai-compatible', baseURL: process.env.OPENAI_BASE_URL, headersFromEnv: { 'x-gw-secret': 'OPENAI_API_KEY' } } });
      await setSetting('baseUrls', { gw: recorder.url }, vscode.ConfigurationTarget.Workspace);
      const { messages: asked, restore } = recordWarnings();
      try {
        const resolved = await (await api.services.endpoints()).resolve('gw', { interactive: true });
        assert.ok(resolved.ok);
        assert.equal(resolved.config.baseURL, process.env.OPENAI_BASE_URL, 'your own base URL, not the workspace one');
        assert.deepEqual(resolved.config.headers, { 'x-gw-secret': keys.openai });
        assert.deepEqual(asked, [`This workspace's settings point gw at ${recorder.url}. Send your gw secret header x-gw-secret to that address?`]);
      } finally {
        restore();
      }
    });
  });
});
