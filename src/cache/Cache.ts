/**
 * What the bot may keep in a cache: data that can be lost at any moment (hot query results, lookups,
 * pagination state). Durable state belongs in the database.
 *
 * Implementations never throw on a backend outage: reads degrade to misses and writes to no-ops, and the
 * outage shows in `health()` and the logs. Values are JSON-serialisable.
 */
export interface Cache {
  readonly kind: 'memory' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Deletes every key starting with `prefix` (used to invalidate a channel's cached searches). */
  deleteByPrefix(prefix: string): Promise<void>;
  /** Atomically adds `by` to a counter that expires `ttlSeconds` after creation; returns the new value. */
  increment(key: string, by: number, ttlSeconds: number): Promise<number | undefined>;
  health(): CacheHealth;
  close(): Promise<void>;
}

export interface CacheHealth {
  up: boolean;
  detail?: string;
}
