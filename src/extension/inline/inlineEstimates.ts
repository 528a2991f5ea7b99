// Token and cost estimates for hovers, CodeLens and the status bar. Whole prompt documents are
// counted chunk by chunk (PromptDocuments) and memoised by document version; a text (a Markdown
// ```prompt block, a selection) is memoised by document version and range, so redrawing costs a
// map lookup, not a parse, a hash or a tokenizer pass.
import { createHash } from 'node:crypto';
import type { LRUCache } from 'lru-cache';
import type * as vscode from 'vscode';
import { toRequest, VSCODE_PROVIDER, type Estimate } from '../../core/engine';
import { lazyLru } from '../../core/lazy';
import { parsePrompt } from '../../core/prompt';
import type { Services } from '../services';
import { PromptDocuments } from './promptDocuments';

export interface DocumentEstimates {
  estimates: Estimate[];
  /** False while a figure is an approximation; `documents.onDidCount` says when it is exact. */
  complete: boolean;
  /** The front matter's `description`, if any. */
  description?: string;
}

/**
 * Above this a prompt is not sent to count_tokens from a hover (≈ 50k tokens: building and
 * hashing the request would cost the host more than the estimate is off); its figure stays ≈.
 */
const MAX_REMOTE_COUNT_CHARS = 200_000;

function charsOf(doc: vscode.TextDocument): number {
  return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
}

export class InlineEstimates {
  private readonly memo = lazyLru<string, Promise<Estimate[]>>(500);
  private readonly byVersion = lazyLru<string, Promise<Estimate[]>>(200);
  private readonly documentMemo = lazyLru<string, Promise<DocumentEstimates>>(50);

  constructor(
    private readonly services: Services,
    /** Counts of whole prompt documents (shared: hover, CodeLens and status bar ask the same one). */
    readonly documents: PromptDocuments,
  ) {}

  /** Estimates for a prompt text on the given models (default: the configured ones). */
  estimate(text: string, models?: string[], exactRemote = false): Promise<Estimate[]> {
    const config = this.services.config.value;
    const parsed = parsePrompt(text);
    const list = models ?? (parsed.models.length ? parsed.models : config.models);
    const maxOutput = parsed.maxOutputTokens ?? config.maxOutputTokens;
    const key = createHash('sha256')
      .update(JSON.stringify([text, list, maxOutput, exactRemote]))
      .digest('hex');
    return this.remember(this.memo(), key, () =>
      this.services.engine.estimate({ system: parsed.system, messages: parsed.messages }, list, maxOutput, exactRemote),
    );
  }

  /** `estimate` for the text of `range` in `doc`, memoised by the document's version and the range. */
  estimateRange(doc: vscode.TextDocument, range: vscode.Range, models?: string[], exactRemote = false): Promise<Estimate[]> {
    const key = `${doc.uri.toString()}@${doc.version}:${range.start.line},${range.start.character}-${range.end.line},${range.end.character}|${models?.join(',') ?? ''}|${exactRemote}`;
    return this.remember(this.byVersion(), key, () => this.estimate(doc.getText(range), models, exactRemote));
  }

  /**
   * Estimates for a whole prompt document. `exactRemote`: exact Claude counts through
   * count_tokens (a hover); `waitForExact`: wait for the exact figure rather than answer with an
   * approximate one at once.
   */
  estimateDocument(doc: vscode.TextDocument, options: { models?: string[]; exactRemote?: boolean; waitForExact?: boolean } = {}): Promise<DocumentEstimates> {
    const key = `${doc.uri.toString()}@${doc.version}|${options.models?.join(',') ?? ''}|${!!options.exactRemote}|${!!options.waitForExact}`;
    const cached = this.documentMemo().get(key);
    if (cached) return cached;
    const p = this.computeDocument(doc, options);
    this.documentMemo().set(key, p);
    // A failed or approximate estimate must not stick.
    p.then(
      (r) => !r.complete && this.documentMemo().delete(key),
      () => this.documentMemo().delete(key),
    );
    return p;
  }

  private async computeDocument(doc: vscode.TextDocument, options: { models?: string[]; exactRemote?: boolean; waitForExact?: boolean }): Promise<DocumentEstimates> {
    const config = this.services.config.value;
    // The front matter names the models: read it first (a count on no model reads it too).
    const head = await this.documents.counts(doc, [], { waitForExact: options.waitForExact });
    const models = options.models ?? (head.models.length ? head.models : config.models);
    const maxOutput = head.maxOutputTokens ?? config.maxOutputTokens;
    const r = await this.documents.counts(doc, models, { waitForExact: options.waitForExact });
    const engine = this.services.engine;
    const estimates = await Promise.all(
      models.map(async (modelId) => {
        let count = r.counts.get(modelId)!;
        // VS Code's own models count with their countTokens (cached by content), always.
        const editorModel = modelId.startsWith(`${VSCODE_PROVIDER}:`);
        if ((options.exactRemote || editorModel) && count.estimated && r.complete && charsOf(doc) <= MAX_REMOTE_COUNT_CHARS) {
          // Claude's exact count needs the request itself: built only for an explicit look.
          const text = this.documents.prompt(doc)?.text();
          if (text !== undefined) {
            const parsed = parsePrompt(text);
            const request = toRequest({ system: parsed.system, messages: parsed.messages }, modelId);
            count = editorModel ? await engine.countTokens(modelId, request, true) : (await engine.tokens.countExact(modelId, request)) ?? count;
          }
        }
        return engine.estimateFromCount(modelId, count, maxOutput);
      }),
    );
    return { estimates, complete: r.complete, description: r.description };
  }

  clear(): void {
    this.memo().clear();
    this.byVersion().clear();
    this.documentMemo().clear();
  }

  private remember<T>(memo: LRUCache<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
    let p = memo.get(key);
    if (!p) {
      p = compute();
      // A failed estimate must not stick.
      p.catch(() => memo.delete(key));
      memo.set(key, p);
    }
    return p;
  }
}
