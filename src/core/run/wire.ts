// One call's timing on the wire, on the runner's clock. The clock starts when an attempt is handed
// to the HTTP client (the SDK's fetch stamps it, once per attempt, its own retries included) and
// stops at the stream's last byte, which the provider marks before it counts
// anything. Our own work (cache, tokenizer, context check, counting, pricing) stays outside.
// Where the HTTP client stamps the attempt itself (`httpClient`), the clock starts as it puts the request
// on a socket, the first token's time is the arrival of the chunk that held it and the end is the
// last byte's arrival: the time the SDK and the runner spend on a chunk, or on other calls' work
// queued ahead of it, stays outside too.
import type { HttpClientTimes, WireRecorder } from '../types';

export interface WireTiming {
  /** From the answering attempt's hand-over to its first token; null when none arrived. */
  ttftMs: number | null;
  /** From the answering attempt's hand-over to the stream's last byte. */
  latencyMs: number;
  /** When the first attempt was handed over (the runner's clock). */
  firstAttemptAt: number;
  /** When the answering (last) attempt was handed over. */
  answeringAttemptAt: number;
  attempts: number;
}

export class WireClock implements WireRecorder {
  private readonly attemptStarts: number[] = [];
  private streamCalledAt: number | undefined;
  private firstTokenAt: number | undefined;
  private endAt: number | undefined;
  /** Of the latest attempt, from the HTTP client: the arrival of the chunk being read, and of the last byte. */
  private readArrivedAt: number | undefined;
  private bodyEndedAt: number | undefined;

  readonly httpClient: HttpClientTimes = {
    now: () => this.now(),
    sending: () => {
      if (this.attemptStarts.length) this.attemptStarts[this.attemptStarts.length - 1] = this.now();
    },
    read: (arrivedAt) => (this.readArrivedAt = arrivedAt),
    ended: () => (this.bodyEndedAt = this.now()),
  };

  constructor(private readonly now: () => number) {}

  attemptStarted(): void {
    this.attemptStarts.push(this.now());
    this.readArrivedAt = this.bodyEndedAt = undefined;
  }

  /** The runner calls the provider: the start for a provider that sends without our fetch. */
  streamCalled(): void {
    this.streamCalledAt ??= this.now();
  }

  firstToken(): void {
    this.firstTokenAt ??= this.readArrivedAt ?? this.now();
  }

  lastByte(): void {
    this.endAt ??= this.bodyEndedAt ?? this.now();
  }

  timing(): WireTiming {
    const end = this.endAt ?? this.now();
    const first = this.attemptStarts[0] ?? this.streamCalledAt ?? end;
    const answering = this.attemptStarts[this.attemptStarts.length - 1] ?? first;
    return {
      ttftMs: this.firstTokenAt === undefined ? null : this.firstTokenAt - answering,
      latencyMs: end - answering,
      firstAttemptAt: first,
      answeringAttemptAt: answering,
      attempts: Math.max(1, this.attemptStarts.length),
    };
  }
}
