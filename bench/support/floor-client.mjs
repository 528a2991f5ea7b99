// The floor for the timing bench: the least a Node client can do per request (no SDK, no engine),
// through the global fetch or through node:http, the body read to its end. Its error against the
// server's truth, at the same concurrency on the same machine, is what the machine (and that HTTP
// client) adds.
//   node bench/support/floor-client.mjs URL N C [fetch|http|http-socket]   → {"latencies": [...], "wallMs": …}
import http from 'node:http';

const [url, n, c, transport = 'fetch'] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
const latencies = new Array(n);
let next = 0;
const body = (i) => JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `Row ${i}: say something short.` }] });
const headers = { 'content-type': 'application/json' };

async function viaFetch(i) {
  const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers, body: body(i) });
  for await (const _ of res.body) void _;
}
/** Resolves with the instant the latency counts from: the hand-over, or (`http-socket`) the socket the request is written on. */
function viaHttp(i, t0) {
  return new Promise((resolve, reject) => {
    let start = t0;
    const req = http.request(`${url}/v1/chat/completions`, { method: 'POST', headers }, (res) => res.on('data', () => {}).on('end', () => resolve(start)));
    if (transport === 'http-socket') req.once('socket', () => (start = performance.now()));
    req.on('error', reject);
    req.end(body(i));
  });
}
const send = transport === 'fetch' ? viaFetch : viaHttp;

async function worker() {
  while (next < n) {
    const i = next++;
    const t0 = performance.now();
    const start = (await send(i, t0)) ?? t0;
    latencies[i] = performance.now() - start;
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: c }, worker));
process.stdout.write(JSON.stringify({ latencies, wallMs: performance.now() - started }));
