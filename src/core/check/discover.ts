// Which files hold prompts: the `prompts` globs (default prompt files and Markdown), minus what
// `.gitignore` files ignore, optionally narrowed to the paths named on the command line.
import type { Ignore } from 'ignore';
import { ignore, picomatch } from '../lazy';
import { findPromptBlocks } from '../prompt';
import type { FoundPrompt, PromptTree } from './types';

/** `.prompt`, `.prompty`, and Markdown files (only their ```prompt blocks count). */
export const DEFAULT_PROMPT_GLOBS = ['**/*.prompt', '**/*.prompty', '**/*.md', '**/*.markdown'];

const GITIGNORE = '**/.gitignore';
const MATCH_OPTIONS = { dot: true } as const;

export const isMarkdown = (file: string) => /\.(md|markdown)$/i.test(file) && !/\.prompt\.md$/i.test(file);

/** A glob matcher with the check's options (dot files included). */
export function globMatcher(glob: string): (path: string) => boolean {
  return picomatch()(glob, MATCH_OPTIONS);
}

/** `a/b/c` is within `a/b`; every path is within `.` or ``. */
function within(file: string, scope: string): boolean {
  const s = scope.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return s === '' || file === s || file.startsWith(`${s}/`);
}

/**
 * The prompt files of a tree, sorted. `only` (paths relative to the root) narrows the search to
 * those files and folders; a file named there is taken even when no glob matches it.
 */
export async function discoverPromptFiles(tree: PromptTree, globs: string[] = DEFAULT_PROMPT_GLOBS, only: string[] = []): Promise<string[]> {
  const patterns = globs.length ? globs : DEFAULT_PROMPT_GLOBS;
  const listed = await tree.listFiles([...patterns, ...only, GITIGNORE]);
  const files = [...new Set(listed.map((f) => f.replace(/\\/g, '/').replace(/^\.\//, '')))];
  const isIgnored = await gitignoreFilter(tree, files.filter((f) => f === '.gitignore' || f.endsWith('/.gitignore')));
  const matchers = patterns.map(globMatcher);
  const named = new Set(only.map((o) => o.replace(/^\.\//, '')));
  return files
    .filter((f) => !f.endsWith('.gitignore') || matchers.some((m) => m(f)))
    .filter((f) => named.has(f) || matchers.some((m) => m(f)))
    .filter((f) => only.length === 0 || only.some((o) => within(f, o)))
    .filter((f) => named.has(f) || !isIgnored(f))
    .sort();
}

/** Every `.gitignore` applies to the paths under its folder (negations across files are not followed). */
async function gitignoreFilter(tree: PromptTree, gitignores: string[]): Promise<(file: string) => boolean> {
  const rules: { dir: string; ig: Ignore }[] = [];
  for (const g of gitignores) {
    const text = await tree.readFile(g);
    if (text === undefined) continue;
    const dir = g.includes('/') ? g.slice(0, g.lastIndexOf('/')) : '';
    rules.push({ dir, ig: ignore()().add(text) });
  }
  return (file) =>
    rules.some(({ dir, ig }) => {
      if (dir && !file.startsWith(`${dir}/`)) return false;
      return ig.ignores(dir ? file.slice(dir.length + 1) : file);
    });
}

/**
 * The prompts of one file: a prompt file is one prompt, a Markdown file one per ```prompt block
 * (none without them). Keys are the file and the prompt's ordinal, so a block keeps its identity
 * against the base when lines above it move.
 */
export function promptsOfFile(file: string, text: string): FoundPrompt[] {
  const markdown = isMarkdown(file);
  const blocks = findPromptBlocks(text, file, { fencedOnly: markdown }).filter((b) => b.text.trim() !== '');
  return blocks.map((b, i) => ({
    key: markdown ? `${file}#${i + 1}` : file,
    name: markdown ? `${file}:${b.startLine + 1}` : file,
    file,
    line: b.startLine + 1,
    startLine: b.startLine,
    endLine: b.endLine,
    text: b.text,
  }));
}
