// A prompt document kept as chunks of lines, each with its token counts cached, so that an edit
// re-encodes only the chunks it touched. The result is exactly what counting the whole text
// gives: chatTokens(encoding, framedMessages(parsePrompt(text))).
//
// Why summing chunk counts is exact: both BPE encodings first split the text with a regex and
// encode each piece on its own, and no piece crosses a position p where text[p-1] is '\n' and
// text[p] is neither whitespace nor '/' (the only pieces that hold a newline are newline runs,
// which stop at a non-space, and punctuation + `[\r\n/]*`). The regexes look only forwards, so
// the pieces after p are those of text.slice(p), and those before p are those of
// text.slice(0, p). A chunk therefore starts only on a line whose first character is neither
// whitespace, '/' nor '{' (a `{{variable}}` could fill in anything), and never inside a
// `{{variable}}` split over lines. Chat sections (`user:` …) are chunks of their own.
import type { Role } from '../types';
import { CLOSING_FRONT_MATTER, fillVariables, parseFrontMatter, sectionRoleOf, type PromptMeta } from './index';

/** What the chunks need of an encoding (src/core/tokens' Encoding fits). */
export interface CountingEncoding {
  readonly name: string;
  count(text: string): number;
}

/** OpenAI chat framing, as src/core/tokens/count.ts counts it. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMING = 3;

interface Chunk {
  lines: string[];
  /** A section header line (`user:`): the chunk is that one line. */
  role?: Role;
  /** Only whitespace. */
  blank: boolean;
  /** UTF-16 length of its lines plus one per line break: what an approximate count is based on. */
  chars: number;
  /** Cached counts by `encoding|variant|joiner`. */
  counts?: Map<string, number>;
}

/** How a chunk sits in its message: `trim`med alone, first (`start`), middle (`mid`), last (`end`). */
type Variant = 'trim' | 'start' | 'mid' | 'end';

export interface ChunkedCount {
  /** Prompt tokens with the chat framing; approximate (≈ 4 characters a token for what is not counted yet) when !complete. */
  tokens: number;
  complete: boolean;
}

export interface ChunkedCountOptions {
  /**
   * Milliseconds of encoding allowed, counted from the first chunk this call encodes (the rest is
   * approximated). At least one chunk is encoded per call, so that every call makes progress:
   * on a large document the walk over the chunks already counted can itself outlast a budget
   * counted from the call's start, and such a count never completed.
   */
  budgetMs?: number;
}

interface CountState {
  complete: boolean;
  budgetMs?: number;
  /** performance.now() past which no further chunk is encoded; set by the first chunk encoded. */
  until?: number;
  /** The budget is spent: the remaining chunks are approximated without looking at the clock. */
  spent: boolean;
}

const OPEN_VARIABLE_AT_END = /\{\{\s*(?:[A-Za-z_][\w.-]*)?\s*$/;

function canStartChunk(line: string, previous: string): boolean {
  const c = line.charCodeAt(0);
  if (Number.isNaN(c)) return false; // an empty line
  const ch = line[0];
  if (ch === '/' || ch === '{' || /\s/.test(ch)) return false;
  return !OPEN_VARIABLE_AT_END.test(previous);
}

function makeChunk(lines: string[], role?: Role): Chunk {
  let chars = 0;
  let blank = true;
  for (const l of lines) {
    chars += l.length + 1;
    if (blank && l.trim() !== '') blank = false;
  }
  return { lines, role, blank, chars };
}

/** Splits lines into chunks; `previous` is the line before them (for the chunk-start rule), `atStart` whether they open the body. */
function chunkLines(lines: readonly string[], previous: string | undefined, atStart: boolean, reuse?: Map<string, Chunk>): Chunk[] {
  const out: Chunk[] = [];
  let current: string[] = [];
  let previousWasHeader = previous !== undefined && sectionRoleOf(previous) !== undefined;
  let prev = previous ?? '';
  const flush = () => {
    if (current.length) out.push(reused(makeChunk(current), reuse));
    current = [];
  };
  lines.forEach((line, i) => {
    const role = sectionRoleOf(line);
    if (role) {
      flush();
      out.push(reused(makeChunk([line], role), reuse));
      previousWasHeader = true;
    } else {
      const first = i === 0 && atStart;
      if (current.length === 0 || first || previousWasHeader || canStartChunk(line, prev)) flush();
      current.push(line);
      previousWasHeader = false;
    }
    prev = line;
  });
  flush();
  return out;
}

/** Keeps the cached counts of a chunk whose lines did not change. */
function reused(chunk: Chunk, reuse: Map<string, Chunk> | undefined): Chunk {
  if (!reuse) return chunk;
  const old = reuse.get(chunkKey(chunk));
  if (old && old.role === chunk.role) chunk.counts = old.counts;
  return chunk;
}

function chunkKey(c: Chunk): string {
  return c.lines.join('\n');
}

export class ChunkedPrompt {
  /** Front matter lines, `---` to `---` included (empty without front matter). */
  private head: string[] = [];
  /** lines[0] is `---` but no closing line follows yet: any edit may make it front matter. */
  private headOpen = false;
  private chunks: Chunk[] = [];
  private headers = 0;
  private metaCache?: PromptMeta;
  private readonly roleCounts = new Map<string, number>();
  private readonly slowCounts = new Map<string, number>();
  /** Complete results of this revision, by encoding: every model on one encoding shares one pass. */
  private readonly results = new Map<string, number>();
  /**
   * By encoding, a complete result of an earlier revision less the chunks edits have since
   * replaced, and the chunks that replaced them (counted, and added, by the next chatTokens): a
   * keystroke's count then costs its chunks, not a walk over every chunk (on a 1 MB prompt the
   * walk over 18k counted chunks was most of a keystroke's time in the editor).
   */
  private readonly pending = new Map<string, { base: number; added: Set<Chunk> }>();
  /** Bumped on every edit (keys the slow-path cache). */
  private revision = 0;
  /**
   * A chunk's index and the body line it starts on, where the last edit was (each edit sets it;
   * the chunks before it are as they were): the next edit's chunks are looked for from there, as
   * typing stays near (on a 1 MB prompt a walk from the first of 18k chunks was most of the change
   * listener's time).
   */
  private cursor = { index: 0, line: 0 };

  /** `eol`: the document's line break (`\r\n` matters: a prompt without sections keeps it). */
  constructor(
    lines: readonly string[],
    readonly eol: '\n' | '\r\n' = '\n',
  ) {
    this.rebuild(lines);
  }

  get lineCount(): number {
    let n = this.head.length;
    for (const c of this.chunks) n += c.lines.length;
    return n;
  }

  /** Number of chunks (for tests and benches). */
  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Nothing but whitespace, and no front matter. */
  isBlank(): boolean {
    return this.head.length === 0 && this.chunks.every((c) => c.blank);
  }

  /** The document's text (the slow way; for tests and the exact remote count). */
  text(): string {
    return this.allLines().join(this.eol);
  }

  /** What the front matter says (models, max_tokens, variables, description). */
  get meta(): PromptMeta {
    this.metaCache ??= parseFrontMatter(this.head.length ? this.head.slice(1, -1).join('\n') : undefined);
    return this.metaCache;
  }

  /** Replaces lines [start, start + deleteCount) by `insert` (what a text edit did to the lines). */
  edit(start: number, deleteCount: number, insert: readonly string[]): void {
    this.revision++;
    this.slowCounts.clear();
    const results = new Map(this.results);
    this.results.clear();
    const bodyStart = this.head.length;
    if (this.headOpen || start < bodyStart || start === 0 || this.chunks.length === 0) {
      const lines = this.allLines();
      lines.splice(start, deleteCount, ...insert);
      this.rebuild(lines);
      return;
    }
    const from = start - bodyStart;
    const to = from + deleteCount; // exclusive, body lines
    // The chunks the edit touches, the one before (the first edited line may no longer start a
    // chunk) and the one after (its start depends on the line before it).
    let { index: first, line } = this.cursor;
    if (first >= this.chunks.length) first = line = 0;
    while (first > 0 && line > from) line -= this.chunks[--first].lines.length;
    let lo = -1;
    let hi = -1;
    let loLine = 0;
    for (let i = first; i < this.chunks.length; i++) {
      const n = this.chunks[i].lines.length;
      if (lo < 0 && from < line + n) {
        lo = i;
        loLine = line;
      }
      if (lo >= 0 && Math.max(to - 1, from) < line + n) {
        hi = i;
        break;
      }
      line += n;
    }
    if (lo < 0) {
      // Appending after the last line.
      lo = this.chunks.length - 1;
      loLine = line - this.chunks[lo].lines.length;
    }
    if (hi < 0) hi = this.chunks.length - 1;
    if (lo > 0 && loLine === from) {
      lo--;
      loLine -= this.chunks[lo].lines.length;
    }
    hi = Math.min(hi + 1, this.chunks.length - 1);
    const old = this.chunks.slice(lo, hi + 1);
    const lines = old.flatMap((c) => c.lines);
    lines.splice(from - loLine, deleteCount, ...insert);
    const before = lo > 0 ? this.chunks[lo - 1].lines.at(-1) : undefined;
    const reuse = new Map(old.map((c) => [chunkKey(c), c]));
    const fresh = chunkLines(lines, before, lo === 0, reuse);
    if (this.keepsFraming(lo, hi, old, fresh)) this.carryOver(results, old, fresh);
    else this.pending.clear();
    for (const c of old) if (c.role) this.headers--;
    for (const c of fresh) if (c.role) this.headers++;
    this.chunks.splice(lo, hi - lo + 1, ...fresh);
    this.cursor = { index: lo, line: loLine };
  }

  /**
   * Whether replacing chunks [lo, hi] by `fresh` changes the total by their counts alone: no
   * section header among them, and at least two chunks of the same message before them and one
   * after. Each is then a middle chunk, before and after (counted untrimmed, as it sits in the
   * message's text, a system message's joined text too), and as only a message's first chunk
   * can be blank, the message has text either way.
   */
  private keepsFraming(lo: number, hi: number, old: Chunk[], fresh: Chunk[]): boolean {
    const around = [this.chunks[lo - 2], this.chunks[lo - 1], this.chunks[hi + 1]];
    return !around.some((c) => !c || c.role) && ![...old, ...fresh].some((c) => c.role);
  }

  /** Each encoding's total less the replaced chunks, with the chunks that replaced them to add. */
  private carryOver(results: Map<string, number>, old: Chunk[], fresh: Chunk[]): void {
    const names = new Set([...results.keys(), ...this.pending.keys()]);
    for (const name of names) {
      const done = results.get(name);
      const carried = done !== undefined ? { base: done, added: new Set<Chunk>() } : this.pending.get(name)!;
      const key = this.midKey(name);
      let ok = true;
      for (const c of old) {
        if (carried.added.delete(c)) continue; // added since the base: never in it
        const n = c.counts?.get(key);
        if (n === undefined) ok = false;
        else carried.base -= n;
      }
      for (const c of fresh) carried.added.add(c);
      if (ok) this.pending.set(name, carried);
      else this.pending.delete(name);
    }
  }

  /** What joins a message's lines: the document's own line break when it has no sections. */
  private joiner(): string {
    return this.headers === 0 ? this.eol : '\n';
  }

  private midKey(encodingName: string): string {
    return `${encodingName}|mid|${this.joiner()}`;
  }

  /**
   * Prompt tokens of the document on `encoding`, chat framing included. With a budget, chunks
   * not encoded within it count as ≈ chars / 4 and `complete` is false: call again to go on.
   */
  chatTokens(encoding: CountingEncoding, options: ChunkedCountOptions = {}): ChunkedCount {
    const done = this.results.get(encoding.name);
    if (done !== undefined) return { tokens: done, complete: true };
    const meta = this.meta;
    const state: CountState = { complete: true, budgetMs: options.budgetMs, spent: false };
    const carried = this.pending.get(encoding.name);
    if (carried) {
      const key = this.midKey(encoding.name);
      let total = carried.base;
      for (const c of carried.added) total += c.counts?.get(key) ?? this.chunkTokens(encoding, c, 'mid', key, this.joiner(), meta.variables, state);
      if (!state.complete) return { tokens: total, complete: false };
      this.pending.delete(encoding.name);
      this.results.set(encoding.name, total);
      return { tokens: total, complete: true };
    }
    let total = REPLY_PRIMING;
    const frame = (role: Role, content: number) => {
      total += TOKENS_PER_MESSAGE + this.roleTokens(encoding, role) + content;
    };
    const groups = this.groups();
    const systems = groups.filter((g) => g.role === 'system' && !g.chunks.every((c) => c.blank));
    if (systems.length === 1 && !meta.system) {
      const t = this.groupTokens(encoding, systems[0].chunks, '\n', meta.variables, state);
      if (t > 0) frame('system', t);
    } else if (systems.length || meta.system) {
      // Several system parts are joined with a blank line: rare, counted as one text.
      const key = `${encoding.name}|${this.revision}`;
      let t = this.slowCounts.get(key);
      if (t === undefined) {
        const parts = [meta.system, ...systems.map((g) => joinTrimmed(g.chunks, '\n'))].filter((s): s is string => !!s);
        t = encoding.count(fillVariables(parts.join('\n\n'), meta.variables));
        this.slowCounts.set(key, t);
      }
      if (t > 0) frame('system', t);
    }
    for (const g of groups) {
      if (g.role === 'system' || g.chunks.every((c) => c.blank)) continue;
      frame(g.role, this.groupTokens(encoding, g.chunks, g.joiner, meta.variables, state));
    }
    if (state.complete) this.results.set(encoding.name, total);
    return { tokens: total, complete: state.complete };
  }

  private groups(): { role: Role; chunks: Chunk[]; joiner: string }[] {
    if (this.headers === 0) return [{ role: 'user', chunks: this.chunks, joiner: this.joiner() }];
    const out: { role: Role; chunks: Chunk[]; joiner: string }[] = [];
    let current = { role: 'user' as Role, chunks: [] as Chunk[], joiner: '\n' };
    for (const c of this.chunks) {
      if (c.role) {
        out.push(current);
        current = { role: c.role, chunks: [], joiner: '\n' };
      } else current.chunks.push(c);
    }
    out.push(current);
    return out;
  }

  /** Tokens of a message's content: its chunks joined, trimmed, variables filled. */
  private groupTokens(encoding: CountingEncoding, chunks: Chunk[], joiner: string, variables: Record<string, string>, state: CountState): number {
    // Only the first chunk may be blank or start with whitespace; only the last may end with it.
    const first = chunks[0].blank ? 1 : 0;
    const last = chunks.length - 1;
    const at = (v: Variant) => `${encoding.name}|${v}|${joiner}`;
    const midKey = at('mid');
    let sum = 0;
    for (let i = first; i <= last; i++) {
      const variant: Variant = i === first && i === last ? 'trim' : i === first ? 'start' : i === last ? 'end' : 'mid';
      const key = variant === 'mid' ? midKey : at(variant);
      sum += chunks[i].counts?.get(key) ?? this.chunkTokens(encoding, chunks[i], variant, key, joiner, variables, state);
    }
    return sum;
  }

  private chunkTokens(encoding: CountingEncoding, chunk: Chunk, variant: Variant, key: string, joiner: string, variables: Record<string, string>, state: CountState): number {
    if (state.budgetMs !== undefined) {
      if (!state.spent && state.until !== undefined && performance.now() > state.until) state.spent = true;
      if (state.spent) {
        state.complete = false;
        return Math.ceil(chunk.chars / 4);
      }
      state.until ??= performance.now() + state.budgetMs;
    }
    let text = chunk.lines.join(joiner);
    if (variant === 'trim') text = text.trim();
    else if (variant === 'start') text = text.trimStart() + joiner;
    else if (variant === 'end') text = text.trimEnd();
    else text += joiner;
    const n = encoding.count(fillVariables(text, variables));
    (chunk.counts ??= new Map()).set(key, n);
    return n;
  }

  private roleTokens(encoding: CountingEncoding, role: Role): number {
    const key = `${encoding.name}|${role}`;
    let n = this.roleCounts.get(key);
    if (n === undefined) {
      n = encoding.count(role);
      this.roleCounts.set(key, n);
    }
    return n;
  }

  /** Variables or front matter changed: every chunk anew (counts kept for chunks whose lines stayed). */
  private rebuild(lines: readonly string[]): void {
    this.pending.clear();
    this.cursor = { index: 0, line: 0 };
    const reuse = new Map(this.chunks.map((c) => [chunkKey(c), c]));
    const headLines = this.head;
    let bodyStart = 0;
    this.headOpen = false;
    if (lines[0] === '---') {
      let close = -1;
      for (let j = 2; j < lines.length; j++) {
        if (CLOSING_FRONT_MATTER.test(lines[j])) {
          close = j;
          break;
        }
      }
      if (close > 0) bodyStart = close + 1;
      else this.headOpen = true;
    }
    const head = lines.slice(0, bodyStart);
    if (head.join('\n') !== headLines.join('\n')) {
      // New variables may fill chunks differently: counts of chunks with variables are stale.
      this.metaCache = undefined;
      for (const c of reuse.values()) if (c.lines.some((l) => l.includes('{{'))) reuse.delete(chunkKey(c));
    }
    this.head = head;
    const body = lines.slice(bodyStart);
    this.chunks = body.length ? chunkLines(body, undefined, true, reuse) : [];
    this.headers = this.chunks.filter((c) => c.role).length;
  }

  private allLines(): string[] {
    return [...this.head, ...this.chunks.flatMap((c) => c.lines)];
  }
}

function joinTrimmed(chunks: Chunk[], joiner: string): string {
  return chunks
    .map((c) => c.lines.join(joiner))
    .join(joiner)
    .trim();
}
