// Token and cost estimates for hovers, CodeLens and the status bar, memoised by content so that
// redrawing (every keystroke, every scroll) costs a map lookup, not a tokenizer pass.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Estimate } from '../../core/engine';
import { parsePrompt } from '../../core/prompt';
import type { Services } from '../services';

export class InlineEstimates {
  private readonly memo = new LRUCache<string, Promise<Estimate[]>>({ max: 500 });

  constructor(private readonly services: Services) {}

  /** Estimates for a prompt text on the given models (default: the configured ones). */
  estimate(text: string, models?: string[], exactRemote = false): Promise<Estimate[]> {
    const config = this.services.config.value;
    const parsed = parsePrompt(text);
    const list = models ?? (parsed.models.length ? parsed.models : config.models);
    const maxOutput = parsed.maxOutputTokens ?? config.maxOutputTokens;
    const key = createHash('sha256')
      .update(JSON.stringify([text, list, maxOutput, exactRemote]))
      .digest('hex');
    let p = this.memo.get(key);
    if (!p) {
      p = this.services.engine.estimate(
        { system: parsed.system, messages: parsed.messages },
        list,
        maxOutput,
        exactRemote,
      );
      // A failed estimate must not stick.
      p.catch(() => this.memo.delete(key));
      this.memo.set(key, p);
    }
    return p;
  }

  clear(): void {
    this.memo.clear();
  }
}
