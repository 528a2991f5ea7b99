// Token counts of whole prompt documents (our `.prompt`/`.prompty` language, VS Code's own
// prompt files), kept up to date edit by edit: each open prompt document is a ChunkedPrompt fed
// with the lines its text changes touched, so a keystroke re-encodes one chunk, and every model
// on one encoding shares one pass. Documents of other languages are never looked at.
// Large documents live in a worker thread; until its exact figure arrives, the count is an
// approximation, labelled as such. Results are keyed by document version, never by hashing text.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ChunkedPrompt, type CountingEncoding } from '../../core/prompt/chunked';
import { CountWorkerClient, type WorkerCounts, type WorkerDocument } from '../../core/prompt/countWorkerClient';
import { loadEncoding as loadCoreEncoding, tokenizerSpecFor, type EncodingName } from '../../core/tokens';
import type { TokenCount } from '../../core/types';
import { parseModelId } from '../../core/types';
import { isPromptLanguage } from '../constants';
import { Disposable } from '../lifecycle';

/** Documents over this many characters are counted in the worker. */
export const LARGE_DOCUMENT_CHARS = 4_000_000;
/** Longest run of our own counting on the extension host's thread before it yields. */
const SLICE_MS = 10;
/** What the worker is sent at a time while a large document is first loaded. */
const LOAD_LINES_PER_SLICE = 20_000;

export const APPROXIMATE_METHOD = '≈ approximate, exact count in progress';

/** Whole-document prompts: every line is the prompt. */
export function isPromptDocument(doc: vscode.TextDocument): boolean {
  return isPromptLanguage(doc.languageId);
}

/** Does `range` span the whole document? */
export function coversDocument(doc: vscode.TextDocument, range: vscode.Range): boolean {
  const last = doc.lineAt(doc.lineCount - 1);
  return range.start.line === 0 && range.start.character === 0 && range.end.isEqual(last.range.end);
}

export interface DocumentCounts {
  version: number;
  /** Per model id. */
  counts: Map<string, TokenCount>;
  /** False while any figure is an approximation (a later call, or `onDidCount`, gives the exact one). */
  complete: boolean;
  /** From the front matter. */
  models: string[];
  maxOutputTokens?: number;
  description?: string;
}

export interface PromptDocumentsOptions {
  /** Loads an encoding (tests inject one that counts its calls). */
  loadEncoding?: (name: EncodingName) => Promise<CountingEncoding>;
  /** The count worker's script (default: dist/countWorker.js beside this bundle). */
  workerFile?: string;
  workerExecArgv?: string[];
  largeDocumentChars?: number;
  /** Lines sent to the worker at a time while a large document is first loaded. */
  loadLinesPerSlice?: number;
}

interface Tracked {
  version: number;
  eol: '\n' | '\r\n';
  lineCount: number;
  /** Small documents: counted here. */
  prompt?: ChunkedPrompt;
  /** Large ones: mirrored in the worker, with the last figures it gave (and for which version). */
  remote?: {
    doc: WorkerDocument;
    loaded: Promise<boolean>;
    /** Lines are still being sent. */
    loading: boolean;
    /** While loading: the worker holds lines [0, sent) of the document as it is now. */
    sent: number;
    last?: WorkerCounts & { version: number };
    chars: number;
    /** The count asked for this version, shared by everyone who asks meanwhile. */
    inFlight?: { version: number; encodings: string; result: Promise<(WorkerCounts & { version: number }) | undefined> };
  };
}

export class PromptDocuments extends Disposable {
  private readonly tracked = new Map<string, Tracked>();
  private readonly counted = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** An approximate figure of this document has become exact: redraw. */
  readonly onDidCount = this.counted.event;
  private readonly loadEncoding: (name: EncodingName) => Promise<CountingEncoding>;
  private readonly largeChars: number;
  private worker: CountWorkerClient | undefined;
  private readonly pendingRefresh = new Set<string>();

  constructor(private readonly options: PromptDocumentsOptions = {}) {
    super();
    this.loadEncoding = options.loadEncoding ?? loadCoreEncoding;
    this.largeChars = options.largeDocumentChars ?? LARGE_DOCUMENT_CHARS;
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => this.forget(doc.uri)));
    this._register({ dispose: () => this.worker?.dispose() });
  }

  /** Token counts of `doc` (a prompt document) on each model, at its current version. */
  async counts(doc: vscode.TextDocument, modelIds: readonly string[], options: { waitForExact?: boolean } = {}): Promise<DocumentCounts> {
    const specs = modelIds.map((id) => {
      const { provider, model } = parseModelId(id);
      return { id, spec: tokenizerSpecFor(model, provider) };
    });
    const encodingNames = [...new Set(specs.map((s) => s.spec.encoding))];
    const t = this.track(doc);
    const raw = new Map<EncodingName, { tokens: number; complete: boolean }>();
    let meta: Pick<DocumentCounts, 'models' | 'maxOutputTokens' | 'description'>;
    if (t.prompt) {
      const prompt = t.prompt;
      for (const name of encodingNames) {
        const encoding = await this.loadEncoding(name);
        let r = prompt.chatTokens(encoding, { budgetMs: SLICE_MS });
        while (!r.complete && options.waitForExact) {
          await new Promise((resolve) => setImmediate(resolve));
          if (this.tracked.get(key(doc)) !== t) break;
          r = prompt.chatTokens(encoding, { budgetMs: SLICE_MS });
        }
        if (!r.complete) this.finishLater(doc, t, name);
        raw.set(name, r);
      }
      const m = prompt.meta;
      meta = { models: m.models, maxOutputTokens: m.maxOutputTokens, description: m.description };
    } else {
      const remote = t.remote!;
      const version = t.version;
      // Nothing to count (the front matter only): the worker is not asked (a count would supersede one in flight).
      const exact = encodingNames.length ? this.remoteCount(doc, t, encodingNames) : Promise.resolve(remote.last);
      const last = options.waitForExact ? await exact : remote.last?.version === version ? remote.last : undefined;
      for (const name of encodingNames) {
        const n = last?.version === version ? last.counts[name] : undefined;
        // Until the worker answers: the last exact figure of an older version, else ≈ 4 characters a token.
        raw.set(name, n !== undefined ? { tokens: n, complete: true } : { tokens: remote.last?.counts[name] ?? Math.ceil(remote.chars / 4), complete: false });
      }
      meta = remote.last?.meta ?? { models: [] };
    }
    const counts = new Map<string, TokenCount>();
    let complete = true;
    for (const { id, spec } of specs) {
      const r = raw.get(spec.encoding)!;
      complete &&= r.complete;
      const tokens = spec.factor === 1 ? r.tokens : Math.ceil(r.tokens * spec.factor);
      counts.set(id, r.complete ? { tokens, estimated: !spec.exact, method: spec.method } : { tokens, estimated: true, method: APPROXIMATE_METHOD });
    }
    return { version: t.version, counts, complete, ...meta };
  }

  /** True when nothing but whitespace is in the document (no prompt to count). */
  isBlank(doc: vscode.TextDocument): boolean {
    if (doc.lineCount === 1) return doc.lineAt(0).isEmptyOrWhitespace;
    return this.track(doc).prompt?.isBlank() ?? false;
  }

  /** The document's text as a ChunkedPrompt sees it (small documents only; else undefined). */
  prompt(doc: vscode.TextDocument): ChunkedPrompt | undefined {
    return this.track(doc).prompt;
  }

  private track(doc: vscode.TextDocument): Tracked {
    const k = key(doc);
    const t = this.tracked.get(k);
    if (t && (t.version === doc.version || t.remote?.loading)) return t;
    // New, or changed without our seeing the edits (reopened): read it once.
    if (t) this.forget(doc.uri);
    const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const chars = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    const fresh: Tracked = { version: doc.version, eol, lineCount: doc.lineCount };
    if (chars <= this.largeChars) fresh.prompt = new ChunkedPrompt(doc.getText().split(eol), eol);
    else {
      this.worker ??= new CountWorkerClient(this.options.workerFile ?? path.join(__dirname, 'countWorker.js'), this.options.workerExecArgv);
      fresh.remote = { doc: this.worker.open(eol, []), chars, loading: true, sent: 0, loaded: Promise.resolve(false) };
    }
    // Tracked before the load starts: it runs up to its first pause now, and stops once the
    // document it loads is no longer the tracked one (every large document's load stopped at
    // once, so the worker never held a line and the exact count never came).
    this.tracked.set(k, fresh);
    if (fresh.remote) fresh.remote.loaded = this.load(doc, fresh);
    return fresh;
  }

  /**
   * Sends a large document's lines to the worker a slice at a time, yielding between slices,
   * always the lines of the document as it is now: an edit meanwhile goes to the worker only for
   * the lines it already holds (onChange), so typing neither restarts the load nor makes it send
   * the whole text at once. False if the document was closed.
   */
  private async load(doc: vscode.TextDocument, t: Tracked): Promise<boolean> {
    const remote = t.remote!;
    while (remote.sent < doc.lineCount) {
      if (this.tracked.get(key(doc)) !== t) return false;
      const start = remote.sent;
      const end = Math.min(doc.lineCount, start + (this.options.loadLinesPerSlice ?? LOAD_LINES_PER_SLICE));
      const range = new vscode.Range(start, 0, end - 1, doc.lineAt(end - 1).text.length);
      remote.doc.append(doc.getText(range).split(t.eol));
      remote.sent = end;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.tracked.get(key(doc)) !== t) return false;
    t.version = doc.version;
    t.lineCount = doc.lineCount;
    remote.chars = doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
    remote.loading = false;
    return true;
  }

  private async remoteCount(doc: vscode.TextDocument, t: Tracked, encodings: EncodingName[]): Promise<(WorkerCounts & { version: number }) | undefined> {
    const remote = t.remote!;
    const version = t.version;
    if (remote.last?.version === version && encodings.every((e) => remote.last!.counts[e] !== undefined)) return remote.last;
    const asked = [...encodings].sort().join(',');
    if (remote.inFlight?.version === version && remote.inFlight.encodings === asked) return remote.inFlight.result;
    const result = this.askWorker(doc, t, encodings);
    const inFlight = { version, encodings: asked, result };
    remote.inFlight = inFlight;
    // Settled: a later look asks again (a superseded count answered nothing).
    void result.finally(() => {
      if (remote.inFlight === inFlight) remote.inFlight = undefined;
    });
    return result;
  }

  private async askWorker(doc: vscode.TextDocument, t: Tracked, encodings: EncodingName[]): Promise<(WorkerCounts & { version: number }) | undefined> {
    const remote = t.remote!;
    try {
      if (!(await remote.loaded)) throw new Error('closed while loading');
      const version = t.version;
      const r = await remote.doc.count(encodings);
      if (!r || this.tracked.get(key(doc)) !== t) return undefined;
      // Kept even if typing moved on: the approximate figure of the next versions starts from it.
      remote.last = { ...r, version };
      if (t.version !== version) return undefined;
      this.counted.fire(doc.uri);
      return remote.last;
    } catch {
      // Changed while loading, or the worker failed: start over on the next look.
      if (this.tracked.get(key(doc)) === t) this.forget(doc.uri);
      return undefined;
    }
  }

  /** Completes a small document's count in slices, then says so. */
  private finishLater(doc: vscode.TextDocument, t: Tracked, name: EncodingName): void {
    const k = `${key(doc)}|${name}`;
    if (this.pendingRefresh.has(k)) return;
    this.pendingRefresh.add(k);
    const step = async () => {
      const encoding = await this.loadEncoding(name);
      if (this.tracked.get(key(doc)) !== t) return this.pendingRefresh.delete(k);
      const r = t.prompt!.chatTokens(encoding, { budgetMs: SLICE_MS });
      if (!r.complete) return void setImmediate(() => void step());
      this.pendingRefresh.delete(k);
      this.counted.fire(doc.uri);
    };
    setImmediate(() => void step());
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    // Not a document we count: nothing to do (typing in any other file costs one map lookup).
    const t = this.tracked.get(key(e.document));
    if (!t || !e.contentChanges.length) return;
    const edit = lineEdit(e.contentChanges, t.lineCount);
    const doc = e.document;
    if (!edit || (doc.eol === vscode.EndOfLine.CRLF) !== (t.eol === '\r\n')) {
      this.forget(doc.uri);
      return;
    }
    const remote = t.remote;
    // While loading, the worker holds lines [0, sent): only the part of an edit inside them is
    // sent (the rest is read with the lines still to come).
    const deleteCount = remote?.loading ? Math.max(0, Math.min(edit.deleteCount, remote.sent - edit.start)) : edit.deleteCount;
    const insertCount = remote?.loading && edit.start >= remote.sent ? 0 : edit.insertCount;
    const insert: string[] = [];
    for (let i = edit.start; i < edit.start + insertCount; i++) insert.push(doc.lineAt(i).text);
    if (t.prompt) t.prompt.edit(edit.start, edit.deleteCount, insert);
    else {
      if (insertCount || deleteCount) remote!.doc.edit(edit.start, deleteCount, insert);
      if (remote!.loading && edit.start < remote!.sent) remote!.sent = Math.max(remote!.sent + edit.insertCount - edit.deleteCount, edit.start + edit.insertCount);
      for (const c of e.contentChanges) remote!.chars += c.text.length - c.rangeLength;
    }
    t.lineCount = doc.lineCount;
    t.version = doc.version;
  }

  private forget(uri: vscode.Uri): void {
    const k = uri.toString();
    const t = this.tracked.get(k);
    if (!t) return;
    this.tracked.delete(k);
    t.remote?.doc.close();
  }
}

function key(doc: vscode.TextDocument): string {
  return doc.uri.toString();
}

/**
 * The lines an event's changes replaced, as one edit of the document before it: lines
 * [start, start + deleteCount) became lines [start, start + insertCount) of the document now.
 * VS Code applies an event's changes one after the other; when each lies before the previous
 * one (its usual order), their ranges all refer to the document before the event. Otherwise
 * everything from the first changed line on is taken as replaced.
 */
type Position = { line: number; character: number };

export function lineEdit(
  changes: readonly { range: { start: Position; end: Position }; text: string }[],
  oldLineCount: number,
): { start: number; deleteCount: number; insertCount: number } | undefined {
  let start = Infinity;
  let end = -1;
  let delta = 0;
  let ordered = true;
  let previousStart: Position | undefined;
  for (const c of changes) {
    const e = c.range.end;
    if (previousStart && (e.line > previousStart.line || (e.line === previousStart.line && e.character > previousStart.character))) ordered = false;
    previousStart = c.range.start;
    start = Math.min(start, c.range.start.line);
    end = Math.max(end, c.range.end.line);
    let newlines = 0;
    for (let i = c.text.indexOf('\n'); i >= 0; i = c.text.indexOf('\n', i + 1)) newlines++;
    delta += newlines - (c.range.end.line - c.range.start.line);
  }
  if (!Number.isFinite(start)) return undefined;
  if (!ordered) end = oldLineCount - 1;
  const deleteCount = end - start + 1;
  return { start, deleteCount, insertCount: deleteCount + delta };
}
