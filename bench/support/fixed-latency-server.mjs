// A neutral OpenAI-compatible chat server for the timing bench: plain node:http, none of the
// project's code. Every streamed chat completion sends its first token FIRST_TOKEN_MS after the
// request arrived and its last byte at LATENCY_MS, and the server records those instants on its
// own clock: the truth the profiler's reported figures are compared with.
//   node bench/support/fixed-latency-server.mjs   (env LATENCY_MS=200 FIRST_TOKEN_MS=150)
// Prints {"url": …} once listening. GET /__truth returns the records; POST /__reset clears them.
import http from 'node:http';

const LATENCY_MS = Number(process.env.LATENCY_MS ?? 200);
const FIRST_TOKEN_MS = Number(process.env.FIRST_TOKEN_MS ?? 150);
const WORDS = ['The', ' answer', ' is', ' short', '.'];
let records = [];
let seq = 0;

const sse = (obj) => `data: ${JSON.stringify(obj)}\n\n`;

const server = http.createServer((req, res) => {
  const receivedAt = performance.now();
  if (req.method === 'GET' && req.url === '/__truth') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(records));
    return;
  }
  if (req.method === 'POST' && req.url === '/__reset') {
    records = [];
    res.writeHead(204).end();
    req.resume();
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      res.writeHead(400).end();
      return;
    }
    const messages = body.messages ?? [];
    const record = { seq: seq++, prompt: String(messages[messages.length - 1]?.content ?? ''), receivedAt, firstTokenAt: 0, endAt: 0 };
    records.push(record);
    const id = `chatcmpl-${record.seq}`;
    const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.flushHeaders();
    setTimeout(() => {
      record.firstTokenAt = performance.now();
      res.write(sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: WORDS[0] }, finish_reason: null }] }));
      setTimeout(() => {
        for (const w of WORDS.slice(1)) res.write(sse({ ...base, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] }));
        res.write(sse({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
        if (body.stream_options?.include_usage) res.write(sse({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: WORDS.length, total_tokens: 12 + WORDS.length } }));
        record.endAt = performance.now();
        res.end('data: [DONE]\n\n');
      }, LATENCY_MS - FIRST_TOKEN_MS);
    }, FIRST_TOKEN_MS - (performance.now() - receivedAt));
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }) + '\n');
});
process.on('SIGTERM', () => process.exit(0));
