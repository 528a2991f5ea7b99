// The profile panel in headless Chromium for the webview tests: builds src/webview/main.ts with
// esbuild, serves the HTML shell from renderPanelHtml on 127.0.0.1 (strict CSP), fakes
// `acquireVsCodeApi` before the script runs (posts recorded, get/setState in sessionStorage) and
// gives the test a page to drive with host messages. Page-side code is passed as strings: the
// root tsconfig that checks the tests has no DOM lib.

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderPanelHtml } from '../../src/webview/html';
import type { HostToWebview } from '../../src/webview/protocol';
import { THEMES } from './fixtures';

export const CHROMIUM = '/usr/bin/chromium';
export const ROOT = path.resolve(__dirname, '../..');
export const RESULTS = path.join(ROOT, 'test-results');
export const NONCE = 'dGVzdC1ub25jZS0xMjM0NQ==';

/** Installed before the panel script: records posts and keeps get/setState in sessionStorage (survives reload). */
const FAKE_VSCODE_API = `(() => {
  const KEY = '__ppWebviewState';
  window.__posted = [];
  window.__setStateCalls = 0;
  window.__cspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
      getState: () => {
        const s = sessionStorage.getItem(KEY);
        return s ? JSON.parse(s) : undefined;
      },
      setState: (s) => {
        window.__setStateCalls++;
        sessionStorage.setItem(KEY, JSON.stringify(s));
        return s;
      },
    };
  };
})();`;

const CONTENT_TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

export interface PanelHarness {
  page: Page;
  /** The page's origin (the CSP's source). */
  origin: string;
  posted(): Promise<Array<Record<string, unknown>>>;
  send(msg: HostToWebview): Promise<void>;
  frames(n?: number): Promise<void>;
  applyTheme(name: keyof typeof THEMES): Promise<void>;
  close(): Promise<void>;
}

/** Opens the panel; `initScripts` run in the page before the panel script (e.g. test-only bundles). */
export async function openPanel(viewport = { width: 1280, height: 800 }, initScripts: string[] = []): Promise<PanelHarness> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-webview-'));
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['src/webview/main.ts'],
    outfile: path.join(tmp, 'webview.js'),
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    sourcemap: false,
    tsconfig: 'src/webview/tsconfig.json',
    logLevel: 'silent',
  });
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const files: Record<string, string> = {
      '/dist/webview.js': path.join(tmp, 'webview.js'),
      '/media/panel.css': path.join(ROOT, 'media/panel.css'),
    };
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(renderPanelHtml({ cspSource: origin, nonce: NONCE, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/panel.css` }));
      return;
    }
    const file = files[url.pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': `${CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream'}; charset=utf-8` });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
  // Only loopback: anything else would be a bug in the panel (CSP should stop it anyway).
  await context.route(/^(?!http:\/\/127\.0\.0\.1[:/])/, (route) => route.abort());
  await context.addInitScript(FAKE_VSCODE_API);
  for (const content of initScripts) await context.addInitScript({ content });
  const page = await context.newPage();
  await page.goto(`${origin}/`);
  await page.waitForFunction('window.__posted.length > 0');

  const frames = async (n = 2): Promise<void> => {
    for (let i = 0; i < n; i++) await page.evaluate('new Promise((r) => requestAnimationFrame(() => r(0)))');
  };
  return {
    page,
    origin,
    posted: async () => (await page.evaluate('window.__posted')) as never,
    send: async (msg) => {
      await page.evaluate(`window.postMessage(${JSON.stringify(msg)}, '*')`);
    },
    frames,
    applyTheme: async (name) => {
      const theme = THEMES[name];
      const vars = Object.entries(theme.vars)
        .map(([k, v]) => `s.setProperty('--vscode-${k}', '${v}');`)
        .join('');
      await page.evaluate(`(() => {
        document.body.className = '${theme.bodyClass}';
        const s = document.documentElement.style;
        for (const p of [...s]) s.removeProperty(p);
        s.setProperty('--vscode-font-family', 'system-ui, "DejaVu Sans", sans-serif');
        s.setProperty('--vscode-editor-font-family', '"DejaVu Sans Mono", monospace');
        s.setProperty('--vscode-font-size', '13px');
        ${vars}
      })()`);
      await frames();
    },
    close: async () => {
      await browser.close();
      await new Promise((r) => server.close(r));
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}
