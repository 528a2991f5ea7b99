// One JSON file per entry: `<dir>/<key[0..2]>/<key>.json`.
//
// Concurrency guarantee (two VS Code windows, or the CLI and the extension, on one folder):
// every write goes to a uniquely named temp file in the same shard folder and is then
// renamed over the final name. A rename within one folder is atomic, so a reader sees either
// no file, the whole previous file or the whole new file, never a partial one. Two writers of
// the same key race harmlessly: the same key means the same request, and the last rename
// wins. Deletions and evictions of a file another process already removed are ignored.
// Because readers never see half-written files, an unparsable file is real corruption
// (a crash outside this code, a manual edit, a disk error): it is reported and removed.
//
// The file's mtime is set to the entry's createdAt, so `list()` (used for eviction and stats)
// only needs readdir + stat, never reading the entries.

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writePrivateFile } from '../files/safeFiles';
import { parseEntry, serializeEntry, type AnswerCacheEntry } from './entry';
import { isCacheKey } from './key';
import type { CacheStore, CorruptCallback, StoredEntryInfo } from './store';

export interface FileStoreOptions {
  /** The cache folder; created on the first write. */
  dir: string;
  /** Told about every corrupted entry file (path and reason) before it is removed. */
  onCorrupt?: CorruptCallback;
  /** No folder between this one and `dir` may be a link (default: `dir` itself). */
  root?: string;
}

const SHARD_RE = /^[0-9a-f]{2}$/;
const ENTRY_RE = /^[0-9a-f]{64}\.json$/;
const TEMP_SUFFIX = '.tmp';
/** Temp files older than this are leftovers of a crashed writer and are removed by list(). */
const STALE_TEMP_MS = 60 * 60 * 1000;

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function unlinkQuiet(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (err) {
    if (errCode(err) === 'ENOENT') return false;
    throw err;
  }
}

export class FileStore implements CacheStore {
  readonly dir: string;
  private readonly root: string;
  private readonly onCorrupt?: CorruptCallback;
  private corruptedCount = 0;

  constructor(options: FileStoreOptions) {
    this.dir = path.resolve(options.dir);
    this.root = path.resolve(options.root ?? options.dir);
    this.onCorrupt = options.onCorrupt;
  }

  get corrupted(): number {
    return this.corruptedCount;
  }

  /** Where an entry lives. Throws for a malformed key (which also rules out path tricks). */
  pathFor(key: string): string {
    if (!isCacheKey(key)) throw new TypeError(`Not an answer-cache key: ${String(key)}`);
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<AnswerCacheEntry | undefined> {
    if (!isCacheKey(key)) return undefined;
    const file = this.pathFor(key);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      if (code === 'EISDIR') {
        await this.reportCorrupt(file, 'not a file', () => fs.rm(file, { recursive: true, force: true }));
        return undefined;
      }
      throw err;
    }
    const parsed = parseEntry(text, key);
    if (parsed.ok) return parsed.entry;
    await this.reportCorrupt(file, parsed.reason, () => unlinkQuiet(file));
    return undefined;
  }

  async set(entry: AnswerCacheEntry): Promise<StoredEntryInfo> {
    const text = serializeEntry(entry); // validates the entry, drops unknown fields
    const file = this.pathFor(entry.key);
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}${TEMP_SUFFIX}`;
    const createdAt = new Date(entry.createdAt);
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await writePrivateFile(temp, text, this.root, 'exclusive');
          break;
        } catch (err) {
          // Another process's clear() may remove the shard folder between mkdir and write.
          if (errCode(err) === 'ENOENT' && attempt < 3) continue;
          throw err;
        }
      }
      await fs.utimes(temp, new Date(), createdAt);
      await this.renameWithRetry(temp, file);
    } catch (err) {
      await unlinkQuiet(temp).catch(() => undefined);
      throw err;
    }
    return { key: entry.key, createdAt: entry.createdAt, bytes: Buffer.byteLength(text, 'utf8') };
  }

  async delete(key: string): Promise<boolean> {
    if (!isCacheKey(key)) return false;
    return unlinkQuiet(this.pathFor(key));
  }

  /** Removes entry and temp files and the emptied shard folders; leaves anything else alone. */
  async clear(): Promise<void> {
    for (const shard of await this.shards()) {
      const shardDir = path.join(this.dir, shard);
      for (const name of await this.readdirQuiet(shardDir)) {
        if (ENTRY_RE.test(name) || name.endsWith(TEMP_SUFFIX)) {
          await unlinkQuiet(path.join(shardDir, name));
        }
      }
      try {
        await fs.rmdir(shardDir);
      } catch (err) {
        const code = errCode(err);
        // ENOTEMPTY/EEXIST: a foreign file, or another process wrote meanwhile; keep it.
        if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
    }
  }

  async list(): Promise<StoredEntryInfo[]> {
    const out: StoredEntryInfo[] = [];
    const now = Date.now();
    for (const shard of await this.shards()) {
      const shardDir = path.join(this.dir, shard);
      const names = await this.readdirQuiet(shardDir);
      const infos = await Promise.all(
        names.map(async (name): Promise<StoredEntryInfo | undefined> => {
          const file = path.join(shardDir, name);
          if (name.endsWith(TEMP_SUFFIX)) {
            const st = await fs.stat(file).catch(() => undefined);
            if (st && now - st.ctimeMs > STALE_TEMP_MS) await unlinkQuiet(file).catch(() => undefined);
            return undefined;
          }
          if (!ENTRY_RE.test(name) || !name.startsWith(shard)) return undefined;
          const st = await fs.stat(file).catch(() => undefined);
          if (!st || !st.isFile()) return undefined;
          return { key: name.slice(0, 64), createdAt: Math.round(st.mtimeMs), bytes: st.size };
        }),
      );
      for (const info of infos) if (info) out.push(info);
    }
    return out;
  }

  private async reportCorrupt(file: string, reason: string, remove: () => Promise<unknown>): Promise<void> {
    this.corruptedCount++;
    try {
      this.onCorrupt?.(file, reason);
    } catch {
      // a failing callback must not break the cache
    }
    await remove().catch(() => undefined);
  }

  /** Windows refuses to replace a file another process has open; retry briefly. */
  private async renameWithRetry(from: string, to: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.rename(from, to);
        return;
      } catch (err) {
        const code = errCode(err);
        if ((code === 'EPERM' || code === 'EACCES' || code === 'EBUSY') && attempt < 5) {
          await sleep(10 * (attempt + 1));
          continue;
        }
        throw err;
      }
    }
  }

  private async shards(): Promise<string[]> {
    return (await this.readdirQuiet(this.dir)).filter((n) => SHARD_RE.test(n));
  }

  private async readdirQuiet(dir: string): Promise<string[]> {
    try {
      return await fs.readdir(dir);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw err;
    }
  }
}
