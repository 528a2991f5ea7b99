import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AnswerCache,
  CACHE_FORMAT_VERSION,
  FileStore,
  MemoryStore,
  answerCacheKey,
  answerKeyMaterial,
  answerKeyParts,
  type AnswerCacheEntry,
  type AnswerKeyParts,
} from '../../src/core/cache';
import type { ChatRequest, ProviderConfig } from '../../src/core/types';
import { makeEntry } from './support/cacheEntry';

const TEST_API_KEY = 'sk-test-DO-NOT-STORE-9f8e7d6c5b4a';

function baseParts(): AnswerKeyParts {
  return {
    providerName: 'openai',
    providerType: 'openai',
    baseURL: 'https://api.openai.com/v1',
    model: 'gpt-4o-mini',
    system: 'You are terse.',
    cacheSystem: false,
    cacheTtl: '5m',
    messages: [
      { role: 'user', content: 'Hello' },
      { role: 'assistant', content: 'Hi' },
      { role: 'user', content: 'Summarise X', cacheBreakpoint: true },
    ],
    temperature: 0.2,
    maxOutputTokens: 256,
  };
}

function keyN(n: number): string {
  return answerCacheKey({ ...baseParts(), messages: [{ role: 'user', content: `question ${n}` }] });
}

/** Every file under dir, recursively (relative paths). */
function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) out.push(...walk(full).map((f) => path.join(name, f)));
    else out.push(name);
  }
  return out;
}

function countingStore<T extends object>(store: T, method: keyof T): { store: T; calls: () => number } {
  let calls = 0;
  const original = (store[method] as unknown as (...args: unknown[]) => unknown).bind(store);
  (store as Record<keyof T, unknown>)[method] = (...args: unknown[]) => {
    calls++;
    return original(...args);
  };
  return { store, calls: () => calls };
}

describe('answer cache', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pp-cache-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('answerCacheKey', () => {
    it('same parts give the same key (64 hex chars)', () => {
      const a = answerCacheKey(baseParts());
      const b = answerCacheKey(baseParts());
      assert.equal(a, b);
      assert.match(a, /^[0-9a-f]{64}$/);
    });

    it('any changed field gives a different key', () => {
      const base = answerCacheKey(baseParts());
      const variants: Array<[string, (p: AnswerKeyParts) => AnswerKeyParts]> = [
        ['providerName', (p) => ({ ...p, providerName: 'azure' })],
        ['providerType', (p) => ({ ...p, providerType: 'openai-compatible' })],
        ['baseURL', (p) => ({ ...p, baseURL: 'http://localhost:11434/v1' })],
        ['baseURL absent', (p) => ({ ...p, baseURL: undefined })],
        ['model', (p) => ({ ...p, model: 'gpt-4o' })],
        ['system', (p) => ({ ...p, system: 'You are verbose.' })],
        ['system absent', (p) => ({ ...p, system: undefined })],
        ['cacheSystem', (p) => ({ ...p, cacheSystem: true })],
        ['cacheTtl', (p) => ({ ...p, cacheTtl: '1h' })],
        ['message role', (p) => ({ ...p, messages: p.messages.map((m, i) => (i === 1 ? { ...m, role: 'user' as const } : m)) })],
        ['message content', (p) => ({ ...p, messages: p.messages.map((m, i) => (i === 0 ? { ...m, content: 'Hello!' } : m)) })],
        ['message cacheBreakpoint', (p) => ({ ...p, messages: p.messages.map((m, i) => (i === 0 ? { ...m, cacheBreakpoint: true } : m)) })],
        ['message added', (p) => ({ ...p, messages: [...p.messages, { role: 'user', content: '' }] })],
        ['message removed', (p) => ({ ...p, messages: p.messages.slice(1) })],
        ['message order', (p) => ({ ...p, messages: [p.messages[1]!, p.messages[0]!, p.messages[2]!] })],
        ['temperature', (p) => ({ ...p, temperature: 0.3 })],
        ['temperature absent', (p) => ({ ...p, temperature: undefined })],
        ['maxOutputTokens', (p) => ({ ...p, maxOutputTokens: 257 })],
        ['maxOutputTokens absent', (p) => ({ ...p, maxOutputTokens: undefined })],
      ];
      const seen = new Set([base]);
      for (const [name, change] of variants) {
        const k = answerCacheKey(change(baseParts()));
        assert.notEqual(k, base, `${name} must change the key`);
        seen.add(k);
      }
      assert.equal(seen.size, variants.length + 1, 'every variant gives a distinct key');
    });

    it('includes the cache format version in the hashed material', () => {
      const material = JSON.parse(answerKeyMaterial(baseParts())) as { v: number };
      assert.equal(material.v, CACHE_FORMAT_VERSION);
    });

    it('is independent of property order', () => {
      const p = baseParts();
      const reordered: AnswerKeyParts = {
        maxOutputTokens: p.maxOutputTokens,
        temperature: p.temperature,
        messages: p.messages.map((m) =>
          m.cacheBreakpoint === undefined
            ? { content: m.content, role: m.role }
            : { cacheBreakpoint: m.cacheBreakpoint, content: m.content, role: m.role },
        ),
        cacheTtl: p.cacheTtl,
        cacheSystem: p.cacheSystem,
        system: p.system,
        model: p.model,
        baseURL: p.baseURL,
        providerType: p.providerType,
        providerName: p.providerName,
      };
      assert.equal(answerCacheKey(reordered), answerCacheKey(p));
    });

    it('answerKeyParts builds the same parts from a provider config and request', () => {
      const p = baseParts();
      const provider: ProviderConfig = { name: 'openai', type: 'openai', baseURL: p.baseURL, apiKey: TEST_API_KEY };
      const request: ChatRequest = {
        model: p.model,
        system: p.system,
        cacheSystem: p.cacheSystem,
        cacheTtl: p.cacheTtl,
        messages: [...p.messages],
        temperature: p.temperature,
        maxOutputTokens: p.maxOutputTokens,
      };
      assert.equal(answerCacheKey(answerKeyParts(provider, request)), answerCacheKey(p));
      assert.ok(!('apiKey' in answerKeyParts(provider, request)));
    });
  });

  describe('FileStore + AnswerCache', () => {
    it('round-trips through the file store and persists across instances', async () => {
      const key = answerCacheKey(baseParts());
      const entry = makeEntry(key, 1_700_000_000_123, 'héllo ✓ multi\nline');
      const first = new AnswerCache(new FileStore({ dir }));
      await first.set(entry);

      const file = path.join(dir, key.slice(0, 2), `${key}.json`);
      assert.ok(fs.existsSync(file), 'sharded by the first two hex chars');

      const second = new AnswerCache(new FileStore({ dir }));
      assert.deepEqual(await second.get(key), entry);
      const stats = await second.stats();
      assert.equal(stats.hits, 1);
      assert.equal(stats.entries, 1);
    });

    it('creates the folder lazily', async () => {
      const nested = path.join(dir, 'a', 'b', 'cache');
      const cache = new AnswerCache(new FileStore({ dir: nested }));
      assert.equal(await cache.get(keyN(1)), undefined);
      assert.equal(fs.existsSync(nested), false, 'a read does not create the folder');
      await cache.set(makeEntry(keyN(1), 1));
      assert.ok(fs.existsSync(nested));
    });

    it('an LRU hit does not touch the store', async () => {
      const { store, calls } = countingStore(new FileStore({ dir }), 'get');
      const cache = new AnswerCache(store);
      const key = keyN(1);
      await cache.set(makeEntry(key, 1000));
      for (let i = 0; i < 5; i++) assert.equal((await cache.get(key))?.output, 'answer');
      assert.equal(calls(), 0, 'served from memory');

      const fresh = countingStore(new FileStore({ dir }), 'get');
      const other = new AnswerCache(fresh.store);
      await other.get(key);
      await other.get(key);
      await other.get(key);
      assert.equal(fresh.calls(), 1, 'only the first read goes to disk');
    });

    it('returned entries are copies (mutating them does not change the cache)', async () => {
      const cache = new AnswerCache(new MemoryStore());
      const key = keyN(1);
      await cache.set(makeEntry(key, 1000));
      const got = (await cache.get(key))!;
      got.output = 'mutated';
      got.usage.inputTokens = 999;
      const again = (await cache.get(key))!;
      assert.equal(again.output, 'answer');
      assert.equal(again.usage.inputTokens, 12);
    });

    it('expires entries after the TTL using the injected clock', async () => {
      let now = 10_000;
      const store = new FileStore({ dir });
      const cache = new AnswerCache(store, { ttlMs: 1000, now: () => now });
      const key = keyN(1);
      await cache.set(makeEntry(key, now));

      now += 999;
      assert.ok(await cache.get(key), 'still fresh 1 ms before the TTL');
      now += 1;
      assert.equal(await cache.get(key), undefined, 'expired at createdAt + ttl');
      assert.equal(walk(dir).length, 0, 'the expired entry is removed from disk');

      // A fresh instance reading from disk also honours the TTL.
      const key2 = keyN(2);
      await cache.set(makeEntry(key2, now));
      now += 5000;
      const other = new AnswerCache(new FileStore({ dir }), { ttlMs: 1000, now: () => now });
      assert.equal(await other.get(key2), undefined);
      const stats = await other.stats();
      assert.equal(stats.misses, 1);
      assert.equal(stats.entries, 0);

      // ttlMs 0 = forever
      const forever = new AnswerCache(new MemoryStore(), { ttlMs: 0, now: () => now });
      await forever.set(makeEntry(key, 0));
      now += 10 ** 12;
      assert.ok(await forever.get(key));
    });

    it('evicts the oldest entries (by createdAt) beyond maxEntries', async () => {
      const cache = new AnswerCache(new FileStore({ dir }), { maxEntries: 3 });
      // createdAt deliberately not in insertion order
      const created = [5000, 1000, 4000, 3000, 2000];
      for (let i = 0; i < created.length; i++) await cache.set(makeEntry(keyN(i), created[i]!));

      const stats = await cache.stats();
      assert.equal(stats.entries, 3);
      // survivors: the three newest → 5000 (0), 4000 (2), 3000 (3)
      const fresh = new AnswerCache(new FileStore({ dir }));
      assert.ok(await fresh.get(keyN(0)));
      assert.ok(await fresh.get(keyN(2)));
      assert.ok(await fresh.get(keyN(3)));
      assert.equal(await fresh.get(keyN(1)), undefined);
      assert.equal(await fresh.get(keyN(4)), undefined);
      // evicted entries are gone from the memory layer too
      assert.equal(await cache.get(keyN(1)), undefined);
    });

    it('evicts the oldest entries beyond maxBytes', async () => {
      const probe = new FileStore({ dir: path.join(dir, 'probe') });
      const one = (await probe.set(makeEntry(keyN(0), 1000))).bytes; // same size as the entries below
      const cache = new AnswerCache(new FileStore({ dir: path.join(dir, 'c') }), { maxBytes: one * 2 + 1 });
      for (let i = 0; i < 4; i++) await cache.set(makeEntry(keyN(i), 1000 + i));
      const stats = await cache.stats();
      assert.equal(stats.entries, 2);
      assert.ok(stats.bytes <= one * 2 + 1);
      assert.equal(await cache.get(keyN(0)), undefined);
      assert.ok(await cache.get(keyN(3)));
    });

    it('a corrupted file is skipped, counted, reported, removed, and the next set works', async () => {
      const corrupt: Array<[string, string]> = [];
      const store = new FileStore({ dir, onCorrupt: (p, reason) => corrupt.push([p, reason]) });
      const cache = new AnswerCache(store);
      const key = keyN(7);
      const file = store.pathFor(key);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '{"key": "tru');

      assert.equal(await cache.get(key), undefined);
      const stats = await cache.stats();
      assert.equal(stats.corrupted, 1);
      assert.equal(stats.misses, 1);
      assert.equal(corrupt.length, 1);
      assert.equal(corrupt[0]![0], file);
      assert.match(corrupt[0]![1], /JSON/);
      assert.equal(fs.existsSync(file), false, 'the corrupted file is removed');

      await cache.set(makeEntry(key, 42, 'recovered'));
      const fresh = new AnswerCache(new FileStore({ dir }));
      assert.equal((await fresh.get(key))?.output, 'recovered');
    });

    it('wrong shape and key mismatch count as corrupted too', async () => {
      const reasons: string[] = [];
      const store = new FileStore({ dir, onCorrupt: (_p, r) => reasons.push(r) });
      const cache = new AnswerCache(store);
      const k1 = keyN(1);
      const k2 = keyN(2);
      fs.mkdirSync(path.dirname(store.pathFor(k1)), { recursive: true });
      fs.writeFileSync(store.pathFor(k1), JSON.stringify({ ...makeEntry(k1, 1), usage: null }));
      fs.mkdirSync(path.dirname(store.pathFor(k2)), { recursive: true });
      fs.writeFileSync(store.pathFor(k2), JSON.stringify(makeEntry(k1, 1))); // k1's entry in k2's file
      assert.equal(await cache.get(k1), undefined);
      assert.equal(await cache.get(k2), undefined);
      assert.equal(store.corrupted, 2);
      assert.match(reasons[0]!, /shape/);
      assert.match(reasons[1]!, /key mismatch/);
    });

    it('writes atomically, leaving no temp files', async () => {
      const cache = new AnswerCache(new FileStore({ dir }));
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 20; i++) writes.push(cache.set(makeEntry(keyN(i % 5), 1000 + i, `v${i}`)));
      await Promise.all(writes);
      const files = walk(dir);
      assert.equal(files.length, 5);
      for (const f of files) assert.match(path.basename(f), /^[0-9a-f]{64}\.json$/);
      // every file is complete JSON
      for (const f of files) JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
    });

    it('concurrent writers from two instances on one folder never expose partial files', async () => {
      const a = new AnswerCache(new FileStore({ dir }), { memoryMaxEntries: 0 });
      const b = new AnswerCache(new FileStore({ dir }), { memoryMaxEntries: 0 });
      const key = keyN(1);
      const big = 'x'.repeat(200_000);
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 10; i++) {
        ops.push(a.set(makeEntry(key, i, big + 'a')));
        ops.push(b.set(makeEntry(key, i, big + 'b')));
        ops.push(a.get(key), b.get(key));
      }
      await Promise.all(ops);
      assert.equal(a.store.corrupted + b.store.corrupted, 0);
      assert.ok((await a.get(key))?.output.startsWith('xxx'));
      assert.equal(walk(dir).length, 1);
    });

    it('clear() empties the folder', async () => {
      const cache = new AnswerCache(new FileStore({ dir }));
      for (let i = 0; i < 10; i++) await cache.set(makeEntry(keyN(i), i));
      assert.ok(walk(dir).length === 10);
      await cache.clear();
      assert.deepEqual(fs.readdirSync(dir), []);
      assert.equal(await cache.get(keyN(1)), undefined, 'memory layer cleared too');
      const stats = await cache.stats();
      assert.equal(stats.entries, 0);
      assert.equal(stats.bytes, 0);
    });

    it('clear() leaves foreign files in the folder alone', async () => {
      fs.writeFileSync(path.join(dir, 'other-extension-state.json'), '{}');
      const cache = new AnswerCache(new FileStore({ dir }));
      await cache.set(makeEntry(keyN(1), 1));
      await cache.clear();
      assert.deepEqual(fs.readdirSync(dir), ['other-extension-state.json']);
    });

    it('delete() removes one entry from both layers', async () => {
      const cache = new AnswerCache(new FileStore({ dir }));
      await cache.set(makeEntry(keyN(1), 1));
      await cache.set(makeEntry(keyN(2), 2));
      assert.equal(await cache.delete(keyN(1)), true);
      assert.equal(await cache.delete(keyN(1)), false);
      assert.equal(await cache.get(keyN(1)), undefined);
      assert.ok(await cache.get(keyN(2)));
      assert.equal((await cache.stats()).entries, 1);
    });

    it('stats counts hits, misses, entries and bytes exactly', async () => {
      const cache = new AnswerCache(new FileStore({ dir }));
      await cache.set(makeEntry(keyN(1), 1, 'one'));
      await cache.set(makeEntry(keyN(2), 2, 'two, longer ✓'));
      await cache.set(makeEntry(keyN(2), 3, 'two, replaced'));
      await cache.get(keyN(1)); // hit (memory)
      await cache.get(keyN(2)); // hit (memory)
      await cache.get(keyN(3)); // miss
      await new AnswerCache(new FileStore({ dir })).get(keyN(1)); // another instance: not counted here
      await cache.get('not-a-key'); // miss

      const bytesOnDisk = walk(dir).reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0);
      assert.deepEqual(await cache.stats(), { hits: 2, misses: 2, entries: 2, bytes: bytesOnDisk, corrupted: 0 });
      const expectedBytes =
        Buffer.byteLength(JSON.stringify(makeEntry(keyN(1), 1, 'one'))) +
        Buffer.byteLength(JSON.stringify(makeEntry(keyN(2), 3, 'two, replaced')));
      assert.equal(bytesOnDisk, expectedBytes);
    });

    it('stats sees entries written by another process (instance) when asked to rescan, and does not list the folder otherwise', async () => {
      const a = new AnswerCache(new FileStore({ dir }));
      const b = new AnswerCache(new FileStore({ dir }));
      await a.set(makeEntry(keyN(1), 1));
      await b.set(makeEntry(keyN(2), 2));
      let listings = 0;
      const list = a.store.list.bind(a.store);
      a.store.list = () => (listings++, list());
      assert.equal((await a.stats()).entries, 1, 'its own index');
      assert.equal((await a.stats()).entries, 1);
      assert.equal(listings, 0, 'stats() read the index, not the folder');
      assert.equal((await a.stats({ rescan: true })).entries, 2);
      assert.equal(listings, 1);
    });

    it('set() answers before the store write; the entry is readable at once; flush() waits for the write; nothing is lost', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const store = new FileStore({ dir });
      const write = store.set.bind(store);
      store.set = async (e) => (await gate, write(e));
      const cache = new AnswerCache(store);
      const pending = [1, 2, 3].map((i) => cache.set(makeEntry(keyN(i), i)));
      assert.equal((await cache.get(keyN(2)))?.output, makeEntry(keyN(2), 2).output, 'readable before the write landed');
      assert.equal(fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).length, 0, 'nothing on disk yet');
      const flushed = cache.flush();
      release();
      await flushed;
      assert.equal(fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.json')).length, 3);
      await Promise.all(pending);
    });

    it('never stores the API key, even if it is smuggled in at runtime', async () => {
      const provider: ProviderConfig = { name: 'openai', type: 'openai', apiKey: TEST_API_KEY };
      const request: ChatRequest = {
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Hello' }],
      };
      const honest = answerCacheKey(answerKeyParts(provider, request));
      // Someone passes the whole config + request through a cast:
      const smuggled = answerCacheKey({
        ...provider,
        ...request,
        providerName: provider.name,
        providerType: provider.type,
        apiKey: TEST_API_KEY,
        headers: { Authorization: `Bearer ${TEST_API_KEY}` },
      } as unknown as AnswerKeyParts);
      assert.equal(smuggled, honest, 'extra fields are ignored by key derivation');
      assert.ok(!answerKeyMaterial({ ...answerKeyParts(provider, request), apiKey: TEST_API_KEY } as AnswerKeyParts).includes(TEST_API_KEY));

      const cache = new AnswerCache(new FileStore({ dir }));
      await cache.set({ ...makeEntry(honest, 1), apiKey: TEST_API_KEY, provider } as unknown as AnswerCacheEntry);
      const files = walk(dir);
      assert.equal(files.length, 1);
      const secretish = /sk-[A-Za-z0-9-]{8,}/;
      for (const f of files) {
        const text = fs.readFileSync(path.join(dir, f), 'utf8');
        assert.ok(!text.includes(TEST_API_KEY), 'the key is not on disk');
        assert.ok(!secretish.test(text), 'nothing that looks like a key is on disk');
        assert.ok(!/apiKey/i.test(text));
      }
      const back = (await new AnswerCache(new FileStore({ dir })).get(honest)) as unknown as Record<string, unknown>;
      assert.equal(back.apiKey, undefined);
    });

    it('store errors never reach get/set callers', async () => {
      const errors: string[] = [];
      const file = path.join(dir, 'a-file');
      fs.writeFileSync(file, 'not a folder');
      // the cache "folder" is a file: every write fails
      const cache = new AnswerCache(new FileStore({ dir: path.join(file, 'cache') }), {
        onError: (op) => errors.push(op),
      });
      await cache.set(makeEntry(keyN(1), 1));
      assert.equal(await cache.get(keyN(2)), undefined);
      assert.deepEqual(errors, ['set']);
    });

    it('rejects an invalid entry', async () => {
      const cache = new AnswerCache(new MemoryStore());
      await assert.rejects(cache.set({ ...makeEntry(keyN(1), 1), key: '../../etc/passwd' }), TypeError);
    });
  });

  describe('MemoryStore', () => {
    it('supports the same operations', async () => {
      const store = new MemoryStore();
      const cache = new AnswerCache(store, { memoryMaxEntries: 0, maxEntries: 2 });
      await cache.set(makeEntry(keyN(1), 1));
      await cache.set(makeEntry(keyN(2), 2));
      await cache.set(makeEntry(keyN(3), 3));
      assert.equal(await cache.get(keyN(1)), undefined);
      assert.deepEqual(await cache.get(keyN(3)), makeEntry(keyN(3), 3));
      const stats = await cache.stats();
      assert.equal(stats.entries, 2);
      assert.equal(stats.bytes, 2 * Buffer.byteLength(JSON.stringify(makeEntry(keyN(3), 3))));

      const seen: string[] = [];
      const s2 = new MemoryStore({ onCorrupt: (p) => seen.push(p) });
      s2.setRawForTest(keyN(1), 'garbage');
      assert.equal(await s2.get(keyN(1)), undefined);
      assert.equal(s2.corrupted, 1);
      assert.deepEqual(seen, [`memory:${keyN(1)}`]);
      await cache.clear();
      assert.equal((await cache.stats()).entries, 0);
    });
  });
});
