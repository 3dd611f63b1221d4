import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCache } from '../../../src/cache/MemoryCache.js';
import { upsertBroadcasters, upsertClips, upsertGames } from '../../../src/clips/clipStore.js';
import type { ClipSearchQuery } from '../../../src/clips/search/ClipSearchQuery.js';
import { findClips } from '../../../src/clips/search/findClips.js';
import type { Database } from '../../../src/db/Database.js';
import { UserError } from '../../../src/shared/errors.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import { FIXTURE_NOW, fixtureBroadcasters, fixtureClips, fixtureGames } from './searchFixture.js';

// Words of the fixture's titles (so random queries find something), their typos, and hostile pieces.
const titleWords = [
  ...new Set(fixtureClips.flatMap((clip) => clip.title.split(/\s+/).filter((word) => word.length > 0))),
];
const word = fc.oneof(
  fc.constantFrom(...titleWords),
  fc
    .constantFrom(...titleWords)
    .map((w) => (w.length > 3 ? `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4)}` : w)),
  fc.constantFrom(...titleWords).map((w) => w.slice(0, Math.max(1, Math.ceil(w.length / 2)))),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.constantFrom('"', '-', '"-', ':*', '&', '!', '<->', '\\', "'"),
);
const text = fc
  .array(fc.tuple(fc.constantFrom('', '-', '"'), word), { minLength: 1, maxLength: 5 })
  .map((parts) => parts.map(([prefix, w]) => `${prefix}${w}`).join(' '));
const query: fc.Arbitrary<ClipSearchQuery> = fc.record(
  {
    text,
    sort: fc.constantFrom('relevance' as const, 'views' as const, 'newest' as const, 'oldest' as const),
    channelIds: fc.constantFrom(['1001'], ['1002', '1003'], ['1004']),
    period: fc.constantFrom('week' as const, 'year' as const, 'all' as const),
    pageSize: fc.integer({ min: 1, max: 25 }),
  },
  { requiredKeys: ['text'] },
);

type Outcome =
  | { error: string }
  | {
      ids: string[];
      scores: Array<number | null>;
      total: number;
      exact: boolean;
      mode: string;
      next: boolean;
    };

async function outcome(db: Database, q: ClipSearchQuery): Promise<Outcome> {
  try {
    const page = await findClips(
      { db, cache: new MemoryCache(), logger: testLogger(), now: () => FIXTURE_NOW },
      q,
    );
    return {
      ids: page.clips.map((clip) => clip.id),
      scores: page.clips.map((clip) => clip.score),
      total: page.totalEstimate,
      exact: page.totalIsExact,
      mode: page.mode,
      next: page.nextCursor !== null,
    };
  } catch (error) {
    if (error instanceof UserError) return { error: error.identifier };
    throw error;
  }
}

describe('findClips on PGlite and PostgreSQL', () => {
  const dbs: Partial<Record<'pglite' | 'postgres', { db: Database; cleanup(): Promise<void> }>> = {};

  beforeAll(async () => {
    for (const kind of ['pglite', 'postgres'] as const) {
      const opened = await openTestDatabase(kind);
      dbs[kind] = opened;
      await upsertBroadcasters(opened.db.sql, fixtureBroadcasters);
      await upsertGames(opened.db.sql, fixtureGames);
      await upsertClips(opened.db.sql, fixtureClips, FIXTURE_NOW);
    }
  });
  afterAll(async () => {
    await Promise.all(Object.values(dbs).map((opened) => opened.cleanup()));
  });

  it('give the same answers (pages, scores, totals, errors) to random queries', async () => {
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const onPglite = await outcome(dbs.pglite!.db, q);
        const onPostgres = await outcome(dbs.postgres!.db, q);
        expect(onPglite, JSON.stringify(q)).toEqual(onPostgres);
        if (!('error' in onPglite) && onPglite.ids.length > 0) answered += 1;
      }),
      { numRuns: 100, seed: 20261202 },
    );
    // The sample is only worth something if many queries found clips.
    expect(answered).toBeGreaterThan(15);
  }, 120_000);
});
