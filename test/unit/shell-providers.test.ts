// The engine's side of VS Code's models (`vscode:<vendor>/<family>`, provider in
// src/extension/providers/vscodeLm.ts, tested in the real VS Code): a shell may supply a provider
// by name; without one, a `vscode:` id is refused with a one-line reason (the CLI's case); such a
// provider's exact count is asked for without a key and cached by content; a call's latency ends
// at its finish event, not after the provider's own bookkeeping.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProfilerEngine, type PromptInput } from '../../src/core/engine';
import { runPrompt } from '../../src/core/run';
import { tokenizerSpecFor } from '../../src/core/tokens';
import type { ChatRequest, Provider, StreamEvent, TokenCount } from '../../src/core/types';
import { emptyUsage } from '../../src/core/types';
import { runCli } from './support/cli';

const REFUSAL = '"vscode:" models are VS Code\'s own (its Language Model API): profile them in the Prompt Profiler extension; the CLI cannot reach them.';
const prompt: PromptInput = { system: 'Be brief.', messages: [{ role: 'user', content: 'Say hi to the team.' }] };
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** A shell provider like the extension's: no key, tokens by a known rule (words). */
class WordsProvider implements Provider {
  readonly config = { name: 'vscode', type: 'vscode' as const };
  counts = 0;
  requests: ChatRequest[] = [];
  async *stream(request: ChatRequest): AsyncIterable<StreamEvent> {
    this.requests.push(request);
    yield { type: 'text', text: 'Hi team.' };
    yield { type: 'finish', reason: 'stop' };
    yield { type: 'usage', usage: { ...emptyUsage(), inputTokens: 5, outputTokens: 2 } };
  }
  async countTokens(request: ChatRequest): Promise<TokenCount> {
    this.counts++;
    const text = [request.system ?? '', ...request.messages.map((m) => m.content)].join(' ');
    return { tokens: words(text), estimated: false, method: 'VS Code countTokens' };
  }
}

const noProviders = () => ({ ok: false as const, error: { kind: 'config' as const, message: 'Unknown provider.' } });

describe('shell providers (VS Code language models) in the engine', () => {
  it('without the extension, a vscode: id is refused with a one-line reason', async () => {
    const engine = new ProfilerEngine({ resolveProvider: noProviders });
    const { results } = await engine.run(prompt, ['vscode:copilot/gpt-4o']);
    assert.deepEqual([results[0].ok, results[0].error], [false, { kind: 'config', message: REFUSAL }]);
    assert.ok(!REFUSAL.includes('\n'));
  });

  it('the CLI refuses a vscode: model with that reason', async () => {
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-vscode-cli-'));
    try {
      fs.writeFileSync(path.join(cwd, 'p.prompt'), 'Say hi.\n');
      // Refused before anything runs, as bad usage, by every command that takes --model.
      for (const command of ['run', 'estimate']) {
        const r = await runCli([command, 'p.prompt', '--model', 'vscode:copilot/gpt-4o', '--json'], { cwd, env: {} });
        assert.deepEqual(r, { code: 2, stdout: '', stderr: `prompt-profiler: vscode:copilot/gpt-4o: ${REFUSAL}\n(see \`prompt-profiler ${command} --help\`)\n` });
      }
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('a shell provider runs under its name; its exact count needs no key, is asked for always, and is cached by content', async () => {
    const lm = new WordsProvider();
    const engine = new ProfilerEngine({ resolveProvider: noProviders, shellProviders: { vscode: lm } });
    const { results } = await engine.run(prompt, ['vscode:copilot/gpt-4o']);
    assert.deepEqual([results[0].ok, results[0].output, results[0].cost], [true, 'Hi team.', null]);
    assert.equal(lm.requests[0].model, 'copilot/gpt-4o');
    // The hover's and status bar's estimate: exact although not "remote", and never a $0.
    const [e] = await engine.estimate(prompt, ['vscode:copilot/gpt-4o'], 100, false);
    assert.deepEqual(
      [e.inputTokens, e.estimated, e.method, e.inputCost, e.costAtMaxOutput],
      [words('Be brief. Say hi to the team.'), false, 'VS Code countTokens', null, null],
    );
    await engine.estimate(prompt, ['vscode:copilot/gpt-4o'], 100, false);
    assert.equal(lm.counts, 1, 'cached by content');
  });

  it('a price override prices a VS Code model', async () => {
    const engine = new ProfilerEngine({
      resolveProvider: noProviders,
      shellProviders: { vscode: new WordsProvider() },
      priceOverrides: { 'vscode:copilot/gpt-4o': { input: 2, output: 8 } },
    });
    const { results } = await engine.run(prompt, ['vscode:copilot/gpt-4o']);
    assert.equal(results[0].cost?.total, (5 * 2 + 2 * 8) / 1e6);
  });

  it('VS Code models are never counted as exact locally, whatever the family is called', () => {
    const spec = tokenizerSpecFor('openai/gpt-4o', 'vscode');
    assert.deepEqual([spec.exact, spec.method], [false, '≈ estimate (o200k_base; exact from VS Code countTokens)']);
    assert.equal(tokenizerSpecFor('openai/gpt-4o').exact, true, 'the same name from another provider is OpenAI’s');
  });

  it("a call's latency ends at its finish event: counting tokens afterwards is not the model's time", async () => {
    let t = 0;
    const provider: Provider = {
      config: { name: 'vscode', type: 'vscode' },
      async *stream() {
        t += 300;
        yield { type: 'text', text: 'a' };
        t += 200;
        yield { type: 'finish', reason: 'stop' };
        t += 1000; // countTokens
        yield { type: 'usage', usage: { ...emptyUsage(), inputTokens: 3, outputTokens: 1 } };
      },
    };
    const { results } = await runPrompt([{ modelId: 'vscode:a/b', provider, request: { model: 'a/b', messages: [] } }], { price: () => null, now: () => t });
    assert.deepEqual([results[0].ttftMs, results[0].latencyMs, results[0].usage.outputTokens], [300, 500, 1]);
  });
});
