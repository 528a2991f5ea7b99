// The comparison table's exports and saved view without a browser: text from models and settings
// is data (escaped in Markdown, guarded against spreadsheet formulas in CSV), numbers are raw.
import assert from 'node:assert/strict';
import { escapeMarkdownCell, toCsv, toMarkdown } from '../../src/webview/compare/export';
import { compareRows } from '../../src/webview/compare/rows';
import type { ColumnState } from '../../src/webview/protocol';
import { newColumn, restoredCompare } from '../../src/webview/state';

function failed(index: number, modelId: string, message: string): ColumnState {
  return { ...newColumn(index, modelId, 0), status: 'error', error: { kind: 'server', message } };
}

describe('compare table exports', () => {
  it('CSV: a cell starting with = + - @ tab or CR is prefixed with \', quoted when it holds a comma, quote or line break', () => {
    const cols = [
      failed(0, '=cmd:calc', 'x'),
      failed(1, '+lab:m', 'y'),
      failed(2, '-lab:m', 'z'),
      failed(3, '@lab:m', 'w'),
      failed(4, '\tlab:m', 'v'),
      failed(5, '\rlab:m', 'a "quoted", b'),
    ];
    const lines = toCsv(compareRows(cols)).split('\r\n');
    assert.deepEqual(
      lines.slice(1, 6).map((l) => l.split(',')[0]),
      ["'=cmd:calc", "'+lab:m", "'-lab:m", "'@lab:m", "'\tlab:m"],
    );
    // CR: guarded and quoted (a line break inside a field).
    assert.ok(lines.slice(6).join('\r\n').startsWith(`"'\rlab:m",1,0,1,0,"server: a ""quoted"", b",`), JSON.stringify(lines.slice(6)));
    assert.equal(lines.at(-1), '');
  });

  it('Markdown: model text cannot open emphasis, links, HTML, code or a new cell', () => {
    assert.equal(escapeMarkdownCell('a|b *c* _d_ `e` [f](g) <script> ~h~ #i !j \\k\nl'), 'a\\|b \\*c\\* \\_d\\_ \\`e\\` \\[f\\](g) \\<script\\> \\~h\\~ \\#i \\!j \\\\k l');
    const md = toMarkdown(compareRows([failed(0, 'lab:x|y', 'boom')]));
    assert.equal(md.split('\n')[2], '| lab:x\\|y | ✕ error: server | — | — | — | — | — | — | — | — | — | — | — |');
  });

  it('restores only a well-formed saved view', () => {
    assert.deepEqual(restoredCompare({ compare: { sort: { key: 'p95', dir: 'desc' }, a: 2, b: 0, focus: true, diff: false } }), {
      sort: { key: 'p95', dir: 'desc' },
      a: 2,
      b: 0,
      focus: true,
      diff: false,
    });
    assert.deepEqual(restoredCompare({ compare: { sort: { key: 'constructor', dir: 'up' }, a: -1, b: 1.5, focus: 'yes' } }), { sort: null, a: null, b: null, focus: false, diff: false });
    assert.equal(restoredCompare({ state: {} }), undefined);
    assert.equal(restoredCompare(null), undefined);
  });
});
