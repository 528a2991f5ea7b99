// The SDKs' HTTP client (src/core/providers/httpTransport.ts): node:http under a fetch-shaped
// function. What the SDKs rely on of fetch must hold: status, headers, a streamed body, abort, the
// failed-connection shape; and a redirect never carries a key to another origin.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as zlib from 'node:zlib';
import { createProvider } from '../../src/core/providers';
import { bodyChunks, nodeHttpFetch } from '../../src/core/providers/httpTransport';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    server,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('HTTP transport (node:http behind fetch)', () => {
  it('sends method, headers and body; gives status, headers and the streamed body in order', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(201, { 'content-type': 'text/event-stream', 'x-litellm-response-cost': '0.25' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
    });
    try {
      const res = await nodeHttpFetch(`${s.url}/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer sk-x' }, body: '{"a":1}' });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('x-litellm-response-cost'), '0.25');
      const chunks: string[] = [];
      for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c).toString());
      assert.deepEqual(chunks, ['data: one\n\n', 'data: two\n\n']);
      assert.deepEqual(
        s.seen.map((r) => [r.method, r.url, r.headers['content-type'], r.headers.authorization, r.body]),
        [['POST', '/v1/chat', 'application/json', 'Bearer sk-x', '{"a":1}']],
      );
      // Not asked for: a compressed stream would be buffered by proxies and distort the first token's time.
      assert.equal(s.seen[0]!.headers['accept-encoding'], undefined);
    } finally {
      await s.close();
    }
  });

  it('bodyChunks reads our Response straight off its queue (the web stream never touched), stamping each chunk; any other Response through its body', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
    });
    try {
      let clock = 0;
      const read: number[] = [];
      let sent = 0;
      let ended = 0;
      const times = { now: () => ++clock, sending: () => (sent = ++clock), read: (at: number) => read.push(at), ended: () => (ended = ++clock) };
      const res = await nodeHttpFetch(`${s.url}/`, { method: 'POST', body: '{}' }, times);
      const chunks: string[] = [];
      for await (const c of bodyChunks(res)) chunks.push(Buffer.from(c).toString());
      assert.deepEqual(chunks, ['data: one\n\n', 'data: two\n\n']);
      assert.equal(res.bodyUsed, false);
      assert.equal(sent, 1);
      assert.deepEqual(read, [2, 3]);
      assert.equal(ended, 4);
      const other: string[] = [];
      for await (const c of bodyChunks(new Response('plain body'))) other.push(Buffer.from(c).toString());
      assert.deepEqual(other, ['plain body']);
    } finally {
      await s.close();
    }
  });

  it('the attempt is stamped as it goes on its socket: our own work queued after the hand-over is not in its time', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end('done'));
    try {
      const times = { now: () => performance.now(), sending: () => (sentAt = performance.now()), read: () => undefined, ended: () => (endedAt = performance.now()) };
      let sentAt = 0;
      let endedAt = 0;
      const handedAt = performance.now();
      const pending = nodeHttpFetch(`${s.url}/`, { method: 'POST', body: '{}' }, times);
      // The thread stays busy 300 ms right after the hand-over (other calls' work in the same tick).
      while (performance.now() - handedAt < 300);
      await (await pending).text();
      assert.ok(sentAt - handedAt >= 300, `sent ${sentAt - handedAt} ms after the hand-over`);
      assert.ok(endedAt - sentAt < 300, `the wire: ${endedAt - sentAt} ms`);
    } finally {
      await s.close();
    }
  });

  it('decodes a body the server compressed without being asked (gzip, br); an error body is readable', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/gzip') res.writeHead(200, { 'content-encoding': 'gzip' }).end(zlib.gzipSync('{"ok":"gzip"}'));
      else if (req.url === '/br') res.writeHead(200, { 'content-encoding': 'br' }).end(zlib.brotliCompressSync('{"ok":"br"}'));
      else res.writeHead(429, { 'retry-after': '2' }).end('{"detail":"slow down"}');
    });
    try {
      assert.deepEqual(await (await nodeHttpFetch(`${s.url}/gzip`)).json(), { ok: 'gzip' });
      assert.deepEqual(await (await nodeHttpFetch(`${s.url}/br`)).json(), { ok: 'br' });
      const limited = await nodeHttpFetch(`${s.url}/429`);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '2');
      assert.equal(await limited.clone().text(), '{"detail":"slow down"}');
    } finally {
      await s.close();
    }
  });

  it('a 204 has no body; a refused connection rejects like the global fetch (TypeError, cause.code)', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const { port } = new URL(s.url);
    try {
      const empty = await nodeHttpFetch(`${s.url}/`, { method: 'DELETE' });
      assert.equal(empty.status, 204);
      assert.equal(empty.body, null);
    } finally {
      await s.close();
    }
    const e = await nodeHttpFetch(`http://127.0.0.1:${port}/`).then(
      () => assert.fail('a closed port answered'),
      (err: TypeError & { cause?: { code?: string } }) => err,
    );
    assert.ok(e instanceof TypeError);
    assert.equal(e.message, 'fetch failed');
    assert.equal(e.cause?.code, 'ECONNREFUSED');
  });

  it('a kept-alive socket the server closes as it is reused: one retry on a new connection, not an error', async () => {
    // The second request arrives on the first connection: dropped unanswered, as an idle timeout would.
    const s = await serve((req, res, body) => (body === 'b' && s.seen.length === 2 ? req.socket.destroy() : res.writeHead(200).end(`answer ${s.seen.length}`)));
    let connections = 0;
    s.server.on('connection', () => connections++);
    try {
      assert.equal(await (await nodeHttpFetch(`${s.url}/`, { method: 'POST', body: 'a' })).text(), 'answer 1');
      assert.equal(await (await nodeHttpFetch(`${s.url}/`, { method: 'POST', body: 'b' })).text(), 'answer 3');
      assert.deepEqual([s.seen.map((r) => r.body), connections], [['a', 'b', 'b'], 2]);
    } finally {
      await s.close();
    }
  });

  it('abort: before the headers it rejects with an AbortError; mid-body the stream errors', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
    });
    try {
      const early = new AbortController();
      const pending = nodeHttpFetch(`${s.url}/slow`, { signal: early.signal });
      setTimeout(() => early.abort(), 20);
      await assert.rejects(pending, (e: Error) => e.name === 'AbortError');

      const late = new AbortController();
      const res = await nodeHttpFetch(`${s.url}/stream`, { signal: late.signal });
      const reader = res.body!.getReader();
      assert.equal(Buffer.from((await reader.read()).value!).toString(), 'data: first\n\n');
      late.abort();
      await assert.rejects(reader.read(), (e: Error) => e.name === 'AbortError');
    } finally {
      await s.close();
    }
  });

  it('a redirect is followed on the same origin; to another origin it is the answer, and no key goes there', async () => {
    const other = await serve((_req, res) => res.writeHead(200).end('other'));
    const s = await serve((req, res) => {
      if (req.url === '/moved') res.writeHead(307, { location: '/here' }).end();
      else if (req.url === '/see-other') res.writeHead(303, { location: '/here' }).end();
      else if (req.url === '/away') res.writeHead(307, { location: `${other.url}/there` }).end();
      else res.writeHead(200).end('here');
    });
    try {
      const key = { authorization: 'Bearer sk-secret', 'x-api-key': 'sk-ant-secret', 'content-type': 'application/json' };
      const same = await nodeHttpFetch(`${s.url}/moved`, { method: 'POST', headers: key, body: 'b' });
      assert.equal(await same.text(), 'here');
      const seeOther = await nodeHttpFetch(`${s.url}/see-other`, { method: 'POST', headers: key, body: 'b' });
      assert.equal(await seeOther.text(), 'here');
      assert.deepEqual(
        s.seen.filter((r) => r.url === '/here').map((r) => [r.method, r.headers.authorization, r.headers['content-type'], r.body]),
        [
          ['POST', 'Bearer sk-secret', 'application/json', 'b'],
          ['GET', 'Bearer sk-secret', undefined, ''],
        ],
      );
      const away = await nodeHttpFetch(`${s.url}/away`, { method: 'POST', headers: key, body: 'b' });
      assert.equal(away.status, 307);
      assert.equal(away.headers.get('location'), `${other.url}/there`);
      assert.equal(other.seen.length, 0);
    } finally {
      await Promise.all([s.close(), other.close()]);
    }
  });

  it('through the SDK: a redirect to another host is an error that says where it pointed, and nothing is sent there', async () => {
    const other = await serve((_req, res) => res.writeHead(200).end('{}'));
    const s = await serve((_req, res) => res.writeHead(308, { location: `${other.url}/v1/chat/completions` }).end());
    try {
      const provider = createProvider({ name: 'gateway', type: 'openai-compatible', baseURL: `${s.url}/v1`, apiKey: 'sk-redirect-test' });
      const events = [];
      for await (const e of provider.stream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })) events.push(e);
      assert.deepEqual(events, [
        {
          type: 'error',
          error: {
            kind: 'bad_request',
            message: `gateway: the server redirected (308) at ${s.url}/v1/chat/completions to ${other.url}/v1/chat/completions; the key is not sent to another host. Point the base URL there yourself if you trust it.`,
            status: 308,
            requestId: undefined,
            url: `${s.url}/v1/chat/completions`,
          },
        },
      ]);
      assert.equal(other.seen.length, 0);
    } finally {
      await Promise.all([s.close(), other.close()]);
    }
  });

  it('a body it does not send itself (multipart form) goes to the global fetch, unchanged', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end('ok'));
    try {
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', new Blob(['{"x":1}\n']), 'input.jsonl');
      const res = await nodeHttpFetch(`${s.url}/v1/files`, { method: 'POST', body: form });
      assert.equal(await res.text(), 'ok');
      assert.match(String(s.seen[0]!.headers['content-type']), /^multipart\/form-data; boundary=/);
      assert.match(s.seen[0]!.body, /name="file"; filename="input.jsonl"[\s\S]*\{"x":1\}/);
    } finally {
      await s.close();
    }
  });
});
