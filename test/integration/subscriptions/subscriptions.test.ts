// The subscription and guild services against real databases (PGlite and PostgreSQL): quota, duplicates,
// pause/resume, settings, guild membership and the tracking lifecycle.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { upsertClips, upsertGames } from '../../../src/clips/clipStore.js';
import type { Database } from '../../../src/db/Database.js';
import { getGuildSettings, updateGuildSettings } from '../../../src/guilds/guildSettings.js';
import { recordGuildLeft, recordGuildPresent } from '../../../src/guilds/guildMembership.js';
import { UserError } from '../../../src/shared/errors.js';
import {
  createSubscription,
  type CreateSubscriptionOptions,
} from '../../../src/subscriptions/createSubscription.js';
import {
  findSubscription,
  listSubscriptions,
  pauseSubscription,
  removeSubscription,
  resumeSubscription,
} from '../../../src/subscriptions/manageSubscriptions.js';
import { Registry } from 'prom-client';
import { createClipSync } from '../../../src/sync/ClipSync.js';
import { releaseIdleChannels } from '../../../src/sync/trackingLifecycle.js';
import { trackChannel, type TrackReason } from '../../../src/sync/trackChannel.js';
import type { TwitchAdapter, TwitchUser } from '../../../src/twitch/twitchTypes.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';

const GUILD = { id: '200000000000000001', name: 'Clip Fans' };
const OTHER_GUILD = { id: '200000000000000002', name: 'Other' };
const CHANNEL_A = '300000000000000001';
const CHANNEL_B = '300000000000000002';
const CHANNEL_OTHER = '300000000000000009';
const ADMIN = '400000000000000001';
const DAY = 86_400_000;

function twitchUser(id: string, login: string): TwitchUser {
  return {
    id,
    login,
    displayName: login[0]!.toUpperCase() + login.slice(1),
    profileImageUrl: null,
    broadcasterType: '',
    createdAt: new Date('2020-01-01T00:00:00Z'),
  };
}
const SPEEDY = twitchUser('1001', 'speedy');
const CHATTY = twitchUser('1002', 'chatty');

/** Every Twitch call is a test failure here: the services must use the user they were given. */
const noTwitch = new Proxy({} as TwitchAdapter, {
  get: (_target, name) => () => Promise.reject(new Error(`unexpected Twitch call ${String(name)}`)),
});

async function clearTables(db: Database): Promise<void> {
  await db.sql.exec(
    'DELETE FROM subscriptions; DELETE FROM tracked_channels; DELETE FROM guilds; DELETE FROM clips; DELETE FROM broadcasters;',
  );
}

describe.each(['pglite', 'postgres'] as const)('subscription services on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let now: Date;
  const tracked: Array<{ broadcasterId: string; reason: TrackReason }> = [];

  const sync = {
    trackChannel: async (input: { broadcasterId: string; reason: TrackReason; user?: TwitchUser }) => {
      tracked.push({ broadcasterId: input.broadcasterId, reason: input.reason });
      return trackChannel({
        sql: db.sql,
        twitch: noTwitch,
        ...input,
        now,
        clipsEpoch: new Date('2016-05-01'),
      });
    },
  };
  const add = (overrides: Partial<CreateSubscriptionOptions> = {}) =>
    createSubscription({
      sql: db.sql,
      sync,
      quota: 3,
      now,
      guild: GUILD,
      discordChannelId: CHANNEL_A,
      twitchChannel: { id: SPEEDY.id, user: SPEEDY },
      createdByUserId: ADMIN,
      filters: {},
      ...overrides,
    });
  const count = async (table: string) =>
    Number((await db.sql.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
  });
  afterAll(async () => {
    await cleanup?.();
  });
  beforeEach(async () => {
    await clearTables(db);
    tracked.length = 0;
    now = new Date('2026-12-02T10:00:00.000Z');
  });

  it('creates a subscription with normalised filters that posts clips made from now on, and tracks the channel', async () => {
    const { subscription, created } = await add({
      filters: {
        keywords: 'Pokémon, CLUTCH',
        excludedWords: 'rerun',
        minViews: 10,
        mode: 'daily',
        digestSize: 3,
      },
    });
    expect(created).toBe(true);
    expect(subscription).toMatchObject({
      guildId: GUILD.id,
      discordChannelId: CHANNEL_A,
      broadcasterId: SPEEDY.id,
      channelName: 'Speedy',
      channelLogin: 'speedy',
      paused: false,
      createdByUserId: ADMIN,
      postClipsSince: now,
      filters: {
        keywords: ['pokemon', 'clutch'],
        excludedWords: ['rerun'],
        minViews: 10,
        mode: 'daily',
        digestSize: 3,
      },
    });
    expect(tracked).toEqual([{ broadcasterId: SPEEDY.id, reason: 'subscription' }]);
    const [row] = await db.sql.query<{ reason: string }>(
      `SELECT reason FROM tracked_channels WHERE broadcaster_id = $1`,
      [SPEEDY.id],
    );
    expect(row?.reason).toBe('subscription');
    // The guild row exists even if its GUILD_CREATE was never processed.
    expect(await count('guilds')).toBe(1);
  });

  it('updates the filters of an existing subscription instead of adding a duplicate', async () => {
    const first = await add({ filters: { keywords: 'ace', minViews: 5 } });
    const second = await add({ filters: { minViews: 50 } });
    expect(second.created).toBe(false);
    expect(second.subscription.id).toBe(first.subscription.id);
    expect(second.subscription.filters).toMatchObject({ keywords: ['ace'], minViews: 50 });
    expect(await count('subscriptions')).toBe(1);
  });

  it('refuses bad filters before writing or tracking anything', async () => {
    await expect(add({ filters: { digestSize: 99 } })).rejects.toThrow(UserError);
    await expect(add({ discordChannelId: 'general' })).rejects.toThrow(UserError);
    expect(tracked).toEqual([]);
    expect(await count('subscriptions')).toBe(0);
    expect(await count('tracked_channels')).toBe(0);
  });

  it('stops at the per-guild quota with a clear message and changes nothing, but a duplicate still updates', async () => {
    await add({ discordChannelId: CHANNEL_A });
    await add({ discordChannelId: CHANNEL_B });
    await add({ discordChannelId: CHANNEL_B, twitchChannel: { id: CHATTY.id, user: CHATTY } });
    const refused = await add({
      discordChannelId: CHANNEL_A,
      twitchChannel: { id: CHATTY.id, user: CHATTY },
    }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).identifier).toBe('subscriptions.quota');
    expect((refused as UserError).message).toContain('(3)');
    expect(await count('subscriptions')).toBe(3);
    // Another guild has its own quota; a duplicate is an update, not a new subscription.
    await add({ guild: OTHER_GUILD, discordChannelId: CHANNEL_OTHER });
    expect((await add({ filters: { minViews: 7 } })).subscription.filters.minViews).toBe(7);
  });

  it('never exceeds the quota when adds race', async () => {
    const channels = Array.from({ length: 6 }, (_, i) => `30000000000000010${i}`);
    const results = await Promise.allSettled(channels.map((discordChannelId) => add({ discordChannelId })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const result of results) {
      if (result.status === 'rejected')
        expect((result.reason as UserError).identifier).toBe('subscriptions.quota');
    }
    expect(await count('subscriptions')).toBe(3);
  });

  it('lists the guild’s subscriptions with names, filters, state, last post and last error', async () => {
    await upsertGames(db.sql, [{ id: '27471', name: 'Minecraft' }]);
    await add({ filters: { gameId: '27471', creatorId: '5555' } });
    await upsertClips(
      db.sql,
      [
        {
          id: 'ClipOne',
          broadcasterId: SPEEDY.id,
          creatorId: '5555',
          creatorName: 'FastClipper',
          videoId: null,
          gameId: '27471',
          language: 'en',
          title: 'wow',
          viewCount: 3,
          createdAt: now,
          thumbnailUrl: 'https://example.com/t.jpg',
          url: 'https://clips.twitch.tv/ClipOne',
          embedUrl: 'https://clips.twitch.tv/embed?clip=ClipOne',
          durationSec: 10,
          vodOffset: null,
          isFeatured: false,
        },
      ],
      now,
    );
    await add({ guild: OTHER_GUILD, discordChannelId: CHANNEL_OTHER });
    await db.sql.query(
      `UPDATE subscriptions SET last_posted_at = $1, last_error = '50013 Missing Permissions', last_error_at = $1
        WHERE discord_channel_id = $2`,
      [now, CHANNEL_A],
    );
    const list = await listSubscriptions({ sql: db.sql, guildId: GUILD.id });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      channelName: 'Speedy',
      gameName: 'Minecraft',
      creatorName: 'FastClipper',
      lastPostedAt: now,
      lastError: '50013 Missing Permissions',
      lastErrorAt: now,
    });
  });

  it('finds a subscription by id or by channel name, never another guild’s', async () => {
    const { subscription } = await add();
    const theirs = (await add({ guild: OTHER_GUILD, discordChannelId: CHANNEL_OTHER })).subscription;
    expect((await findSubscription({ sql: db.sql, guildId: GUILD.id, reference: subscription.id })).id).toBe(
      subscription.id,
    );
    expect((await findSubscription({ sql: db.sql, guildId: GUILD.id, reference: 'SPEEDY' })).id).toBe(
      subscription.id,
    );
    await expect(findSubscription({ sql: db.sql, guildId: GUILD.id, reference: theirs.id })).rejects.toThrow(
      /no such subscription/,
    );
    await add({ discordChannelId: CHANNEL_B });
    await expect(findSubscription({ sql: db.sql, guildId: GUILD.id, reference: 'speedy' })).rejects.toThrow(
      /2 subscriptions follow/,
    );
  });

  it('pauses and resumes; resuming skips clips made while paused and clears the error of a permission pause', async () => {
    const { subscription } = await add();
    const paused = await pauseSubscription({ sql: db.sql, guildId: GUILD.id, reference: subscription.id });
    expect(paused).toMatchObject({ changed: true, subscription: { paused: true, pausedReason: 'user' } });
    expect(
      (await pauseSubscription({ sql: db.sql, guildId: GUILD.id, reference: subscription.id })).changed,
    ).toBe(false);

    const later = new Date(now.getTime() + DAY);
    const resumed = await resumeSubscription({
      sql: db.sql,
      guildId: GUILD.id,
      reference: 'speedy',
      now: later,
    });
    expect(resumed).toMatchObject({
      changed: true,
      previousReason: 'user',
      subscription: { paused: false, pausedReason: null, postClipsSince: later },
    });
    expect((await resumeSubscription({ sql: db.sql, guildId: GUILD.id, reference: 'speedy' })).changed).toBe(
      false,
    );

    // The delivery worker paused it for Missing Permissions; the admin fixed the channel and resumes.
    await db.sql.query(
      `UPDATE subscriptions SET paused = true, paused_reason = '50013', last_error = '50013 Missing Permissions',
              last_error_at = $1 WHERE id = $2::uuid`,
      [later, subscription.id],
    );
    const fixed = await resumeSubscription({
      sql: db.sql,
      guildId: GUILD.id,
      reference: subscription.id,
      now: later,
    });
    expect(fixed).toMatchObject({
      previousReason: '50013',
      subscription: { paused: false, lastError: null },
    });
  });

  it('removes a subscription and starts its channel’s idle clock', async () => {
    const { subscription } = await add();
    const later = new Date(now.getTime() + 40 * DAY);
    await removeSubscription({ sql: db.sql, guildId: GUILD.id, reference: subscription.id, now: later });
    expect(await count('subscriptions')).toBe(0);
    const [row] = await db.sql.query<{ reason: string; last_wanted_at: Date }>(
      `SELECT reason, last_wanted_at FROM tracked_channels WHERE broadcaster_id = $1`,
      [SPEEDY.id],
    );
    expect(row?.reason).toBe('search');
    expect(new Date(row!.last_wanted_at)).toEqual(later);
    await expect(
      removeSubscription({ sql: db.sql, guildId: GUILD.id, reference: subscription.id }),
    ).rejects.toThrow(UserError);
  });

  it('releases channels no subscription needs and nobody wanted for the idle time; clips stay', async () => {
    const idleMs = 30 * DAY;
    await add(); // speedy: subscribed
    await sync.trackChannel({ broadcasterId: CHATTY.id, reason: 'search', user: CHATTY });
    const lurker = twitchUser('1003', 'lurker');
    await sync.trackChannel({ broadcasterId: lurker.id, reason: 'search', user: lurker });
    // Twenty days later someone searches lurker again: its clock restarts.
    const searchedAt = new Date(now.getTime() + 20 * DAY);
    now = searchedAt;
    await sync.trackChannel({ broadcasterId: lurker.id, reason: 'search' });

    const at = (days: number) => new Date(new Date('2026-12-02T10:00:00.000Z').getTime() + days * DAY);
    expect(await releaseIdleChannels(db.sql, { now: at(29), idleMs, limit: 100 })).toEqual([]);
    // Day 31: chatty (searched once on day 0) goes; speedy is subscribed; lurker was searched on day 20.
    expect(await releaseIdleChannels(db.sql, { now: at(31), idleMs, limit: 100 })).toEqual([CHATTY.id]);
    // A channel under a poll lease is left for a later pass.
    await db.sql.query(`UPDATE tracked_channels SET lease_until = $1 WHERE broadcaster_id = $2`, [
      at(60),
      lurker.id,
    ]);
    expect(await releaseIdleChannels(db.sql, { now: at(51), idleMs, limit: 100 })).toEqual([]);
    expect(await releaseIdleChannels(db.sql, { now: at(61), idleMs, limit: 100 })).toEqual([lurker.id]);
    const remaining = await db.sql.query<{ broadcaster_id: string }>(
      `SELECT broadcaster_id FROM tracked_channels`,
    );
    expect(remaining.map((r) => r.broadcaster_id)).toEqual([SPEEDY.id]);
    // The broadcasters (and so their clips) stay; tracking again starts a fresh row.
    expect(await count('broadcasters')).toBe(3);
    now = at(62);
    expect(
      (await sync.trackChannel({ broadcasterId: CHATTY.id, reason: 'search', user: CHATTY })).created,
    ).toBe(true);
  });

  it('runs the release as a sync step with the configured idle time, counted in a metric', async () => {
    const registry = new Registry();
    let clock = now;
    const clipSync = createClipSync({
      db,
      twitch: noTwitch,
      logger: testLogger(),
      registry,
      clock: () => clock,
      options: { trackingIdleMs: 2 * DAY },
    });
    await clipSync.trackChannel({ broadcasterId: CHATTY.id, reason: 'search', user: CHATTY });
    clock = new Date(now.getTime() + DAY);
    expect(await clipSync.steps.releaseIdleChannels()).toBe(0);
    clock = new Date(now.getTime() + 3 * DAY);
    expect(await clipSync.steps.releaseIdleChannels()).toBe(1);
    expect(await registry.getSingleMetricAsString('tcs_sync_channels_released_total')).toMatch(/ 1$/m);
    expect(await clipSync.getChannelSyncStatus(CHATTY.id)).toBeNull();
  });

  it('keeps a paused subscription’s channel tracked', async () => {
    const { subscription } = await add();
    await pauseSubscription({ sql: db.sql, guildId: GUILD.id, reference: subscription.id });
    expect(
      await releaseIdleChannels(db.sql, { now: new Date(now.getTime() + 400 * DAY), idleMs: DAY, limit: 10 }),
    ).toEqual([]);
  });

  it('shows default settings, changes only what is given, and refuses bad values without changing anything', async () => {
    expect(await getGuildSettings({ sql: db.sql, guildId: GUILD.id })).toEqual({
      guildId: GUILD.id,
      managerRoleId: null,
      timezone: 'UTC',
      syncClipChanges: true,
      groupMoments: true,
    });
    const role = '500000000000000001';
    const updated = await updateGuildSettings({
      sql: db.sql,
      guild: GUILD,
      changes: { managerRoleId: role, timezone: 'europe/berlin', groupMoments: false },
    });
    expect(updated).toEqual({
      guildId: GUILD.id,
      managerRoleId: role,
      timezone: 'Europe/Berlin',
      syncClipChanges: true,
      groupMoments: false,
    });
    await expect(
      updateGuildSettings({
        sql: db.sql,
        guild: GUILD,
        changes: { timezone: 'Mars/Base', groupMoments: true },
      }),
    ).rejects.toThrow(/not a time zone/);
    await expect(
      updateGuildSettings({ sql: db.sql, guild: GUILD, changes: { managerRoleId: GUILD.id } }),
    ).rejects.toThrow(/@everyone/);
    expect(await getGuildSettings({ sql: db.sql, guildId: GUILD.id })).toEqual(updated);
    const cleared = await updateGuildSettings({
      sql: db.sql,
      guild: GUILD,
      changes: { managerRoleId: null, syncClipChanges: false },
    });
    expect(cleared).toMatchObject({ managerRoleId: null, timezone: 'Europe/Berlin', syncClipChanges: false });
  });

  it('records joining, updates, leaving and coming back without losing settings', async () => {
    const guild = { id: GUILD.id, name: 'Clip Fans', systemChannelId: CHANNEL_A };
    expect(await recordGuildPresent({ sql: db.sql, guild, now })).toEqual({ created: true, rejoined: false });
    await updateGuildSettings({ sql: db.sql, guild: GUILD, changes: { timezone: 'Asia/Tokyo' } });
    expect(
      await recordGuildPresent({
        sql: db.sql,
        guild: { ...guild, name: 'Renamed', systemChannelId: null },
        now,
      }),
    ).toEqual({ created: false, rejoined: false });
    const left = new Date(now.getTime() + DAY);
    expect(await recordGuildLeft({ sql: db.sql, guildId: GUILD.id, now: left })).toBe(true);
    expect(await recordGuildLeft({ sql: db.sql, guildId: GUILD.id, now: left })).toBe(false);
    const [gone] = await db.sql.query<{
      name: string;
      left_at: Date | null;
      system_channel_id: string | null;
    }>(`SELECT name, left_at, system_channel_id FROM guilds WHERE id = $1`, [GUILD.id]);
    expect(gone).toMatchObject({ name: 'Renamed', system_channel_id: null });
    expect(new Date(gone!.left_at!)).toEqual(left);
    const back = new Date(now.getTime() + 2 * DAY);
    expect(await recordGuildPresent({ sql: db.sql, guild, now: back })).toEqual({
      created: false,
      rejoined: true,
    });
    const [row] = await db.sql.query<{ left_at: Date | null; joined_at: Date; timezone: string }>(
      `SELECT left_at, joined_at, timezone FROM guilds WHERE id = $1`,
      [GUILD.id],
    );
    expect(row?.left_at).toBeNull();
    expect(new Date(row!.joined_at)).toEqual(back);
    expect(row?.timezone).toBe('Asia/Tokyo');
  });
});
