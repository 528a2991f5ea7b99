// The extension host's side of the count worker: one worker thread for every large document,
// started on first use, each document mirrored there by the same line edits as here.
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../lazy';
import type { EncodingName } from '../tokens/encodings';
import type { CountWorkerMeta, FromCountWorker, ToCountWorker } from './countWorkerProtocol';

export interface WorkerCounts {
  counts: Partial<Record<EncodingName, number>>;
  meta: CountWorkerMeta;
}

export class CountWorkerClient {
  private worker: Worker | undefined;
  private nextId = 1;
  private nextSeq = 1;
  private readonly pending = new Map<number, { resolve: (r: WorkerCounts | undefined) => void; reject: (e: Error) => void; id: number }>();

  /** `file`: the worker script; `execArgv`: e.g. a TypeScript loader when run from sources (tests). */
  constructor(
    private readonly file: string,
    private readonly execArgv?: string[],
  ) {}

  /** A document from its lines (more may be appended), or from its whole text (split in the worker). */
  open(eol: '\n' | '\r\n', lines: string[], text?: string): WorkerDocument {
    const id = this.nextId++;
    this.send({ type: 'open', id, eol, lines, ...(text !== undefined ? { text } : {}) });
    return new WorkerDocument(this, id);
  }

  /** @internal */
  send(message: ToCountWorker): void {
    this.start().postMessage(message);
  }

  /** @internal Resolves with the counts, or undefined when a newer count of the document superseded it. */
  count(id: number, encodings: EncodingName[]): Promise<WorkerCounts | undefined> {
    const seq = this.nextSeq++;
    for (const [s, p] of this.pending) {
      if (p.id === id) {
        this.pending.delete(s);
        p.resolve(undefined);
      }
    }
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, id });
      this.send({ type: 'count', id, seq, encodings });
    });
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    for (const p of this.pending.values()) p.resolve(undefined);
    this.pending.clear();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new (workerThreads().Worker)(this.file, { execArgv: this.execArgv });
    worker.unref();
    worker.on('message', (m: FromCountWorker) => {
      const p = this.pending.get(m.seq);
      if (!p) return;
      this.pending.delete(m.seq);
      if (m.type === 'counts') p.resolve({ counts: m.counts, meta: m.meta });
      else p.reject(new Error(m.message));
    });
    const fail = (e: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the count worker exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}

/** One document in the worker. */
export class WorkerDocument {
  constructor(
    private readonly client: CountWorkerClient,
    readonly id: number,
  ) {}

  append(lines: string[]): void {
    this.client.send({ type: 'append', id: this.id, lines });
  }

  edit(start: number, deleteCount: number, insert: string[]): void {
    this.client.send({ type: 'edit', id: this.id, start, deleteCount, insert });
  }

  count(encodings: EncodingName[]): Promise<WorkerCounts | undefined> {
    return this.client.count(this.id, encodings);
  }

  close(): void {
    this.client.send({ type: 'close', id: this.id });
  }
}
