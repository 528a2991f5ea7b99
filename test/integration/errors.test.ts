// Failures end in the column with the reason, and the partial answer is kept: a mid-stream error,
// a cut stream, Stop and closing the panel (both abort the HTTP stream: the fake server sees the
// disconnect), a missing key, a prompt over the context window, a model without a price.
import * as assert from 'node:assert/strict';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import * as vscode from 'vscode';
import type { RunSummary } from '../../src/core/run';
import type { PromptProfilerApi } from '../../src/extension/extension';
import type { RecordedRequest } from '../fake-llm/types';
import {
  GPT,
  HAIKU,
  column,
  fake,
  finalPanelState,
  getApi,
  openaiPromptTokens,
  openFixture,
  posted,
  profile,
  readyPanel,
  restoreSettings,
  selectLine,
  setSetting,
  sleep,
  useModels,
  waitFor,
} from './helpers';

const o200k = new Tiktoken(o200kRanks);
/** The first `n` tokens of a text: what `n` content chunks of one token each… or of 4 carry. */
const firstTokens = (text: string, n: number) => o200k.decode(o200k.encode(text, [], []).slice(0, n));
/** The fake server's default chunk size (test/fake-llm/README.md, Profiles). */
const CHUNK_TOKENS = 4;

describe('errors and cancellation', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
  });
  beforeEach(async () => {
    await useModels(api, [GPT, HAIKU]);
    await fake.reset();
    await (await api.services.cache()).clear();
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
  });
  afterEach(async () => {
    await fake.clearScenarios();
  });
  after(restoreSettings);

  /** Makes sure a panel is open and listening, so that its messages reach the webview. */
  async function listeningPanel() {
    if (!api.panel()) {
      await profile();
      await fake.reset();
      await (await api.services.cache()).clear();
    }
    return readyPanel(api);
  }

  /** Starts Profile Prompt without waiting for it. */
  function startProfile(): Promise<RunSummary> {
    return vscode.commands.executeCommand<RunSummary>('promptProfiler.profilePrompt') as Promise<RunSummary>;
  }

  const gptRequest = async () => (await fake.generations()).find((r) => r.route === 'openai.chat');

  async function disconnected(route: string): Promise<RecordedRequest> {
    return waitFor(`the fake server to see the ${route} client disconnect`, async () =>
      (await fake.requests()).find((r) => r.route === route && r.disconnected && r.endedAt !== undefined),
    );
  }

  it('a mid-stream error ends that column in error with the reason and the partial answer', async () => {
    const panel = await listeningPanel();
    await fake.scenario({ kind: 'mid_stream_error', model: 'gpt-4o-mini', afterChunks: 2, message: 'the shard went away' });
    const from = posted(panel).length;

    const summary = await profile();

    const req = (await gptRequest())!;
    const partial = firstTokens(req.replyText!, 2 * CHUNK_TOKENS);
    assert.ok(partial.length > 0 && partial.length < req.replyText!.length);
    const [gpt, haiku] = summary.results;
    assert.deepEqual(
      [gpt.ok, gpt.error?.kind, gpt.error?.message, gpt.output],
      [false, 'server', 'OpenAI: the server reported an error mid-stream (server_error): the shard went away', partial],
    );
    assert.equal(haiku.ok, true);
    const state = await waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    const c = column(state, GPT);
    assert.deepEqual(
      [c.status, c.error, c.output],
      ['error', { kind: 'server', message: 'OpenAI: the server reported an error mid-stream (server_error): the shard went away' }, partial],
    );
    assert.equal(column(state, HAIKU).status, 'done');
  });

  it('a stream that ends without its terminator is an error, the partial answer kept', async () => {
    const panel = await listeningPanel();
    await fake.scenario({ kind: 'truncate', model: 'claude-haiku-4-5', afterChunks: 3, mode: 'end' });
    const from = posted(panel).length;

    const summary = await profile();

    const req = (await fake.generations()).find((r) => r.route === 'anthropic.messages')!;
    const partial = firstTokens(req.replyText!, 3 * CHUNK_TOKENS);
    const haiku = summary.results[1];
    assert.deepEqual(
      [haiku.ok, haiku.error?.kind, haiku.error?.message, haiku.output],
      [false, 'stream_cut', 'Anthropic: the stream ended before message_stop.', partial],
    );
    const state = await waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    const c = column(state, HAIKU);
    assert.deepEqual([c.status, c.error?.kind, c.output], ['error', 'stream_cut', partial]);
    assert.equal(column(state, GPT).status, 'done');
  });

  it('Stop aborts the HTTP stream (the server sees the disconnect); the partial answer stays', async () => {
    const panel = await listeningPanel();
    await fake.scenario({ kind: 'stall', model: 'gpt-4o-mini', afterChunks: 1 });
    const from = posted(panel).length;

    const run = startProfile();
    // Wait until the first chunk is in the panel and the stream hangs.
    const req = await waitFor('the stalled request', gptRequest);
    const partial = firstTokens(req.replyText!, CHUNK_TOKENS);
    await waitFor('the first chunk in the panel', () => column(finalPanelState(api, from), GPT).output === partial);
    assert.equal(column(finalPanelState(api, from), GPT).status, 'streaming');
    // What the webview's Stop button posts.
    await panel.onMessage({ type: 'stop' });
    const summary = await run;

    const gpt = summary.results[0];
    assert.deepEqual([gpt.ok, gpt.error?.kind, gpt.output], [false, 'cancelled', partial]);
    assert.equal(summary.results[1].ok, true, 'the model that had finished keeps its answer');
    const rec = await disconnected('openai.chat');
    assert.equal(rec.completed, false);
    const state = await waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    assert.deepEqual(
      [column(state, GPT).status, column(state, GPT).output, column(state, HAIKU).status],
      ['cancelled', partial, 'done'],
    );
  });

  it('Retry after Stop runs the column again (Stop does not poison later requests)', async () => {
    const panel = await listeningPanel();
    await fake.scenario({ kind: 'stall', model: 'gpt-4o-mini', afterChunks: 1 });
    const from = posted(panel).length;
    const run = startProfile();
    await waitFor('the stalled request', gptRequest);
    await waitFor('the first chunk in the panel', () => column(finalPanelState(api, from), GPT).output !== '');
    await panel.onMessage({ type: 'stop' });
    assert.equal((await run).results[0].error?.kind, 'cancelled');

    // What the column's retry button posts; resolves when the retry has finished.
    await panel.onMessage({ type: 'retry', index: 0 });

    const gptRequests = (await fake.generations()).filter((r) => r.route === 'openai.chat');
    assert.equal(gptRequests.length, 2, 'the retry sent a new request');
    assert.equal(gptRequests[1].completed, true);
    const state = await waitFor('the retried column', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    const c = column(state, GPT);
    assert.deepEqual([c.status, c.error, c.cacheHit, c.output], ['done', null, false, gptRequests[1].replyText]);
    assert.equal(column(state, HAIKU).status, 'done');
  });

  it('Re-run during a run: the replaced run never writes into the new columns', async () => {
    const panel = await listeningPanel();
    await fake.scenario({ kind: 'stall', model: 'gpt-4o-mini', afterChunks: 1 });
    const run = startProfile();
    await waitFor('the stalled request', gptRequest);
    const from = posted(panel).length;

    // The new run's answer takes a while, so the old run's late events would show on the wire.
    await fake.profiles({ 'gpt-4o-mini': { ttftMs: 400 } });
    try {
      // What the panel's Re-run button posts; resolves when the new run has finished.
      await panel.onMessage({ type: 'rerun', bypassCache: true });
    } finally {
      await fake.profiles({ 'gpt-4o-mini': {} });
    }
    const first = await run;

    assert.equal(first.results[0].error?.kind, 'cancelled', 'the first run was aborted');
    await disconnected('openai.chat');
    const messages = posted(panel).slice(from);
    const start = messages.findIndex((m) => m.type === 'state');
    assert.ok(start >= 0, 'the new run posted its state');
    const runId = (messages[start] as Extract<(typeof messages)[number], { type: 'state' }>).state.runId;
    const cancelled = messages
      .slice(start + 1)
      .flatMap((m) => (m.type === 'patch' && m.runId === runId ? m.patches : []))
      .filter((p) => p.set?.status === 'cancelled' || p.set?.error?.kind === 'cancelled');
    assert.deepEqual(cancelled, [], 'a patch of the new run carries the old run\'s cancellation');
    const state = await waitFor('the new run to finish', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    const gptRequests = (await fake.generations()).filter((r) => r.route === 'openai.chat');
    assert.equal(gptRequests.length, 2);
    assert.deepEqual(
      state.columns.map((c) => [c.modelId, c.status]),
      [
        [GPT, 'done'],
        [HAIKU, 'done'],
      ],
    );
    assert.equal(column(state, GPT).output, gptRequests[1].replyText);
  });

  it('closing the panel aborts its requests; the run settles without an error', async () => {
    await listeningPanel();
    await fake.scenario({ kind: 'stall', model: 'gpt-4o-mini', afterChunks: 1 });
    const run = startProfile();
    await waitFor('the stalled request', gptRequest);
    await sleep(200);
    api.panel()!.panel.dispose();

    const summary = await run;

    assert.equal(api.panel(), undefined, 'the panel is gone');
    assert.deepEqual(
      summary.results.map((r) => [r.modelId, r.error?.kind ?? 'ok']),
      [
        [GPT, 'cancelled'],
        [HAIKU, 'ok'],
      ],
    );
    await disconnected('openai.chat');
    // Late progress of the aborted run must not touch the disposed webview (that would throw).
    await sleep(500);
  });

  it('a provider without a key ends in an auth error with a clear message, nothing sent', async () => {
    const panel = await listeningPanel();
    delete process.env.PROMPT_PROFILER_TEST_UNSET_KEY;
    await setSetting('providers', {
      nokey: { type: 'openai', baseURL: `${fake.url}/v1`, apiKeyEnv: 'PROMPT_PROFILER_TEST_UNSET_KEY' },
    });
    await useModels(api, ['nokey:gpt-4o-mini']);
    const from = posted(panel).length;

    // A run may ask for the missing key: dismiss the input box as a user pressing Escape would.
    const run = startProfile();
    let settled = false;
    void run.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      await sleep(200);
    }
    const summary = await run;

    const message = 'No API key for nokey: run "Prompt Profiler: Set API Key…" or set PROMPT_PROFILER_TEST_UNSET_KEY.';
    assert.deepEqual(
      summary.results.map((r) => [r.modelId, r.ok, r.error]),
      [['nokey:gpt-4o-mini', false, { kind: 'auth', message }]],
    );
    assert.deepEqual(await fake.generations(), [], 'a request went out without a key');
    const state = await waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    assert.deepEqual([state.columns[0].status, state.columns[0].error], ['error', { kind: 'auth', message }]);
  });

  it('a prompt over the context window is refused before it is sent', async () => {
    await useModels(api, [GPT]);
    const window = api.services.engine.prices.lookup(GPT)?.contextWindow;
    assert.equal(window, 128_000, 'gpt-4o-mini has a 128k context window');
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(14_000).trim();
    const tokens = openaiPromptTokens([{ role: 'user', content: text }]);
    assert.ok(tokens > 128_000, `the test prompt has only ${tokens} tokens`);
    const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: text });
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, preview: false });
    try {
      const summary = await profile();
      assert.deepEqual(
        summary.results.map((r) => [r.modelId, r.ok, r.error]),
        [
          [
            GPT,
            false,
            { kind: 'context_length', message: `The prompt has ${tokens.toLocaleString('en-US')} tokens; openai:gpt-4o-mini accepts at most 128,000. Not sent.` },
          ],
        ],
      );
      assert.equal(summary.results[0].output, '');
      assert.deepEqual(await fake.requests(), [], 'the prompt was sent');
    } finally {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('a model without a price finishes with no cost (shown as "no price", never $0)', async () => {
    await useModels(api, ['openai:my-finetune']);
    const panel = await listeningPanel();
    const from = posted(panel).length;

    const summary = await profile();

    const r = summary.results[0];
    assert.deepEqual([r.modelId, r.ok, r.cost], ['openai:my-finetune', true, null]);
    const req = (await fake.generations())[0];
    assert.equal(req.model, 'my-finetune');
    assert.equal(r.usage.outputTokens, req.usage.completion_tokens);
    const state = await waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });
    const c = state.columns[0];
    assert.deepEqual([c.modelId, c.status, c.cost, c.outputTokens], ['openai:my-finetune', 'done', null, req.usage.completion_tokens]);
    assert.deepEqual(state.summary, { ...state.summary, cheapest: null, totalSpent: null });
  });
});
