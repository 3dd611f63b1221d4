import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClipRecord } from '../../../src/clips/ClipRecord.js';
import {
  upsertBroadcasters,
  upsertClips,
  upsertGames,
  UPSERT_BATCH_SIZE,
} from '../../../src/clips/clipStore.js';
import type { Database } from '../../../src/db/Database.js';
import { openTestDatabase } from '../../support/databases.js';
import { fixtureClip } from './searchFixture.js';

function clip(id: string, overrides: Partial<ClipRecord> = {}): ClipRecord {
  return {
    ...fixtureClip({ id, title: `title of ${id}`, views: 10, daysAgo: 1, broadcasterId: '2001' }),
    ...overrides,
  };
}

describe.each(['pglite', 'postgres'] as const)('clip store on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const seenAt = (id: string) =>
    db.sql.query<{ first_seen_at: Date; last_seen_at: Date; deleted_at: Date | null }>(
      'SELECT first_seen_at, last_seen_at, deleted_at FROM clips WHERE id = $1',
      [id],
    );

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
    await upsertBroadcasters(db.sql, [
      { id: '2001', login: 'store_channel', displayName: 'Store_Channel', broadcasterType: 'partner' },
    ]);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('reports new clips as discovered and changed ones as updated with their previous values', async () => {
    const t1 = new Date('2026-11-01T00:00:00Z');
    const first = await upsertClips(db.sql, [clip('StoreA'), clip('StoreB')], t1);
    expect(first.discovered.map((c) => c.id).sort()).toEqual(['StoreA', 'StoreB']);
    expect(first.updated).toEqual([]);

    const t2 = new Date('2026-11-02T00:00:00Z');
    const second = await upsertClips(
      db.sql,
      [clip('StoreA', { viewCount: 99, title: 'renamed clip' }), clip('StoreB'), clip('StoreC')],
      t2,
    );
    expect(second.discovered.map((c) => c.id)).toEqual(['StoreC']);
    expect(second.updated).toEqual([
      {
        clip: expect.objectContaining({ id: 'StoreA', viewCount: 99 }),
        previousTitle: 'title of StoreA',
        previousViewCount: 10,
      },
    ]);
    const [row] = await seenAt('StoreB');
    expect(new Date(row!.first_seen_at).toISOString()).toBe(t1.toISOString());
    expect(new Date(row!.last_seen_at).toISOString()).toBe(t2.toISOString());
  });

  it('brings back a clip that had been marked deleted', async () => {
    await upsertClips(db.sql, [clip('StoreDeleted')], new Date());
    await db.sql.query(`UPDATE clips SET deleted_at = now() WHERE id = 'StoreDeleted'`);
    const result = await upsertClips(db.sql, [clip('StoreDeleted')], new Date());
    expect(result.updated.map((u) => u.clip.id)).toEqual(['StoreDeleted']);
    expect((await seenAt('StoreDeleted'))[0]?.deleted_at).toBeNull();
  });

  it('writes more than one batch and keeps the last of repeated ids', async () => {
    const many = Array.from({ length: UPSERT_BATCH_SIZE * 2 + 17 }, (_, i) =>
      clip(`Bulk${i}`, { title: `bulk clutch ${i}` }),
    );
    many.push(clip('Bulk3', { title: 'the last copy wins' }));
    const result = await upsertClips(db.sql, many, new Date());
    expect(result.discovered).toHaveLength(UPSERT_BATCH_SIZE * 2 + 17);
    const [row] = await db.sql.query<{ title: string }>(`SELECT title FROM clips WHERE id = 'Bulk3'`);
    expect(row?.title).toBe('the last copy wins');
  });

  it('stores the search vector and the typo vocabulary of new titles', async () => {
    await upsertClips(db.sql, [clip('VocabClip', { title: 'Pokémon ＫＥＫＷ 今日の神プレイ' })], new Date());
    const [row] = await db.sql.query<{ v: string }>(
      `SELECT search_vector::text AS v FROM clips WHERE id = 'VocabClip'`,
    );
    expect(row?.v).toContain(`'pokemon'`);
    expect(row?.v).toContain(`'kekw'`);
    expect(row?.v).toContain(`'神プ'`);
    const words = await db.sql.query<{ word: string }>(
      `SELECT word FROM clip_search_words WHERE word IN ('pokemon', 'kekw', '神プ', '~v10')`,
    );
    expect(words.map((w) => w.word).sort()).toEqual(['kekw', 'pokemon']);
  });

  it('rolls back with the surrounding transaction', async () => {
    await expect(
      db.sql.transaction(async (tx) => {
        await upsertClips(tx, [clip('StoreRolledBack')], new Date());
        throw new Error('sync failed after writing clips');
      }),
    ).rejects.toThrow('sync failed');
    expect(await seenAt('StoreRolledBack')).toEqual([]);
  });

  it('refuses clips of unknown broadcasters without writing any of the batch', async () => {
    await expect(
      upsertClips(db.sql, [clip('Orphan1'), clip('Orphan2', { broadcasterId: '999999' })], new Date()),
    ).rejects.toThrow();
    expect(await seenAt('Orphan1')).toEqual([]);
  });

  it('upserts broadcasters and games, keeping known values when the update does not carry them', async () => {
    await upsertBroadcasters(db.sql, [{ id: '2001', login: 'store_channel', displayName: 'StoreChannel' }]);
    const [b] = await db.sql.query<{ display_name: string; broadcaster_type: string }>(
      `SELECT display_name, broadcaster_type FROM broadcasters WHERE id = '2001'`,
    );
    expect(b).toEqual({ display_name: 'StoreChannel', broadcaster_type: 'partner' });

    expect(await upsertGames(db.sql, [{ id: '1', name: 'Old Name', boxArtUrl: 'https://art/1.jpg' }])).toBe(
      1,
    );
    await upsertGames(db.sql, [{ id: '1', name: 'New Name' }]);
    const [g] = await db.sql.query<{ name: string; box_art_url: string }>(
      `SELECT name, box_art_url FROM games WHERE id = '1'`,
    );
    expect(g).toEqual({ name: 'New Name', box_art_url: 'https://art/1.jpg' });
  });
});
