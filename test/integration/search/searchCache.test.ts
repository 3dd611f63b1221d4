import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Cache } from '../../../src/cache/Cache.js';
import { MemoryCache } from '../../../src/cache/MemoryCache.js';
import { RedisCache } from '../../../src/cache/RedisCache.js';
import { upsertBroadcasters, upsertClips } from '../../../src/clips/clipStore.js';
import { findClips } from '../../../src/clips/search/findClips.js';
import { invalidateChannelSearches } from '../../../src/clips/search/searchCache.js';
import { createSearchMetrics } from '../../../src/clips/search/searchMetrics.js';
import type { Database } from '../../../src/db/Database.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import { FIXTURE_NOW, fixtureBroadcasters, fixtureClip, fixtureClips } from './searchFixture.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

describe.each(['memory', 'redis'] as const)('hot search cache (%s)', (cacheKind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let cache: Cache;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase('pglite'));
    await upsertBroadcasters(db.sql, fixtureBroadcasters);
    await upsertClips(db.sql, fixtureClips, FIXTURE_NOW);
    if (cacheKind === 'memory') {
      cache = new MemoryCache();
    } else {
      const redis = new RedisCache({
        url: REDIS_URL,
        keyPrefix: `test:search:${randomBytes(4).toString('hex')}:`,
        logger: testLogger(),
      });
      // A green run must mean Redis really served the cache, not that it silently degraded to misses.
      expect(await redis.waitUntilReady(5_000)).toBe(true);
      cache = redis;
    }
  });
  afterAll(async () => {
    await cache?.close();
    await cleanup?.();
  });

  it('counts each answer by source and times only the database searches', async () => {
    const registry = new Registry();
    const searchMetrics = createSearchMetrics(registry);
    const deps = { db, cache, logger: testLogger(), searchMetrics, now: () => FIXTURE_NOW };
    const query = { text: `clutch ${randomBytes(3).toString('hex')}`, sort: 'views' as const };
    await findClips(deps, query);
    await findClips(deps, query);
    const searches = await searchMetrics.searches.get();
    const count = (source: string) =>
      searches.values.filter((v) => v.labels.source === source).reduce((sum, v) => sum + v.value, 0);
    expect(count('database')).toBe(1);
    expect(count('cache')).toBe(1);
    const duration = await searchMetrics.databaseSeconds.get();
    const observations = duration.values.find(
      (v) => v.metricName === 'tcs_search_database_duration_seconds_count',
    );
    expect(observations?.value).toBe(1);
  });

  const search = (text: string) =>
    findClips({ db, cache, logger: testLogger(), now: () => FIXTURE_NOW }, { text, channelIds: ['1003'] });

  it('serves a repeated search from the cache until the channel ingests new clips', async () => {
    expect((await search('ホラー')).clips.map((c) => c.id)).toEqual(['HorrorScream']);
    const fresh = fixtureClip({
      id: 'HorrorTwo',
      title: 'ホラー実況 part 2',
      views: 5000,
      daysAgo: 0,
      broadcasterId: '1003',
    });
    await upsertClips(db.sql, [fresh], FIXTURE_NOW);
    // Still the cached page: nobody told the cache about the new clip.
    expect((await search('ホラー')).clips.map((c) => c.id)).toEqual(['HorrorScream']);

    await invalidateChannelSearches(cache, ['1003']);
    const after = await search('ホラー');
    expect(after.clips.map((c) => c.id)).toEqual(['HorrorTwo', 'HorrorScream']);
    expect(after.clips[0]?.createdAt).toBeInstanceOf(Date);
  });

  it("leaves other channels' cached searches alone", async () => {
    const other = () =>
      findClips({ db, cache, logger: testLogger(), now: () => FIXTURE_NOW }, { channelIds: ['1004'] });
    const before = await other();
    await db.sql.query(`UPDATE clips SET title = 'changed behind the cache' WHERE id = 'PogMoment'`);
    await invalidateChannelSearches(cache, ['1003']);
    expect(await other()).toEqual(before);
  });
});
