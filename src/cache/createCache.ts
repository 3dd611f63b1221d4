import type { Registry } from 'prom-client';
import type { Logger } from '../observability/logger.js';
import { withComponent } from '../observability/withComponent.js';
import type { Cache } from './Cache.js';
import { MemoryCache } from './MemoryCache.js';
import { RedisCache } from './RedisCache.js';

export interface CreateCacheOptions {
  /** From config `redisUrl`; unset selects the in-process memory cache. */
  redisUrl?: string;
  keyPrefix?: string;
  logger: Logger;
  registry?: Registry;
  /** Memory cache bounds. Default 10,000 entries and 32 MiB (config MEMORY_CACHE_MAX_MB). */
  memoryMaxEntries?: number;
  memoryMaxBytes?: number;
}

/**
 * Picks the cache backend. Returns at once: Redis connects in the background, and until it does (or while
 * it is down) the cache degrades to misses and no-ops, so the bot starts and runs without Redis.
 */
export function createCache(options: CreateCacheOptions): Cache {
  const logger = withComponent(options.logger, 'cache');
  if (!options.redisUrl) {
    logger.info('REDIS_URL not set: using the in-process memory cache');
    return new MemoryCache({
      maxEntries: options.memoryMaxEntries,
      maxBytes: options.memoryMaxBytes,
      registry: options.registry,
    });
  }
  return new RedisCache({
    url: options.redisUrl,
    keyPrefix: options.keyPrefix,
    logger,
    registry: options.registry,
  });
}
