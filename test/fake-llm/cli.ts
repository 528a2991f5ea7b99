// `npm run fake-llm`: runs the fake server on a fixed port until Ctrl-C.
//   FAKE_LLM_PORT  port (default 8787)
//   FAKE_LLM_SEED  seed for generated texts (default 0)
//   FAKE_LLM_PROFILES  optional JSON: { "<model or glob>": ModelProfile, … }
//   FAKE_LLM_QUIET     set to skip the per-request log lines (benchmarks)
// One line per request is printed (method, path, model, status) — never an API key.
import { startFakeLlm } from './server';
import type { ModelProfile } from './types';

async function main(): Promise<void> {
  const port = Number(process.env.FAKE_LLM_PORT ?? 8787);
  const seed = Number(process.env.FAKE_LLM_SEED ?? 0);
  let profiles: Record<string, ModelProfile> | undefined;
  if (process.env.FAKE_LLM_PROFILES) profiles = JSON.parse(process.env.FAKE_LLM_PROFILES) as Record<string, ModelProfile>;
  // Human-paced defaults for interactive use unless profiles are given.
  profiles = profiles ?? { '*': { ttftMs: 300, tokensPerSec: 60, chunkTokens: 3 } };
  const fake = await startFakeLlm({
    port,
    seed,
    profiles,
    log: process.env.FAKE_LLM_QUIET ? undefined : (line) => console.log(`[fake-llm] ${new Date().toISOString()} ${line}`),
  });
  console.log(`fake LLM server listening on ${fake.url}  (admin: ${fake.url}/__admin/requests)`);
  console.log('Point the CLI / extension at it with:');
  console.log(`export OPENAI_BASE_URL=${fake.openaiBaseURL}`);
  console.log(`export ANTHROPIC_BASE_URL=${fake.anthropicBaseURL}`);
  console.log('export OPENAI_API_KEY=sk-fake');
  console.log('export ANTHROPIC_API_KEY=sk-ant-fake');
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(`fake-llm: ${(err as Error).message ?? String(err)}`);
  process.exit(1);
});
