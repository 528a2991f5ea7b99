// VS Code's own models as a provider: the test extension test/vscode/lm-test-extension registers
// chat models through the real Language Model API (a known answer at a known pace, tokens by a
// known rule: whitespace-separated words). Profiled beside an API model on the fake server: both
// columns stream, the VS Code model's tokens are its countTokens figures, its cost is "no
// per-token price", its TTFT is at least the provider's first delay; Stop reaches the provider's
// cancellation token; NoPermissions and an unknown model say so in the column; the judge can be one.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunSummary } from '../../src/core/run';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { SYSTEM_AS_USER_NOTE, VSCODE_COUNT_METHOD } from '../../src/extension/providers/vscodeLm';
import type { AnalysisView, HostToWebview } from '../../src/webview/protocol';
import {
  GPT,
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
  setSetting,
  stubWindow,
  useModels,
  waitFor,
} from './helpers';

const LM_EXTENSION_ID = 'prompt-profiler-tests.lm-test-models';
const PACED = 'vscode:pp-test/paced';
const SLOW = 'vscode:pp-test/slow';
const REFUSES = 'vscode:pp-test/refuses';
const JUDGE = 'vscode:pp-test/judge';
/** The fixture's system prompt and user message (test/fixtures/workspace/lm.prompt). */
const SYSTEM = 'You answer in one short sentence.';
const USER = 'Name three primary colours.';

interface TestModels {
  requests: { family: string; messages: { role: string; text: string }[]; cancelled: boolean; chunksSent: number }[];
  PACED_ANSWER: string;
  JUDGE_REPLY: string;
  FIRST_DELAY_MS: number;
  STEP_MS: number;
  REFUSAL: string;
  BLOCKED: string;
  QUOTA: string;
}

/** The test provider's token rule, restated here: whitespace-separated words. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

describe('VS Code language models (vscode.lm) as a provider', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  let models: TestModels;

  before(async () => {
    api = await getApi();
    const ext = vscode.extensions.getExtension<TestModels>(LM_EXTENSION_ID);
    assert.ok(ext, `${LM_EXTENSION_ID} (test/vscode/lm-test-extension) is not installed in this VS Code`);
    models = await ext.activate();
    assert.ok(Array.isArray(models?.requests), 'the test models extension returned no request log');
  });
  beforeEach(async () => {
    await fake.reset();
    await (await api.services.cache()).clear();
    models.requests.length = 0;
  });
  after(restoreSettings);

  const requestsOf = (family: string) => models.requests.filter((r) => r.family === family);
  const settled = (from: number) =>
    waitFor('the final panel state', () => {
      const s = finalPanelState(api, from);
      return s.running ? undefined : s;
    });

  it('Select Models lists the models VS Code offers beside the API models', async () => {
    let shown: vscode.QuickPickItem[] = [];
    const restore = stubWindow('showQuickPick', (async (items: readonly vscode.QuickPickItem[]) => {
      shown = [...items];
      return shown.filter((i) => i.label === PACED || i.label === GPT);
    }) as unknown as typeof vscode.window.showQuickPick);
    try {
      await useModels(api, [GPT]);
      await vscode.commands.executeCommand('promptProfiler.selectModels');
    } finally {
      restore();
    }
    const byLabel = new Map(shown.map((i) => [i.label, i.description]));
    for (const family of ['paced', 'slow', 'refuses', 'blocked', 'quota', 'judge']) {
      assert.equal(
        byLabel.get(`vscode:pp-test/${family}`),
        `VS Code · PP Test ${family} · up to 100,000 input tokens · no per-token price (subscription)`,
        `the picker's line for vscode:pp-test/${family}`,
      );
    }
    assert.match(byLabel.get(GPT) ?? '', /^in \$0\.15 · out \$0\.6 per 1M tokens$/);
    await waitFor('promptProfiler.models written', () => JSON.stringify(api.services.config.value.models) === JSON.stringify([GPT, PACED]));
  });

  it('profiles a prompt on a VS Code model and an API model side by side: both stream; countTokens, no per-token price, TTFT after the first delay', async () => {
    // A panel open and listening first, so that the streamed patches reach the webview.
    await useModels(api, [GPT]);
    await openFixture('lm.prompt');
    await profile();
    await readyPanel(api);
    await fake.reset();
    await (await api.services.cache()).clear();
    // The API model paced too, so that both columns stream at once.
    await fake.profiles({ 'gpt-4o-mini': { ttftMs: 100, tokensPerSec: 100, outputTokens: 60 } });
    await useModels(api, [PACED, GPT]);
    const from = posted(api.panel()!).length;

    const summary = await profile().finally(() => fake.profiles({ 'gpt-4o-mini': {} }));

    const [lm, gpt] = summary.results;
    assert.deepEqual([lm.modelId, lm.ok, lm.error, gpt.modelId, gpt.ok, gpt.error], [PACED, true, null, GPT, true, null]);
    assert.equal(lm.output, models.PACED_ANSWER);
    // The system prompt went first, as a user message (the API has no system role).
    assert.deepEqual(requestsOf('paced').map((r) => r.messages), [[{ role: 'user', text: SYSTEM }, { role: 'user', text: USER }]]);
    // Exact tokens from countTokens (the provider's word rule), not a local estimate.
    assert.deepEqual(
      [lm.usage.inputTokens, lm.usage.outputTokens, lm.usage.estimated],
      [words(SYSTEM) + words(USER), words(models.PACED_ANSWER), false],
    );
    assert.equal(lm.cost, null, 'a subscription model has no per-token cost (never $0)');
    // Structure of the pace: no word before the first delay, the last not before every step after
    // it. (VS Code relays the chunks between extensions in batches, so the gaps between arrivals
    // are not the provider's; the bounds from the request's start are.)
    const paced = models.FIRST_DELAY_MS + (words(models.PACED_ANSWER) - 1) * models.STEP_MS;
    assert.ok(lm.ttftMs !== null && lm.ttftMs >= models.FIRST_DELAY_MS, `TTFT ${lm.ttftMs} ms ≥ the first delay ${models.FIRST_DELAY_MS} ms`);
    assert.ok(lm.latencyMs >= paced && lm.latencyMs > lm.ttftMs, `latency ${lm.latencyMs} ms ≥ the whole pace ${paced} ms, after the TTFT`);
    // The API model next to it: the fake server's exact usage.
    const [req] = await fake.generations();
    assert.deepEqual(req.body.messages, [{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }]);
    assert.equal(gpt.usage.inputTokens, openaiPromptTokens([{ role: 'system', content: SYSTEM }, { role: 'user', content: USER }]));
    assert.ok(gpt.cost && gpt.cost.total > 0);

    const panel = await readyPanel(api);
    const state = await settled(from);
    const c = column(state, PACED);
    assert.deepEqual(
      [c.status, c.output, c.inputTokens, c.outputTokens, c.usageEstimated, c.cost, c.tokenSource, c.notes],
      ['done', models.PACED_ANSWER, 10, 10, false, null, VSCODE_COUNT_METHOD, [SYSTEM_AS_USER_NOTE]],
    );
    // The webview writes "no per-token price (subscription)" for it (the UI walk reads it there).
    assert.equal(c.provider, 'vscode');
    assert.equal(column(state, GPT).status, 'done');
    assert.equal(column(state, GPT).notes, undefined, 'an API model has a system role: no note');
    // Both columns streamed: their text reached the webview in several patches.
    const appends = (index: number) =>
      posted(panel).slice(from).filter((m: HostToWebview) => m.type === 'patch' && m.patches.some((p) => p.index === index && p.append)).length;
    assert.ok(appends(c.index) >= 3, `the VS Code model's answer came in ${appends(c.index)} patches`);
    assert.ok(appends(column(state, GPT).index) >= 3, `the API model's answer came in ${appends(column(state, GPT).index)} patches`);
  });

  it('hover, CodeLens and status bar count these models with countTokens (exact, labelled), priced "no per-token price"', async () => {
    const [e] = await api.services.engine.estimate({ system: SYSTEM, messages: [{ role: 'user', content: USER }] }, [PACED], 100);
    assert.deepEqual(
      [e.inputTokens, e.estimated, e.method, e.inputCost, e.costAtMaxOutput],
      [words(SYSTEM) + words(USER), false, VSCODE_COUNT_METHOD, null, null],
    );
    const doc = (await openFixture('lm.prompt')).document;
    await useModels(api, [PACED]);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(3, 2));
    const text = hovers.flatMap((h) => h.contents.map((m) => (typeof m === 'string' ? m : m.value))).join('\n');
    assert.match(text, /\| `vscode:pp-test\/paced` \| 10 \| no per-token price \(subscription\) \| no per-token price \(subscription\) \|/);
    assert.match(text, /Counted by: VS Code countTokens\./);
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 10);
    const titles = lenses.map((l) => l.command?.title);
    assert.ok(titles.includes('10 tok · no per-token price (subscription)'), `CodeLens: ${titles.join(' | ')}`);
    await setSetting('statusBar.model', PACED);
    const editor = await openFixture('lm.prompt');
    editor.selection = new vscode.Selection(3, 0, 3, USER.length);
    const expected = `$(symbol-numeric) ${words(USER)} tok · no per-token price (subscription)`;
    await waitFor(`the status bar to show ${expected} (shows ${api.statusBar.text})`, () => api.statusBar.text === expected, 10_000);
    await setSetting('statusBar.model', undefined);
  });

  it('Stop cancels the request: the provider sees its cancellation token fire; the partial answer stays', async () => {
    await useModels(api, [SLOW]);
    await openFixture('lm.prompt');
    const panel = await readyPanel(api);
    const from = posted(panel).length;
    const run = vscode.commands.executeCommand<RunSummary>('promptProfiler.profilePrompt') as Promise<RunSummary>;
    await waitFor('the first word in the panel', () => column(finalPanelState(api, from), SLOW).output !== '');
    // What the webview's Stop button posts.
    await panel.onMessage({ type: 'stop' });
    const [r] = (await run).results;
    const [req] = requestsOf('slow');
    // The cancellation reaches the provider through VS Code (another extension): a moment later.
    await waitFor('the provider to see the cancellation', () => req.cancelled, 5000);
    assert.ok(req.chunksSent < words(models.PACED_ANSWER), `it stopped streaming (${req.chunksSent} words sent)`);
    assert.deepEqual([r.ok, r.error?.kind], [false, 'cancelled']);
    assert.ok(r.output && models.PACED_ANSWER.startsWith(r.output), `the partial answer is kept: ${JSON.stringify(r.output)}`);
    const c = column(await settled(from), SLOW);
    assert.deepEqual([c.status, c.output], ['cancelled', r.output]);
  });

  it('closing the panel cancels the request too', async () => {
    await useModels(api, [SLOW]);
    await openFixture('lm.prompt');
    const run = vscode.commands.executeCommand<RunSummary>('promptProfiler.profilePrompt') as Promise<RunSummary>;
    await waitFor('the slow model streaming', () => requestsOf('slow')[0]?.chunksSent);
    api.panel()!.dispose();
    const [r] = (await run).results;
    assert.equal(r.error?.kind, 'cancelled');
    await waitFor('the provider to see the cancellation', () => requestsOf('slow')[0].cancelled, 5000);
  });

  it('a provider that refuses (NoPermissions), an unknown model, Blocked, a quota error: clear messages; Select Models… where it helps', async () => {
    await useModels(api, [REFUSES, 'vscode:pp-test/nope']);
    await openFixture('lm.prompt');
    const from = posted(api.panel()).length;
    const summary = await profile();
    const [refused, unknown] = summary.results;
    assert.deepEqual(
      [refused.ok, refused.error],
      [
        false,
        {
          kind: 'auth',
          message: `VS Code did not allow Prompt Profiler to use ${REFUSES} (${models.REFUSAL}). Allow it when VS Code asks, or pick another model with Select Models…`,
        },
      ],
    );
    assert.deepEqual(
      [unknown.ok, unknown.error],
      [
        false,
        {
          kind: 'config',
          message:
            'VS Code has no model pp-test/nope. It offers vscode:pp-test/paced, vscode:pp-test/slow, vscode:pp-test/refuses, vscode:pp-test/blocked, vscode:pp-test/quota, vscode:pp-test/judge: pick one with Select Models…',
        },
      ],
    );
    assert.equal(requestsOf('refuses').length, 1, 'the refusing provider was asked once');
    assert.deepEqual([refused.usage.inputTokens, refused.usage.outputTokens], [0, 0], 'a refusal used no tokens');
    await readyPanel(api);
    const state = await settled(from);
    for (const id of [REFUSES, 'vscode:pp-test/nope']) {
      const c = column(state, id);
      assert.deepEqual([c.status, c.error?.action], ['error', 'selectModels'], id);
    }
    // Blocked and quota: another model would not help at once, so no Select Models… there.
    await useModels(api, ['vscode:pp-test/blocked', 'vscode:pp-test/quota']);
    const from2 = posted(api.panel()!).length;
    const limited = (await profile()).results.map((r) => r.error);
    assert.deepEqual(limited, [
      { kind: 'rate_limit', message: `VS Code blocked the request to vscode:pp-test/blocked (a quota or rate limit, or too many requests): ${models.BLOCKED}` },
      { kind: 'rate_limit', message: `vscode:pp-test/quota: quota or rate limit reached: ${models.QUOTA}` },
    ]);
    const after = await settled(from2);
    for (const id of ['vscode:pp-test/blocked', 'vscode:pp-test/quota']) assert.deepEqual([column(after, id).status, column(after, id).error?.action], ['error', undefined], id);
  });

  it('the judge may be a VS Code model: it grades the answers, its cost "no price", the option unranked on cost', async () => {
    await useModels(api, [PACED]);
    await setSetting('quality.judgeModel', JUDGE);
    await waitFor('the judge model read', () => api.services.config.value.decide.judgeModel === JUDGE);
    await openFixture('lm.prompt');
    const panelBefore = await readyPanel(api);
    const from = posted(panelBefore).length;
    await profile();
    const panel = await readyPanel(api);
    await panel.decide.analysed;
    const a = await waitFor('the judged analysis', () => {
      const last = posted(panel)
        .slice(from)
        .map((m) => (m.type === 'analysis' ? m.analysis : m.type === 'patch' ? m.analysis : undefined))
        .filter((x): x is AnalysisView => !!x)
        .pop();
      return last?.status === 'ready' && last.judge ? last : undefined;
    });
    assert.deepEqual(
      [a.judge!.model, a.judge!.scored, a.judge!.unscored, a.judge!.costUsd],
      [JUDGE, 1, 0, null],
    );
    assert.equal(requestsOf('judge').length, 1, 'one judge call, to the VS Code model');
    assert.match(requestsOf('judge')[0].messages.map((m) => m.text).join('\n'), new RegExp(models.PACED_ANSWER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    const m = a.models.find((x) => x.modelId === PACED)!;
    assert.deepEqual([m.costPer1k, m.quality?.value, m.quality?.source], [null, 0.8, 'judge']);
    assert.equal(a.options.find((o) => o.id === PACED)?.costPer1k, null, 'cost unknown: shown…');
    assert.deepEqual(a.decision?.unranked.find((u) => u.id === PACED), { id: PACED, reason: 'no price' }, '…not ranked on it');
  });
});
