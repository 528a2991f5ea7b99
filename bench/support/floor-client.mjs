// The floor for the timing bench: the least a Node client can do per request (the global fetch,
// the body read to its end, no SDK, no engine). Its error against the server's truth, at the same
// concurrency on the same machine, is what the machine itself adds.
//   node bench/support/floor-client.mjs URL N C   → {"latencies": [...], "wallMs": …}
const [url, n, c] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const latencies = new Array(n);
let next = 0;
const body = (i) => JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: `Row ${i}: say something short.` }] });
async function worker() {
  while (next < n) {
    const i = next++;
    const t0 = performance.now();
    const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) });
    for await (const _ of res.body) void _;
    latencies[i] = performance.now() - t0;
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: c }, worker));
process.stdout.write(JSON.stringify({ latencies, wallMs: performance.now() - started }));
