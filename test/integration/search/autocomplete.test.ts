import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertBroadcasters, upsertClips, upsertGames } from '../../../src/clips/clipStore.js';
import {
  autocompleteChannels,
  autocompleteClippers,
  autocompleteGames,
  type ChannelDirectory,
  MAX_AUTOCOMPLETE_RESULTS,
  MAX_CHOICE_NAME_LENGTH,
} from '../../../src/clips/search/autocomplete.js';
import type { Database } from '../../../src/db/Database.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import { fixtureBroadcasters, fixtureClips, fixtureGames, FIXTURE_NOW } from './searchFixture.js';

describe.each(['pglite', 'postgres'] as const)('autocomplete on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  const deps = () => ({ db, logger: testLogger() });

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
    await upsertBroadcasters(db.sql, [
      ...fixtureBroadcasters,
      ...Array.from({ length: 40 }, (_, i) => ({
        id: String(3000 + i),
        login: `shrimp_${i}`,
        displayName: `Shrimp_${i}`,
      })),
    ]);
    await upsertGames(db.sql, [...fixtureGames, { id: '9', name: `Super ${'Long '.repeat(40)}Game` }]);
    await upsertClips(db.sql, fixtureClips, FIXTURE_NOW);
    // shroudfan is tracked: it must come before the untracked shroud.
    await db.sql.query(
      `INSERT INTO tracked_channels (broadcaster_id, reason) VALUES ('1004', 'subscription')`,
    );
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('lists tracked channels first, then other known channels', async () => {
    const channels = await autocompleteChannels(deps(), { query: 'SHR' });
    expect(channels[0]).toMatchObject({ id: '1004', source: 'tracked' });
    expect(channels[1]).toMatchObject({ id: '1001', source: 'known', name: 'shroud' });
    expect(channels).toHaveLength(MAX_AUTOCOMPLETE_RESULTS);
  });

  it("asks Twitch's directory only when known channels leave room, and survives its failures", async () => {
    const calls: string[] = [];
    const directory: ChannelDirectory = {
      async searchChannels(query, limit) {
        calls.push(`${query}:${limit}`);
        return [
          { id: '1002', login: 'xqc', displayName: 'xQc' },
          { id: '777', login: 'xqcfan', displayName: 'xqcFan' },
        ];
      },
    };
    const channels = await autocompleteChannels({ ...deps(), directory }, { query: 'xq', limit: 5 });
    expect(channels.map((c) => [c.id, c.source])).toEqual([
      ['1002', 'known'],
      ['777', 'twitch'],
    ]);
    expect(calls).toEqual(['xq:5']);

    const failing: ChannelDirectory = { searchChannels: () => Promise.reject(new Error('Twitch is down')) };
    expect(
      (await autocompleteChannels({ ...deps(), directory: failing }, { query: 'xq' })).map((c) => c.id),
    ).toEqual(['1002']);
  });

  it('treats LIKE wildcards as literal characters', async () => {
    expect(await autocompleteChannels(deps(), { query: '%' })).toEqual([]);
    expect((await autocompleteChannels(deps(), { query: 'shrimp_1' })).map((c) => c.login)).toContain(
      'shrimp_10',
    );
    expect((await autocompleteChannels(deps(), { query: 'shrimp_1' })).map((c) => c.login)).not.toContain(
      'shrimp_2',
    );
  });

  it('suggests games by prefix, then by any part of the name, within Discord limits', async () => {
    expect((await autocompleteGames(deps(), { query: 'pok' })).map((g) => g.value)).toEqual(['7193']);
    expect((await autocompleteGames(deps(), { query: 'chat' })).map((g) => g.value)).toEqual(['509658']);
    const [long] = await autocompleteGames(deps(), { query: 'super' });
    expect(Array.from(long!.name).length).toBeLessThanOrEqual(MAX_CHOICE_NAME_LENGTH);
  });

  it('suggests each clipper once', async () => {
    // Case-insensitive name order: clipm… < clipp… < clipq….
    expect(await autocompleteClippers(deps(), { query: 'clip' })).toEqual([
      { name: 'ClipMaster', value: '9001' },
      { name: 'clipper_bob', value: '9003' },
      { name: 'ClipQueen', value: '9002' },
    ]);
    expect(await autocompleteClippers(deps(), { query: 'clip', broadcasterId: '1003' })).toEqual([
      { name: 'ClipMaster', value: '9001' },
    ]);
  });
});
