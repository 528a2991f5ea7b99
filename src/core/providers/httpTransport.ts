// The SDKs' HTTP client: Node's own http/https modules behind a fetch-shaped function. Node's
// global fetch (undici's WHATWG fetch) costs so much CPU per request that at 50 calls in flight the
// SDK over it reported latencies 65 ms (p95) away from the server's truth, over node:http 19 ms
// (docs/BENCHMARKS.md, "HTTP client"). Only what the
// SDKs send on a chat call takes this path (a string or byte body); anything else (a multipart
// upload, a streamed body, a Request object) goes to the global fetch. Redirects are followed on
// the same origin only: a key (Authorization, x-api-key or a secret header) must not follow one to
// another host (the trust rule), so there the 3xx itself is the answer.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import type { HttpClientTimes } from '../types';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** As many same-origin hops as fetch would follow. */
const MAX_REDIRECTS = 20;
/** Statuses whose Response may not have a body. */
const NO_BODY = new Set([101, 204, 205, 304]);

/** `fetch(input, init)`; `times`, if given, hears when the request goes on its socket and when the body's chunks come off it. */
export async function nodeHttpFetch(input: string | URL | Request, init?: RequestInit, times?: HttpClientTimes): Promise<Response> {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  const body = init?.body;
  const simpleBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
  if (!url || !simpleBody || !/^https?:/i.test(url)) return fetch(input, init);
  const headers: Record<string, string> = {};
  // The SDKs hand over a Headers already: read it, no copy.
  const given = init?.headers;
  (given instanceof Headers ? given : new Headers(given)).forEach((value, name) => (headers[name] = value));
  let target = url;
  let method = init?.method ?? 'GET';
  let payload = body ?? undefined;
  for (let hop = 0; ; hop++) {
    const answer = await send(target, { method, headers }, payload, init?.signal ?? undefined, times, true);
    if (answer instanceof Response) return answer;
    const next = new URL(answer.location, target);
    // A key never follows a redirect to another origin (nor does any header): the 3xx is the answer.
    if (next.origin !== new URL(target).origin) return answer.response;
    if (hop >= MAX_REDIRECTS) throw new TypeError('fetch failed', { cause: new Error(`more than ${MAX_REDIRECTS} redirects`) });
    if (answer.response.status === 303 || (answer.response.status <= 302 && method === 'POST')) {
      method = 'GET';
      payload = undefined;
      delete headers['content-type'];
      delete headers['content-length'];
    }
    target = next.href;
  }
}

interface Redirect {
  location: string;
  /** The 3xx itself, bodiless: what the caller gets when it does not follow. */
  response: Response;
}

/** Resolves with the Response, or with a redirect for the caller to follow or not. */
function send(
  url: string,
  options: http.RequestOptions,
  body: string | Uint8Array | undefined,
  signal: AbortSignal | undefined,
  times: HttpClientTimes | undefined,
  mayRetry: boolean,
): Promise<Response | Redirect> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    let res: http.IncomingMessage | undefined;
    const request = (/^https:/i.test(url) ? https.request : http.request)(url, options, (incoming) => {
      res = incoming;
      const status = incoming.statusCode ?? 0;
      const responseHeaders = new Headers();
      for (let i = 0; i + 1 < incoming.rawHeaders.length; i += 2) responseHeaders.append(incoming.rawHeaders[i]!, incoming.rawHeaders[i + 1]!);
      if (REDIRECTS.has(status) && incoming.headers.location) {
        incoming.resume();
        return resolve({ location: incoming.headers.location, response: new Response(null, { status, statusText: incoming.statusMessage, headers: responseHeaders }) });
      }
      const queue = NO_BODY.has(status) || options.method === 'HEAD' ? (incoming.resume(), undefined) : new BodyQueue(decoded(incoming), times);
      try {
        const response = new Response(queue?.webStream() ?? null, { status, statusText: incoming.statusMessage, headers: responseHeaders });
        if (queue) Object.defineProperty(response, BODY_QUEUE, { value: queue });
        resolve(response);
      } catch (e) {
        incoming.destroy();
        reject(e);
      }
    });
    // The request's bytes are written in the tick it gets its socket: there the wire's time starts.
    if (times) request.once('socket', () => times.sending());
    // Like fetch: an abort rejects with an AbortError before the headers, and errors the body after.
    const onAbort = () => (res ? res.destroy(abortError(signal!)) : request.destroy(abortError(signal!)));
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => signal?.removeEventListener('abort', onAbort));
    request.on('error', (e: NodeJS.ErrnoException) => {
      if (e.name === 'AbortError') return reject(e);
      // A kept-alive socket the server closed as we reused it: Node's documented remedy is one retry.
      if (mayRetry && !res && request.reusedSocket && e.code === 'ECONNRESET') return resolve(send(url, options, body, signal, times, false));
      // The shape the global fetch gives a failed connection, which the SDKs and our error texts read.
      reject(new TypeError('fetch failed', { cause: e }));
    });
    request.end(body);
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error && signal.reason.name === 'AbortError' ? signal.reason : new DOMException('This operation was aborted', 'AbortError');
}

/** A chunk waits in the reader's queue; past this many the socket is paused until the reader catches up. */
const QUEUE_HIGH = 64;

/** Where a Response of ours keeps its body's queue, for readers that take chunks without a web stream. */
const BODY_QUEUE = Symbol('prompt-profiler.bodyQueue');

/**
 * The body, handed to its reader one chunk at a time, so that `times` learns which chunk the reader
 * is on and when it arrived. Each arrival is stamped in the socket's own callback, before any reader
 * runs; the end in the tick after the last chunk, also before any reader's turn.
 */
class BodyQueue {
  private readonly queue: { chunk: Uint8Array; arrivedAt: number }[] = [];
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly source: Readable,
    private readonly times: HttpClientTimes | undefined,
  ) {
    source.on('data', (chunk: Buffer) => {
      this.queue.push({ chunk, arrivedAt: times ? times.now() : 0 });
      if (this.queue.length >= QUEUE_HIGH) source.pause();
      this.notify();
    });
    source.on('end', () => {
      times?.ended();
      this.ended = true;
      this.notify();
    });
    source.on('error', (e) => {
      this.failure = e;
      this.notify();
    });
  }

  /** The next chunk; undefined at the end. A reader that waited is woken in the loop's check phase, after every ready socket was stamped. */
  next(): Promise<Uint8Array | undefined> {
    return new Promise((resolve, reject) => {
      const step = () => {
        const next = this.queue.shift();
        if (next) {
          if (this.source.isPaused() && this.queue.length < QUEUE_HIGH / 2) this.source.resume();
          this.times?.read(next.arrivedAt);
          resolve(next.chunk);
        } else if (this.failure) reject(this.failure);
        else if (this.ended) resolve(undefined);
        else this.wake = step;
      };
      step();
    });
  }

  cancel(): void {
    this.source.destroy();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = undefined;
    if (w) setImmediate(w);
  }

  /** The same chunks as a web stream, for readers of `response.body`. */
  webStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: (controller) =>
          this.next().then(
            (chunk) => (chunk ? controller.enqueue(chunk) : controller.close()),
            (e) => controller.error(e),
          ),
        cancel: () => this.cancel(),
      },
      // Pulled only when the reader asks: the chunk handed over is the one it is working on.
      { highWaterMark: 0 },
    );
  }
}

/**
 * A response's body chunks: off our transport's queue directly when the Response is ours (no web
 * stream between the socket and the reader: at 100 calls in flight that costs CPU on the path of
 * every chunk), else through `response.body`. Leaving early cancels the body.
 */
export async function* bodyChunks(response: Response): AsyncGenerator<Uint8Array> {
  const queue = (response as { [BODY_QUEUE]?: BodyQueue })[BODY_QUEUE];
  if (queue) {
    let done = false;
    try {
      for (let chunk = await queue.next(); chunk; chunk = await queue.next()) yield chunk;
      done = true;
    } finally {
      if (!done) queue.cancel();
    }
    return;
  }
  const reader = response.body?.getReader();
  if (!reader) return;
  let done = false;
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) yield r.value;
    done = true;
  } finally {
    if (!done) void reader.cancel().catch(() => undefined);
  }
}

/** The body as sent, decompressed if the server compressed it though we did not ask. */
function decoded(res: http.IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder = encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip() : encoding === 'deflate' ? zlib.createInflate() : encoding === 'br' ? zlib.createBrotliDecompress() : undefined;
  if (!decoder) return res;
  res.on('error', (e) => decoder.destroy(e));
  return res.pipe(decoder);
}
