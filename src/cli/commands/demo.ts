// prompt-profiler demo: the product in one command, with no keys. A sample prompt runs on three
// models in parallel, streaming live on stderr, then the table, the totals and the Pareto
// recommendation. With OPENAI_API_KEY / ANTHROPIC_API_KEY in the environment the models are
// real; without, a built-in demo endpoint answers (the project's fake LLM server, started
// in-process on 127.0.0.1, bundled as dist/demo-llm.js) and everything says "simulated".
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { parsePrompt } from '../../core/prompt';
import { defineCommand, type CommandContext } from '../shared/command';
import { loadCliConfig, makeEngine } from '../shared/engine';
import { REPORT_ONLY_ANALYSIS } from '../shared/decide';
import { UsageError, type CliIO } from '../shared/io';
import { runPrompt } from '../shared/promptRun';

export const DEMO_PROMPT = `---
system: You are a concise technical writer.
max_tokens: 200
temperature: 0
---
Summarise for a product manager, in three short bullet points, why caching LLM answers and
batching offline work cut an AI feature's bill: what each technique saves and what it costs in
freshness or latency.
`;

const OPENAI_MODELS = ['openai:gpt-4o-mini', 'openai:gpt-4.1-nano'];
const ANTHROPIC_MODELS = ['anthropic:claude-haiku-4-5'];

/** The simulated models: their real ids (so prices are today's), a pace each, an answer each. */
const SIMULATED: Record<string, { ttftMs: number; tokensPerSec: number; output: string }> = {
  'gpt-4o-mini': {
    ttftMs: 420,
    tokensPerSec: 95,
    output:
      '- **Answer caching** returns a stored answer for a repeated prompt: every hit costs nothing and returns in milliseconds; the price is staleness until the entry expires.\n' +
      '- **Batching** sends offline work through the vendor\'s Batch API at half price; results arrive within hours, so it suits reports and backfills, not chat.\n' +
      '- Together they cut the bill roughly by the cache hit rate plus half of whatever can wait.',
  },
  'gpt-4.1-nano': {
    ttftMs: 260,
    tokensPerSec: 160,
    output:
      '- Caching: repeated prompts are served from a store, so hits are free and instant, at the cost of possibly stale answers.\n' +
      '- Batching: non-urgent requests go through the Batch API for 50 % off, but take up to a day.\n' +
      '- Use caching for hot, stable questions and batching for anything nobody waits for.',
  },
  'claude-haiku-4-5': {
    ttftMs: 610,
    tokensPerSec: 70,
    output:
      '- **Cache answers** to prompts that repeat: a hit skips the model entirely (no tokens billed, near-zero latency); the trade-off is freshness, governed by a TTL.\n' +
      '- **Batch offline work**: the Batch API bills half the usual rate per token; the trade-off is latency, since results can take up to 24 hours.\n' +
      '- **Net effect**: savings scale with the hit rate and the share of traffic that can wait; interactive paths keep full price and speed.',
  },
};

interface DemoOptions {
  json?: boolean;
  html?: string;
  quiet?: boolean;
  config?: string;
  trustConfig?: boolean;
}

export function registerDemo(program: Command, ctx: CommandContext): void {
  defineCommand(program, 'demo', 'profile a sample prompt on three models side by side: simulated without keys, real with OPENAI_API_KEY / ANTHROPIC_API_KEY')
    .option('--json', 'print JSON')
    .option('--html <file>', 'also write the HTML report')
    .option('-q, --quiet', 'no live progress on stderr')
    .action(async (opts: DemoOptions) => ctx.exit(await demoCommand(opts, ctx.io)));
}

interface DemoServer {
  openaiBaseURL: string;
  anthropicBaseURL: string;
  close(): Promise<void>;
}

/** The demo endpoint: dist/demo-llm.js beside the bundled CLI, or from a checkout's dist/. */
async function startDemoServer(): Promise<DemoServer> {
  const file = [path.join(__dirname, 'demo-llm.js'), path.resolve(__dirname, '../../../dist/demo-llm.js')].find((f) => fs.existsSync(f));
  if (!file) throw new UsageError('The demo endpoint (dist/demo-llm.js) is missing: run `npm run build` first.');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { startFakeLlm } = require(file) as { startFakeLlm: (o: object) => Promise<DemoServer> };
  const profiles = Object.fromEntries(Object.entries(SIMULATED).map(([model, p]) => [model, { ...p, chunkTokens: 2 }]));
  return startFakeLlm({ host: '127.0.0.1', port: 0, profiles });
}

export async function demoCommand(values: DemoOptions, io: CliIO): Promise<number> {
  const config = loadCliConfig(io, values);
  const parsed = parsePrompt(DEMO_PROMPT);
  const prompt = { system: parsed.system, messages: parsed.messages, temperature: parsed.temperature, maxOutputTokens: parsed.maxOutputTokens };
  const real = [...(io.env.OPENAI_API_KEY ? OPENAI_MODELS : []), ...(io.env.ANTHROPIC_API_KEY ? ANTHROPIC_MODELS : [])];
  let server: DemoServer | undefined;
  let env = io.env;
  let banner: string;
  if (real.length) {
    banner = `demo: real models (${[io.env.OPENAI_API_KEY && 'OPENAI_API_KEY', io.env.ANTHROPIC_API_KEY && 'ANTHROPIC_API_KEY'].filter(Boolean).join(' and ')} found): these calls are billed to you, a fraction of a cent.`;
  } else {
    server = await startDemoServer();
    // Only this process, only these calls: the built-in endpoint and throw-away keys.
    env = {
      ...io.env,
      OPENAI_BASE_URL: server.openaiBaseURL,
      ANTHROPIC_BASE_URL: server.anthropicBaseURL,
      OPENAI_API_KEY: 'sk-demo-not-a-key',
      ANTHROPIC_API_KEY: 'sk-ant-demo-not-a-key',
    };
    banner =
      'demo: simulated models. A built-in demo endpoint on 127.0.0.1 answered, at a pace set per model; ' +
      "tokens are counted and priced exactly as for the real models (today's prices). Set OPENAI_API_KEY and/or ANTHROPIC_API_KEY to run this on real models.";
  }
  const models = real.length ? real : [...OPENAI_MODELS, ...ANTHROPIC_MODELS];
  const demoIO: CliIO = { ...io, env: { ...env, PROMPT_PROFILER_HISTORY: 'off' } };
  if (!values.quiet && !values.json) io.stderr(`${banner}\n\nThe prompt (${models.length} models in parallel):\n${DEMO_PROMPT.split('---\n')[2]}\n`);
  try {
    return await runPrompt(
      {
        file: 'demo.prompt',
        promptText: DEMO_PROMPT,
        prompt,
        models,
        concurrency: models.length,
        repeats: 1,
        json: !!values.json,
        quiet: !!values.quiet,
        html: values.html,
        // No judge, no cache probe: the decision uses cost and latency as measured, and a prior.
        pareto: REPORT_ONLY_ANALYSIS,
        config,
        engine: makeEngine(demoIO, config, false),
        banner,
      },
      demoIO,
    );
  } finally {
    await server?.close();
  }
}
