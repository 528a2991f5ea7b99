// Writes that never follow a link out of their folder. A checked-out repository can commit a
// symlink (`.prompt-profiler/history/calls-2026-12.jsonl -> ~/.bashrc`, or a whole folder
// pointing elsewhere); every file we write is opened with O_NOFOLLOW, and every folder between
// the project root and the file must be a real folder, not a link. What we create is private:
// files 0600, folders 0700. A `.prompt-profiler` folder gets a `.gitignore` of `*` when we create
// it, so answers are not committed by accident.
import { constants, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The project's data folder (cache, history, batch state). */
export const PROJECT_DATA_DIR = '.prompt-profiler';
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

// Windows has no O_NOFOLLOW; its symlinks need privileges a repository checkout does not get.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const FLAGS = {
  /** O_APPEND | O_CREAT | O_RDWR (read: a torn last line is detected before appending). */
  append: constants.O_APPEND | constants.O_CREAT | constants.O_RDWR | NOFOLLOW,
  /** A new file only (temp files): O_EXCL never follows a link either. */
  exclusive: constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | NOFOLLOW,
  truncate: constants.O_CREAT | constants.O_TRUNC | constants.O_WRONLY | NOFOLLOW,
} as const;
export type WriteMode = keyof typeof FLAGS;

/** A write we refused: it would have left its folder. */
export class UnsafePathError extends Error {
  readonly code = 'EUNSAFEPATH';
}

/** Whether `target` is `root` or inside it (lexically, after resolving `..`). */
export function isInside(target: string, root: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The folders from just below `root` down to `dir` (outermost first). */
function foldersBelow(dir: string, root: string): string[] {
  const absRoot = path.resolve(root);
  const abs = path.resolve(dir);
  if (!isInside(abs, absRoot)) throw new UnsafePathError(`${abs} is outside ${absRoot}: refused to write there.`);
  const parts = path.relative(absRoot, abs).split(path.sep).filter(Boolean);
  return parts.map((_, i) => path.join(absRoot, ...parts.slice(0, i + 1)));
}

function linkError(folder: string): UnsafePathError {
  return new UnsafePathError(`${folder} is a symbolic link: refused to write through it.`);
}

const errCode = (e: unknown) => (e as NodeJS.ErrnoException | undefined)?.code;

/**
 * Makes `dir` (and the folders between `root` and it) as private folders, refusing any that is a
 * link or not a folder. `root` itself is trusted as it is (it may be a link, e.g. macOS's /tmp):
 * the project folder, or a folder the user named.
 */
export async function makePrivateDir(dir: string, root: string): Promise<void> {
  const folders = foldersBelow(dir, root);
  await fsp.mkdir(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const folder of folders) {
    let created = false;
    try {
      await fsp.mkdir(folder, { mode: PRIVATE_DIR_MODE });
      created = true;
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw e;
    }
    const st = await fsp.lstat(folder);
    if (st.isSymbolicLink()) throw linkError(folder);
    if (!st.isDirectory()) throw new UnsafePathError(`${folder} is not a folder.`);
    if (created && path.basename(folder) === PROJECT_DATA_DIR) await writeGitignore(folder);
  }
}

/** makePrivateDir, synchronously (state files written from a synchronous callback). */
export function makePrivateDirSync(dir: string, root: string): void {
  const folders = foldersBelow(dir, root);
  fs.mkdirSync(root, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const folder of folders) {
    let created = false;
    try {
      fs.mkdirSync(folder, { mode: PRIVATE_DIR_MODE });
      created = true;
    } catch (e) {
      if (errCode(e) !== 'EEXIST') throw e;
    }
    const st = fs.lstatSync(folder);
    if (st.isSymbolicLink()) throw linkError(folder);
    if (!st.isDirectory()) throw new UnsafePathError(`${folder} is not a folder.`);
    if (created && path.basename(folder) === PROJECT_DATA_DIR) {
      const fd = fs.openSync(path.join(folder, '.gitignore'), FLAGS.exclusive, PRIVATE_FILE_MODE);
      try {
        fs.writeSync(fd, GITIGNORE);
      } finally {
        fs.closeSync(fd);
      }
    }
  }
}

const GITIGNORE = '# Prompt Profiler: answers, history and batch state stay out of git.\n*\n';

async function writeGitignore(folder: string): Promise<void> {
  const handle = await fsp.open(path.join(folder, '.gitignore'), FLAGS.exclusive, PRIVATE_FILE_MODE).catch((e) => {
    if (errCode(e) === 'EEXIST') return undefined;
    throw e;
  });
  if (!handle) return;
  try {
    await handle.writeFile(GITIGNORE);
  } finally {
    await handle.close();
  }
}

/**
 * Opens `file` for writing under `root`: its folders are made private and checked for links,
 * the file itself is opened with O_NOFOLLOW (a link there fails with ELOOP) and created 0600.
 */
export async function openPrivateFile(file: string, mode: WriteMode, root: string): Promise<fsp.FileHandle> {
  await makePrivateDir(path.dirname(file), root);
  try {
    return await fsp.open(file, FLAGS[mode], PRIVATE_FILE_MODE);
  } catch (e) {
    throw errCode(e) === 'ELOOP' ? linkError(file) : e;
  }
}

/** Writes `data` to `file` (replacing it) through openPrivateFile. */
export async function writePrivateFile(file: string, data: string | Uint8Array, root: string, mode: WriteMode = 'truncate'): Promise<void> {
  const handle = await openPrivateFile(file, mode, root);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** The descriptor of `file` opened through the same checks, synchronously (caller closes it). */
export function openPrivateFileSync(file: string, mode: WriteMode, root: string): number {
  makePrivateDirSync(path.dirname(file), root);
  try {
    return fs.openSync(file, FLAGS[mode], PRIVATE_FILE_MODE);
  } catch (e) {
    throw errCode(e) === 'ELOOP' ? linkError(file) : e;
  }
}

export function writePrivateFileSync(file: string, data: string | Uint8Array, root: string, mode: WriteMode = 'truncate'): void {
  const fd = openPrivateFileSync(file, mode, root);
  try {
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The root to check `file`'s folders against: the project's folder when the file is inside it,
 * else the file's own folder (a path the user gave on the command line or in their own config).
 */
export function writeRootFor(file: string, projectRoot: string): string {
  return isInside(file, projectRoot) ? projectRoot : path.dirname(path.resolve(file));
}
