// Plain progress (CI logs, pipes): a line per call for a few calls; for repeats and datasets at most
// one line every PLAIN_EVERY_MS, failures and the last call at once. Driven by a fake clock.
import assert from 'node:assert/strict';
import type { RunResult } from '../../src/core/run';
import type { CliIO } from '../../src/cli/shared/io';
import { PLAIN_EVERY_MS, plainProgress } from '../../src/cli/shared/progress';

function result(ok: boolean, latencyMs = 200): RunResult {
  return {
    modelId: 'openai:gpt-4o-mini',
    ok,
    cacheHit: false,
    latencyMs,
    error: ok ? undefined : { kind: 'server', message: 'HTTP 500: upstream failed' },
  } as RunResult;
}

function harness(bar: boolean, total: number) {
  const lines: string[] = [];
  let t = 0;
  const io = { stderr: (s: string) => lines.push(s) } as unknown as CliIO;
  const report = plainProgress(io, { total, bar }, () => t).forRun();
  return {
    lines,
    finish: (r: RunResult, atMs: number) => {
      t = atMs;
      report({ type: 'finished', index: 0, result: r });
    },
  };
}

describe('CLI plain progress', () => {
  it('without a bar (a few models): one line per finished call', () => {
    const h = harness(false, 3);
    for (let i = 0; i < 3; i++) h.finish(result(true), 1);
    assert.deepEqual(h.lines, ['[1/3] openai:gpt-4o-mini ✓ 200 ms\n', '[2/3] openai:gpt-4o-mini ✓ 200 ms\n', '[3/3] openai:gpt-4o-mini ✓ 200 ms\n']);
  });

  it(`with a bar (a dataset): at most one line every ${PLAIN_EVERY_MS} ms, a failure and the last call at once`, () => {
    const h = harness(true, 6);
    h.finish(result(true), 0); // first: printed
    h.finish(result(true), 100); // within 500 ms: held back
    h.finish(result(false), 200); // a failure: at once
    h.finish(result(true), 600); // 400 ms after the failure's line: held back
    h.finish(result(true), 700); // 500 ms after it: printed
    h.finish(result(true), 710); // the last call: printed
    assert.deepEqual(h.lines, [
      '[1/6] openai:gpt-4o-mini ✓ 200 ms\n',
      '[3/6] openai:gpt-4o-mini ✗ server: HTTP 500: upstream failed\n',
      '[5/6] openai:gpt-4o-mini ✓ 200 ms\n',
      '[6/6] openai:gpt-4o-mini ✓ 200 ms\n',
    ]);
  });
});
