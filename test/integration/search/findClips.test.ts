import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/cache/MemoryCache.js';
import { upsertBroadcasters, upsertClips, upsertGames } from '../../../src/clips/clipStore.js';
import type { ClipSearchQuery } from '../../../src/clips/search/ClipSearchQuery.js';
import { RELEVANCE_CANDIDATES } from '../../../src/clips/search/buildSearchSql.js';
import { findClips, type FindClipsDeps } from '../../../src/clips/search/findClips.js';
import { forgetTermStatistics, WHOLE_WORD_MATCHES } from '../../../src/clips/search/termStatistics.js';
import type { Database } from '../../../src/db/Database.js';
import { UserError } from '../../../src/shared/errors.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import {
  FIXTURE_NOW,
  fixtureBroadcasters,
  fixtureClip,
  fixtureClips,
  fixtureGames,
  relevanceExpectations,
} from './searchFixture.js';

describe.each(['pglite', 'postgres'] as const)('findClips on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  // A fresh cache per search: these tests are about the database; caching has its own file.
  const deps = (): FindClipsDeps => ({
    db,
    cache: new MemoryCache(),
    logger: testLogger(),
    now: () => FIXTURE_NOW,
  });
  const search = (query: ClipSearchQuery) => findClips(deps(), query);
  const ids = async (query: ClipSearchQuery) => (await search(query)).clips.map((clip) => clip.id);

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
    await upsertBroadcasters(db.sql, fixtureBroadcasters);
    await upsertGames(db.sql, fixtureGames);
    await upsertClips(db.sql, fixtureClips, FIXTURE_NOW);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  describe.each(relevanceExpectations)('ranks "$text"', ({ text, top, alsoIncludes, excludes }) => {
    it('puts the expected clips first', async () => {
      const found = await ids({ text, pageSize: 25 });
      expect(found.slice(0, top.length)).toEqual(top);
      for (const id of alsoIncludes ?? []) expect(found).toContain(id);
      for (const id of excludes ?? []) expect(found).not.toContain(id);
    });
  });

  it('reports exact matches as exact and typo matches as fuzzy', async () => {
    expect((await search({ text: 'clutch' })).mode).toBe('exact');
    const typo = await search({ text: 'clucth' });
    expect(typo.mode).toBe('fuzzy');
    expect(typo.clips[0]?.score).toBeGreaterThan(0);
  });

  it('returns scores that never increase down the page', async () => {
    const page = await search({ text: 'clutch', pageSize: 25 });
    const scores = page.clips.map((clip) => clip.score ?? -1);
    expect(scores.length).toBeGreaterThan(2);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('finds a clip directly from its URL or id', async () => {
    expect(await ids({ text: 'https://clips.twitch.tv/KamiPlay' })).toEqual(['KamiPlay']);
    expect(await ids({ text: 'https://www.twitch.tv/xqc/clip/SaidThat?filter=clips' })).toEqual(['SaidThat']);
    expect((await search({ text: 'https://clips.twitch.tv/NoSuchClipAnywhere' })).clips).toEqual([]);
    const lookup = await search({ text: 'InsaneClutchOneForTheAges' });
    expect(lookup.mode).not.toBe('lookup');
  });

  it('filters by channel, game, clipper, language, minimum views and period', async () => {
    expect(new Set(await ids({ channelIds: ['1003'] }))).toEqual(new Set(['KamiPlay', 'HorrorScream']));
    expect(await ids({ channelIds: ['1003', '1004'], minViews: 1000 })).toEqual(['AnyGlitch']);
    expect(await ids({ gameId: '7193', sort: 'newest' })).toEqual(['AnyGlitch', 'PokemonRecord']);
    expect(await ids({ creatorId: '9003' })).toEqual(['OmegaFail']);
    expect(await ids({ language: 'RU', sort: 'oldest' })).toEqual(['SmeshnoyMoment', 'PrivetChat']);
    expect(await ids({ channelIds: ['1004'], period: 'day' })).toEqual(['KekwSpam']);
    expect(await ids({ text: 'clutch', period: 'week' })).toEqual(['InsaneClutchOne']);
    expect(
      await ids({
        channelIds: ['1001'],
        from: new Date(FIXTURE_NOW.getTime() - 25 * 86_400_000),
        to: new Date(FIXTURE_NOW.getTime() - 5 * 86_400_000),
        sort: 'oldest',
      }),
    ).toEqual(['BestHeadshot', 'EsportsFinals', 'ClutchOrKick']);
  });

  it('sorts text matches by views or date when asked, and applies exclusions alone with a filter', async () => {
    expect(await ids({ text: 'clutch', sort: 'newest' })).toEqual([
      'InsaneClutchOne',
      'ClutchOrKick',
      'ClutchesWeek',
    ]);
    expect(await ids({ text: 'clutch', sort: 'views' })).toEqual([
      'InsaneClutchOne',
      'ClutchesWeek',
      'ClutchOrKick',
    ]);
    expect(new Set(await ids({ text: '-kekw', channelIds: ['1004'] }))).toEqual(
      new Set(['PogMoment', 'AnyGlitch', 'OmegaFail']),
    );
  });

  it('estimates the total number of matches', async () => {
    const page = await search({ channelIds: ['1002'], pageSize: 2 });
    expect(page.totalEstimate).toBe(fixtureClips.filter((clip) => clip.broadcasterId === '1002').length);
    expect(page.totalIsExact).toBe(true);
  });

  it('ranks among the most viewed matches when a word matches more clips than the candidate limit', async () => {
    // 1,200 clips say "tierword"; their views climb with their number, through every popularity tier.
    await upsertBroadcasters(db.sql, [{ id: '5555', login: 'tiers', displayName: 'Tiers' }]);
    const many = Array.from({ length: 1_200 }, (_, i) =>
      fixtureClip({
        id: `Tier${String(i).padStart(4, '0')}`,
        title: 'tierword moment',
        views: Math.floor((i * i) / 10),
        daysAgo: 5,
        broadcasterId: '5555',
      }),
    );
    await upsertClips(db.sql, many, FIXTURE_NOW);
    try {
      await db.sql.exec('ANALYZE clips');
      const page = await search({ text: 'tierword', pageSize: 25 });
      expect(page.clips.map((clip) => clip.id)).toEqual(
        many
          .slice(-25)
          .reverse()
          .map((clip) => clip.id),
      );
      expect(page.totalIsExact).toBe(false);
      expect(page.totalEstimate).toBeGreaterThan(RELEVANCE_CANDIDATES);
      // Text alone is estimated from the lexeme statistics (1,200 clips hold the word).
      expect(page.totalEstimate).toBeGreaterThan(600);
      expect(page.totalEstimate).toBeLessThan(2_400);
      // With a filter the planner estimates.
      const filtered = await search({ text: 'tierword', channelIds: ['5555'], pageSize: 25 });
      expect(filtered.totalIsExact).toBe(false);
      expect(filtered.totalEstimate).toBeGreaterThan(RELEVANCE_CANDIDATES);
    } finally {
      await db.sql.query(`DELETE FROM broadcasters WHERE id = '5555'`);
    }
  });

  it('matches a word that is very common on its own whole, not as a prefix', async () => {
    await upsertBroadcasters(db.sql, [{ id: '5556', login: 'common', displayName: 'Common' }]);
    const common = Array.from({ length: WHOLE_WORD_MATCHES + 100 }, (_, i) =>
      fixtureClip({
        id: `Common${i}`,
        title: 'commonword moment',
        views: i,
        daysAgo: 30,
        broadcasterId: '5556',
      }),
    );
    // Newest of all: first when sorted by date if "commonword" still matched as a prefix.
    const longer = fixtureClip({
      id: 'CommonLonger',
      title: 'commonwordish',
      views: 5,
      daysAgo: 1,
      broadcasterId: '5556',
    });
    await upsertClips(db.sql, [...common, longer], FIXTURE_NOW);
    try {
      await db.sql.exec('ANALYZE clips');
      forgetTermStatistics(db.sql);
      const newest = await search({ text: 'commonword', sort: 'newest', pageSize: 5 });
      expect(newest.clips).toHaveLength(5);
      expect(newest.clips.map((clip) => clip.id)).not.toContain('CommonLonger');
      // A rarer prefix still finds it.
      expect(await ids({ text: 'commonwordi' })).toEqual(['CommonLonger']);
    } finally {
      await db.sql.query(`DELETE FROM broadcasters WHERE id = '5556'`);
      await db.sql.exec('ANALYZE clips');
      forgetTermStatistics(db.sql);
    }
  });

  describe('pagination', () => {
    async function collect(query: ClipSearchQuery, pageSize: number): Promise<string[]> {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 50; pages += 1) {
        const page = await search({ ...query, pageSize, cursor });
        seen.push(...page.clips.map((clip) => clip.id));
        if (page.nextCursor === null) return seen;
        cursor = page.nextCursor;
      }
      throw new Error('pagination did not end');
    }

    it.each(['views', 'newest', 'oldest', 'relevance'] as const)(
      'walks every %s page without gaps or repeats',
      async (sort) => {
        const query: ClipSearchQuery =
          sort === 'relevance' ? { text: 'clutch', sort } : { channelIds: ['1002'], sort };
        const all = await ids({ ...query, pageSize: 25 });
        expect(await collect(query, 2)).toEqual(all);
        expect(new Set(all).size).toBe(all.length);
      },
    );

    it('is not disturbed by clips inserted between pages', async () => {
      const first = await search({ channelIds: ['1004'], sort: 'views', pageSize: 2 });
      await upsertClips(
        db.sql,
        [
          fixtureClip({
            id: 'LateViral',
            title: 'late viral clip',
            views: 999_999,
            daysAgo: 0,
            broadcasterId: '1004',
          }),
        ],
        FIXTURE_NOW,
      );
      try {
        const second = await search({
          channelIds: ['1004'],
          sort: 'views',
          pageSize: 2,
          cursor: first.nextCursor ?? '',
        });
        const seen = [...first.clips, ...second.clips].map((clip) => clip.id);
        expect(seen).not.toContain('LateViral');
        expect(seen).toEqual(['AnyGlitch', 'OmegaFail', 'PogMoment', 'KekwSpam']);
      } finally {
        await db.sql.query(`DELETE FROM clips WHERE id = 'LateViral'`);
      }
    });

    it('rejects a cursor from another query or one that was tampered with', async () => {
      const page = await search({ text: 'chat', pageSize: 1 });
      const cursor = page.nextCursor ?? '';
      expect(cursor).not.toBe('');
      await expect(search({ text: 'clutch', pageSize: 1, cursor })).rejects.toMatchObject({
        identifier: 'search.invalidCursor',
      });
      const [payload = '', mac = ''] = cursor.split('.');
      const forged = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), key: '9' })).toString('base64url')}.${mac}`;
      await expect(search({ text: 'chat', pageSize: 1, cursor: forged })).rejects.toMatchObject({
        identifier: 'search.invalidCursor',
      });
      await expect(search({ text: 'chat', cursor: 'garbage' })).rejects.toBeInstanceOf(UserError);
      await expect(search({ text: 'chat', cursor: "'; DROP TABLE clips; --" })).rejects.toBeInstanceOf(
        UserError,
      );
    });
  });

  describe('bad input', () => {
    it('asks for something to search when there is no text and no filter', async () => {
      await expect(search({})).rejects.toMatchObject({ identifier: 'search.emptyQuery' });
      await expect(search({ text: '   ' })).rejects.toMatchObject({ identifier: 'search.emptyQuery' });
      await expect(search({ text: '😂😂🔥' })).rejects.toMatchObject({ identifier: 'search.emptyQuery' });
      await expect(search({ text: '.*+?[](){}|\\^$' })).rejects.toMatchObject({
        identifier: 'search.emptyQuery',
      });
    });

    it('refuses a 10 KB query with a clear error', async () => {
      await expect(search({ text: 'clutch '.repeat(1500) })).rejects.toMatchObject({
        identifier: 'search.queryTooLong',
      });
    });

    it('treats SQL, regex and tsquery metacharacters as plain text', async () => {
      for (const text of [
        "'; DROP TABLE clips; --",
        "clutch' OR 1=1 --",
        'clutch & | ! <-> :* ( )',
        '100% _under_ \\backslash',
        'a.*b[c]+(d|e)?',
        "don't stop",
      ]) {
        const page = await search({ text });
        expect(Array.isArray(page.clips)).toBe(true);
      }
      expect(await ids({ text: "clutch' OR 1=1 --" })).not.toContain('SaidThat');
      const [{ n } = { n: 0 }] = await db.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM clips');
      expect(n).toBe(fixtureClips.length);
    });

    it('searches stopword-only text like any other words', async () => {
      expect(await ids({ text: 'the' })).toContain('BestHeadshot');
    });

    it('applies the filters alone when the text is only emoji', async () => {
      expect(new Set(await ids({ text: '😂', channelIds: ['1003'] }))).toEqual(
        new Set(['KamiPlay', 'HorrorScream']),
      );
    });

    it('handles right-to-left text mixed with Latin', async () => {
      expect(await ids({ text: 'أفضل clip' })).toEqual([]);
      expect(await ids({ text: 'أفضل' })).toEqual(['ArabicShot']);
    });

    it('rejects invalid filters with one readable error', async () => {
      const bad = [
        { channelIds: [] },
        { channelIds: ['not-a-number'] },
        { pageSize: 0 },
        { pageSize: 26 },
        { minViews: -1 },
        { language: 'english!' },
        { period: 'week', from: new Date() },
        { from: new Date('2026-02-01'), to: new Date('2026-01-01') },
        { sort: 'random' },
        { unknownOption: true },
      ];
      for (const query of bad) {
        await expect(search(query as ClipSearchQuery)).rejects.toMatchObject({
          identifier: 'search.invalidQuery',
        });
      }
    });

    it('hides deleted clips', async () => {
      await db.sql.query(`UPDATE clips SET deleted_at = now() WHERE id = 'KamiPlay'`);
      try {
        expect(await ids({ text: '神プレイ' })).toEqual([]);
        expect(await ids({ text: 'https://clips.twitch.tv/KamiPlay' })).toEqual([]);
      } finally {
        await db.sql.query(`UPDATE clips SET deleted_at = NULL WHERE id = 'KamiPlay'`);
      }
    });
  });
});
