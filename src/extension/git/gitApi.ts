// The part of VS Code's built-in Git extension API (`vscode.git`, API version 1) we use: a
// file's text at HEAD, the changed files, and git: URIs for the built-in diff. Typed here after
// extensions/git/src/api/git.d.ts; only what we call.
import * as vscode from 'vscode';

export interface GitChange {
  readonly uri: vscode.Uri;
  readonly originalUri: vscode.Uri;
}

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: {
    readonly HEAD: { readonly commit?: string } | undefined;
    readonly workingTreeChanges: GitChange[];
    readonly indexChanges: GitChange[];
    readonly untrackedChanges?: GitChange[];
    readonly onDidChange: vscode.Event<void>;
  };
  show(ref: string, path: string): Promise<string>;
  /** Runs `git status` now: `state` is otherwise refreshed on the extension's own schedule. */
  status(): Promise<void>;
}

export interface GitAPI {
  readonly state: 'uninitialized' | 'initialized';
  readonly onDidChangeState: vscode.Event<'uninitialized' | 'initialized'>;
  readonly repositories: GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
  getRepository(uri: vscode.Uri): GitRepository | null;
  toGitUri(uri: vscode.Uri, ref: string): vscode.Uri;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitAPI;
}

/** The Git API once it has looked for repositories; undefined when git is off or missing. */
export async function gitApi(): Promise<GitAPI | undefined> {
  const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
  if (!ext) return undefined;
  const exports = ext.isActive ? ext.exports : await ext.activate();
  if (!exports?.enabled) return undefined;
  const api = exports.getAPI(1);
  if (api.state === 'uninitialized') {
    await new Promise<void>((resolve) => {
      const sub = api.onDidChangeState((s) => {
        if (s === 'initialized') {
          sub.dispose();
          resolve();
        }
      });
    });
  }
  return api;
}

export type HeadText = { kind: 'untracked' } | { kind: 'none' } | { kind: 'text'; text: string };

/**
 * The file's text at HEAD: `none` outside a repository (nothing to compare with), `untracked`
 * when HEAD does not have it (a new prompt).
 */
export async function headText(api: GitAPI | undefined, uri: vscode.Uri): Promise<HeadText> {
  const repo = uri.scheme === 'file' ? api?.getRepository(uri) : undefined;
  if (!repo || !repo.state.HEAD?.commit) return { kind: 'none' };
  try {
    return { kind: 'text', text: await repo.show('HEAD', uri.fsPath) };
  } catch {
    return { kind: 'untracked' };
  }
}
