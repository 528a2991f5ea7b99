// Runner throughput: 100 requests at concurrency 10 against the fake server with 200 ms of
// latency per request. Ideal wall time = 100 / 10 × 0.2 s = 2 s; the acceptance bound is 1.3×.
// A sequential run (concurrency 1, first 10 requests) is measured in the same process for the
// parallel speed-up. The fake server runs in its own process, so its work does not count
// against the runner. Prints ratios, not just times: this machine is shared and noisy.
//   npx tsx bench/runner.bench.ts [--requests 100] [--concurrency 10] [--latency 200] [--trials 3]
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createProvider } from '../src/core/providers';
import { runPrompt, type RunTarget } from '../src/core/run';

/** Starts `npm run fake-llm` (test/fake-llm/cli.ts) on a free port in a child process. */
async function startFakeServer(profiles: object): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '../test/fake-llm/cli.ts')], {
    env: { ...process.env, FAKE_LLM_PORT: '0', FAKE_LLM_PROFILES: JSON.stringify(profiles), FAKE_LLM_QUIET: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`fake server exited (${code})`)));
  });
  child.stdout!.resume();
  return { url, stop: () => child.kill() };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '10' },
      latency: { type: 'string', default: '200' },
      trials: { type: 'string', default: '3' },
    },
  });
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  const latencyMs = Number(values.latency);
  const trials = Number(values.trials);
  // The whole latency is time to first token; the 8-token answer then arrives in one chunk.
  const fake = await startFakeServer({ '*': { ttftMs: latencyMs, outputTokens: 8, chunkTokens: 8 } });
  const provider = createProvider({ name: 'openai', type: 'openai', baseURL: `${fake.url}/v1`, apiKey: 'sk-bench' });
  const target: RunTarget = {
    modelId: 'openai:gpt-4o-mini',
    provider,
    request: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Classify: great product!' }], maxOutputTokens: 16 },
  };
  const run = async (n: number, c: number) => {
    const summary = await runPrompt([target], { repeats: n, concurrency: c, price: () => null });
    const failed = summary.results.filter((r) => !r.ok).length;
    if (failed) throw new Error(`${failed} requests failed`);
    return summary.wallMs;
  };

  await run(10, 10); // warm up sockets and the JIT
  const sequentialN = Math.min(10, requests);
  const sequentials: number[] = [];
  const parallels: number[] = [];
  for (let t = 0; t < trials; t++) {
    sequentials.push((await run(sequentialN, 1)) / sequentialN);
    parallels.push(await run(requests, concurrency));
  }
  fake.stop();
  const perRequestSequential = median(sequentials);
  const parallel = median(parallels);
  const ideal = (requests / concurrency) * latencyMs;

  const r = (x: number) => x.toFixed(3);
  console.log(`runner: ${requests} requests, ${latencyMs} ms latency each, median of ${trials} trials, node ${process.version}`);
  console.log(`  sequential (concurrency 1): ${perRequestSequential.toFixed(1)} ms per request (${sequentialN} measured per trial)`);
  console.log(`  parallel (concurrency ${concurrency}): ${parallel.toFixed(0)} ms wall (trials: ${parallels.map((p) => p.toFixed(0)).join(', ')}); ideal ${ideal.toFixed(0)} ms`);
  console.log(`  wall / ideal = ${r(parallel / ideal)}  (acceptance: ≤ 1.300)`);
  console.log(`  speed-up over sequential = ${r((perRequestSequential * requests) / parallel)}× (ideal ${concurrency}×)`);
  if (parallel / ideal > 1.3) process.exitCode = 1;
}

void main();
