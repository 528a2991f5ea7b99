// Worker thread entry (dist/countWorker.js): keeps large prompt documents as ChunkedPrompts and
// counts them off the extension host's thread. Counting goes in slices so that edits arriving
// meanwhile are applied first and a stale count is dropped for the newer one.
import { parentPort } from 'node:worker_threads';
import { loadEncoding, type EncodingName } from '../tokens/encodings';
import { ChunkedPrompt } from './chunked';
import type { FromCountWorker, ToCountWorker } from './countWorkerProtocol';

// Longer than the host's slice: nothing waits on this thread but edits, and each slice first walks
// the chunks already counted (tens of ms on a 40 MB document).
const SLICE_MS = 100;
const documents = new Map<number, { prompt?: ChunkedPrompt; lines: string[]; eol: '\n' | '\r\n'; latest: number }>();

function post(message: FromCountWorker): void {
  parentPort!.postMessage(message);
}

const pause = () => new Promise<void>((resolve) => setImmediate(resolve));

async function count(id: number, seq: number, encodings: EncodingName[]): Promise<void> {
  const doc = documents.get(id);
  if (!doc) {
    post({ type: 'error', id, seq, message: `no document ${id} in the count worker` });
    return;
  }
  doc.latest = seq;
  try {
    doc.prompt ??= new ChunkedPrompt(doc.lines, doc.eol);
    doc.lines = [];
    const counts: Partial<Record<EncodingName, number>> = {};
    for (const name of encodings) {
      const encoding = await loadEncoding(name);
      for (;;) {
        if (documents.get(id) !== doc || doc.latest !== seq) return; // closed, or a newer count asked
        const r = doc.prompt.chatTokens(encoding, { budgetMs: SLICE_MS });
        if (r.complete) {
          counts[name] = r.tokens;
          break;
        }
        await pause();
      }
    }
    const { models, maxOutputTokens, description } = doc.prompt.meta;
    post({ type: 'counts', id, seq, counts, meta: { models, maxOutputTokens, description } });
  } catch (e) {
    post({ type: 'error', id, seq, message: (e as Error).message ?? String(e) });
  }
}

parentPort!.on('message', (m: ToCountWorker) => {
  switch (m.type) {
    case 'open':
      // A whole text is split here, off the host's thread.
      documents.set(m.id, { lines: m.text !== undefined ? m.text.split(m.eol) : m.lines, eol: m.eol, latest: -1 });
      break;
    case 'append': {
      const doc = documents.get(m.id);
      if (doc) for (const l of m.lines) doc.lines.push(l);
      break;
    }
    case 'edit': {
      const doc = documents.get(m.id);
      if (!doc) break;
      if (doc.prompt) doc.prompt.edit(m.start, m.deleteCount, m.insert);
      else doc.lines.splice(m.start, m.deleteCount, ...m.insert);
      break;
    }
    case 'count':
      void count(m.id, m.seq, m.encodings);
      break;
    case 'close':
      documents.delete(m.id);
      break;
  }
});
