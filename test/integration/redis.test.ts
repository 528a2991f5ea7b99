// The shared answer cache on Redis (promptProfiler.cache.backend = redis), against a real
// redis-server on 127.0.0.1: a second run is answered from Redis (the key is there, with a TTL;
// nothing in the workspace cache); with Redis unreachable the extension says so once and falls
// back to the workspace cache, losing nothing.
import * as assert from 'node:assert/strict';
import { createClient } from 'redis';
import * as vscode from 'vscode';
import type { PromptProfilerApi } from '../../src/extension/extension';
import { freePort, needRedisServer, startRedisServer, type RedisServer } from '../redis/server';
import { GPT, fake, filesUnder, getApi, openFixture, profile, restoreSettings, selectLine, recordWarnings, setSetting, useModels, waitFor } from './helpers';

describe('Redis answer cache', function () {
  this.timeout(120_000);
  let api: PromptProfilerApi;
  let server: RedisServer | undefined;
  let bin: string;

  const entryFiles = () => filesUnder(api.services.cacheDir.fsPath).filter((f) => f.endsWith('.json'));

  async function useRedis(url: string): Promise<void> {
    const previous = await api.services.cache();
    await setSetting('cache.backend', 'redis');
    await setSetting('cache.redisUrl', url);
    await waitFor('the Redis settings', async () => {
      const c = api.services.config.value.cache;
      return c.backend === 'redis' && c.redisUrl === url && (await api.services.cache()) !== previous;
    });
  }

  async function profileTranslate(bypassCache = false) {
    const editor = await openFixture('notes.md');
    selectLine(editor, 'Translate');
    return profile(bypassCache);
  }

  before(async function () {
    bin = needRedisServer(this);
    api = await getApi();
    await useModels(api, [GPT]);
  });
  after(async () => {
    await restoreSettings();
    await server?.stop();
  });

  it('answers the second run from Redis: the key is on the server, with a TTL', async () => {
    server = await startRedisServer({ bin });
    await useRedis(server.url);
    await (await api.services.cache()).clear();
    assert.equal(entryFiles().length, 0);
    await fake.reset();

    const first = await profileTranslate();
    assert.equal(first.results[0].cacheHit, false);
    assert.equal((await fake.generations()).length, 1);

    const client = createClient({ url: server.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const keys = await client.keys('promptprofiler:answer:*');
      assert.equal(keys.length, 1, `keys: ${keys.join(', ')}`);
      assert.match(keys[0], /^promptprofiler:answer:[0-9a-f]{64}$/);
      const ttl = await client.pTTL(keys[0]);
      assert.ok(ttl > 0, `the entry has no TTL (${ttl})`);
      const entry = JSON.parse((await client.hGet(keys[0], 'entry'))!) as { output: string };
      assert.equal(entry.output, first.results[0].output);
      assert.equal(entryFiles().length, 0, 'with Redis up, answers are not written to the workspace cache');

      // A new cache instance (empty memory layer), as after a reload: the answer can only come from Redis.
      const before = await api.services.cache();
      await setSetting('cache.ttlHours', 100);
      await waitFor('a rebuilt cache', async () => (await api.services.cache()) !== before);
      await fake.reset();
      const second = await profileTranslate();
      assert.equal(second.results[0].cacheHit, true);
      assert.equal(second.results[0].output, first.results[0].output);
      assert.equal((await fake.requests()).length, 0, 'the cached run sent a request');
      assert.equal(entryFiles().length, 0);
      assert.equal((await (await api.services.cache()).stats()).hits, 1);

      // Back to the workspace backend: the extension closes its Redis connection.
      assert.ok((await client.clientList()).length >= 2, 'the extension is connected');
      const redisCache = await api.services.cache();
      await setSetting('cache.backend', 'workspace');
      await waitFor('the workspace cache', async () => api.services.config.value.cache.backend === 'workspace' && (await api.services.cache()) !== redisCache);
      await waitFor('the extension to close its Redis connection', async () => (await client.clientList()).length === 1);
    } finally {
      await client.close();
    }
  });

  it('falls back to the workspace cache when Redis is unreachable, and says so once', async () => {
    const { messages: warnings, restore } = recordWarnings();
    try {
      const dead = `redis://127.0.0.1:${await freePort()}`;
      await useRedis(dead);
      await fake.reset();
      const first = await profileTranslate(true);
      assert.equal(first.results[0].ok, true, first.results[0].error?.message);
      assert.equal((await fake.generations()).length, 1);
      assert.equal(entryFiles().length, 1, 'the answer went to the workspace cache');

      // A fresh cache instance again (memory empty): the answer comes from the workspace files.
      const before = await api.services.cache();
      await setSetting('cache.ttlHours', 99);
      await waitFor('a rebuilt cache', async () => (await api.services.cache()) !== before);
      await fake.reset();
      const second = await profileTranslate();
      assert.equal(second.results[0].cacheHit, true, 'nothing lost: the answer is in the workspace cache');
      assert.equal(second.results[0].output, first.results[0].output);
      assert.equal((await fake.requests()).length, 0);

      const aboutRedis = warnings.filter((w) => /Redis/.test(w));
      assert.equal(aboutRedis.length, 1, `warnings: ${JSON.stringify(warnings)}`);
      assert.ok(aboutRedis[0].includes(dead) && /unreachable/.test(aboutRedis[0]), aboutRedis[0]);
    } finally {
      restore();
    }
  });
});
