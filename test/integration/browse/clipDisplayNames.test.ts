import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clipDisplayNames, createDisplayNameCache } from '../../../src/clips/browse/clipDisplayNames.js';
import { upsertBroadcasters, upsertGames } from '../../../src/clips/clipStore.js';
import type { Database } from '../../../src/db/Database.js';
import { openTestDatabase } from '../../support/databases.js';

describe.each(['pglite', 'postgres'] as const)('clip display names on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const page = [
    { broadcasterId: '1001', gameId: '33' },
    { broadcasterId: '1002', gameId: null },
    { broadcasterId: '404', gameId: '404' },
  ];
  const rename = (id: string, displayName: string) =>
    upsertBroadcasters(db.sql, [{ id, login: `login${id}`, displayName }]);

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
    await rename('1001', 'First');
    await rename('1002', 'Second');
    await upsertGames(db.sql, [{ id: '33', name: 'Chess' }]);
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('names the channels and games of a page, leaving out ids that have no stored name', async () => {
    const names = await clipDisplayNames({ db }, page);
    expect(Object.fromEntries(names.channels)).toEqual({ '1001': 'First', '1002': 'Second' });
    expect(Object.fromEntries(names.games)).toEqual({ '33': 'Chess' });
  });

  it('answers from the process cache until its entries expire, then reads the new name', async () => {
    let now = 1_000; // lru-cache reads a start time of 0 as "no expiry"
    const cache = createDisplayNameCache({ ttlMs: 60_000, now: () => now });
    expect((await clipDisplayNames({ db, names: cache }, page)).channels.get('1001')).toBe('First');
    await rename('1001', 'Renamed');
    const cached = await clipDisplayNames({ db, names: cache }, page);
    expect(cached.channels.get('1001')).toBe('First');
    expect(cached.games.get('33')).toBe('Chess');
    // An id the database does not know is asked for again, not remembered as missing.
    await rename('404', 'Late');
    expect((await clipDisplayNames({ db, names: cache }, page)).channels.get('404')).toBe('Late');
    now += 60_001;
    expect((await clipDisplayNames({ db, names: cache }, page)).channels.get('1001')).toBe('Renamed');
    await rename('1001', 'First');
  });
});
