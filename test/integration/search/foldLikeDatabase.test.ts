import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldLikeDatabase } from '../../../src/clips/search/foldLikeDatabase.js';
import type { Database } from '../../../src/db/Database.js';
import { openTestDatabase } from '../../support/databases.js';

// Statistics lookups fold words in JavaScript; the lexemes were folded by public.clip_search_fold.
describe.each(['pglite', 'postgres'] as const)('foldLikeDatabase against clip_search_fold on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('folds title words the way the database does', async () => {
    const words = [
      'Não',
      'CAFÉ',
      'Ελλάδα',
      'Straße',
      'Ødegaard',
      'Ёлка',
      'ＫＥＫＷ',
      'がんばれ',
      'ｶﾞﾝﾊﾞﾚ',
      'йога',
      '한국어',
      'Łódź',
      'Ångström',
      'Pokémon',
      'jalapeño',
      'Ærø',
      'İstanbul',
      'forsenE',
      '配信',
      'สวัสดี',
    ];
    const [row] = await db.sql.query<{ folded: string[] }>(
      `SELECT array_agg(public.clip_search_fold(w) ORDER BY i) AS folded
       FROM unnest($1::text[]) WITH ORDINALITY AS t(w, i)`,
      [words],
    );
    expect(words.map(foldLikeDatabase)).toEqual(row?.folded);
  });
});
