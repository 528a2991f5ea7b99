// Incremental Markdown for a streaming answer: finished blocks are drawn once and keep their DOM;
// each update parses and redraws only the trailing (still growing) part. Rendering the whole
// answer on every update made each frame O(answer) in parsing, sanitising and layout.

import { md, sanitizeHtml } from './markdown';

type Token = ReturnType<typeof md.parse>[number];

interface Block {
  /** [from, to): its tokens. */
  from: number;
  to: number;
  /** [line, endLine): its source lines. */
  line: number;
  endLine: number;
  list: boolean;
}

/** The top-level blocks of a token list. */
function topLevelBlocks(tokens: Token[]): Block[] {
  const blocks: Block[] = [];
  let from = -1;
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (depth === 0) from = i;
    depth += t.nesting;
    if (depth === 0) {
      const open = tokens[from];
      blocks.push({ from, to: i + 1, line: open.map?.[0] ?? 0, endLine: open.map?.[1] ?? 0, list: open.type === 'bullet_list_open' || open.type === 'ordered_list_open' });
    }
  }
  return blocks;
}

/** UTF-16 offset of the start of each line (markdown-it counts \r\n, \r and \n as line ends). */
function lineStarts(text: string): number[] {
  const starts = [0];
  const re = /\r\n?|\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) starts.push(m.index + m[0].length);
  return starts;
}

export class MarkdownStream {
  /** `text[0..frozenChars)` is drawn as finished blocks, whose DOM is never touched again. */
  private frozenChars = 0;
  private frozenPrefix = '';
  /** markdown-it's HTML of each finished block, to check the whole answer once it is complete. */
  private frozenHtml: string[] = [];
  /** How many of the element's child nodes are finished blocks; the rest are the trailing part. */
  private frozenNodes = 0;
  private liveHtml = '';
  /** Reference definitions seen so far, so links in later blocks resolve. */
  private env: Record<string, unknown> = {};
  private complete = false;

  constructor(readonly el: HTMLElement) {}

  /**
   * Draws `text`, which normally extends the text of the last update. `final`: the answer is
   * complete (no more text will come), so every block is finished.
   */
  update(text: string, final: boolean): void {
    if (this.complete && text === this.frozenPrefix) return;
    if (this.complete || text.length < this.frozenChars || !text.startsWith(this.frozenPrefix)) this.reset();
    if (final && this.frozenChars === 0 && this.liveHtml === '') {
      // A whole answer at once (a restored panel, a cache hit): one render, nothing to reuse.
      const html = md.render(text);
      this.el.innerHTML = sanitizeHtml(html);
      this.frozenHtml = [html];
      this.finish(text);
      return;
    }
    const tail = text.slice(this.frozenChars);
    const tokens = md.parse(tail, this.env);
    const blocks = topLevelBlocks(tokens);
    const starts = lineStarts(tail);
    // A block is finished once the next one has begun for good. The trailing block's first line
    // may still be growing: right below a block (no blank line) or after a list, it could yet
    // turn out to continue it ("-" under a paragraph is a heading's underline until it is "- x";
    // "2" after an ordered list becomes "2.").
    let finished = blocks.length;
    if (!final) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      const settled = !!last && (starts.length > last.line + 1 || (!!prev && !prev.list && last.line > prev.endLine));
      finished = Math.max(0, blocks.length - (settled ? 1 : 2));
    }
    let frozen = '';
    for (let b = 0; b < finished; b++) {
      const html = md.renderer.render(tokens.slice(blocks[b].from, blocks[b].to), md.options, this.env);
      this.frozenHtml.push(html);
      frozen += html;
    }
    if (finished > 0) {
      this.frozenChars += finished < blocks.length ? starts[blocks[finished].line] : tail.length;
      this.frozenPrefix = text.slice(0, this.frozenChars);
    }
    const liveTokens = finished < blocks.length ? tokens.slice(blocks[finished].from) : [];
    const liveHtml = liveTokens.length ? md.renderer.render(liveTokens, md.options, this.env) : '';
    if (liveHtml !== this.liveHtml || frozen) {
      const nodes = this.el.childNodes;
      while (nodes.length > this.frozenNodes) this.el.lastChild!.remove();
      if (frozen) {
        this.el.insertAdjacentHTML('beforeend', sanitizeHtml(frozen));
        this.frozenNodes = nodes.length;
      }
      if (liveHtml) this.el.insertAdjacentHTML('beforeend', sanitizeHtml(liveHtml));
      this.liveHtml = liveHtml;
    }
    if (final) this.finishChecked(text);
  }

  /** Nothing drawn. */
  reset(): void {
    this.el.replaceChildren();
    this.frozenChars = 0;
    this.frozenPrefix = '';
    this.frozenHtml = [];
    this.frozenNodes = 0;
    this.liveHtml = '';
    this.env = {};
    this.complete = false;
  }

  /**
   * The complete answer, drawn block by block, must equal one render of the whole text: a
   * reference definition can change links in earlier blocks. When it differs, draw it whole.
   */
  private finishChecked(text: string): void {
    const whole = md.render(text);
    if (whole !== this.frozenHtml.join('')) {
      this.el.innerHTML = sanitizeHtml(whole);
      this.frozenHtml = [whole];
    }
    this.finish(text);
  }

  private finish(text: string): void {
    this.frozenChars = text.length;
    this.frozenPrefix = text;
    this.frozenNodes = this.el.childNodes.length;
    this.liveHtml = '';
    this.complete = true;
  }
}
