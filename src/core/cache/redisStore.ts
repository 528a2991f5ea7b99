// A shared answer cache on Redis (node-redis, the client Redis maintains), and a wrapper that
// falls back to a local store while Redis cannot be reached.
//
// RedisStore layout: one hash per entry at `<namespace>:answer:<sha256 cache key>` with the
// fields `entry` (the same JSON the file store writes) and `createdAt` (ms, decimal). The key is
// already a hash of the request, so no prompt text appears in key names. Every write sets a
// TTL (PEXPIRE) in the same MULTI, so nothing lives on a shared server forever. `list()` (stats,
// eviction) reads only `createdAt` and HSTRLEN of `entry`, never the answers. A value that is
// not a valid entry (wrong type, missing field, bad JSON, another key's entry) is reported
// through `onCorrupt`, counted, deleted and read as a miss, as in FileStore. `clear()` only
// deletes well-formed keys of its own namespace.
//
// Connection: made lazily on the first operation, with a connect timeout and no offline queue
// or background reconnection: while the server is down every operation fails fast with the
// connection error, and the next operation after that tries to connect again. FallbackStore
// turns those failures into a single report and a switch to the local store.
import type { createClient } from 'redis';
import { parseEntry, serializeEntry, type AnswerCacheEntry } from './entry';
import { isCacheKey } from './key';
import type { CacheStore, CorruptCallback, StoredEntryInfo } from './store';
import { redis } from '../lazy';

type RedisClient = ReturnType<typeof createClient>;

export interface RedisStoreOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS). */
  url: string;
  /** Key prefix shared by everyone who should share answers (default `promptprofiler`). */
  namespace?: string;
  /** Every entry expires this long after it is written (default 7 days; 0 = the default). */
  ttlMs?: number;
  /** Give up connecting after this long (default 2000 ms). */
  connectTimeoutMs?: number;
  /** Give up on a command after this long (default 5000 ms). */
  commandTimeoutMs?: number;
  /** Told about every corrupted entry (its Redis key and why) before it is deleted. */
  onCorrupt?: CorruptCallback;
}

export const DEFAULT_REDIS_NAMESPACE = 'promptprofiler';
export const DEFAULT_REDIS_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const NAMESPACE_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const SCAN_COUNT = 500;

export class RedisStore implements CacheStore {
  readonly namespace: string;
  readonly ttlMs: number;
  /** `<namespace>:answer:`: every key of this store starts with it. */
  readonly prefix: string;
  private readonly url: string;
  private readonly connectTimeoutMs: number;
  private readonly commandTimeoutMs: number;
  private readonly onCorrupt?: CorruptCallback;
  private corruptedCount = 0;
  private client?: RedisClient;
  private connecting?: Promise<RedisClient>;
  private closed = false;

  constructor(options: RedisStoreOptions) {
    this.namespace = options.namespace ?? DEFAULT_REDIS_NAMESPACE;
    if (!NAMESPACE_RE.test(this.namespace)) {
      throw new RangeError(`Redis namespace "${this.namespace}" may only use letters, digits and _ . : - (at most 100).`);
    }
    this.prefix = `${this.namespace}:answer:`;
    this.url = options.url;
    this.ttlMs = options.ttlMs && options.ttlMs > 0 ? Math.ceil(options.ttlMs) : DEFAULT_REDIS_TTL_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 2000;
    this.commandTimeoutMs = options.commandTimeoutMs ?? 5000;
    this.onCorrupt = options.onCorrupt;
  }

  get corrupted(): number {
    return this.corruptedCount;
  }

  /** The Redis key of an answer-cache key. Throws for a malformed key. */
  redisKey(key: string): string {
    if (!isCacheKey(key)) throw new TypeError(`Not an answer-cache key: ${String(key)}`);
    return this.prefix + key;
  }

  async get(key: string): Promise<AnswerCacheEntry | undefined> {
    if (!isCacheKey(key)) return undefined;
    const client = await this.connection();
    const rkey = this.redisKey(key);
    let fields: Array<string | null>;
    try {
      fields = (await client.hmGet(rkey, ['entry', 'createdAt'])) as Array<string | null>;
    } catch (err) {
      if (!isWrongType(err)) throw err;
      await this.reportCorrupt(client, rkey, 'not a hash');
      return undefined;
    }
    const [text, createdAt] = fields;
    if (text === null || text === undefined) {
      if (createdAt === null || createdAt === undefined) return undefined; // absent (or expired)
      await this.reportCorrupt(client, rkey, 'missing entry field');
      return undefined;
    }
    const parsed = parseEntry(text, key);
    if (parsed.ok) return parsed.entry;
    await this.reportCorrupt(client, rkey, parsed.reason);
    return undefined;
  }

  async set(entry: AnswerCacheEntry): Promise<StoredEntryInfo> {
    const text = serializeEntry(entry); // validates the entry, drops unknown fields
    const rkey = this.redisKey(entry.key);
    const client = await this.connection();
    // One transaction: readers see the old entry or the new one, always with a TTL.
    await client
      .multi()
      .unlink(rkey)
      .hSet(rkey, { entry: text, createdAt: String(entry.createdAt) })
      .pExpire(rkey, this.ttlMs)
      .exec();
    return { key: entry.key, createdAt: entry.createdAt, bytes: Buffer.byteLength(text, 'utf8') };
  }

  async delete(key: string): Promise<boolean> {
    if (!isCacheKey(key)) return false;
    const client = await this.connection();
    return (await client.unlink(this.redisKey(key))) > 0;
  }

  /** Deletes this namespace's entries; other keys on the server are left alone. */
  async clear(): Promise<void> {
    const client = await this.connection();
    for await (const batch of client.scanIterator({ MATCH: this.matchPattern(), COUNT: SCAN_COUNT })) {
      const ours = (batch as string[]).filter((k) => this.isOurKey(k));
      if (ours.length) await client.unlink(ours);
    }
  }

  async list(): Promise<StoredEntryInfo[]> {
    const client = await this.connection();
    const out: StoredEntryInfo[] = [];
    const seen = new Set<string>(); // SCAN may return a key twice
    for await (const batch of client.scanIterator({ MATCH: this.matchPattern(), COUNT: SCAN_COUNT })) {
      const keys = (batch as string[]).filter((k) => this.isOurKey(k) && !seen.has(k));
      for (const k of keys) seen.add(k);
      // Issued together, node-redis pipelines them in one round trip.
      const infos = await Promise.all(
        keys.map(async (rkey): Promise<StoredEntryInfo | undefined> => {
          try {
            const [createdAt, bytes] = await Promise.all([client.hGet(rkey, 'createdAt'), client.hStrLen(rkey, 'entry')]);
            const ms = Number(createdAt);
            if (createdAt === null || createdAt === undefined || !Number.isFinite(ms) || !bytes) return undefined;
            return { key: rkey.slice(this.prefix.length), createdAt: ms, bytes: Number(bytes) };
          } catch (err) {
            if (isWrongType(err)) return undefined; // corrupt: get() reports and removes it
            throw err;
          }
        }),
      );
      for (const info of infos) if (info) out.push(info);
    }
    return out;
  }

  /** Closes the connection (pending commands finish first). The store is unusable afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    if (!client) return;
    try {
      if (client.isOpen) await client.close();
    } catch {
      client.destroy();
    }
  }

  private matchPattern(): string {
    // The namespace has no glob characters (checked in the constructor).
    return `${this.prefix}*`;
  }

  private isOurKey(rkey: string): boolean {
    return rkey.startsWith(this.prefix) && isCacheKey(rkey.slice(this.prefix.length));
  }

  private async connection(): Promise<RedisClient> {
    if (this.closed) throw new Error('The Redis answer cache was closed.');
    if (this.client?.isReady) return this.client;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<RedisClient> {
    const previous = this.client;
    this.client = undefined;
    if (previous?.isOpen) previous.destroy();
    // Loaded on first use: the extension and the CLI start without it unless Redis is configured.
    const { createClient } = redis();
    const client = createClient({
      url: this.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: this.connectTimeoutMs, reconnectStrategy: false },
      commandOptions: { timeout: this.commandTimeoutMs },
    });
    // Failures surface through the commands that hit them; the event must still be handled.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      try {
        client.destroy();
      } catch {
        // never opened
      }
      throw err;
    }
    if (this.closed) {
      client.destroy();
      throw new Error('The Redis answer cache was closed.');
    }
    this.client = client as RedisClient;
    return this.client;
  }

  private async reportCorrupt(client: RedisClient, rkey: string, reason: string): Promise<void> {
    this.corruptedCount++;
    try {
      this.onCorrupt?.(rkey, reason);
    } catch {
      // a failing callback must not break the cache
    }
    await client.unlink(rkey).catch(() => undefined);
  }
}

function isWrongType(err: unknown): boolean {
  return err instanceof Error && /^WRONGTYPE/.test(err.message);
}

// ── fallback ────────────────────────────────────────────────────────────────────────────────

export interface FallbackStoreOptions {
  /** The shared store (a RedisStore). */
  primary: CacheStore;
  /** Used while the primary fails (the workspace FileStore). */
  fallback: CacheStore;
  /** Called once when the primary starts failing (once per outage), with its error. */
  onFallback?: (error: unknown) => void;
  /** Called when the primary answers again after an outage. */
  onRecover?: () => void;
  /** While on the fallback, the primary is tried again this long after its last failure (default 30 s). */
  retryAfterMs?: number;
  now?: () => number;
}

/**
 * A store over a shared primary with a local fallback; AnswerCache works over it unchanged.
 *
 * - While the primary works, writes go to it; a read that misses there also looks in the
 *   fallback, so answers written during an outage are still found afterwards (nothing is
 *   lost), and `list()`/`delete()`/`clear()` cover both stores.
 * - Any error from the primary (unreachable, timeout, server error) switches to the fallback:
 *   `onFallback` is told once, the operation is redone on the fallback, and for `retryAfterMs`
 *   every operation goes straight to the fallback. After that the next operation tries the
 *   primary again (a failure there is the same outage, not reported again).
 * - `corrupted` adds up both stores.
 */
export class FallbackStore implements CacheStore {
  readonly primary: CacheStore;
  readonly fallback: CacheStore;
  private readonly onFallback?: (error: unknown) => void;
  private readonly onRecover?: () => void;
  private readonly retryAfterMs: number;
  private readonly now: () => number;
  /** When the primary last failed; undefined while it works. */
  private failedAt?: number;
  private lastError?: unknown;

  constructor(options: FallbackStoreOptions) {
    this.primary = options.primary;
    this.fallback = options.fallback;
    this.onFallback = options.onFallback;
    this.onRecover = options.onRecover;
    this.retryAfterMs = Math.max(0, options.retryAfterMs ?? 30_000);
    this.now = options.now ?? Date.now;
  }

  /** True while operations go to the fallback. */
  get usingFallback(): boolean {
    return this.failedAt !== undefined;
  }

  /** The primary's last error during the current outage. */
  get primaryError(): unknown {
    return this.failedAt === undefined ? undefined : this.lastError;
  }

  get corrupted(): number {
    return this.primary.corrupted + this.fallback.corrupted;
  }

  async get(key: string): Promise<AnswerCacheEntry | undefined> {
    const hit = await this.onPrimary((p) => p.get(key));
    if (hit.ok && hit.value) return hit.value;
    return this.fallback.get(key);
  }

  async set(entry: AnswerCacheEntry): Promise<StoredEntryInfo> {
    serializeEntry(entry); // an invalid entry is the caller's bug, not an outage: throw it here
    const done = await this.onPrimary((p) => p.set(entry));
    if (done.ok) return done.value;
    return this.fallback.set(entry);
  }

  async delete(key: string): Promise<boolean> {
    const primary = await this.onPrimary((p) => p.delete(key));
    const local = await this.fallback.delete(key);
    return (primary.ok && primary.value) || local;
  }

  async clear(): Promise<void> {
    await this.onPrimary((p) => p.clear());
    await this.fallback.clear();
  }

  async list(): Promise<StoredEntryInfo[]> {
    const primary = await this.onPrimary((p) => p.list());
    const local = await this.fallback.list();
    if (!primary.ok) return local;
    const keys = new Set(primary.value.map((i) => i.key));
    return [...primary.value, ...local.filter((i) => !keys.has(i.key))];
  }

  /** Runs `op` on the primary unless it is resting after a failure; never throws its errors. */
  private async onPrimary<T>(op: (p: CacheStore) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (this.failedAt !== undefined && this.now() - this.failedAt < this.retryAfterMs) return { ok: false };
    try {
      const value = await op(this.primary);
      if (this.failedAt !== undefined) {
        this.failedAt = undefined;
        this.lastError = undefined;
        safeCall(() => this.onRecover?.());
      }
      return { ok: true, value };
    } catch (err) {
      const firstFailure = this.failedAt === undefined;
      this.failedAt = this.now();
      this.lastError = err;
      if (firstFailure) safeCall(() => this.onFallback?.(err));
      return { ok: false };
    }
  }
}

function safeCall(fn: () => void): void {
  try {
    fn();
  } catch {
    // a failing callback must not break the cache
  }
}
