import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/cache/MemoryCache.js';
import { upsertBroadcasters, upsertClips, upsertGames } from '../../../src/clips/clipStore.js';
import { findClips, type FindClipsDeps } from '../../../src/clips/search/findClips.js';
import {
  DEFAULT_ADMISSION_LIMITS,
  SearchAdmission,
  searchAdmissionFor,
} from '../../../src/clips/search/searchAdmission.js';
import { withSearchDeadline } from '../../../src/clips/search/searchDeadline.js';
import { createSearchMetrics } from '../../../src/clips/search/searchMetrics.js';
import type { Database, SqlExecutor } from '../../../src/db/Database.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import { RELEVANCE_CANDIDATES } from '../../../src/clips/search/buildSearchSql.js';
import { PROBE_MIN_POSTINGS } from '../../../src/clips/search/densityProbe.js';
import { forgetTermStatistics } from '../../../src/clips/search/termStatistics.js';
import {
  FIXTURE_NOW,
  fixtureBroadcasters,
  fixtureClip,
  fixtureClips,
  fixtureGames,
} from './searchFixture.js';

/** The same database, recording every statement a search sends. */
function recording(db: Database): { db: Database; statements: string[] } {
  const statements: string[] = [];
  const wrap = (sql: SqlExecutor): SqlExecutor => ({
    query: <Row extends object>(text: string, params?: unknown[]) => {
      statements.push(text);
      return sql.query<Row>(text, params);
    },
    exec: (text) => {
      statements.push(text);
      return sql.exec(text);
    },
    transaction: (work) => sql.transaction((tx) => work(wrap(tx))),
    withConnection: (work) => sql.withConnection((connection) => work(wrap(connection))),
  });
  return { db: { ...db, sql: wrap(db.sql) }, statements };
}

describe.each(['pglite', 'postgres'] as const)('search bounds on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const deps = (overrides: Partial<FindClipsDeps> = {}): FindClipsDeps => ({
    db,
    cache: new MemoryCache(),
    logger: testLogger(),
    now: () => FIXTURE_NOW,
    ...overrides,
  });

  beforeAll(async () => {
    // A pool larger than the searches' share, as in production (10 connections, 4 searches).
    ({ db, cleanup } = await openTestDatabase(kind, { poolSize: 6 }));
    await upsertBroadcasters(db.sql, fixtureBroadcasters);
    await upsertGames(db.sql, fixtureGames);
    await upsertClips(db.sql, fixtureClips, FIXTURE_NOW);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('answers a search past its deadline with a "too broad" UserError and counts the refusal', async () => {
    const searchMetrics = createSearchMetrics(new Registry());
    await expect(findClips(deps({ timeoutMs: 0, searchMetrics }), { text: 'clutch' })).rejects.toMatchObject({
      identifier: 'search.tooBroad',
      message: expect.stringMatching(/too broad.*[Aa]dd a word or a filter/),
    });
    const refused = await searchMetrics.refused.get();
    expect(refused.values).toEqual([expect.objectContaining({ labels: { reason: 'timeout' }, value: 1 })]);
  });

  if (kind === 'postgres') {
    it('has the server cancel a statement that would run past the deadline', async () => {
      const started = performance.now();
      await expect(
        withSearchDeadline(db, 200, (sql) => sql.query('SELECT pg_sleep(5)')),
      ).rejects.toMatchObject({ identifier: 'search.tooBroad' });
      expect(performance.now() - started).toBeLessThan(4_000);
      // The timeout was transaction-local: the pooled connections keep the default.
      const rows = await Promise.all(
        Array.from({ length: 6 }, () =>
          db.sql.query<{ statement_timeout: string }>('SHOW statement_timeout'),
        ),
      );
      expect(rows.map(([row]) => row?.statement_timeout)).toEqual(Array(6).fill('0'));
    });

    it('runs searches without parallel workers, and leaves the pooled connections their default', async () => {
      const [inside] = await withSearchDeadline(db, 2_000, (sql) =>
        sql.query<{ max_parallel_workers_per_gather: string }>('SHOW max_parallel_workers_per_gather'),
      );
      expect(inside?.max_parallel_workers_per_gather).toBe('0');
      const [outside] = await db.sql.query<{ max_parallel_workers_per_gather: string }>(
        'SHOW max_parallel_workers_per_gather',
      );
      expect(outside?.max_parallel_workers_per_gather).not.toBe('0');
    });

    it('bounds a later statement by the time left, not by the whole budget', async () => {
      // 0.4 s of 0.7 s spent: the second statement may run only the rest, not 0.7 s of its own.
      await expect(
        withSearchDeadline(db, 700, async (sql) => {
          await sql.query('SELECT pg_sleep(0.4)');
          await sql.query('SELECT pg_sleep(0.5)');
        }),
      ).rejects.toMatchObject({ identifier: 'search.tooBroad' });
    });
  } else {
    it('refuses the next statement once a search has run past its deadline (PGlite cannot cancel one)', async () => {
      const ran: string[] = [];
      await expect(
        // Generous against a loaded machine: the first statement must start within the budget.
        withSearchDeadline(db, 1_000, async (sql) => {
          await sql.query('SELECT pg_sleep(1.1)');
          ran.push('first');
          await sql.query('SELECT 1');
          ran.push('second');
        }),
      ).rejects.toMatchObject({ identifier: 'search.tooBroad' });
      expect(ran).toEqual(['first']);
    });
  }

  it('refuses a requester who already has searches running, not others', async () => {
    const admission = new SearchAdmission({ concurrent: 4, waiting: 4, perRequester: 1 });
    let release!: () => void;
    const held = admission.run('111', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(
      findClips(deps({ admission }), { text: 'clutch' }, { requesterId: '111' }),
    ).rejects.toMatchObject({
      identifier: 'search.tooManyRunning',
      message: expect.stringMatching(/already have searches running/),
    });
    await expect(
      findClips(deps({ admission }), { text: 'clutch' }, { requesterId: '222' }),
    ).resolves.toMatchObject({ mode: 'exact' });
    release();
    await held;
  });

  it('answers an exclusion of a required word with nothing, without reading clips or retrying for typos', async () => {
    const recorded = recording(db);
    const page = await findClips({ ...deps(), db: recorded.db }, { text: 'gg insane -gg' });
    expect(page).toMatchObject({ clips: [], totalEstimate: 0, totalIsExact: true, mode: 'exact' });
    expect(recorded.statements.filter((text) => /\bFROM clips\b|clip_search_words/.test(text))).toEqual([]);
  });

  it('keeps the database answering pings while searches hold it', async () => {
    // Searches that each take two slow statements, more of them than may run at once.
    const { concurrent } = DEFAULT_ADMISSION_LIMITS[kind];
    const admission = searchAdmissionFor(db);
    let finishedStatements = 0;
    const searches = Array.from({ length: concurrent + 2 }, () =>
      admission.run(undefined, () =>
        withSearchDeadline(db, 10_000, async (sql) => {
          for (let i = 0; i < 2; i += 1) {
            await sql.query('SELECT pg_sleep(0.15)');
            finishedStatements += 1;
          }
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await db.ping();
    // PGlite: the ping waited for one search statement at most (one search runs at a time, and gives up
    // the connection between statements). PostgreSQL: the searches leave connections free, so the ping
    // waited for none.
    expect(finishedStatements).toBeLessThanOrEqual(kind === 'pglite' ? 1 : 0);
    await Promise.all(searches);
  });

  describe('text of several common words', () => {
    // Two groups of clips whose words are each common but never meet, like two languages' stopwords.
    const group = (prefix: string, title: string) =>
      Array.from({ length: PROBE_MIN_POSTINGS + 100 }, (_, i) =>
        fixtureClip({
          id: `${prefix}${i}`,
          title,
          views: i,
          daysAgo: 1 + (i % 300),
          broadcasterId: '5557',
        }),
      );
    const english = group('Eng', 'alphaword betaword moment');
    const spanish = group('Esp', 'gammaword deltaword momento');

    beforeAll(async () => {
      await upsertBroadcasters(db.sql, [{ id: '5557', login: 'bilingual', displayName: 'Bilingual' }]);
      await upsertClips(db.sql, [...english, ...spanish], FIXTURE_NOW);
      await db.sql.exec('ANALYZE clips');
      forgetTermStatistics(db.sql);
    });
    afterAll(async () => {
      await db.sql.query(`DELETE FROM broadcasters WHERE id = '5557'`);
      await db.sql.exec('ANALYZE clips');
      forgetTermStatistics(db.sql);
    });

    it('measures how they spread before choosing a plan, instead of walking for words that never meet', async () => {
      const recorded = recording(db);
      const page = await findClips({ ...deps(), db: recorded.db }, { text: '"alphaword gammaword"' });
      expect(page).toMatchObject({ clips: [], totalEstimate: 0, totalIsExact: true });
      const [probe, main] = recorded.statements.filter((text) => /\bFROM clips\b/.test(text));
      expect(probe).toMatch(/count\(\*\) FILTER/);
      // By the statistics alone (each word in half the clips) the phrase looked dense and the views index
      // was walked, testing every entry; measured, one GIN scan finds that no clip holds both words.
      expect(main).not.toMatch(/ts_match_vq/);
      expect(main).toMatch(/tier_all/);
    });

    it('still ranks the most viewed matches of words that do stand together', async () => {
      const page = await findClips(deps(), { text: '"alphaword betaword"', pageSize: 5 });
      // Relevance ranks the RELEVANCE_CANDIDATES most viewed matches (views run 0..n-1 here).
      expect(page.clips).toHaveLength(5);
      for (const clip of page.clips) {
        expect(clip.id).toMatch(/^Eng/);
        expect(clip.viewCount).toBeGreaterThanOrEqual(english.length - RELEVANCE_CANDIDATES);
      }
      expect(page.totalIsExact).toBe(false);
    });

    it('reports a measured total instead of counting, for the other sorts', async () => {
      const recorded = recording(db);
      const page = await findClips(
        { ...deps(), db: recorded.db },
        { text: 'alphaword betaword', sort: 'newest', pageSize: 5 },
      );
      expect(page.clips.map((clip) => clip.createdAt.getTime())).toEqual(
        english
          .map((clip) => clip.createdAt.getTime())
          .sort((a, b) => b - a)
          .slice(0, 5),
      );
      expect(page.totalIsExact).toBe(false);
      expect(page.totalEstimate).toBeGreaterThan(english.length / 2);
      expect(page.totalEstimate).toBeLessThan(english.length * 2);
      expect(recorded.statements.some((text) => /SELECT count\(\*\)::int AS n/.test(text))).toBe(false);
    });
  });
});
