import { describe, expect, it } from 'vitest';
import type { Cache } from '../cache/Cache.js';
import { MemoryCache } from '../cache/MemoryCache.js';
import { CooldownError, createCooldowns } from './cooldowns.js';

const rules = {
  search: { uses: 2, windowSeconds: 10 },
  browse: { uses: 5, windowSeconds: 10 },
  favorites: { uses: 5, windowSeconds: 10 },
};

describe('per-member cooldowns', () => {
  it('allows the configured uses per window, then says when the member may try again', async () => {
    const cooldowns = createCooldowns({ cache: new MemoryCache(), rules });
    const now = new Date(1_000_003_000); // 3 s into a 10 s window
    await cooldowns.take('search', 'u1', now);
    await cooldowns.take('search', 'u1', now);
    const error = await cooldowns.take('search', 'u1', now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CooldownError);
    expect((error as CooldownError).retryAfterSeconds).toBe(7);
    expect((error as CooldownError).message).toBe(
      'You are going a bit fast. Try again in 7 s (<t:1000010:R>).',
    );
    // Other members and other buckets are counted apart; the next window starts afresh.
    await cooldowns.take('search', 'u2', now);
    await cooldowns.take('browse', 'u1', now);
    await cooldowns.take('search', 'u1', new Date(1_000_010_000));
  });

  it('keeps counting in memory when the cache cannot count (Redis down)', async () => {
    const down: Cache = Object.assign(new MemoryCache(), {
      increment: async () => undefined,
    });
    const cooldowns = createCooldowns({ cache: down, rules });
    const now = new Date(2_000_000_000);
    await cooldowns.take('search', 'u1', now);
    await cooldowns.take('search', 'u1', now);
    await expect(cooldowns.take('search', 'u1', now)).rejects.toBeInstanceOf(CooldownError);
  });
});
