// The trees `check` reads, the CLI's way: the working copy from the file system, a revision
// with `git ls-tree` and `git show REF:path`. Paths are relative to the project root.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import fg from 'fast-glob';
import type { PromptTree } from '../../core/check';
import { UsageError } from './io';

const run = promisify(execFile);
const MAX_BUFFER = 256 * 1024 * 1024;

/**
 * The working copy under `root`; node_modules, .git and our own cache are never searched, and
 * symbolic links are not followed (as git does not).
 */
export function workingTree(root: string): PromptTree {
  return {
    listFiles: (patterns) =>
      fg(patterns, { cwd: root, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: ['**/node_modules/**', '**/.git/**', '**/.prompt-profiler/**'] }),
    async readFile(file) {
      const full = path.join(root, file);
      try {
        return fs.readFileSync(full, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

async function git(root: string, args: string[]): Promise<string> {
  const { stdout } = await run('git', args, { cwd: root, maxBuffer: MAX_BUFFER, encoding: 'utf8' });
  return stdout;
}

/** The tree at git revision `ref`, as seen from `root` (which may be a folder inside the repository). */
export async function gitTree(root: string, ref: string): Promise<PromptTree> {
  if (ref.startsWith('-') || !ref.trim()) throw new UsageError(`--base: not a git revision: "${ref}"`);
  try {
    await git(root, ['rev-parse', '--is-inside-work-tree']);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new UsageError(missing ? '--base needs git, and git is not installed.' : `--base: ${root} is not in a git repository.`);
  }
  try {
    await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new UsageError(`--base: no such git revision: ${ref}${/^origin\//.test(ref) ? ' (in CI, check out with fetch-depth: 0)' : ''}`);
  }
  let files: string[] | undefined;
  return {
    async listFiles() {
      // Without --full-tree, ls-tree lists what is under the working directory, relative to it.
      files ??= (await git(root, ['ls-tree', '-r', '-z', '--name-only', ref])).split('\0').filter(Boolean);
      return files;
    },
    async readFile(file) {
      try {
        return await git(root, ['show', `${ref}:./${file}`]);
      } catch {
        return undefined;
      }
    },
  };
}
