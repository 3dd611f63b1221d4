import { LRUCache } from 'lru-cache';
import type { Registry } from 'prom-client';
import { foundationMetrics } from '../observability/metrics.js';
import type { Cache, CacheHealth } from './Cache.js';
import { assertTtl } from './assertTtl.js';

export interface MemoryCacheOptions {
  /** Upper bound on entries; the least recently used entry is evicted beyond it. Default 10,000. */
  maxEntries?: number;
  registry?: Registry;
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

  constructor(options: MemoryCacheOptions = {}) {
    this.#entries = new LRUCache<string, string>({ max: options.maxEntries ?? 10_000 });
    const counter = options.registry ? foundationMetrics(options.registry).cacheOperations : undefined;
    this.#count = (op, result) => counter?.inc({ backend: 'memory', op, result });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const text = this.#entries.get(key);
    this.#count('get', text === undefined ? 'miss' : 'hit');
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    assertTtl(ttlSeconds);
    this.#entries.set(key, JSON.stringify(value), { ttl: ttlSeconds * 1000 });
    this.#count('set', 'ok');
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
    this.#count('delete', 'ok');
  }

  async deleteByPrefix(prefix: string): Promise<void> {
    // Collect first: deleting while iterating an LRU's keys is not safe.
    const doomed = [...this.#entries.keys()].filter((key) => key.startsWith(prefix));
    for (const key of doomed) this.#entries.delete(key);
    this.#count('deleteByPrefix', 'ok');
  }

  async increment(key: string, by: number, ttlSeconds: number): Promise<number | undefined> {
    assertTtl(ttlSeconds);
    const current = this.#entries.get(key);
    if (current === undefined) {
      this.#entries.set(key, JSON.stringify(by), { ttl: ttlSeconds * 1000 });
      this.#count('increment', 'ok');
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
    return parsed + by;
  }

  health(): CacheHealth {
    return { up: true, detail: `memory, ${this.#entries.size} entries` };
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
