// The count worker: a document mirrored in a worker thread by the same line edits counts what
// the document counts here; a newer count supersedes an older one.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ChunkedPrompt } from '../../src/core/prompt/chunked';
import { CountWorkerClient } from '../../src/core/prompt/countWorkerClient';
import { loadEncoding } from '../../src/core/tokens';
import { promptLines } from './support/promptText';

describe('count worker', function () {
  this.timeout(60_000);
  let client: CountWorkerClient;
  before(() => {
    client = new CountWorkerClient(path.resolve(__dirname, '../../src/core/prompt/countWorker.ts'), ['--require', 'tsx/cjs']);
  });
  after(() => client.dispose());

  it('counts a document sent in slices, then after an edit, as ChunkedPrompt does here', async () => {
    const lines = ['---', 'model: openai:gpt-4o', 'description: A long one', '---', ...promptLines(300_000, 5, { sections: true })];
    const doc = client.open('\n', lines.slice(0, 1000));
    doc.append(lines.slice(1000));
    const o200k = await loadEncoding('o200k_base');
    const cl100k = await loadEncoding('cl100k_base');
    const here = new ChunkedPrompt(lines);
    const first = await doc.count(['o200k_base', 'cl100k_base']);
    assert.deepEqual(first, {
      counts: { o200k_base: here.chatTokens(o200k).tokens, cl100k_base: here.chatTokens(cl100k).tokens },
      meta: { models: ['openai:gpt-4o'], maxOutputTokens: undefined, description: 'A long one' },
    });
    doc.edit(500, 2, ['user:', 'A new line.', 'And another']);
    here.edit(500, 2, ['user:', 'A new line.', 'And another']);
    const stale = doc.count(['o200k_base']);
    const fresh = doc.count(['o200k_base']);
    assert.equal(await stale, undefined, 'superseded by the newer count');
    assert.deepEqual((await fresh)?.counts, { o200k_base: here.chatTokens(o200k).tokens });
    doc.close();
    await assert.rejects(doc.count(['o200k_base']), /no document/);
  });
});
