import { LRUCache } from 'lru-cache';
import type { Registry } from 'prom-client';
import { foundationMetrics } from '../observability/metrics.js';
import type { Cache, CacheHealth } from './Cache.js';
import { assertTtl } from './assertTtl.js';

export interface MemoryCacheOptions {
  /** Upper bound on entries; the least recently used entry is evicted beyond it. Default 10,000. */
  maxEntries?: number;
  /**
   * Upper bound on the memory the entries hold (see `entryBytes`); least recently used entries are evicted
   * beyond it, and a single value larger than the whole bound is not stored. Default 32 MiB.
   */
  maxBytes?: number;
  registry?: Registry;
}

export const DEFAULT_MEMORY_CACHE_MAX_BYTES = 32 * 1024 * 1024;

/** V8's string header, the LRU's per-entry slots and the key's map entry, rounded up. */
const ENTRY_OVERHEAD_BYTES = 96;

/**
 * What one entry costs in V8's heap: strings are stored one byte per character while every character fits
 * Latin-1, two bytes otherwise (a title with an emoji doubles its page). Counted for the key and the value.
 */
export function entryBytes(key: string, value: string): number {
  return stringBytes(key) + stringBytes(value) + ENTRY_OVERHEAD_BYTES;
}

function stringBytes(text: string): number {
  for (let index = 0; index < text.length; index++) {
    if (text.charCodeAt(index) > 0xff) return 2 * text.length;
  }
  return text.length;
}

type Op = 'get' | 'set' | 'delete' | 'deleteByPrefix' | 'increment';

/**
 * In-process cache used when REDIS_URL is unset (one bot process). Values are stored as JSON text so they
 * behave exactly like the Redis cache: callers get copies, and non-JSON values fail the same way.
 */
export class MemoryCache implements Cache {
  readonly kind = 'memory';
  readonly #entries: LRUCache<string, string>;
  readonly #count: (op: Op, result: string) => void;
  readonly #reportBytes: () => void;

  constructor(options: MemoryCacheOptions = {}) {
    const metrics = options.registry ? foundationMetrics(options.registry) : undefined;
    this.#entries = new LRUCache<string, string>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxBytes ?? DEFAULT_MEMORY_CACHE_MAX_BYTES,
      sizeCalculation: (value, key) => entryBytes(key, value),
      // Evictions to stay within the bounds, not expiries or overwrites: a steady rate says the bound is
      // smaller than the working set (searches then go to the database again).
      dispose: (_value, _key, reason) => {
        if (reason === 'evict') metrics?.memoryCacheEvictions.inc();
      },
    });
    this.#count = (op, result) => metrics?.cacheOperations.inc({ backend: 'memory', op, result });
    this.#reportBytes = () => metrics?.memoryCacheBytes.set(this.#entries.calculatedSize);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.#entries.get(key);
    this.#count('get', text === undefined ? 'miss' : 'hit');
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    const status: LRUCache.Status<string, string> = {};
    this.#entries.set(key, JSON.stringify(value), { ttl: ttlSeconds * 1000, status });
    // A value larger than the whole bound is not stored (and an older value of the key is dropped): the
    // next get misses, as after an eviction.
    this.#count('set', status.set === 'miss' ? 'too_large' : 'ok');
    this.#reportBytes();
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
    this.#count('delete', 'ok');
    this.#reportBytes();
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    // Collect first: deleting while iterating an LRU's keys is not safe.
    const doomed = [...this.#entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of doomed) this.#entries.delete(key);
    this.#count('deleteByPrefix', 'ok');
    this.#reportBytes();
  }

  async increment(key: string, by: number, ttlSeconds: number): Promise<number | undefined> {
    assertTtl(ttlSeconds);
    const current = this.#entries.get(key);
    if (current === undefined) {
      this.#entries.set(key, JSON.stringify(by), { ttl: ttlSeconds * 1000 });
      this.#count('increment', 'ok');
      this.#reportBytes();
      return by;
    }
    const parsed = JSON.parse(current) as unknown;
    if (typeof parsed !== 'number') {
      // Same outcome as Redis' INCRBY on a non-integer value: the counter is left alone and reported unknown.
      this.#count('increment', 'error');
      return undefined;
    }
    // The window starts at creation, like SET NX EX + INCRBY in Redis: increments keep the original expiry.
    this.#entries.set(key, JSON.stringify(parsed + by), { noUpdateTTL: true });
    this.#count('increment', 'ok');
    this.#reportBytes();
    return parsed + by;
  }

  health(): CacheHealth {
    return {
      up: true,
      detail: `memory, ${this.#entries.size} entries, ${this.#entries.calculatedSize} bytes`,
    };
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#reportBytes();
  }
}
