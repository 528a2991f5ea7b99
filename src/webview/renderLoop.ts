// One render budget for the whole panel. The webview shares its thread with the editor (in
// code-server, VS Code for the Web and desktop alike), so drawing streamed text must leave most
// of every second to it, however many columns stream. Each pass reads every column's scroll
// position first, then writes, then lets the browser lay out once; the measured cost of the pass
// (layout included) sets how long the next one waits, and passes begin at least minIntervalMs apart.

/** A column whose streamed text the loop draws. */
export interface StreamingView {
  readonly needsRender: boolean;
  /** performance.now() when its text started waiting to be drawn. */
  readonly waitingSince: number;
  /** Reads only (scroll position): called for every waiting view before any writes. */
  measure(): void;
  /** Writes only: draws the text. */
  render(): void;
  /** After every view has drawn: keeps a view that followed the end at the end. */
  settle(): void;
  /** On while its text waited longer than the loop's catch-up threshold to be drawn. */
  setCatchingUp(on: boolean): void;
}

export interface RenderLoopOptions {
  /** Work per pass before the remaining views wait for the next one (ms). */
  budgetMs?: number;
  /** After a pass that cost c ms, the next waits restFactor × c ms: the pass's share of the thread is at most 1 / (1 + restFactor). */
  restFactor?: number;
  /**
   * Passes begin at least this far apart (ms). Every pass is a frame for the whole window to
   * paint and composite (on a machine without a GPU, in software), so streamed text is drawn at
   * this rate, not at the display's, whatever its cost in the webview.
   */
  minIntervalMs?: number;
  /** A view whose text waited longer than this (ms) says it is catching up. */
  catchUpMs?: number;
  /** The clock (ms), performance.now() unless a test gives its own. */
  now?: () => number;
}

export class RenderLoop {
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private notBefore = 0;
  private readonly budgetMs: number;
  private readonly restFactor: number;
  private readonly minIntervalMs: number;
  private readonly catchUpMs: number;
  private readonly now: () => number;

  constructor(
    private readonly views: () => Iterable<StreamingView>,
    /** Forces the layout the pass's writes caused, so that it counts in the pass's cost. */
    private readonly flushLayout: () => void,
    options: RenderLoopOptions = {},
  ) {
    this.budgetMs = options.budgetMs ?? 8;
    this.restFactor = options.restFactor ?? 2;
    this.minIntervalMs = options.minIntervalMs ?? 100;
    this.catchUpMs = options.catchUpMs ?? 500;
    this.now = options.now ?? (() => performance.now());
  }

  /** A pass at the next frame the budget allows (once, however often it is asked). */
  schedule(): void {
    if (this.frame || this.timer) return;
    const wait = this.notBefore - this.now();
    if (wait > 1) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.requestFrame();
      }, wait);
    } else {
      this.requestFrame();
    }
  }

  private requestFrame(): void {
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.pass();
    });
  }

  private pass(): void {
    const t0 = this.now();
    // The longest-waiting first, so a budget cut never starves the same column.
    const waiting = [...this.views()].filter((v) => v.needsRender).sort((a, b) => a.waitingSince - b.waitingSince);
    if (waiting.length === 0) return;
    const late = waiting.map((v) => t0 - v.waitingSince > this.catchUpMs);
    for (const v of waiting) v.measure();
    const drawn: StreamingView[] = [];
    for (const v of waiting) {
      if (drawn.length > 0 && this.now() - t0 > this.budgetMs) break;
      v.render();
      drawn.push(v);
    }
    for (const v of drawn) v.settle();
    this.flushLayout();
    const end = this.now();
    this.notBefore = Math.max(end + (end - t0) * this.restFactor, t0 + this.minIntervalMs);
    // Late: its text waited too long for this pass (drawn less often than it arrives).
    for (const [i, v] of waiting.entries()) v.setCatchingUp(late[i]);
    if (drawn.length < waiting.length) this.schedule();
  }
}
