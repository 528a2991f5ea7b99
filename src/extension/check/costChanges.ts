// What a prompt costs per month and what the edit costs against the file's git HEAD version,
// for the CodeLens, the hover, the budget diagnostics and Show Cost Changes. The figures come
// from the same core check as `prompt-profiler check`; this only reads documents and git.
import * as vscode from 'vscode';
import {
  DEFAULT_PROMPT_GLOBS,
  compareAndCheck,
  figuresOfFile,
  globMatcher,
  mostSpecific,
  promptsOfFile,
  type Breach,
  type CheckSettings,
  type PromptChange,
  type PromptFigures,
} from '../../core/check';
import { CLOSING_FRONT_MATTER } from '../../core/prompt';
import { lazyLru } from '../../core/lazy';
import { isPromptLanguage } from '../constants';
import { gitApi, headText, type GitAPI, type GitRepository, type HeadText } from '../git/gitApi';
import { Disposable } from '../lifecycle';
import type { Services } from '../services';
import type { ProjectConfig } from './projectConfig';

/** The base every editor comparison is against. */
export const HEAD = 'HEAD';

/** Documents whose prompts are costed: prompt files, and Markdown's ```prompt blocks (the CodeLens documents). */
export function isCostedDocument(doc: vscode.TextDocument): boolean {
  return doc.uri.scheme === 'file' && (isPromptLanguage(doc.languageId) || doc.languageId === 'markdown');
}

export interface DocumentCosts {
  /** Path relative to the workspace folder, `/`-separated. */
  file: string;
  prompts: PromptFigures[];
  /** Against HEAD; undefined outside a git repository. */
  changes: PromptChange[] | undefined;
  breaches: Breach[];
}

/** A file at HEAD: its text, and its figures counted on first use. */
interface HeadVersion {
  text(): Promise<HeadText>;
  figures(): Promise<PromptFigures[] | undefined>;
}

export interface CostChangeItem {
  uri: vscode.Uri;
  change: PromptChange;
  /** The largest |Δ per month| over the prompt's models (0 when unpriced): the sort key. */
  weight: number;
}

export class CostChanges extends Disposable {
  private readonly memo = lazyLru<string, Promise<DocumentCosts | undefined>>(200);
  private readonly heads = lazyLru<string, HeadVersion>(200);
  private readonly emitter = this._register(new vscode.EventEmitter<void>());
  /** Fires when a base or a setting changed: figures shown should be asked again. */
  readonly onDidChange = this.emitter.event;
  private generation = 0;
  private git: Promise<GitAPI | undefined> | undefined;

  constructor(
    private readonly services: Services,
    private readonly project: ProjectConfig,
  ) {
    super();
    this._register(project.onDidChange(() => this.invalidate()));
  }

  private invalidate(): void {
    this.generation++;
    this.memo().clear();
    this.heads().clear();
    this.emitter.fire();
  }

  /**
   * The Git API, and a refresh when a repository opens or its HEAD moves (a commit, a checkout).
   * Its other state changes (files changed on disk, the index) leave every HEAD text as it was.
   */
  private api(): Promise<GitAPI | undefined> {
    this.git ??= gitApi().then(
      (api) => {
        if (api) {
          const watch = (repo: GitRepository) => {
            let head = repo.state.HEAD?.commit;
            this._register(repo.state.onDidChange(() => {
              if (repo.state.HEAD?.commit === head) return;
              head = repo.state.HEAD?.commit;
              this.invalidate();
            }));
          };
          api.repositories.forEach(watch);
          this._register(api.onDidOpenRepository((repo) => {
            watch(repo);
            this.invalidate();
          }));
        }
        return api;
      },
      (e) => {
        this.services.log.warn(`The Git extension is not available: ${(e as Error).message}`);
        return undefined;
      },
    );
    return this.git;
  }

  /**
   * Today's figures of a document's prompts, their change vs HEAD and the budgets they break;
   * undefined for a document that holds no prompts by its language (nothing is read, no git).
   */
  forDocument(doc: vscode.TextDocument): Promise<DocumentCosts | undefined> {
    if (!isCostedDocument(doc)) return Promise.resolve(undefined);
    // A document's version changes with every edit; the generation with HEAD, settings and budgets.
    const key = `${doc.uri.toString()}@${doc.version}#${this.generation}`;
    let p = this.memo().get(key);
    if (!p) {
      p = this.compute(doc.uri, doc, false);
      p.catch(() => this.memo().delete(key));
      this.memo().set(key, p);
    }
    return p;
  }

  /**
   * The file at HEAD (`none` outside a repository, `untracked` when HEAD has no such file) and
   * its figures ([] for an untracked file; undefined outside a repository), each on first use.
   * Read once per HEAD and settings: typing does not run `git show` again.
   */
  private head(uri: vscode.Uri, file: string, settings: CheckSettings): HeadVersion {
    const key = `${uri.toString()}#${this.generation}`;
    let head = this.heads().get(key);
    if (!head) {
      let text: Promise<HeadText> | undefined;
      let figures: Promise<PromptFigures[] | undefined> | undefined;
      const entry: HeadVersion = {
        text: () => {
          if (!text) {
            text = this.api().then((api) => headText(api, uri));
            text.catch(() => this.heads().delete(key));
          }
          return text;
        },
        figures: () => {
          if (!figures) {
            figures = entry.text().then((h) => (h.kind === 'none' ? undefined : h.kind === 'text' ? figuresOfFile(file, h.text, settings, this.services.engine) : []));
            figures.catch(() => (figures = undefined));
          }
          return figures;
        },
      };
      head = entry;
      this.heads().set(key, head);
    }
    return head;
  }

  /**
   * Whether the editor could show anything for this text: a figure per month (traffic known),
   * a change vs HEAD, or a budget. Otherwise nothing is counted: the lens and hover would show
   * nothing of it, and the inline estimates count the prompt already.
   */
  private async worthCounting(file: string, source: TextSource, settings: CheckSettings, head: HeadVersion): Promise<boolean> {
    if (settings.budgets?.length || settings.defaultCallsPerDay !== undefined || mostSpecific(settings.traffic, file)) return true;
    // Front matter may name the traffic (calls_per_day:); a prompt's or a Markdown file's.
    if (source.trafficText().includes('calls_per_day')) return true;
    const base = await head.text();
    return base.kind === 'untracked' || (base.kind === 'text' && (base.text.length !== source.length() || base.text !== source.text()));
  }

  /**
   * `withoutPrompts`: compare a text with no prompt left too (Show Cost Changes lists deletions).
   * A prompt file is read only once it may show something: on every keystroke in a 1 MB prompt
   * that showed nothing, reading and parsing it was most of the hover's time.
   */
  private async compute(uri: vscode.Uri, from: vscode.TextDocument | string | undefined, withoutPrompts: boolean): Promise<DocumentCosts | undefined> {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    const file = folder ? vscode.workspace.asRelativePath(uri, false) : uri.path.split('/').pop()!;
    const settings = await this.project.settingsFor(folder);
    const head = this.head(uri, file, settings);
    const nothing: DocumentCosts = { file, prompts: [], changes: undefined, breaches: [] };
    const source = textSource(from);
    if (!withoutPrompts && source.promptFile && !(await this.worthCounting(file, source, settings, head))) return nothing;
    const text = source.text();
    const found = text === undefined ? [] : promptsOfFile(file, text);
    // A Markdown file without ```prompt blocks has nothing to show: no git work for it.
    if (!withoutPrompts && (!found.length || (!source.promptFile && !(await this.worthCounting(file, source, settings, head))))) return nothing;
    const prompts = await figuresOfFile(file, text ?? '', settings, this.services.engine, found);
    const base = await head.figures();
    const { changes, breaches } = compareAndCheck(prompts, base && { name: HEAD, prompts: base }, settings.budgets);
    return { file, prompts, changes, breaches };
  }

  /** The workspace's prompts that differ from HEAD (saved or not), largest monthly change first. */
  async changedPrompts(): Promise<CostChangeItem[]> {
    const api = await this.api();
    if (!api) return [];
    // The Git extension refreshes its status after a file's save on its own schedule: a list
    // asked for just after a save would miss that file.
    await Promise.all(api.repositories.map((r) => r.status().catch(() => undefined)));
    const uris = new Map<string, vscode.Uri>();
    for (const repo of api.repositories) {
      const s = repo.state;
      for (const c of [...s.workingTreeChanges, ...s.indexChanges, ...(s.untrackedChanges ?? [])]) uris.set(c.uri.toString(), c.uri);
    }
    for (const d of vscode.workspace.textDocuments) if (d.isDirty && d.uri.scheme === 'file' && api.getRepository(d.uri)) uris.set(d.uri.toString(), d.uri);
    const items: CostChangeItem[] = [];
    for (const uri of uris.values()) {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (!folder) continue;
      const settings = await this.project.settingsFor(folder);
      const file = vscode.workspace.asRelativePath(uri, false);
      if (!(settings.prompts?.length ? settings.prompts : DEFAULT_PROMPT_GLOBS).some((g) => globMatcher(g)(file))) continue;
      // An open document as edited (saved or not), else the file on disk.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const costs = await this.compute(uri, open ? open.getText() : await readText(uri), true);
      for (const change of costs?.changes ?? []) {
        if (change.status === 'unchanged') continue;
        items.push({ uri, change, weight: Math.max(0, ...change.models.map((m) => Math.abs(m.deltaMonthly ?? 0))) });
      }
    }
    return items.sort((a, b) => b.weight - a.weight || a.change.name.localeCompare(b.change.name));
  }

  /** A git: URI of the file at HEAD, for the built-in diff. */
  async headUri(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
    return (await this.api())?.toGitUri(uri, HEAD);
  }
}

/** A document's or a file's text, read on first use; a prompt document's size and front matter without reading it. */
interface TextSource {
  /** A prompt file (not Markdown): its own front matter is the only place its traffic is named. */
  promptFile: boolean;
  text(): string | undefined;
  length(): number;
  /** Where `calls_per_day:` would be: a prompt file's front matter, else the whole text. */
  trafficText(): string;
}

function textSource(from: vscode.TextDocument | string | undefined): TextSource {
  if (typeof from !== 'object') return { promptFile: false, text: () => from, length: () => from?.length ?? 0, trafficText: () => from ?? '' };
  const doc = from;
  const promptFile = isPromptLanguage(doc.languageId);
  let text: string | undefined;
  const read = () => (text ??= doc.getText());
  return {
    promptFile,
    text: read,
    length: () => doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end),
    trafficText: () => (promptFile ? frontMatterOf(doc) : read()),
  };
}

/** A document's front matter (between its `---` lines, as parsePrompt reads it), line by line; '' without one. */
function frontMatterOf(doc: vscode.TextDocument): string {
  if (doc.lineAt(0).text !== '---') return '';
  const lines: string[] = [];
  for (let i = 1; i < doc.lineCount; i++) {
    const line = doc.lineAt(i).text;
    if (i >= 2 && CLOSING_FRONT_MATTER.test(line)) return lines.join('\n');
    lines.push(line);
  }
  return ''; // never closed: body text, not front matter
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined; // deleted in the working copy
  }
}
