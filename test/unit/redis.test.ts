// The shared answer cache on a REAL redis-server (test/redis/server.ts starts one on
// 127.0.0.1, a free port, no persistence): round trip, TTL on every key, namespacing, stats,
// clear(), corrupted values, and the fallback to the file store when Redis is unreachable or
// stops.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from 'redis';
import {
  AnswerCache,
  DEFAULT_REDIS_TTL_MS,
  FallbackStore,
  FileStore,
  RedisStore,
  answerCacheKey,
  type AnswerCacheEntry,
} from '../../src/core/cache';
import { freePort, needRedisServer, startRedisServer, type RedisServer } from '../redis/server';
import { makeEntry } from './support/cacheEntry';

function keyN(n: number): string {
  return answerCacheKey({
    providerName: 'openai',
    providerType: 'openai',
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: `secret question ${n}` }],
  });
}

const bytesOf = (e: AnswerCacheEntry) => Buffer.byteLength(JSON.stringify(e), 'utf8');

describe('Redis answer cache (real redis-server)', function () {
  this.timeout(30_000);
  let bin: string;
  let server: RedisServer;
  let raw: ReturnType<typeof createClient>;
  let dir: string;
  const stores: RedisStore[] = [];
  const redisStore = (options: Partial<ConstructorParameters<typeof RedisStore>[0]> = {}) => {
    const s = new RedisStore({ url: server.url, ...options });
    stores.push(s);
    return s;
  };

  before(async function () {
    bin = needRedisServer(this);
    server = await startRedisServer({ bin });
    raw = createClient({ url: server.url });
    raw.on('error', () => undefined);
    await raw.connect();
  });
  after(async () => {
    await raw?.close().catch(() => undefined);
    await server?.stop();
  });
  beforeEach(async () => {
    await raw.flushAll();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-redis-cache-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips an entry through AnswerCache, across store instances', async () => {
    const entry = makeEntry(keyN(1), 1_700_000_000_123, 'héllo ✓ multi\nline');
    await new AnswerCache(redisStore()).set(entry);
    const other = new AnswerCache(redisStore());
    assert.deepEqual(await other.get(keyN(1)), entry);
    assert.equal(await other.get(keyN(2)), undefined);
    assert.deepEqual(await other.stats(), { hits: 1, misses: 1, entries: 1, bytes: bytesOf(entry), corrupted: 0 });
  });

  it('keys are namespaced and hashed: <namespace>:answer:<sha256>, a hash with entry + createdAt', async () => {
    const store = redisStore();
    await store.set(makeEntry(keyN(1), 42));
    const keys = await raw.keys('*');
    assert.deepEqual(keys, [`promptprofiler:answer:${keyN(1)}`]);
    assert.match(keys[0]!, /^promptprofiler:answer:[0-9a-f]{64}$/);
    assert.ok(!keys[0]!.includes('secret'), 'no prompt text in key names');
    assert.equal(await raw.type(keys[0]!), 'hash');
    const fields = await raw.hGetAll(keys[0]!);
    assert.deepEqual(Object.keys(fields).sort(), ['createdAt', 'entry']);
    assert.equal(fields.createdAt, '42');
    assert.deepEqual(JSON.parse(fields.entry!), makeEntry(keyN(1), 42));
  });

  it('every entry has a TTL (TTL/PTTL), the default one too, and expires', async () => {
    const hour = 3_600_000;
    const store = redisStore({ ttlMs: 2 * hour });
    for (let i = 0; i < 5; i++) await store.set(makeEntry(keyN(i), i));
    for (const k of await raw.keys('*')) {
      assert.ok([7199, 7200].includes(await raw.ttl(k)), `TTL of ${k}`);
      const pttl = await raw.pTTL(k);
      assert.ok(pttl > 2 * hour - 10_000 && pttl <= 2 * hour, `PTTL ${pttl}`);
    }
    // Rewriting an entry keeps a TTL (the write is one MULTI: UNLINK, HSET, PEXPIRE).
    await store.set(makeEntry(keyN(0), 99));
    assert.ok((await raw.ttl(`promptprofiler:answer:${keyN(0)}`)) > 7000);

    const fallbackTtl = redisStore({ namespace: 'deflt', ttlMs: 0 });
    assert.equal(fallbackTtl.ttlMs, DEFAULT_REDIS_TTL_MS);
    await fallbackTtl.set(makeEntry(keyN(1), 1));
    assert.equal(await raw.ttl(`deflt:answer:${keyN(1)}`), DEFAULT_REDIS_TTL_MS / 1000);

    const short = redisStore({ namespace: 'short', ttlMs: 200 });
    await short.set(makeEntry(keyN(1), 1));
    assert.ok(await short.get(keyN(1)));
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(await short.get(keyN(1)), undefined, 'expired by Redis');
    assert.equal(short.corrupted, 0, 'an expired entry is a miss, not corruption');
  });

  it('namespaces do not see each other', async () => {
    const a = new AnswerCache(redisStore({ namespace: 'teamA' }));
    const b = new AnswerCache(redisStore({ namespace: 'teamB' }));
    await a.set(makeEntry(keyN(1), 1, 'from A'));
    await b.set(makeEntry(keyN(2), 2, 'from B'));
    await b.set(makeEntry(keyN(3), 3, 'from B'));
    assert.equal(await a.get(keyN(2)), undefined);
    assert.equal(await b.get(keyN(1)), undefined);
    assert.equal((await a.get(keyN(1)))?.output, 'from A');
    assert.equal((await a.stats()).entries, 1);
    assert.equal((await b.stats()).entries, 2);
    assert.deepEqual((await raw.keys('*')).sort(), [`teamA:answer:${keyN(1)}`, `teamB:answer:${keyN(2)}`, `teamB:answer:${keyN(3)}`]);
    assert.throws(() => new RedisStore({ url: server.url, namespace: 'bad*glob' }), RangeError);
    assert.throws(() => new RedisStore({ url: server.url, namespace: '' }), RangeError);
  });

  it('stats: entries and bytes exactly as the file store counts them', async () => {
    const entries = [makeEntry(keyN(1), 1, 'one'), makeEntry(keyN(2), 2, 'two, longer ✓'), makeEntry(keyN(2), 3, 'two, replaced')];
    const onRedis = new AnswerCache(redisStore());
    const onDisk = new AnswerCache(new FileStore({ dir }));
    for (const e of entries) {
      await onRedis.set(e);
      await onDisk.set(e);
    }
    await onRedis.get(keyN(1));
    await onRedis.get(keyN(9));
    const expectedBytes = bytesOf(entries[0]!) + bytesOf(entries[2]!);
    assert.deepEqual(await onRedis.stats(), { hits: 1, misses: 1, entries: 2, bytes: expectedBytes, corrupted: 0 });
    const disk = await onDisk.stats();
    assert.equal(disk.entries, 2);
    assert.equal(disk.bytes, expectedBytes);
    const listed = (await redisStore().list()).sort((x, y) => x.createdAt - y.createdAt);
    assert.deepEqual(listed, [
      { key: keyN(1), createdAt: 1, bytes: bytesOf(entries[0]!) },
      { key: keyN(2), createdAt: 3, bytes: bytesOf(entries[2]!) },
    ]);
  });

  it('AnswerCache eviction (oldest first beyond maxEntries) works over Redis', async () => {
    const cache = new AnswerCache(redisStore(), { maxEntries: 3, memoryMaxEntries: 0 });
    const created = [5000, 1000, 4000, 3000, 2000];
    for (let i = 0; i < created.length; i++) await cache.set(makeEntry(keyN(i), created[i]!));
    assert.equal((await cache.stats()).entries, 3);
    assert.ok(await cache.get(keyN(0)));
    assert.ok(await cache.get(keyN(2)));
    assert.ok(await cache.get(keyN(3)));
    assert.equal(await cache.get(keyN(1)), undefined);
    assert.equal(await cache.get(keyN(4)), undefined);
  });

  it('clear() removes only this namespace’s entries', async () => {
    const ours = new AnswerCache(redisStore());
    for (let i = 0; i < 30; i++) await ours.set(makeEntry(keyN(i), i));
    await redisStore({ namespace: 'teamB' }).set(makeEntry(keyN(1), 1));
    const foreign = [
      'other:key',
      'promptprofiler:history:x',
      'promptprofiler:answer:not-a-hash',
      `promptprofiler:answers:${keyN(1)}`,
      `promptprofiler2:answer:${keyN(1)}`,
      keyN(1),
    ];
    for (const k of foreign) await raw.set(k, 'keep me');
    await ours.clear();
    assert.deepEqual((await raw.keys('*')).sort(), [...foreign, `teamB:answer:${keyN(1)}`].sort());
    for (const k of foreign) assert.equal(await raw.get(k), 'keep me');
    assert.equal(await ours.get(keyN(1)), undefined);
    assert.deepEqual({ ...(await ours.stats()), hits: 0, misses: 0 }, { hits: 0, misses: 0, entries: 0, bytes: 0, corrupted: 0 });
  });

  it('corrupted values are reported, counted, deleted and read as misses; the next set works', async () => {
    const reports: Array<[string, string]> = [];
    const store = redisStore({ onCorrupt: (where, reason) => reports.push([where, reason]) });
    const cache = new AnswerCache(store, { memoryMaxEntries: 0 });
    const rk = (n: number) => `promptprofiler:answer:${keyN(n)}`;
    await raw.hSet(rk(1), { entry: '{"key": "tru', createdAt: '1' }); // torn JSON
    await raw.set(rk(2), 'a plain string'); // wrong Redis type
    await raw.hSet(rk(3), { createdAt: '3' }); // no entry field
    await raw.hSet(rk(4), { entry: JSON.stringify(makeEntry(keyN(1), 4)), createdAt: '4' }); // another key's entry
    await raw.hSet(rk(5), { entry: JSON.stringify({ ...makeEntry(keyN(5), 5), usage: null }), createdAt: '5' }); // wrong shape

    // list() (stats, eviction) never fails on them
    assert.ok((await store.list()).length <= 5);
    for (let n = 1; n <= 5; n++) assert.equal(await cache.get(keyN(n)), undefined, `entry ${n}`);
    assert.equal(store.corrupted, 5);
    assert.deepEqual(
      reports.map(([where]) => where),
      [1, 2, 3, 4, 5].map(rk),
    );
    assert.match(reports[0]![1], /JSON/);
    assert.equal(reports[1]![1], 'not a hash');
    assert.equal(reports[2]![1], 'missing entry field');
    assert.equal(reports[3]![1], 'key mismatch');
    assert.match(reports[4]![1], /shape/);
    assert.deepEqual(await raw.keys('*'), [], 'corrupted values are deleted');
    const stats = await cache.stats();
    assert.equal(stats.corrupted, 5);
    assert.equal(stats.misses, 5);

    await cache.set(makeEntry(keyN(2), 6, 'recovered'));
    assert.equal((await new AnswerCache(redisStore()).get(keyN(2)))?.output, 'recovered');
  });

  it('unreachable Redis: reported once, then set/get work through the file store', async () => {
    const port = await freePort(); // nothing listens there
    const reported: unknown[] = [];
    const cacheErrors: string[] = [];
    const primary = new RedisStore({ url: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1000 });
    stores.push(primary);
    const store = new FallbackStore({ primary, fallback: new FileStore({ dir }), onFallback: (e) => reported.push(e) });
    const cache = new AnswerCache(store, { memoryMaxEntries: 0, onError: (op) => cacheErrors.push(op) });

    const started = Date.now();
    for (let i = 0; i < 5; i++) await cache.set(makeEntry(keyN(i), i, `answer ${i}`));
    for (let i = 0; i < 5; i++) assert.equal((await cache.get(keyN(i)))?.output, `answer ${i}`);
    assert.equal(await cache.get(keyN(9)), undefined);
    assert.ok(Date.now() - started < 5000, 'fails fast, not once per operation after a timeout');

    assert.equal(reported.length, 1, 'reported once');
    assert.match(String((reported[0] as Error).message), /ECONNREFUSED/);
    assert.equal(store.usingFallback, true);
    assert.deepEqual(cacheErrors, [], 'the cache itself saw no error');
    assert.equal((await cache.stats()).entries, 5);
    const onDisk = await new FileStore({ dir }).list();
    assert.equal(onDisk.length, 5, 'the answers are in the file store');
    assert.equal(reported.length, 1, 'still once after stats');
  });

  it('Redis stopping mid-session: falls back once, nothing is lost, and it comes back', async () => {
    const own = await startRedisServer({ bin });
    let now = 1_000_000;
    const events: string[] = [];
    const primary = new RedisStore({ url: own.url, connectTimeoutMs: 1000, commandTimeoutMs: 2000 });
    stores.push(primary);
    const store = new FallbackStore({
      primary,
      fallback: new FileStore({ dir }),
      onFallback: (e) => events.push(`fallback: ${(e as Error).message}`),
      onRecover: () => events.push('recovered'),
      retryAfterMs: 30_000,
      now: () => now,
    });
    const cache = new AnswerCache(store, { memoryMaxEntries: 0 });
    const check = createClient({ url: own.url });
    check.on('error', () => undefined);
    try {
      await cache.set(makeEntry(keyN(1), 1, 'in redis'));
      await check.connect();
      assert.equal(await check.exists(`promptprofiler:answer:${keyN(1)}`), 1, 'written to Redis while it is up');
      await check.close();
      assert.equal(await new FileStore({ dir }).get(keyN(1)), undefined, 'not to the file store');

      await own.stop();
      await cache.set(makeEntry(keyN(2), 2, 'written during the outage'));
      await cache.set(makeEntry(keyN(3), 3, 'also during the outage'));
      assert.equal((await cache.get(keyN(2)))?.output, 'written during the outage');
      assert.equal(events.length, 1, `one report: ${events.join(' | ')}`);
      assert.match(events[0]!, /^fallback: /);
      assert.equal(store.usingFallback, true);

      // Redis comes back (empty: no persistence) on the same port; after retryAfterMs the next
      // operation uses it again, and the answers written meanwhile are still found.
      const again = await startRedisServer({ bin, port: own.port });
      try {
        now += 10_000;
        await cache.get(keyN(2));
        assert.equal(store.usingFallback, true, 'not retried before retryAfterMs');
        now += 30_000;
        assert.equal((await cache.get(keyN(2)))?.output, 'written during the outage');
        assert.equal(store.usingFallback, false);
        assert.deepEqual(events.slice(1), ['recovered']);
        assert.equal((await cache.get(keyN(3)))?.output, 'also during the outage');
        await cache.set(makeEntry(keyN(4), 4, 'back in redis'));
        const after = createClient({ url: again.url });
        after.on('error', () => undefined);
        await after.connect();
        assert.equal(await after.exists(`promptprofiler:answer:${keyN(4)}`), 1);
        await after.close();
        assert.equal((await cache.stats({ rescan: true })).entries, 3, 'stats cover both stores (2, 3 on disk; 4 in Redis)');
      } finally {
        await primary.close();
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
