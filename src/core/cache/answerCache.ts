// AnswerCache: an in-memory LRU in front of a persistent CacheStore.
//
// Policies:
// - Memory layer: least-recently-used (lru-cache), `memoryMaxEntries` entries. A hit there does
//   not touch the store.
// - Store layer: limited by `maxEntries` and `maxBytes`; when over, the OLDEST entries by
//   createdAt are evicted first (FIFO by creation, not LRU: reads never write to disk, so
//   several processes can read one folder without contending). Ties break by key.
// - TTL (`ttlMs`, 0 = forever) is checked on every read against `now()`; an expired entry is a
//   miss and is removed from both layers. Expired entries met during eviction are removed too.
// - The store size is tracked in an index loaded lazily from `store.list()`. It is re-listed
//   whenever the index says a limit is exceeded (and every `RESCAN_EVERY` writes) so entries
//   written by other processes are counted; limits are therefore enforced exactly at each
//   eviction, but another process's writes may overshoot them until the next rescan.
// - Errors from the store never reach the caller of get/set: get reads as a miss, set is
//   skipped, both reported through `onError`. Invalid entries given to set throw (a bug).
//
// Only complete answers should be cached; the caller decides (this class stores what it gets).

import { LRUCache } from 'lru-cache';
import { sanitizeEntry, serializeEntry, type AnswerCacheEntry } from './entry';
import { isCacheKey } from './key';
import type { CacheStore, StoredEntryInfo } from './store';

export interface AnswerCacheOptions {
  /** Entries expire this many ms after createdAt; 0 (default) = never. */
  ttlMs?: number;
  /** Most entries kept in the store (default 5000; 0 = unlimited). */
  maxEntries?: number;
  /** Most bytes kept in the store (default 100 MB; 0 = unlimited). */
  maxBytes?: number;
  /** Entries kept in the in-memory LRU (default 256; 0 disables the memory layer). */
  memoryMaxEntries?: number;
  /** The clock (ms); default Date.now. */
  now?: () => number;
  /** Told about store failures that were swallowed (get → miss, set → skipped). */
  onError?: (operation: 'get' | 'set' | 'delete' | 'evict', error: unknown) => void;
}

export interface AnswerCacheStats {
  /** get() calls answered (memory or store) by this instance. */
  hits: number;
  /** get() calls not answered (absent, expired, corrupted, unreadable). */
  misses: number;
  /** Entries in the store right now. */
  entries: number;
  /** Bytes those entries occupy in the store. */
  bytes: number;
  /** Corrupted entries met by the store. */
  corrupted: number;
}

export const DEFAULT_MAX_ENTRIES = 5000;
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;
export const DEFAULT_MEMORY_MAX_ENTRIES = 256;
const RESCAN_EVERY = 100;

export class AnswerCache {
  readonly store: CacheStore;
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private readonly onError?: AnswerCacheOptions['onError'];
  private readonly memory?: LRUCache<string, AnswerCacheEntry>;
  private hits = 0;
  private misses = 0;
  /** key → size info of what is believed to be in the store; undefined until loaded. */
  private index?: Map<string, StoredEntryInfo>;
  private indexBytes = 0;
  private writesSinceScan = 0;
  private pendingWrites = 0;
  /** Serializes writes, evictions and index updates within this process. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(store: CacheStore, options: AnswerCacheOptions = {}) {
    this.store = store;
    this.ttlMs = Math.max(0, options.ttlMs ?? 0);
    this.maxEntries = Math.max(0, options.maxEntries ?? DEFAULT_MAX_ENTRIES);
    this.maxBytes = Math.max(0, options.maxBytes ?? DEFAULT_MAX_BYTES);
    this.now = options.now ?? Date.now;
    this.onError = options.onError;
    const memoryMax = Math.max(0, options.memoryMaxEntries ?? DEFAULT_MEMORY_MAX_ENTRIES);
    if (memoryMax > 0) this.memory = new LRUCache<string, AnswerCacheEntry>({ max: memoryMax });
  }

  async get(key: string): Promise<AnswerCacheEntry | undefined> {
    if (!isCacheKey(key)) {
      this.misses++;
      return undefined;
    }
    const cached = this.memory?.get(key);
    if (cached) {
      if (!this.isExpired(cached)) {
        this.hits++;
        return structuredClone(cached);
      }
      await this.removeExpired(key);
      this.misses++;
      return undefined;
    }
    let entry: AnswerCacheEntry | undefined;
    try {
      entry = await this.store.get(key);
    } catch (err) {
      this.report('get', err);
    }
    if (!entry) {
      this.misses++;
      return undefined;
    }
    if (this.isExpired(entry)) {
      await this.removeExpired(key);
      this.misses++;
      return undefined;
    }
    this.memory?.set(key, entry);
    this.hits++;
    return structuredClone(entry);
  }

  /**
   * Stores an answer. It is readable from this instance at once (memory layer); the store write,
   * the index's first listing and any eviction follow in the background, in order. The promise
   * settles when they are done: a caller reporting a result need not wait (the runner does not),
   * and `flush()` waits for every pending write (on exit, before reading the folder elsewhere).
   */
  set(entry: AnswerCacheEntry): Promise<void> {
    let clean: AnswerCacheEntry;
    try {
      clean = sanitizeEntry(entry); // throws on an invalid entry (a bug)
    } catch (e) {
      return Promise.reject(e);
    }
    const bytes = Buffer.byteLength(serializeEntry(clean), 'utf8');
    if (this.maxBytes > 0 && bytes > this.maxBytes) return Promise.resolve(); // could never fit: not cached
    this.memory?.set(clean.key, clean);
    this.pendingWrites++;
    return this.serialized(async () => {
      try {
        await this.ensureIndex();
        const info = await this.store.set(clean);
        this.indexPut(info);
        this.writesSinceScan++;
        if (this.overLimits() || this.writesSinceScan >= RESCAN_EVERY) await this.evict();
      } catch (err) {
        this.report('set', err);
      } finally {
        this.pendingWrites--;
      }
    });
  }

  /** Waits until every write, eviction and index update started so far has reached the store. */
  async flush(): Promise<void> {
    while (this.pendingWrites > 0) await this.queue;
  }

  async delete(key: string): Promise<boolean> {
    this.memory?.delete(key);
    return this.serialized(async () => {
      this.indexRemove(key);
      try {
        return await this.store.delete(key);
      } catch (err) {
        this.report('delete', err);
        return false;
      }
    });
  }

  /** Empties both layers (and the folder, for a FileStore). Hit/miss counters are kept. */
  async clear(): Promise<void> {
    this.memory?.clear();
    await this.serialized(async () => {
      await this.store.clear();
      this.index = new Map();
      this.indexBytes = 0;
      this.writesSinceScan = 0;
    });
  }

  /**
   * Hits/misses of this instance; entries/bytes from the index, listed from the store on the
   * first call (and after every RESCAN_EVERY writes), or afresh with `rescan` (to count what
   * other processes wrote since).
   */
  async stats(options: { rescan?: boolean } = {}): Promise<AnswerCacheStats> {
    return this.serialized(async () => {
      if (options.rescan) await this.rescan();
      else await this.ensureIndex();
      return {
        hits: this.hits,
        misses: this.misses,
        entries: this.index?.size ?? 0,
        bytes: this.indexBytes,
        corrupted: this.store.corrupted,
      };
    });
  }

  private isExpired(entry: AnswerCacheEntry): boolean {
    return this.ttlMs > 0 && this.now() - entry.createdAt >= this.ttlMs;
  }

  private async removeExpired(key: string): Promise<void> {
    this.memory?.delete(key);
    await this.serialized(async () => {
      this.indexRemove(key);
      try {
        await this.store.delete(key);
      } catch (err) {
        this.report('delete', err);
      }
    });
  }

  private serialized<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ensureIndex(): Promise<void> {
    if (!this.index) await this.rescan();
  }

  private async rescan(): Promise<void> {
    const infos = await this.store.list();
    this.index = new Map();
    this.indexBytes = 0;
    for (const info of infos) this.indexPut(info);
    this.writesSinceScan = 0;
  }

  private indexPut(info: StoredEntryInfo): void {
    if (!this.index) return;
    const previous = this.index.get(info.key);
    if (previous) this.indexBytes -= previous.bytes;
    this.index.set(info.key, info);
    this.indexBytes += info.bytes;
  }

  private indexRemove(key: string): void {
    const previous = this.index?.get(key);
    if (!previous) return;
    this.index!.delete(key);
    this.indexBytes -= previous.bytes;
  }

  private overLimits(): boolean {
    const size = this.index?.size ?? 0;
    return (this.maxEntries > 0 && size > this.maxEntries) || (this.maxBytes > 0 && this.indexBytes > this.maxBytes);
  }

  /** Re-lists the store, drops expired entries, then the oldest until within the limits. */
  private async evict(): Promise<void> {
    await this.rescan();
    const now = this.now();
    const byAge = [...this.index!.values()].sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
    for (const info of byAge) {
      const expired = this.ttlMs > 0 && now - info.createdAt >= this.ttlMs;
      if (!expired && !this.overLimits()) break;
      this.memory?.delete(info.key);
      this.indexRemove(info.key);
      try {
        await this.store.delete(info.key);
      } catch (err) {
        this.report('evict', err);
      }
    }
  }

  private report(operation: 'get' | 'set' | 'delete' | 'evict', error: unknown): void {
    try {
      this.onError?.(operation, error);
    } catch {
      // a failing callback must not break the cache
    }
  }
}
