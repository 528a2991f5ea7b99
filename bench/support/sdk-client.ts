// The OpenAI SDK alone (no engine) streaming chat completions, through the global fetch or through
// our HTTP transport (src/core/providers/httpTransport.ts): what the choice of HTTP client adds.
//   node --import tsx bench/support/sdk-client.ts URL N C [fetch|http]   → {"latencies": [...], "wallMs": …}
import OpenAI from 'openai';
import { nodeHttpFetch } from '../../src/core/providers/httpTransport';

const [url, n, c, transport = 'http'] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const client = new OpenAI({ apiKey: 'sk-bench', baseURL: `${url}/v1`, logLevel: 'off', maxRetries: 0, fetch: transport === 'fetch' ? fetch : nodeHttpFetch });
const latencies: number[] = new Array(n);
let next = 0;

async function worker() {
  while (next < n) {
    const i = next++;
    const t0 = performance.now();
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: `Row ${i}: say something short.` }],
    });
    for await (const chunk of stream) void chunk;
    latencies[i] = performance.now() - t0;
  }
}
const started = performance.now();
Promise.all(Array.from({ length: c }, worker)).then(() => process.stdout.write(JSON.stringify({ latencies, wallMs: performance.now() - started })));
