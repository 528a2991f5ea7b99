// Guards one streaming call: links the caller's AbortSignal to the SDK call, and aborts a stream
// that goes quiet for too long (the SDKs' `timeout` only covers the wait for the headers).
import type { ProviderError } from '../types';

/** Default for ProviderConfig.idleTimeoutMs: no byte for this long ends the stream. */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000;

export class StreamGuard {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private idleTimedOut = false;
  private readonly onCallerAbort = () => this.controller.abort(this.caller?.reason);

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly idleMs: number,
  ) {
    if (caller?.aborted) this.controller.abort(caller.reason);
    caller?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.touch();
  }

  /** The signal to hand to the SDK. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Call on every chunk received. Restarts the one idle timer (no new timer per chunk). */
  touch(): void {
    if (this.idleMs <= 0) return;
    if (this.timer) this.timer.refresh();
    else {
      this.timer = setTimeout(() => {
        this.idleTimedOut = true;
        this.controller.abort(new Error('idle timeout'));
      }, this.idleMs);
    }
  }

  /** Why the call was stopped early, if it was: the caller cancelled, or the stream went quiet. */
  stopReason(vendor: string, started: boolean): ProviderError | undefined {
    if (this.caller?.aborted) return { kind: 'cancelled', message: 'Cancelled.' };
    if (this.idleTimedOut) {
      const s = Math.round(this.idleMs / 100) / 10;
      return started
        ? { kind: 'stream_cut', message: `${vendor}: the stream stalled (no data for ${s} s).` }
        : { kind: 'network', message: `${vendor}: no answer for ${s} s.` };
    }
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }
}
