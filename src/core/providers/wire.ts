// How a provider lets the runner stamp each HTTP attempt (see src/core/run/wire.ts): the SDK
// client's fetch reads the call's recorder from the request's fetchOptions, so one client serves
// every call and each attempt (the SDK's own retries included) is stamped as it is handed over.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WireRecorder } from '../types';
import { nodeHttpFetch } from './httpTransport';

const WIRE = Symbol('prompt-profiler.wire');

type WiredInit = RequestInit & { [WIRE]?: WireRecorder };

/** The fetch to give an SDK client: stamps the attempt, then sends it through node:http. */
export const wiredFetch: typeof fetch = (input, init) => {
  const wire = (init as WiredInit | undefined)?.[WIRE];
  wire?.attemptStarted();
  return nodeHttpFetch(input, init, wire?.httpClient);
};

/**
 * Per-request SDK options that carry the call's recorder to `wiredFetch` (typed as an empty
 * object: each SDK has its own RequestInit type, and the symbol key is ours alone).
 */
export function wireOptions(wire: WireRecorder | undefined): { fetchOptions?: {} } {
  return wire ? { fetchOptions: { [WIRE]: wire } } : {};
}

let warming: Promise<void> | undefined;

/**
 * Runs the HTTP client's one-time start-up ahead of the first call, so no call's measured time
 * holds it: a process's first request loads and compiles the client's code (undici, behind the
 * global Headers and Response) and its HTTP parser (40–60 ms on this machine, docs/BENCHMARKS.md).
 * One loopback request to a server of our own, once per process; nothing leaves the machine. Never fails: if it cannot run, the first call pays as before.
 */
export function warmHttpClient(): Promise<void> {
  warming ??= (async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream' }).end('data: {}\n\n'));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      const { port } = server.address() as AddressInfo;
      const res = await nodeHttpFetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(2000) });
      await res.text();
    } catch {
      // Nothing is lost: the first call then carries the start-up, as it did before.
    } finally {
      server.closeAllConnections();
      server.close();
    }
  })();
  return warming;
}
