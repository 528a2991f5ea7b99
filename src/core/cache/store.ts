// The persistence interface behind AnswerCache. FileStore and MemoryStore implement it; a Redis
// (or other shared) store can be added later without touching AnswerCache.

import type { AnswerCacheEntry } from './entry';

/** What eviction and stats need to know about a stored entry, without reading it. */
export interface StoredEntryInfo {
  key: string;
  /** The entry's createdAt (ms). */
  createdAt: number;
  /** Bytes the entry occupies in the store. */
  bytes: number;
}

export interface CacheStore {
  /**
   * The entry, or `undefined` when absent. A corrupted entry is reported, counted in
   * `corrupted`, removed, and read as `undefined`: never thrown.
   */
  get(key: string): Promise<AnswerCacheEntry | undefined>;
  /** Stores (or replaces) an entry; the write is all-or-nothing for readers. */
  set(entry: AnswerCacheEntry): Promise<StoredEntryInfo>;
  /** True when something was removed. */
  delete(key: string): Promise<boolean>;
  /** Removes every entry this store owns. */
  clear(): Promise<void>;
  /** Every stored entry's key, createdAt and size (not validated). */
  list(): Promise<StoredEntryInfo[]>;
  /** Corrupted entries met since this store was created. */
  readonly corrupted: number;
}

/** Called with where a corrupted entry was found and why it was rejected. */
export type CorruptCallback = (path: string, reason: string) => void;
