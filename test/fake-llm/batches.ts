// Batch APIs of both vendors. State advances ONLY through advance() (FakeLlm.advanceBatches or
// POST /__admin/batches/advance), never on wall time.
//
// OpenAI:    validating → in_progress → finalizing → completed   (one step per advance)
//            cancel: → cancelling → cancelled;  expire: → expired;  invalid input lines: → failed
// Anthropic: in_progress → ended;  cancel: canceling → ended (all canceled);  expire: → ended (expired)
// Result/output lines are written in a seeded, shuffled order (match them on custom_id).
//
// Test hook: a batch request whose last user message contains FAKE_BATCH_ERROR fails on its own
// with a 400 (OpenAI: a line with response.status_code 400 in the error file; Anthropic: an
// `errored` result with an invalid_request_error), the rest of the batch succeeding.
import { BadRequest, anthropicErrorBody, openaiErrorBody, type Engine, type OpenAIUsage } from './engine';
import { sendError, sendJson, sendRaw, type Ctx } from './http';
import { prng } from './prng';
import { hashString } from './textgen';
import type { BatchAdvanceOptions, Vendor } from './types';

interface BatchRoute {
  name: string;
  vendor: Vendor;
  params: string[];
  handle: (ctx: Ctx) => Promise<void> | void;
}

interface StoredFile {
  meta: {
    id: string;
    object: 'file';
    bytes: number;
    created_at: number;
    filename: string;
    purpose: string;
    status: 'processed';
    status_details: null;
    expires_at: number | null;
  };
  content: string;
}

type OpenAIStatus = 'validating' | 'in_progress' | 'finalizing' | 'completed' | 'failed' | 'expired' | 'cancelling' | 'cancelled';

interface LineResult {
  custom_id: string;
  ok: boolean;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
  usage?: OpenAIUsage;
}

interface OpenAIBatch {
  obj: {
    id: string;
    object: 'batch';
    endpoint: string;
    errors: { object: 'list'; data: { code: string; message: string; param: string | null; line: number | null }[] } | null;
    input_file_id: string;
    completion_window: string;
    status: OpenAIStatus;
    output_file_id: string | null;
    error_file_id: string | null;
    created_at: number;
    in_progress_at: number | null;
    expires_at: number;
    finalizing_at: number | null;
    completed_at: number | null;
    failed_at: number | null;
    expired_at: number | null;
    cancelling_at: number | null;
    cancelled_at: number | null;
    request_counts: { total: number; completed: number; failed: number };
    metadata: Record<string, string> | null;
    usage?: unknown;
  };
  apiKey: string;
  lines: { custom_id: string; body: unknown }[];
  results: LineResult[] | null;
}

interface AnthropicBatch {
  obj: {
    id: string;
    type: 'message_batch';
    processing_status: 'in_progress' | 'canceling' | 'ended';
    request_counts: { processing: number; succeeded: number; errored: number; canceled: number; expired: number };
    created_at: string;
    expires_at: string;
    ended_at: string | null;
    archived_at: string | null;
    cancel_initiated_at: string | null;
    results_url: string | null;
  };
  apiKey: string;
  requests: { custom_id: string; params: unknown }[];
  results: string | null;
}

/** See the header: a per-request failure the tests can ask for through the prompt text. */
export const FAKE_BATCH_ERROR = 'FAKE_BATCH_ERROR';

function lastUserText(body: any): string {
  const messages: any[] = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    if (typeof m.content === 'string') return m.content;
    if (Array.isArray(m.content)) return m.content.map((p: any) => (typeof p?.text === 'string' ? p.text : '')).join('');
    return '';
  }
  return '';
}

function injectedFailure(body: unknown): void {
  if (lastUserText(body).includes(FAKE_BATCH_ERROR)) {
    throw new BadRequest(`Injected failure: the prompt contains ${FAKE_BATCH_ERROR}.`, 'messages', 'invalid_value');
  }
}

const OPENAI_TERMINAL: OpenAIStatus[] = ['completed', 'failed', 'expired', 'cancelled'];

export class BatchStore {
  private files = new Map<string, StoredFile>();
  private openai = new Map<string, OpenAIBatch>();
  private anthropic = new Map<string, AnthropicBatch>();
  private counter = 0;

  constructor(
    private readonly engine: Engine,
    private readonly baseUrl: () => string,
  ) {}

  reset(): void {
    this.files.clear();
    this.openai.clear();
    this.anthropic.clear();
    this.counter = 0;
  }

  private nextId(prefix: string): string {
    this.counter++;
    return `${prefix}${String(this.counter).padStart(6, '0')}`;
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  private shuffled<T>(items: T[], key: string): T[] {
    const out = [...items];
    const rand = prng(hashString(key, this.engine.seed >>> 0));
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    if (out.length >= 2 && out.every((x, i) => x === items[i])) out.push(out.shift() as T);
    return out;
  }

  route(method: string, path: string): BatchRoute | undefined {
    const r = (name: string, vendor: Vendor, params: string[], handle: (ctx: Ctx) => Promise<void> | void): BatchRoute => ({ name, vendor, params, handle });
    let m: RegExpExecArray | null;
    // OpenAI files
    if (path === '/v1/files') {
      if (method === 'POST') return r('openai.files.create', 'openai', [], (ctx) => this.fileCreate(ctx));
      if (method === 'GET') return r('openai.files.list', 'openai', [], (ctx) => this.fileList(ctx));
    }
    if ((m = /^\/v1\/files\/([^/]+)$/.exec(path))) {
      if (method === 'GET') return r('openai.files.retrieve', 'openai', [m[1]], (ctx) => this.fileGet(ctx));
      if (method === 'DELETE') return r('openai.files.delete', 'openai', [m[1]], (ctx) => this.fileDelete(ctx));
    }
    if ((m = /^\/v1\/files\/([^/]+)\/content$/.exec(path)) && method === 'GET') {
      return r('openai.files.content', 'openai', [m[1]], (ctx) => this.fileContent(ctx));
    }
    // OpenAI batches
    if (path === '/v1/batches') {
      if (method === 'POST') return r('openai.batches.create', 'openai', [], (ctx) => this.openaiCreate(ctx));
      if (method === 'GET') return r('openai.batches.list', 'openai', [], (ctx) => this.openaiList(ctx));
    }
    if ((m = /^\/v1\/batches\/([^/]+)$/.exec(path)) && method === 'GET') {
      return r('openai.batches.retrieve', 'openai', [m[1]], (ctx) => this.openaiGet(ctx));
    }
    if ((m = /^\/v1\/batches\/([^/]+)\/cancel$/.exec(path)) && method === 'POST') {
      return r('openai.batches.cancel', 'openai', [m[1]], (ctx) => this.openaiCancel(ctx));
    }
    // Anthropic message batches
    if (path === '/v1/messages/batches') {
      if (method === 'POST') return r('anthropic.batches.create', 'anthropic', [], (ctx) => this.anthropicCreate(ctx));
      if (method === 'GET') return r('anthropic.batches.list', 'anthropic', [], (ctx) => this.anthropicList(ctx));
    }
    if ((m = /^\/v1\/messages\/batches\/([^/]+)$/.exec(path))) {
      if (method === 'GET') return r('anthropic.batches.retrieve', 'anthropic', [m[1]], (ctx) => this.anthropicGet(ctx));
      if (method === 'DELETE') return r('anthropic.batches.delete', 'anthropic', [m[1]], (ctx) => this.anthropicDelete(ctx));
    }
    if ((m = /^\/v1\/messages\/batches\/([^/]+)\/cancel$/.exec(path)) && method === 'POST') {
      return r('anthropic.batches.cancel', 'anthropic', [m[1]], (ctx) => this.anthropicCancel(ctx));
    }
    if ((m = /^\/v1\/messages\/batches\/([^/]+)\/results$/.exec(path)) && method === 'GET') {
      return r('anthropic.batches.results', 'anthropic', [m[1]], (ctx) => this.anthropicResults(ctx));
    }
    return undefined;
  }

  // ------------------------------------------------------------------------------ OpenAI files

  private storeFile(filename: string, purpose: string, content: string): StoredFile {
    const now = this.engine.nowSeconds();
    const f: StoredFile = {
      meta: {
        id: this.nextId('file-fake'),
        object: 'file',
        bytes: Buffer.byteLength(content),
        created_at: now,
        filename,
        purpose,
        status: 'processed',
        status_details: null,
        expires_at: purpose === 'batch' ? now + 30 * 86400 : null,
      },
      content,
    };
    this.files.set(f.meta.id, f);
    return f;
  }

  private async fileCreate(ctx: Ctx): Promise<void> {
    const ct = ctx.req.headers['content-type'] ?? '';
    if (!ct.includes('multipart/form-data')) return sendError(ctx, 400, 'Expected a multipart/form-data body.');
    let form: FormData;
    try {
      form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': ct }, body: ctx.rawBody }).formData();
    } catch (err) {
      return sendError(ctx, 400, `Could not parse multipart body: ${(err as Error).message}`);
    }
    const purpose = form.get('purpose');
    const file = form.get('file');
    if (typeof purpose !== 'string' || !purpose) return sendError(ctx, 400, "Missing required parameter: 'purpose'.", { param: 'purpose' });
    if (!file || typeof file === 'string') return sendError(ctx, 400, "Missing required parameter: 'file'.", { param: 'file' });
    const content = await file.text();
    const filename = (file as { name?: string }).name || 'upload.jsonl';
    ctx.rec.body = { purpose, file: { filename, bytes: Buffer.byteLength(content) } };
    const f = this.storeFile(filename, purpose, content);
    ctx.rec.outcome = 'ok';
    sendJson(ctx, 200, f.meta);
  }

  private fileList(ctx: Ctx): void {
    const data = [...this.files.values()].map((f) => f.meta);
    sendJson(ctx, 200, { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
  }

  private fileGet(ctx: Ctx): void {
    const f = this.files.get(ctx.params[0]);
    if (!f) return sendError(ctx, 404, `No such File object: ${ctx.params[0]}`, { param: 'id' });
    sendJson(ctx, 200, f.meta);
  }

  private fileDelete(ctx: Ctx): void {
    const f = this.files.get(ctx.params[0]);
    if (!f) return sendError(ctx, 404, `No such File object: ${ctx.params[0]}`, { param: 'id' });
    this.files.delete(f.meta.id);
    sendJson(ctx, 200, { id: f.meta.id, object: 'file', deleted: true });
  }

  private fileContent(ctx: Ctx): void {
    const f = this.files.get(ctx.params[0]);
    if (!f) return sendError(ctx, 404, `No such File object: ${ctx.params[0]}`, { param: 'id' });
    ctx.rec.outcome = 'ok';
    sendRaw(ctx, 200, f.content, 'application/octet-stream');
  }

  // ------------------------------------------------------------------------------ OpenAI batches

  private openaiCreate(ctx: Ctx): void {
    const b = ctx.body ?? {};
    if (typeof b.input_file_id !== 'string') return sendError(ctx, 400, "Missing required parameter: 'input_file_id'.", { param: 'input_file_id' });
    if (typeof b.endpoint !== 'string') return sendError(ctx, 400, "Missing required parameter: 'endpoint'.", { param: 'endpoint' });
    if (b.endpoint !== '/v1/chat/completions') return sendError(ctx, 400, `The fake only batches /v1/chat/completions, not ${b.endpoint}.`, { param: 'endpoint' });
    if (b.completion_window !== '24h') return sendError(ctx, 400, "Invalid 'completion_window': expected '24h'.", { param: 'completion_window' });
    if (!this.files.has(b.input_file_id)) return sendError(ctx, 404, `No such File object: ${b.input_file_id}`, { param: 'input_file_id' });
    const now = this.engine.nowSeconds();
    const batch: OpenAIBatch = {
      obj: {
        id: this.nextId('batch_fake'),
        object: 'batch',
        endpoint: b.endpoint,
        errors: null,
        input_file_id: b.input_file_id,
        completion_window: '24h',
        status: 'validating',
        output_file_id: null,
        error_file_id: null,
        created_at: now,
        in_progress_at: null,
        expires_at: now + 86400,
        finalizing_at: null,
        completed_at: null,
        failed_at: null,
        expired_at: null,
        cancelling_at: null,
        cancelled_at: null,
        request_counts: { total: 0, completed: 0, failed: 0 },
        metadata: b.metadata ?? null,
      },
      apiKey: ctx.apiKey,
      lines: [],
      results: null,
    };
    this.openai.set(batch.obj.id, batch);
    ctx.rec.outcome = 'ok';
    sendJson(ctx, 200, batch.obj);
  }

  private openaiList(ctx: Ctx): void {
    const data = [...this.openai.values()].map((b) => b.obj).reverse();
    sendJson(ctx, 200, { object: 'list', data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
  }

  private openaiGet(ctx: Ctx): void {
    const b = this.openai.get(ctx.params[0]);
    if (!b) return sendError(ctx, 404, `No batch found with id '${ctx.params[0]}'.`);
    sendJson(ctx, 200, b.obj);
  }

  private openaiCancel(ctx: Ctx): void {
    const b = this.openai.get(ctx.params[0]);
    if (!b) return sendError(ctx, 404, `No batch found with id '${ctx.params[0]}'.`);
    if (OPENAI_TERMINAL.includes(b.obj.status) || b.obj.status === 'cancelling') {
      return sendError(ctx, 400, `Cannot cancel a batch with status '${b.obj.status}'.`);
    }
    b.obj.status = 'cancelling';
    b.obj.cancelling_at = this.engine.nowSeconds();
    sendJson(ctx, 200, b.obj);
  }

  private openaiValidate(b: OpenAIBatch): void {
    const file = this.files.get(b.obj.input_file_id);
    const errors: { code: string; message: string; param: string | null; line: number | null }[] = [];
    const lines = (file?.content ?? '').split(/\r?\n/).filter((l) => l.trim() !== '');
    const ids = new Set<string>();
    lines.forEach((l, i) => {
      let o: any;
      try {
        o = JSON.parse(l);
      } catch {
        errors.push({ code: 'invalid_json_line', message: 'This line is not parseable as valid JSON.', param: null, line: i + 1 });
        return;
      }
      if (typeof o?.custom_id !== 'string') errors.push({ code: 'missing_required_parameter', message: 'Missing custom_id.', param: 'custom_id', line: i + 1 });
      else if (ids.has(o.custom_id)) errors.push({ code: 'duplicate_custom_id', message: 'The custom_id for this request is a duplicate.', param: 'custom_id', line: i + 1 });
      else ids.add(o.custom_id);
      if (o?.method !== 'POST') errors.push({ code: 'invalid_method', message: "The method must be 'POST'.", param: 'method', line: i + 1 });
      if (o?.url !== b.obj.endpoint) errors.push({ code: 'mismatched_endpoint', message: 'The url does not match the batch endpoint.', param: 'url', line: i + 1 });
      if (!errors.some((e) => e.line === i + 1)) b.lines.push({ custom_id: o.custom_id, body: o.body });
    });
    if (lines.length === 0) errors.push({ code: 'empty_file', message: 'The input file is empty.', param: null, line: null });
    const now = this.engine.nowSeconds();
    if (errors.length) {
      b.obj.status = 'failed';
      b.obj.failed_at = now;
      b.obj.errors = { object: 'list', data: errors };
      b.lines = [];
      return;
    }
    b.obj.status = 'in_progress';
    b.obj.in_progress_at = now;
    b.obj.request_counts.total = b.lines.length;
  }

  private openaiRun(b: OpenAIBatch): void {
    b.results = b.lines.map((line) => {
      const requestId = `req_fake_batch_${this.engine.nextId()}`;
      try {
        injectedFailure(line.body);
        const plan = this.engine.planOpenAIChat(line.body, b.apiKey);
        return {
          custom_id: line.custom_id,
          ok: true,
          response: { status_code: 200, request_id: requestId, body: this.engine.openaiChatBody(plan, this.engine.nextId()) },
          error: null,
          usage: plan.usage,
        };
      } catch (err) {
        if (!(err instanceof BadRequest)) throw err;
        return {
          custom_id: line.custom_id,
          ok: false,
          response: { status_code: 400, request_id: requestId, body: openaiErrorBody(400, err.message, { param: err.param, code: err.code }) },
          error: null,
        };
      }
    });
    b.obj.request_counts.completed = b.results.filter((r) => r.ok).length;
    b.obj.request_counts.failed = b.results.length - b.obj.request_counts.completed;
  }

  /** Writes output/error files; lines without a result get `missingCode`. */
  private openaiWriteFiles(b: OpenAIBatch, missingCode: 'batch_cancelled' | 'batch_expired' | null): void {
    const done = new Map((b.results ?? []).map((r) => [r.custom_id, r]));
    const all: LineResult[] = b.lines.map(
      (l) =>
        done.get(l.custom_id) ?? {
          custom_id: l.custom_id,
          ok: false,
          response: null,
          error: { code: missingCode ?? 'batch_expired', message: missingCode === 'batch_cancelled' ? 'This request was cancelled.' : 'This request could not be executed before the completion window expired.' },
        },
    );
    const toLine = (r: LineResult): string => JSON.stringify({ id: `batch_req_${hashString(b.obj.id + r.custom_id).toString(16)}`, custom_id: r.custom_id, response: r.response, error: r.error });
    const ok = this.shuffled(all.filter((r) => r.ok), b.obj.id + ':out');
    const bad = this.shuffled(all.filter((r) => !r.ok), b.obj.id + ':err');
    if (ok.length) b.obj.output_file_id = this.storeFile(`${b.obj.id}_output.jsonl`, 'batch_output', ok.map(toLine).join('\n') + '\n').meta.id;
    if (bad.length) b.obj.error_file_id = this.storeFile(`${b.obj.id}_error.jsonl`, 'batch_output', bad.map(toLine).join('\n') + '\n').meta.id;
    b.obj.request_counts.total = all.length;
    b.obj.request_counts.completed = ok.length;
    b.obj.request_counts.failed = bad.length;
    const usages = ok.map((r) => r.usage).filter((u): u is OpenAIUsage => u !== undefined);
    if (usages.length) {
      const sum = (f: (u: OpenAIUsage) => number): number => usages.reduce((n, u) => n + f(u), 0);
      b.obj.usage = {
        input_tokens: sum((u) => u.prompt_tokens),
        input_tokens_details: { cached_tokens: sum((u) => u.prompt_tokens_details?.cached_tokens ?? 0) },
        output_tokens: sum((u) => u.completion_tokens),
        output_tokens_details: { reasoning_tokens: sum((u) => u.completion_tokens_details?.reasoning_tokens ?? 0) },
        total_tokens: sum((u) => u.total_tokens),
      };
    }
  }

  private openaiStep(b: OpenAIBatch): boolean {
    const now = this.engine.nowSeconds();
    switch (b.obj.status) {
      case 'validating':
        this.openaiValidate(b);
        return true;
      case 'in_progress':
        this.openaiRun(b);
        b.obj.status = 'finalizing';
        b.obj.finalizing_at = now;
        return true;
      case 'finalizing':
        this.openaiWriteFiles(b, null);
        b.obj.status = 'completed';
        b.obj.completed_at = now;
        return true;
      case 'cancelling':
        if (b.lines.length === 0 && b.results === null) this.openaiValidateQuiet(b);
        this.openaiWriteFiles(b, 'batch_cancelled');
        b.obj.status = 'cancelled';
        b.obj.cancelled_at = now;
        return true;
      default:
        return false;
    }
  }

  /** Parses the input lines of a batch cancelled while still validating. */
  private openaiValidateQuiet(b: OpenAIBatch): void {
    const status = b.obj.status;
    const at = b.obj.in_progress_at;
    this.openaiValidate(b);
    if (b.obj.status === 'failed') {
      b.obj.failed_at = null;
      b.obj.errors = null;
    }
    b.obj.status = status;
    b.obj.in_progress_at = at;
  }

  private openaiExpire(b: OpenAIBatch): void {
    if (OPENAI_TERMINAL.includes(b.obj.status)) return;
    if (b.lines.length === 0 && b.results === null) this.openaiValidateQuiet(b);
    this.openaiWriteFiles(b, 'batch_expired');
    b.obj.status = 'expired';
    b.obj.expired_at = this.engine.nowSeconds();
  }

  // ------------------------------------------------------------------------------ Anthropic

  private anthropicCreate(ctx: Ctx): void {
    const reqs = ctx.body?.requests;
    if (!Array.isArray(reqs) || reqs.length === 0) return sendError(ctx, 400, 'requests: Field required');
    const seen = new Set<string>();
    for (const r of reqs) {
      if (typeof r?.custom_id !== 'string' || !r.custom_id) return sendError(ctx, 400, 'requests.custom_id: Field required');
      if (seen.has(r.custom_id)) return sendError(ctx, 400, `Duplicate custom_id: ${r.custom_id}`);
      seen.add(r.custom_id);
      if (!r.params || typeof r.params !== 'object') return sendError(ctx, 400, 'requests.params: Field required');
    }
    const now = this.engine.now();
    const batch: AnthropicBatch = {
      obj: {
        id: this.nextId('msgbatch_fake'),
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: reqs.length, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        created_at: this.iso(now),
        expires_at: this.iso(now + 86400_000),
        ended_at: null,
        archived_at: null,
        cancel_initiated_at: null,
        results_url: null,
      },
      apiKey: ctx.apiKey,
      requests: reqs.map((r: any) => ({ custom_id: r.custom_id, params: r.params })),
      results: null,
    };
    this.anthropic.set(batch.obj.id, batch);
    ctx.rec.outcome = 'ok';
    sendJson(ctx, 200, batch.obj);
  }

  private anthropicList(ctx: Ctx): void {
    const data = [...this.anthropic.values()].map((b) => b.obj).reverse();
    sendJson(ctx, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null });
  }

  private anthropicGet(ctx: Ctx): void {
    const b = this.anthropic.get(ctx.params[0]);
    if (!b) return sendError(ctx, 404, `No message batch found with id '${ctx.params[0]}'.`);
    sendJson(ctx, 200, b.obj);
  }

  private anthropicCancel(ctx: Ctx): void {
    const b = this.anthropic.get(ctx.params[0]);
    if (!b) return sendError(ctx, 404, `No message batch found with id '${ctx.params[0]}'.`);
    if (b.obj.processing_status === 'in_progress') {
      b.obj.processing_status = 'canceling';
      b.obj.cancel_initiated_at = this.iso(this.engine.now());
    }
    sendJson(ctx, 200, b.obj);
  }

  private anthropicDelete(ctx: Ctx): void {
    const b = this.anthropic.get(ctx.params[0]);
    if (!b) return sendError(ctx, 404, `No message batch found with id '${ctx.params[0]}'.`);
    if (b.obj.processing_status !== 'ended') return sendError(ctx, 400, 'Cannot delete a message batch that is still processing; cancel it first.');
    this.anthropic.delete(b.obj.id);
    sendJson(ctx, 200, { id: b.obj.id, type: 'message_batch_deleted' });
  }

  private anthropicResults(ctx: Ctx): void {
    const b = this.anthropic.get(ctx.params[0]);
    if (!b) return sendError(ctx, 404, `No message batch found with id '${ctx.params[0]}'.`);
    if (b.results === null) return sendError(ctx, 404, `Results for message batch '${b.obj.id}' are not available yet.`);
    ctx.rec.outcome = 'ok';
    sendRaw(ctx, 200, b.results, 'application/binary');
  }

  private anthropicEnd(b: AnthropicBatch, fate: 'run' | 'canceled' | 'expired'): void {
    const counts = { processing: 0, succeeded: 0, errored: 0, canceled: 0, expired: 0 };
    const lines = b.requests.map((r) => {
      if (fate !== 'run') {
        counts[fate]++;
        return { custom_id: r.custom_id, result: { type: fate } };
      }
      try {
        injectedFailure(r.params);
        const plan = this.engine.planAnthropic(r.params, b.apiKey, { serviceTier: 'batch' });
        counts.succeeded++;
        return { custom_id: r.custom_id, result: { type: 'succeeded', message: this.engine.anthropicMessageBody(plan, this.engine.nextId()) } };
      } catch (err) {
        if (!(err instanceof BadRequest)) throw err;
        counts.errored++;
        const e = anthropicErrorBody(400, `req_fake_batch_${this.engine.nextId()}`, err.message) as { error: unknown };
        return { custom_id: r.custom_id, result: { type: 'errored', error: { type: 'error', error: e.error } } };
      }
    });
    b.results = this.shuffled(lines, b.obj.id).map((l) => JSON.stringify(l)).join('\n') + '\n';
    b.obj.request_counts = counts;
    b.obj.processing_status = 'ended';
    b.obj.ended_at = this.iso(this.engine.now());
    b.obj.results_url = `${this.baseUrl()}/v1/messages/batches/${b.obj.id}/results`;
  }

  private anthropicStep(b: AnthropicBatch): boolean {
    if (b.obj.processing_status === 'in_progress') this.anthropicEnd(b, 'run');
    else if (b.obj.processing_status === 'canceling') this.anthropicEnd(b, 'canceled');
    else return false;
    return true;
  }

  // ------------------------------------------------------------------------------ control

  advance(opts: BatchAdvanceOptions = {}): void {
    if (opts.expire) {
      for (const b of this.openai.values()) this.openaiExpire(b);
      for (const b of this.anthropic.values()) if (b.obj.processing_status !== 'ended') this.anthropicEnd(b, 'expired');
      return;
    }
    const steps = opts.complete ? Number.POSITIVE_INFINITY : Math.max(1, opts.steps ?? 1);
    for (let i = 0; i < steps; i++) {
      let changed = false;
      for (const b of this.openai.values()) changed = this.openaiStep(b) || changed;
      for (const b of this.anthropic.values()) changed = this.anthropicStep(b) || changed;
      if (!changed) break;
    }
  }
}
