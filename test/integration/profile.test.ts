// Profile Prompt on a selection: the panel opens, one finished column per configured model, with
// the exact usage the fake server reported and the exact cost of that usage at list prices; the
// webview protocol (a `state`, then batched `patch` messages) carries the same figures.
import * as assert from 'node:assert/strict';
import type { PromptProfilerApi } from '../../src/extension/extension';
import type { HostToWebview } from '../../src/webview/protocol';
import {
  GPT,
  HAIKU,
  claudePromptTokens,
  column,
  enc,
  expectedCost,
  fake,
  finalPanelState,
  getApi,
  openaiPromptTokens,
  openFixture,
  posted,
  profile,
  readyPanel,
  replay,
  restoreSettings,
  selectLine,
  useModels,
  waitFor,
} from './helpers';

describe('Profile Prompt on a selection', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
  });
  after(async () => {
    await fake.profiles({ 'gpt-4o-mini': {} });
    await restoreSettings();
  });
  beforeEach(async () => {
    await fake.reset();
    await (await api.services.cache()).clear();
  });

  it('opens the panel and finishes one column per model with the exact costs of the reported usage', async () => {
    const editor = await openFixture('notes.md');
    const prompt = selectLine(editor, 'Translate').trim();
    assert.equal(prompt, 'Translate "Good morning, how did you sleep?" into French, Spanish and German.');
    const from = posted(api.panel()).length;

    const summary = await profile();

    assert.ok(api.panel(), 'the profile panel did not open');
    assert.deepEqual(
      summary.results.map((r) => [r.modelId, r.ok, r.cacheHit, r.error]),
      [
        [GPT, true, false, null],
        [HAIKU, true, false, null],
      ],
    );
    const requests = await fake.generations();
    assert.deepEqual(requests.map((r) => r.route).sort(), ['anthropic.messages', 'openai.chat']);
    const gptReq = requests.find((r) => r.route === 'openai.chat')!;
    const haikuReq = requests.find((r) => r.route === 'anthropic.messages')!;
    // The selection is the prompt, as one user message.
    assert.deepEqual(gptReq.body.messages, [{ role: 'user', content: prompt }]);
    assert.deepEqual(haikuReq.body.messages, [{ role: 'user', content: prompt }]);

    const expected: Record<string, { input: number; output: number; text: string }> = {
      [GPT]: { input: openaiPromptTokens([{ role: 'user', content: prompt }]), output: enc(gptReq.replyText!), text: gptReq.replyText! },
      [HAIKU]: { input: claudePromptTokens(undefined, [{ role: 'user', content: prompt }]), output: enc(haikuReq.replyText!), text: haikuReq.replyText! },
    };
    for (const r of summary.results) {
      const e = expected[r.modelId];
      assert.equal(r.output, e.text, `${r.modelId}: answer`);
      assert.equal(r.finishReason, 'stop');
      assert.deepEqual(
        { input: r.usage.inputTokens, output: r.usage.outputTokens, read: r.usage.cacheReadTokens, write: r.usage.cacheWriteTokens, estimated: r.usage.estimated },
        { input: e.input, output: e.output, read: 0, write: 0, estimated: false },
        `${r.modelId}: usage`,
      );
      assert.equal(r.cost?.total, expectedCost(r.modelId, e.input, e.output), `${r.modelId}: cost`);
      assert.equal(r.cost?.input, expectedCost(r.modelId, e.input, 0), `${r.modelId}: input cost`);
      assert.equal(r.cost?.output, expectedCost(r.modelId, 0, e.output), `${r.modelId}: output cost`);
    }

    // What the webview holds once everything posted has arrived.
    await readyPanel(api);
    const state = await waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return !s.running && s.columns.every((c) => c.status === 'done') ? s : undefined;
    });
    assert.deepEqual(
      state.columns.map((c) => c.modelId),
      [GPT, HAIKU],
    );
    for (const modelId of [GPT, HAIKU]) {
      const c = column(state, modelId);
      const e = expected[modelId];
      assert.equal(c.output, e.text, `${modelId}: panel text`);
      assert.deepEqual([c.inputTokens, c.outputTokens, c.cacheHit, c.error], [e.input, e.output, false, null]);
      assert.equal(c.cost?.total, expectedCost(modelId, e.input, e.output), `${modelId}: panel cost`);
      assert.equal(c.cost?.output, expectedCost(modelId, 0, e.output));
      assert.match(c.cost?.provenance ?? '', /genai-prices/);
    }
    const gptCost = expectedCost(GPT, expected[GPT].input, expected[GPT].output);
    const haikuCost = expectedCost(HAIKU, expected[HAIKU].input, expected[HAIKU].output);
    assert.deepEqual(state.summary.cheapest, { modelId: GPT, total: gptCost });
    assert.equal(state.summary.totalSpent, 0 + gptCost + haikuCost);
  });

  it('streams to the webview as a state, then batched patches (fewer messages than text chunks)', async () => {
    const CHUNKS = 120;
    // One token per chunk, 300 tokens/s: 120 text chunks spread over ~0.4 s.
    await fake.profiles({ 'gpt-4o-mini': { ttftMs: 100, tokensPerSec: 300, chunkTokens: 1, outputTokens: CHUNKS } });
    const editor = await openFixture('notes.md');
    const prompt = selectLine(editor, 'Translate').trim();
    // The panel from the previous test (or a fresh one after an empty run) must be listening.
    if (!api.panel()) await profile();
    const panel = await readyPanel(api);
    await fake.reset();
    const from = posted(panel).length;

    const summary = await profile(true);

    assert.equal(summary.results[0].ok, true);
    const gptReq = (await fake.generations()).find((r) => r.route === 'openai.chat')!;
    assert.equal(enc(gptReq.replyText!), CHUNKS);
    assert.deepEqual(gptReq.body.messages, [{ role: 'user', content: prompt }]);
    const messages: HostToWebview[] = posted(panel).slice(from);
    assert.equal(messages[0].type, 'state', 'a run starts with the whole state');
    const first = messages[0] as Extract<HostToWebview, { type: 'state' }>;
    assert.deepEqual(
      first.state.columns.map((c) => [c.modelId, c.status, c.output]),
      [
        [GPT, 'queued', ''],
        [HAIKU, 'queued', ''],
      ],
    );
    // A webview that reloads mid-run (hidden, then shown again) says `ready` again and is re-synced
    // with the whole state of the same run; the panel also posts the Decide limits, and the Decide
    // analysis of this run may be updated. Everything else after the first state is a patch of this run.
    const patches = messages.slice(1).filter((m) => m.type === 'patch');
    const others = messages.slice(1).filter((m) => m.type !== 'patch');
    assert.ok(patches.length >= 2, `expected several patch messages, got ${patches.length}`);
    assert.ok(
      patches.every((m) => m.type === 'patch' && m.runId === first.state.runId) &&
        others.every((m) => ((m.type === 'state' && m.state.runId) || (m.type === 'analysis' && m.analysis.runId)) === first.state.runId || m.type === 'limits'),
      `after the state only messages of run ${first.state.runId}: ${messages.map((m) => m.type).join(' ')}`,
    );
    const gptIndex = first.state.columns.findIndex((c) => c.modelId === GPT);
    const appends = patches.flatMap((m) => (m.type === 'patch' ? m.patches.filter((p) => p.index === gptIndex && p.append) : []));
    assert.ok(patches.length < CHUNKS, `${patches.length} patch messages for ${CHUNKS} text chunks: not batched`);
    assert.ok(appends.length >= 2, `the answer arrived in ${appends.length} patch(es): it did not stream`);
    assert.ok(
      patches.every((m) => m.type === 'patch' && new Set(m.patches.map((p) => p.index)).size === m.patches.length),
      'a patch message holds at most one patch per column',
    );
    if (!others.some((m) => m.type === 'state')) {
      assert.equal(appends.map((p) => p.append).join(''), gptReq.replyText, 'the appended text is the answer, in order');
    }
    const last = patches[patches.length - 1];
    assert.ok(last.type === 'patch' && last.running === false && last.summary, 'the last patch ends the run with its summary');
    const state = replay(messages)!;
    assert.deepEqual(
      state.columns.map((c) => c.status),
      ['done', 'done'],
    );
    assert.equal(column(state, GPT).output, gptReq.replyText, 'what the webview holds is the answer, in order');
    assert.equal(column(state, GPT).cost?.total, expectedCost(GPT, summary.results[0].usage.inputTokens, CHUNKS));
  });
});
