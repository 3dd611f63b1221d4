import { describe, expect, it } from 'vitest';
import { MemoryCache } from '../cache/MemoryCache.js';
import { createIndexingQuota } from './indexingQuota.js';

describe('daily quota of new channels to index', () => {
  it('allows the daily number per scope and names the reset time at the limit', async () => {
    const quota = createIndexingQuota({ cache: new MemoryCache(), perDay: 2 });
    const now = new Date('2026-12-02T10:00:00Z');
    await quota.take('guild-1', now);
    await quota.take('guild-1', now);
    await expect(quota.take('guild-1', now)).rejects.toThrow(
      /already started indexing 2 new channels today.*<t:1796256000:R>/,
    );
    await quota.take('guild-2', now);
    await quota.take('guild-1', new Date('2026-12-03T00:00:01Z'));
  });
});
