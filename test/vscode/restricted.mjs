// Restricted Mode in a real workbench with Workspace Trust on: a copy of the fixture folder opens
// untrusted (never trusted before, no startup prompt), and its .vscode/settings.json points
// `openai` at another server (a second fake LLM: "the repository's endpoint") and defines an
// OpenAI-compatible provider there. Profile Prompt asks before sending anything; Cancel sends
// nothing; Send profiles against the user's own endpoint (the environment) with the user's key,
// and the workspace's server receives nothing at all: no key, no prompt.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { paths } from './paths.mjs';
import { startSession } from './session.mjs';
import { createUi, waitUntil } from './ui-walk.mjs';

const STEP_TIMEOUT = 30_000;
const norm = (s) => s.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
const generations = (requests) => requests.filter((r) => r.route === 'openai.chat' || r.route === 'anthropic.messages');

/** `ours`: the run's fake LLM server object (in this process: its records keep the keys the admin API redacts). */
export async function runRestrictedModeWalk({ folder, env = {}, ours, workDir, log = console.log } = {}) {
  log('Restricted Mode');
  const t0 = performance.now();
  const { startFakeLlm } = await import(path.join(paths.root, 'test', 'fake-llm', 'server.ts'));
  const theirs = await startFakeLlm();
  const workspace = path.join(workDir, 'restricted-workspace');
  fs.cpSync(folder, workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(
      {
        'promptProfiler.baseUrls': { openai: theirs.openaiBaseURL },
        'promptProfiler.providers': { lab: { type: 'openai-compatible', baseURL: theirs.openaiBaseURL } },
        'promptProfiler.models': ['openai:gpt-4o-mini', 'lab:llama3.2'],
        // Spend a repository could cause (issue 11): all ignored in Restricted Mode.
        'promptProfiler.repeats': 3,
        'promptProfiler.maxOutputTokens': 100000,
        'promptProfiler.prices': { 'openai:gpt-4o-mini': { input: 0, output: 0 } },
        'promptProfiler.quality.judgeModel': 'openai:gpt-4o',
      },
      null,
      2,
    ),
  );
  let session;
  try {
    session = await startSession({
      folder: workspace,
      extensionDevelopmentPath: paths.root,
      env,
      workspaceTrust: true,
      settings: { 'security.workspace.trust.startupPrompt': 'never' },
    });
    const page = session.page;
    const ui = createUi(page, { log });
    const dialog = page.locator('.monaco-dialog-box');
    const profileAndAnswer = async (button) => {
      await ui.runCommand('Prompt Profiler: Profile Prompt');
      await dialog.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
      const text = norm(await dialog.innerText());
      assert(text.includes('This workspace is in Restricted Mode. Send this prompt to 2 models?'), `the dialog: ${text}`);
      assert(text.includes('openai:gpt-4o-mini') && text.includes('lab:llama3.2'), `the dialog names the models: ${text}`);
      if (button === 'Cancel') await ui.screenshot('30-restricted-mode-ask');
      await dialog.getByRole('button', { name: button, exact: true }).click();
      await dialog.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
    };
    try {
      await ui.step('the folder opens in Restricted Mode', async () => {
        await ui.waitForWorkbench();
        await ui.waitForExtensionsActivated();
        await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ timeout: STEP_TIMEOUT });
      });

      await ui.step('Profile Prompt asks first; Cancel sends nothing, anywhere', async () => {
        ours.reset();
        await ui.openFile('summarize.prompt');
        await ui.selectAll();
        await profileAndAnswer('Cancel');
        // The command ended there: no panel opened, no request reached either server. (An absence
        // has no event to wait for: a short grace period lets a wrongly sent request arrive.)
        await page.waitForTimeout(500);
        assert.equal(await page.locator('iframe.webview').count(), 0, 'no profile panel');
        assert.deepEqual(generations(ours.requests), []);
        assert.deepEqual(theirs.requests, []);
      });

      await ui.step("Send: the user's endpoint and key only; the workspace's server receives nothing", async () => {
        await profileAndAnswer('Send');
        let cols = [];
        await waitUntil(async () => {
          cols = await ui.readColumns();
          return cols.length === 2 && cols.every((c) => c.status === 'done' || c.status === 'error');
        }, 90_000, 'both columns finished');
        assert.deepEqual(cols.map((c) => [c.model, c.status]), [
          ['gpt-4o-mini', 'done'],
          ['llama3.2', 'error'],
        ]);
        const labError = norm(await ui.webviewFrame().locator('section.column').nth(1).locator('.error-message').innerText());
        ui.note(`lab:llama3.2: ${labError}`);
        // VS Code itself hides the workspace's values of restricted settings (package.json
        // `restrictedConfigurations`): the provider the workspace defined does not exist here.
        assert.equal(
          labError,
          `Unknown provider "lab". Add it to the setting promptProfiler.providers (type and baseURL). In Restricted Mode the workspace's own promptProfiler.providers and promptProfiler.baseUrls are ignored.`,
        );
        const sent = generations(ours.requests);
        // One request: the workspace's repeats (3) and judge model (gpt-4o) did not count.
        assert.deepEqual(sent.map((r) => [r.model, r.apiKey]), [['gpt-4o-mini', env.OPENAI_API_KEY]], "one request, to the user's endpoint, with the user's key");
        // A compatible host (this fake server) gets the cap as max_tokens; OpenAI's own host as max_completion_tokens.
        assert.equal(sent[0].body.max_tokens ?? sent[0].body.max_completion_tokens, 1024, "the default output cap, not the workspace's 100000");
        // The workspace's $0 price did not count either: the list price, from genai-prices.
        assert(cols[0].cost !== '$0' && /^\$0\.0+[1-9]/.test(cols[0].cost) && !/override/.test(cols[0].costTitle), `the cost: ${cols[0].cost} (${cols[0].costTitle})`);
        assert.deepEqual(theirs.requests, [], "the workspace's server received nothing");
        await ui.screenshot('31-restricted-mode-sent');
      });
      const passed = ui.steps.filter((s) => s.ok).length;
      return { passed, failed: ui.steps.length - passed };
    } catch {
      if (!session.closed) log(session.logTail(20));
      const passed = ui.steps.filter((s) => s.ok).length;
      return { passed, failed: Math.max(1, ui.steps.length - passed) };
    }
  } catch (e) {
    log(`Restricted Mode could not start: ${e?.stack ?? e}`);
    return { passed: 0, failed: 1 };
  } finally {
    await session?.close();
    await theirs.close();
    log(`Restricted Mode done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}
