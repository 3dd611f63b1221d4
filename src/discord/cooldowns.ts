import { LRUCache } from 'lru-cache';
import type { Cache } from '../cache/Cache.js';
import { UserError } from '../shared/errors.js';

/** How many uses of a bucket one member gets per window. */
export interface CooldownRule {
  uses: number;
  windowSeconds: number;
}

/**
 * Per-member limits, by bucket. Searches hit the database hardest; page turns and autocomplete are cheap and
 * not limited here (Discord itself paces a member's typing).
 */
export const COOLDOWNS = {
  search: { uses: 5, windowSeconds: 15 },
  browse: { uses: 10, windowSeconds: 15 },
  favorites: { uses: 20, windowSeconds: 15 },
} as const satisfies Record<string, CooldownRule>;

export type CooldownBucket = keyof typeof COOLDOWNS;

export interface Cooldowns {
  /** Counts one use; throws `UserError('cooldown')` with the time the member may try again. */
  take(bucket: CooldownBucket, userId: string, now?: Date): Promise<void>;
}

/**
 * Fixed windows counted in the shared cache, so every bot process sees the same count. When the cache
 * cannot count (Redis down), the process counts alone in memory: limits then hold per process instead of
 * disappearing.
 */
export function createCooldowns(options: {
  cache: Cache;
  rules?: Record<CooldownBucket, CooldownRule>;
}): Cooldowns {
  const rules = options.rules ?? COOLDOWNS;
  const local = new LRUCache<string, number>({ max: 10_000, ttl: 3_600_000 });
  return {
    async take(bucket, userId, now = new Date()) {
      const rule = rules[bucket];
      const windowMs = rule.windowSeconds * 1000;
      const window = Math.floor(now.getTime() / windowMs);
      const key = `cooldown:v1:${bucket}:${userId}:${window}`;
      let used = await options.cache.increment(key, 1, rule.windowSeconds + 1);
      if (used === undefined) {
        used = (local.get(key) ?? 0) + 1;
        local.set(key, used, { ttl: windowMs + 1000 });
      }
      if (used > rule.uses) {
        const retryAt = (window + 1) * windowMs;
        throw new CooldownError(Math.max(1, Math.ceil((retryAt - now.getTime()) / 1000)), retryAt);
      }
    },
  };
}

export class CooldownError extends UserError {
  constructor(
    readonly retryAfterSeconds: number,
    readonly retryAtMs: number,
  ) {
    super(
      'cooldown',
      `You are going a bit fast. Try again in ${retryAfterSeconds} s (<t:${Math.ceil(retryAtMs / 1000)}:R>).`,
    );
  }
}
