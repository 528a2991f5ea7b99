// Heavy dependencies (the SDKs, the price data, YAML, csv-parse, glob matchers) are loaded on first use, not
// when a bundle starts: the extension host activates us on every Markdown file, and most of
// those activations never send a prompt. esbuild.js puts each in its own file (dist/vendor/).
// A `require` inside a function is what keeps it lazy: a top-level import would be hoisted to
// the bundle's start.

/** `load()` on the first call, its result on every later one. */
export function once<T>(load: () => T): () => T {
  let value: T | undefined;
  let loaded = false;
  return () => {
    if (!loaded) {
      value = load();
      loaded = true;
    }
    return value as T;
  };
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const openaiSdk = once(() => require('openai') as typeof import('openai'));
export const anthropicSdk = once(() => require('@anthropic-ai/sdk') as typeof import('@anthropic-ai/sdk'));
export const genaiPrices = once(() => require('@pydantic/genai-prices') as typeof import('@pydantic/genai-prices'));
export const yaml = once(() => require('yaml') as typeof import('yaml'));
export const redis = once(() => require('redis') as typeof import('redis'));
export const csvParse = once(() => require('csv-parse') as typeof import('csv-parse'));
// The glob and .gitignore matchers of the cost checks: the editor needs them only where a budget or traffic glob applies.
export const picomatch = once(() => require('picomatch') as typeof import('picomatch'));
export const ignore = once(() => require('ignore') as typeof import('ignore'));
// A built-in, but 1.3 ms to load in a fresh Node process: only documents large enough for the count worker need it.
export const workerThreads = once(() => require('node:worker_threads') as typeof import('node:worker_threads'));
const lruCache = once(() => require('lru-cache') as typeof import('lru-cache'));

/** A least-recently-used map of at most `max` entries, made on the first call: lru-cache loads then, not when its owner is built (the extension's activation builds the inline features' memos). */
export function lazyLru<K extends {}, V extends {}>(max: number): () => import('lru-cache').LRUCache<K, V> {
  return once(() => new (lruCache().LRUCache)<K, V>({ max }));
}

/**
 * A module of our own imported on first use (`import()`: esbuild.js makes it a file of its own,
 * apart from the bundle that imports it). `loaded()` is the module once an import has finished,
 * undefined before: for callers that only need it if it is already there (an open panel).
 */
export function lazyModule<T>(load: () => Promise<T>): { (): Promise<T>; loaded(): T | undefined } {
  let module: T | undefined;
  let pending: Promise<T> | undefined;
  const get = () =>
    (pending ??= load().then(
      (m) => (module = m),
      (e: unknown) => {
        // Not remembered: the next call tries again.
        pending = undefined;
        throw e;
      },
    ));
  return Object.assign(get, { loaded: () => module });
}
