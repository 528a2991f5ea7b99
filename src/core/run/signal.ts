// One listener on a long-lived signal, however many requests hang under it. Every request gets
// its own child signal (the SDKs add a listener per attempt to the signal they are given and
// never remove it); the scope aborts the live children when the parent aborts.

export interface ChildSignal {
  readonly signal: AbortSignal;
  /** The work is over: forget the child (its own listeners go with it). */
  dispose(): void;
}

export class AbortScope {
  private readonly children = new Set<AbortController>();
  private readonly onAbort = () => {
    for (const c of this.children) c.abort(this.parent?.reason);
    this.children.clear();
  };

  constructor(private readonly parent: AbortSignal | undefined) {
    parent?.addEventListener('abort', this.onAbort, { once: true });
  }

  child(): ChildSignal {
    const controller = new AbortController();
    if (this.parent?.aborted) controller.abort(this.parent.reason);
    else this.children.add(controller);
    return { signal: controller.signal, dispose: () => this.children.delete(controller) };
  }

  /** Removes the scope's one listener from the parent. */
  dispose(): void {
    this.parent?.removeEventListener('abort', this.onAbort);
    this.children.clear();
  }
}
