// What every webview panel of the extension shares: options that load only from dist/ and
// media/, and the HTML shell with a strict CSP and a fresh nonce.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderPanelHtml } from '../webview/html';

export function webviewPanelOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** The page for `dist/<script>` styled by `media/<style>`. */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, script: string, style: string): string {
  const uri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  return renderPanelHtml({
    cspSource: webview.cspSource,
    nonce: randomBytes(16).toString('base64'),
    scriptUri: uri('dist', script),
    styleUri: uri('media', style),
  });
}
