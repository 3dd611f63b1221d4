// One behavioural contract, run against both backends: whatever a service observes from the memory cache
// it must observe from Redis, and the other way round.
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Cache } from '../../../src/cache/Cache.js';
import { entryBytes, MemoryCache } from '../../../src/cache/MemoryCache.js';
import { RedisCache } from '../../../src/cache/RedisCache.js';
import { createLogger } from '../../../src/observability/logger.js';
import { createMetricsRegistry } from '../../../src/observability/metrics.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger({ level: 'silent' });
// Every key this file writes to the shared Redis lives under this prefix and is removed afterwards.
const FILE_PREFIX = `tcs-test:cache-contract:${randomUUID()}:`;

type Backend = 'memory' | 'redis';

async function openCache(backend: Backend, registry = createMetricsRegistry({ defaultMetrics: false })) {
  if (backend === 'memory') return new MemoryCache({ registry });
  const cache = new RedisCache({
    url: REDIS_URL,
    keyPrefix: `${FILE_PREFIX}${randomUUID()}:`,
    logger,
    registry,
  });
  expect(await cache.waitUntilReady(5_000)).toBe(true);
  return cache;
}

async function eventually(assertion: () => Promise<void>, timeoutMs = 4_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

afterAll(async () => {
  const cleanup = new RedisCache({ url: REDIS_URL, keyPrefix: FILE_PREFIX, logger });
  await cleanup.waitUntilReady(5_000);
  await cleanup.deleteByPrefix('');
  await cleanup.close();
});

describe.each<Backend>(['memory', 'redis'])('the %s cache', (backend) => {
  let cache: Cache;
  beforeEach(async () => {
    cache = await openCache(backend);
  });
  afterEach(async () => {
    await cache.deleteByPrefix('');
    await cache.close();
  });

  it('reports its kind and that it is up', () => {
    expect(cache.kind).toBe(backend);
    expect(cache.health().up).toBe(true);
  });

  it('returns undefined for a key that was never set', async () => {
    expect(await cache.get('nothing-here')).toBeUndefined();
  });

  it('round-trips JSON values of every shape', async () => {
    const values = {
      object: { a: 1, b: ['x', { c: null }] },
      text: 'héllo ✓',
      number: 42.5,
      flag: false,
      nil: null,
    };
    for (const [key, value] of Object.entries(values)) await cache.set(key, value, 60);
    for (const [key, value] of Object.entries(values)) expect(await cache.get(key)).toEqual(value);
  });

  it('hands out copies, so mutating a result does not change the cache', async () => {
    await cache.set('obj', { list: [1] }, 60);
    const first = await cache.get<{ list: number[] }>('obj');
    first!.list.push(2);
    expect(await cache.get('obj')).toEqual({ list: [1] });
  });

  it('overwrites an existing value', async () => {
    await cache.set('k', 'old', 60);
    await cache.set('k', 'new', 60);
    expect(await cache.get('k')).toBe('new');
  });

  it('forgets a value once its TTL has passed', async () => {
    await cache.set('short', 'lived', 1);
    await cache.set('long', 'lived', 60);
    expect(await cache.get('short')).toBe('lived');
    await eventually(async () => expect(await cache.get('short')).toBeUndefined());
    expect(await cache.get('long')).toBe('lived');
  });

  it('deletes a single key and ignores deleting a missing one', async () => {
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.delete('a');
    await cache.delete('never-existed');
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.get('b')).toBe(2);
  });

  it('deletes by prefix, in batches, leaving other keys alone', async () => {
    const many = Array.from({ length: 1_200 }, (_, index) => `search:chan1:${index}`);
    await Promise.all(many.map((key) => cache.set(key, index(key), 60)));
    await cache.set('search:chan10:0', 'similar prefix, different channel', 60);
    await cache.set('other:chan1:0', 'different namespace', 60);
    await cache.deleteByPrefix('search:chan1:');
    for (const key of ['search:chan1:0', 'search:chan1:599', 'search:chan1:1199']) {
      expect(await cache.get(key)).toBeUndefined();
    }
    expect(await cache.get('search:chan10:0')).toBe('similar prefix, different channel');
    expect(await cache.get('other:chan1:0')).toBe('different namespace');
  });

  it('treats glob characters in a prefix literally', async () => {
    await cache.set('q:a*b[1]?:x', 1, 60);
    await cache.set('q:aXb1Y:x', 2, 60);
    await cache.deleteByPrefix('q:a*b[1]?');
    expect(await cache.get('q:a*b[1]?:x')).toBeUndefined();
    expect(await cache.get('q:aXb1Y:x')).toBe(2);
  });

  it('counts with increment, starting from the first amount', async () => {
    expect(await cache.increment('hits', 1, 60)).toBe(1);
    expect(await cache.increment('hits', 4, 60)).toBe(5);
    expect(await cache.get('hits')).toBe(5);
  });

  it('increments atomically under concurrency', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.increment('burst', 1, 60)));
    expect(new Set(results).size).toBe(50);
    expect(await cache.get('burst')).toBe(50);
  });

  it('keeps the counter window from its creation, then starts a new one', async () => {
    expect(await cache.increment('window', 1, 1)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    // A later increment with a long TTL must not extend the window opened by the first.
    expect(await cache.increment('window', 1, 60)).toBe(2);
    await eventually(async () => expect(await cache.get('window')).toBeUndefined(), 2_500);
    expect(await cache.increment('window', 1, 60)).toBe(1);
  });

  it('reports undefined when incrementing a key that holds a non-number', async () => {
    await cache.set('text', 'abc', 60);
    expect(await cache.increment('text', 1, 60)).toBeUndefined();
    expect(await cache.get('text')).toBe('abc');
  });

  it('rejects a TTL that is not a positive whole number of seconds', async () => {
    await expect(cache.set('k', 1, 0)).rejects.toThrow(RangeError);
    await expect(cache.set('k', 1, 1.5)).rejects.toThrow(RangeError);
    await expect(cache.increment('k', 1, -1)).rejects.toThrow(RangeError);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('counts hits and misses in tcs_cache_operations_total', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const counted = await openCache(backend, registry);
    try {
      await counted.get('missing');
      await counted.set('present', 1, 60);
      await counted.get('present');
      const text = await registry.metrics();
      expect(text).toContain(`tcs_cache_operations_total{backend="${backend}",op="get",result="miss"} 1`);
      expect(text).toContain(`tcs_cache_operations_total{backend="${backend}",op="get",result="hit"} 1`);
      expect(text).toContain(`tcs_cache_operations_total{backend="${backend}",op="set",result="ok"} 1`);
      // Only Redis round trips are timed; the memory backend never leaves the process.
      if (backend === 'redis') {
        expect(text).toContain('tcs_cache_operation_duration_seconds_count{backend="redis",op="get"} 2');
      } else {
        expect(text).not.toContain('tcs_cache_operation_duration_seconds_count');
      }
    } finally {
      await counted.deleteByPrefix('');
      await counted.close();
    }
  });
});

describe('the Redis cache key prefix', () => {
  it('keeps two caches with different prefixes apart on the same server', async () => {
    const first = await openCache('redis');
    const second = await openCache('redis');
    try {
      await first.set('shared-name', 'first', 60);
      expect(await second.get('shared-name')).toBeUndefined();
      await second.deleteByPrefix('');
      expect(await first.get('shared-name')).toBe('first');
    } finally {
      await first.deleteByPrefix('');
      await first.close();
      await second.close();
    }
  });
});

describe('the memory cache bounds', () => {
  it('evicts the least recently used entry beyond maxEntries', async () => {
    const cache = new MemoryCache({ maxEntries: 2 });
    await cache.set('a', 1, 60);
    await cache.set('b', 2, 60);
    await cache.get('a');
    await cache.set('c', 3, 60);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
  });

  it('evicts the least recently used entries beyond maxBytes, counting two bytes a character beyond Latin-1', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const page = 'x'.repeat(1_000);
    const onePage = entryBytes('a', JSON.stringify(page));
    const cache = new MemoryCache({ maxBytes: 3 * onePage, registry });
    await cache.set('a', page, 60);
    await cache.set('b', page, 60);
    await cache.set('c', page, 60);
    expect(await metricValue(registry, 'tcs_cache_memory_bytes')).toBe(3 * onePage);
    await cache.get('a');
    // The same length with an emoji is stored two bytes a character: it takes the room of two pages.
    await cache.set('d', `${'x'.repeat(998)}🎬`, 60);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('c')).toBeUndefined();
    expect(await cache.get('a')).toBe(page);
    expect(await cache.get('d')).toBe(`${'x'.repeat(998)}🎬`);
    expect(await metricValue(registry, 'tcs_cache_memory_evictions_total')).toBe(2);
    expect(await metricValue(registry, 'tcs_cache_memory_bytes')).toBeLessThanOrEqual(3 * onePage);
  });

  it('does not store a value larger than the whole bound, and drops the older value of that key', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const cache = new MemoryCache({ maxBytes: 4_096, registry });
    await cache.set('page', 'small', 60);
    await cache.set('page', 'y'.repeat(5_000), 60);
    expect(await cache.get('page')).toBeUndefined();
    expect(
      await metricValue(registry, 'tcs_cache_operations_total', { op: 'set', result: 'too_large' }),
    ).toBe(1);
    expect(await metricValue(registry, 'tcs_cache_memory_bytes')).toBe(0);
  });
});

async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = (await registry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  return (metric?.values ?? [])
    .filter((value) => Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted))
    .reduce((sum, value) => sum + value.value, 0);
}

function index(key: string): number {
  return Number(key.slice(key.lastIndexOf(':') + 1));
}
