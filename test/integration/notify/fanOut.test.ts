// The fan-out against real PostgreSQL and PGlite: clip_events in, one delivery per matching subscription
// and clip out, events marked processed, in one transaction.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/Database.js';
import { defaultFanOutOptions, fanOutClipEvents } from '../../../src/notify/fanOutClipEvents.js';
import { openTestDatabase } from '../../support/databases.js';
import {
  deliveryRows,
  ingestClips,
  makeClip,
  seedBroadcaster,
  seedGuild,
  seedSubscription,
} from './notifyFixture.js';

const GUILD = '900000000000000001';
const options = { ...defaultFanOutOptions, batchSize: 500 };

describe.each(['postgres', 'pglite'] as const)('fan-out on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
  }, 60_000);
  afterAll(async () => cleanup?.());
  beforeEach(async () => {
    await db.sql.exec(
      `TRUNCATE clip_events, deliveries, delivery_messages, subscriptions, clips, guilds, broadcasters CASCADE`,
    );
    await seedBroadcaster(db.sql, '1001');
    await seedGuild(db.sql, { id: GUILD });
  });

  const fanOut = (now = new Date()) => fanOutClipEvents(db.sql, { ...options, now });

  it('creates one delivery per matching subscription and clip, and marks the events processed', async () => {
    const all = await seedSubscription(db.sql, { guildId: GUILD, channelId: '800000000000000001' });
    const popular = await seedSubscription(db.sql, {
      guildId: GUILD,
      channelId: '800000000000000002',
      minViews: 100,
    });
    const keyword = await seedSubscription(db.sql, {
      guildId: GUILD,
      channelId: '800000000000000003',
      keywords: ['Pokémon'],
      excludedWords: ['spoiler'],
    });
    const small = makeClip({ title: 'pokemon win', viewCount: 1 });
    const big = makeClip({ title: 'big POKEMON spoiler', viewCount: 500 });
    await ingestClips(db.sql, [small, big]);

    const result = await fanOut();
    expect(result).toMatchObject({ locked: true, events: 2, deliveries: 4 });
    const rows = await deliveryRows(db.sql);
    const pairs = rows.map((row) => `${row.subscription_id}:${row.clip_id}`).sort();
    expect(pairs).toEqual(
      [`${all}:${small.id}`, `${all}:${big.id}`, `${popular}:${big.id}`, `${keyword}:${small.id}`].sort(),
    );
    const [{ n }] = (await db.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM clip_events WHERE processed_at IS NULL`,
    )) as [{ n: string }];
    expect(Number(n)).toBe(0);
    expect(await fanOut()).toMatchObject({ events: 0, deliveries: 0 });
  });

  it('posts only clips created since the subscription, nothing to paused subscriptions or left guilds', async () => {
    const since = new Date(Date.now() - 60_000);
    await seedSubscription(db.sql, {
      guildId: GUILD,
      channelId: '800000000000000001',
      postClipsSince: since,
    });
    await seedSubscription(db.sql, { guildId: GUILD, channelId: '800000000000000002', paused: true });
    await seedGuild(db.sql, { id: '900000000000000002' });
    await seedSubscription(db.sql, { guildId: '900000000000000002', channelId: '800000000000000003' });
    await db.sql.query(`UPDATE guilds SET left_at = now() WHERE id = '900000000000000002'`);

    const old = makeClip({ createdAt: new Date(since.getTime() - 1) });
    // Visible late: made before it was discovered, but after the subscription.
    const late = makeClip({ createdAt: new Date(since.getTime() + 1) });
    await ingestClips(db.sql, [old, late]);
    await fanOut();
    expect((await deliveryRows(db.sql)).map((row) => row.clip_id)).toEqual([late.id]);
  });

  it('re-evaluates minimum views when views grow, within the window after the clip was made', async () => {
    await seedSubscription(db.sql, { guildId: GUILD, channelId: '800000000000000001', minViews: 100 });
    const fresh = makeClip({ viewCount: 10 });
    const old = makeClip({ viewCount: 10, createdAt: new Date(Date.now() - 25 * 3_600_000) });
    await seedSubscription(db.sql, {
      guildId: GUILD,
      channelId: '800000000000000002',
      minViews: 100,
      postClipsSince: new Date(Date.now() - 48 * 3_600_000),
    });
    await ingestClips(db.sql, [fresh, old]);
    await fanOut();
    expect(await deliveryRows(db.sql)).toHaveLength(0);

    await ingestClips(db.sql, [
      { ...fresh, viewCount: 150 },
      { ...old, viewCount: 150 },
    ]);
    const result = await fanOut();
    expect(result.events).toBe(2);
    const rows = await deliveryRows(db.sql);
    // Both subscriptions get the fresh clip; the day-old one is past the window.
    expect(rows.map((row) => row.clip_id)).toEqual([fresh.id, fresh.id]);

    // A later update of an already delivered clip adds nothing.
    await ingestClips(db.sql, [{ ...fresh, viewCount: 400 }]);
    expect(await fanOut()).toMatchObject({ events: 1, deliveries: 0 });
  });

  it('takes a clip titled like another clip of the same stream for untitled', async () => {
    await seedSubscription(db.sql, { guildId: GUILD, channelId: '800000000000000001', skipUntitled: true });
    const first = makeClip({ title: 'Sunday chess stream !discord' });
    await ingestClips(db.sql, [first]);
    await fanOut();
    const twin = makeClip({ title: 'Sunday chess stream !discord' });
    const named = makeClip({ title: 'what a blunder' });
    await ingestClips(db.sql, [twin, named]);
    await fanOut();
    // The first untitled clip cannot be told apart yet (documented limit); its twin and later ones can.
    expect((await deliveryRows(db.sql)).map((row) => row.clip_id)).toEqual([first.id, named.id]);
  });

  it('orders deliveries by the events that produced them', async () => {
    await seedSubscription(db.sql, { guildId: GUILD, channelId: '800000000000000001' });
    const clips = Array.from({ length: 5 }, () => makeClip());
    for (const clip of clips) await ingestClips(db.sql, [clip]);
    await fanOut();
    expect((await deliveryRows(db.sql)).map((row) => row.clip_id)).toEqual(clips.map((clip) => clip.id));
  });

  // Two processes share a database only on PostgreSQL (the embedded database belongs to one process), so the
  // race exists, and is tested, there alone.
  if (kind === 'postgres')
    it('lets two processes fan out at once without doubling or skipping', async () => {
      const subscriptions = 3;
      for (let i = 0; i < subscriptions; i += 1) {
        await seedSubscription(db.sql, { guildId: GUILD, channelId: `80000000000000010${i}` });
      }
      const clips = Array.from({ length: 300 }, () => makeClip());
      for (let i = 0; i < clips.length; i += 10) await ingestClips(db.sql, clips.slice(i, i + 10));
      const worker = async () => {
        let events = 0;
        let idle = 0;
        while (idle < 5) {
          const result = await fanOutClipEvents(db.sql, { ...options, batchSize: 20, now: new Date() });
          events += result.events;
          idle = result.locked && result.events === 0 ? idle + 1 : 0;
        }
        return events;
      };
      const [a, b] = await Promise.all([worker(), worker()]);
      expect(a + b).toBe(300);
      const rows = await deliveryRows(db.sql);
      expect(rows).toHaveLength(clips.length * subscriptions);
      expect(new Set(rows.map((row) => `${row.subscription_id}:${row.clip_id}`)).size).toBe(rows.length);
    });
});
