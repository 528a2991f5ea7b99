// Pure tests of the panel's state handling (no browser).

import assert from 'node:assert/strict';
import { applyMessage, restoredState } from '../../src/webview/state';
import { renderPanelHtml } from '../../src/webview/html';
import { column, startState } from './fixtures';

describe('webview state', () => {
  it('applies appends and field updates to the matching columns only', () => {
    const s = startState(3);
    const r = applyMessage(s, {
      type: 'patch',
      runId: 3,
      running: true,
      patches: [
        { index: 1, append: 'Hel' },
        { index: 1, append: 'lo', set: { status: 'streaming', elapsedMs: 250 } },
        { index: 9, append: 'nobody' },
      ],
    });
    assert.equal(r.kind, 'update');
    assert.equal(s.columns[1].output, 'Hello');
    assert.equal(s.columns[1].status, 'streaming');
    assert.equal(s.columns[1].elapsedMs, 250);
    assert.equal(s.columns[0].output, '');
    if (r.kind === 'update') {
      assert.deepEqual(r.columns, [{ index: 1, text: true, fields: true, elapsed: true }]);
      assert.equal(r.running, false);
      assert.equal(r.summary, false);
    }
  });

  it('ignores patches for another run or before any state, and never rewrites index/output via set', () => {
    const s = startState(3);
    assert.equal(applyMessage(s, { type: 'patch', runId: 2, running: false, patches: [{ index: 0, append: 'x' }] }).kind, 'ignored');
    assert.equal(applyMessage(undefined, { type: 'patch', runId: 3, running: false, patches: [] }).kind, 'ignored');
    applyMessage(s, { type: 'patch', runId: 3, running: false, patches: [{ index: 0, set: { output: 'evil', index: 5 } as never }] });
    assert.equal(s.columns[0].output, '');
    assert.equal(s.columns[0].index, 0);
    assert.equal(s.running, false);
  });

  it('replaces everything on state, and restores only a plausible saved state', () => {
    const next = { ...startState(4), columns: [column(0, {})] };
    const r = applyMessage(startState(3), { type: 'state', state: next });
    assert.equal(r.kind === 'redraw' && r.state, next);
    assert.equal(restoredState(undefined), undefined);
    assert.equal(restoredState({ state: { runId: 'x', columns: [] } }), undefined);
    assert.equal(restoredState({ state: next }), next);
  });

  it('renderPanelHtml has one nonce script, the CSP meta tag and no inline style', () => {
    const html = renderPanelHtml({
      cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
      nonce: 'abc123',
      scriptUri: 'https://x/dist/webview.js',
      styleUri: 'https://x/media/panel.css',
      codiconsUri: 'https://x/dist/codicon.css',
    });
    assert.ok(
      html.includes(
        `content="default-src 'none'; style-src https://file+.vscode-resource.vscode-cdn.net; script-src 'nonce-abc123'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net;"`,
      ),
    );
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.ok(html.includes('<script nonce="abc123" src="https://x/dist/webview.js"></script>'));
    assert.ok(html.includes('<link rel="stylesheet" href="https://x/dist/codicon.css">'));
    assert.ok(!/style=|<style/.test(html));
    assert.throws(() => renderPanelHtml({ cspSource: 'x', nonce: "a' 'unsafe-inline", scriptUri: '', styleUri: '' }));
  });
});
