// Messages between the extension host and the count worker (countWorker.ts).
import type { EncodingName } from '../tokens/encodings';

export type ToCountWorker =
  | { type: 'open'; id: number; eol: '\n' | '\r\n'; lines: string[]; text?: string }
  | { type: 'append'; id: number; lines: string[] }
  | { type: 'edit'; id: number; start: number; deleteCount: number; insert: string[] }
  | { type: 'count'; id: number; seq: number; encodings: EncodingName[] }
  | { type: 'close'; id: number };

export interface CountWorkerMeta {
  models: string[];
  maxOutputTokens?: number;
  description?: string;
}

export type FromCountWorker =
  | { type: 'counts'; id: number; seq: number; counts: Partial<Record<EncodingName, number>>; meta: CountWorkerMeta }
  | { type: 'error'; id: number; seq: number; message: string };
