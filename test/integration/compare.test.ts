// The comparison table's exports through the host: the webview posts the Markdown or CSV it built
// (src/webview/compare/export.ts) and the profile panel copies it to the clipboard or writes it
// where the save dialog says; a malformed export writes nothing. The columns of a real run carry
// the finish reason the table shows.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { toCsv, toMarkdown } from '../../src/webview/compare/export';
import { compareRows } from '../../src/webview/compare/rows';
import { GPT, HAIKU, fake, finalPanelState, getApi, openFixture, posted, profile, readyPanel, restoreSettings, selectLine, stubWindow, useModels } from './helpers';

describe('Compare table export (host)', function () {
  this.timeout(90_000);
  let api: PromptProfilerApi;
  let tmp: string;

  before(async () => {
    api = await getApi();
    await useModels(api, [GPT, HAIKU]);
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-compare-'));
  });
  after(async () => {
    await restoreSettings();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('copies the Markdown, saves the CSV where the dialog says, ignores a malformed export', async () => {
    await fake.reset();
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    const from = posted(api.panel()).length;
    await profile(true);
    const panel = await readyPanel(api);
    const state = finalPanelState(api, from);
    assert.deepEqual(
      state.columns.map((c) => [c.modelId, c.status, c.finishReason]),
      [
        [GPT, 'done', 'stop'],
        [HAIKU, 'done', 'stop'],
      ],
    );
    const rows = compareRows(state.columns);
    const markdown = toMarkdown(rows, state.promptPreview);
    const csv = toCsv(rows);

    await panel.onMessage({ type: 'exportTable', format: 'markdown', action: 'copy', content: markdown });
    assert.equal(await vscode.env.clipboard.readText(), markdown);

    const target = vscode.Uri.file(path.join(tmp, 'table.csv'));
    let asked: vscode.SaveDialogOptions | undefined;
    const restore = stubWindow('showSaveDialog', async (o) => {
      asked = o;
      return target;
    });
    try {
      await panel.onMessage({ type: 'exportTable', format: 'csv', action: 'save', content: csv });
      assert.deepEqual(asked?.filters, { CSV: ['csv'] });
      assert.equal(fs.readFileSync(target.fsPath, 'utf8'), csv);
      assert.match(csv, /^model,runs,ok,/);
      assert.equal(csv.split('\r\n').length, 2 + rows.length, 'a header, a row per model and the final line end');

      // Not one of the two formats: nothing asked, nothing written.
      fs.rmSync(target.fsPath);
      asked = undefined;
      await panel.onMessage({ type: 'exportTable', format: 'html', action: 'save', content: '<b>x</b>' } as never);
      assert.equal(asked, undefined);
      assert.equal(fs.existsSync(target.fsPath), false);
    } finally {
      restore();
    }
  });
});
