import { parseEntry, serializeEntry, type AnswerCacheEntry } from './entry';
import type { CacheStore, CorruptCallback, StoredEntryInfo } from './store';

/**
 * In-memory store (tests, or no storage folder). Entries are kept serialized, exactly as the
 * file store writes them, so callers never share objects with the store and sizes match.
 */
export class MemoryStore implements CacheStore {
  private readonly items = new Map<string, { text: string; createdAt: number }>();
  private corruptedCount = 0;

  constructor(private readonly options: { onCorrupt?: CorruptCallback } = {}) {}

  get corrupted(): number {
    return this.corruptedCount;
  }

  async get(key: string): Promise<AnswerCacheEntry | undefined> {
    const item = this.items.get(key);
    if (!item) return undefined;
    const parsed = parseEntry(item.text, key);
    if (parsed.ok) return parsed.entry;
    this.corruptedCount++;
    this.items.delete(key);
    try {
      this.options.onCorrupt?.(`memory:${key}`, parsed.reason);
    } catch {
      // a failing callback must not break the cache
    }
    return undefined;
  }

  async set(entry: AnswerCacheEntry): Promise<StoredEntryInfo> {
    const text = serializeEntry(entry);
    this.items.set(entry.key, { text, createdAt: entry.createdAt });
    return { key: entry.key, createdAt: entry.createdAt, bytes: Buffer.byteLength(text, 'utf8') };
  }

  async delete(key: string): Promise<boolean> {
    return this.items.delete(key);
  }

  async clear(): Promise<void> {
    this.items.clear();
  }

  async list(): Promise<StoredEntryInfo[]> {
    return [...this.items].map(([key, { text, createdAt }]) => ({
      key,
      createdAt,
      bytes: Buffer.byteLength(text, 'utf8'),
    }));
  }

  /** Test hook: replace an entry's stored text verbatim. */
  setRawForTest(key: string, text: string, createdAt = 0): void {
    this.items.set(key, { text, createdAt });
  }
}
