// Per-request connection state and small HTTP helpers shared by server.ts and batches.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { anthropicErrorBody, openaiErrorBody } from './engine';
import type { RecordedRequest, Scenario, Vendor } from './types';

/** Wraps one response: tracks client disconnects and offers abortable sleeps. */
export class Conn {
  closed = false;
  /** Set when the server itself cut the connection (truncate scenario). */
  serverCut = false;
  private waiters = new Set<() => void>();

  constructor(
    readonly res: ServerResponse,
    readonly rec: RecordedRequest,
    onClose: () => void,
  ) {
    res.on('finish', () => {
      rec.completed = true;
    });
    res.on('close', () => {
      this.closed = true;
      if (!res.writableFinished && !this.serverCut) rec.disconnected = true;
      rec.endedAt = Date.now();
      for (const w of this.waiters) w();
      this.waiters.clear();
      onClose();
    });
  }

  /** Sleeps `ms` (Infinity = until the connection closes). Resolves early on close; 0 → no timer. */
  sleep(ms: number): Promise<void> {
    if (this.closed || !(ms > 0)) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      this.waiters.add(done);
      if (!Number.isFinite(ms)) return;
      // Node's timers run off the loop's cached clock and may fire up to 1 ms early: a profile's
      // delay is a floor the tests rely on (TTFT ≥ ttftMs), so wake no earlier than the deadline.
      const until = performance.now() + ms;
      const wake = (): void => {
        const left = until - performance.now();
        if (left > 0) timer = setTimeout(wake, left);
        else done();
      };
      timer = setTimeout(wake, ms);
    });
  }

  write(s: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.write(s);
  }

  end(s?: string): void {
    if (!this.closed && !this.res.writableEnded) this.res.end(s);
  }

  /** Destroys the socket without finishing the response. */
  cut(): void {
    this.serverCut = true;
    this.res.socket?.destroy();
    this.res.destroy();
  }
}

/** Everything a route handler needs. */
export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  conn: Conn;
  rec: RecordedRequest;
  vendor: Vendor;
  apiKey: string;
  body: any;
  rawBody: Buffer;
  /** Path parameters captured by the route (e.g. a batch id). */
  params: string[];
  scenario?: Scenario;
  requestId: string;
  /** The server's own base URL (http://127.0.0.1:PORT). */
  baseUrl: string;
}

export function idHeaders(ctx: Pick<Ctx, 'vendor' | 'requestId'>): Record<string, string> {
  return ctx.vendor === 'anthropic' ? { 'request-id': ctx.requestId } : { 'x-request-id': ctx.requestId };
}

export function sendJson(ctx: Ctx, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (ctx.conn.closed || ctx.res.headersSent) return;
  const text = JSON.stringify(body);
  ctx.rec.status = status;
  ctx.res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...idHeaders(ctx),
    ...headers,
  });
  ctx.res.end(text);
}

export function sendRaw(ctx: Ctx, status: number, data: string | Buffer, contentType: string): void {
  if (ctx.conn.closed || ctx.res.headersSent) return;
  ctx.rec.status = status;
  ctx.res.writeHead(status, {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(data)),
    ...idHeaders(ctx),
  });
  ctx.res.end(data);
}

/** An error in the vendor's format (OpenAI `{error:{…}}`, Anthropic `{type:"error",…}`). */
export function sendError(
  ctx: Ctx,
  status: number,
  message?: string,
  extra: { type?: string; code?: string | null; param?: string | null; headers?: Record<string, string> } = {},
): void {
  const body =
    ctx.vendor === 'anthropic' ? anthropicErrorBody(status, ctx.requestId, message, extra.type) : openaiErrorBody(status, message, extra);
  ctx.rec.outcome = ctx.rec.outcome ?? 'http_error';
  sendJson(ctx, status, body, extra.headers ?? {});
}
