// The profile panel's HTML shell. Pure strings, no `vscode` import: the extension host passes
// `webview.cspSource`, a fresh nonce and the `asWebviewUri` of each asset.

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** Fresh per render, e.g. `crypto.randomBytes(16).toString('base64')`. */
  nonce: string;
  /** URI of dist/webview.js. */
  scriptUri: string;
  /** URI of media/panel.css. */
  styleUri: string;
  /** URI of codicon.css, when the build ships codicons. */
  codiconsUri?: string;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The panel document with a strict CSP: no inline style or script, one nonce'd script tag. */
export function renderPanelHtml({ cspSource, nonce, scriptUri, styleUri, codiconsUri }: PanelHtmlOptions): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('renderPanelHtml: the nonce must be base64/base64url');
  const csp = [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
  const codicons = codiconsUri ? `\n  <link rel="stylesheet" href="${escapeAttr(codiconsUri)}">` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)};">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">${codicons}
  <link rel="stylesheet" href="${escapeAttr(styleUri)}">
  <title>Prompt Profiler</title>
</head>
<body>
  <div id="app" class="app"></div>
  <script nonce="${escapeAttr(nonce)}" src="${escapeAttr(scriptUri)}"></script>
</body>
</html>
`;
}
