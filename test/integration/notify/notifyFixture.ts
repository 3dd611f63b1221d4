// Shared setup of the notification integration tests: rows a guild's subscription needs, clips ingested the
// way the sync ingests them (clips upserted and clip_events recorded in one transaction), and a notifier
// posting to the fake Discord through a real @discordjs/rest client.
import { REST } from '@discordjs/rest';
import { Registry } from 'prom-client';
import type { ClipRecord } from '../../../src/clips/ClipRecord.js';
import { upsertBroadcasters, upsertClips } from '../../../src/clips/clipStore.js';
import type { Database, SqlExecutor } from '../../../src/db/Database.js';
import { createNotifier, type Notifier, type NotifierOptionsInput } from '../../../src/notify/Notifier.js';
import { notifyDiscordFromRest } from '../../../src/notify/notifyDiscord.js';
import { recordClipEvents, significantUpdates } from '../../../src/sync/clipEvents.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';

let clipCounter = 0;

export function makeClip(overrides: Partial<ClipRecord> = {}): ClipRecord {
  clipCounter += 1;
  const id = overrides.id ?? `Clip${clipCounter}${Math.random().toString(36).slice(2, 8)}`;
  return {
    id,
    broadcasterId: '1001',
    creatorId: '2001',
    creatorName: 'clipper',
    videoId: null,
    gameId: null,
    language: 'en',
    title: `clip number ${clipCounter}`,
    viewCount: 5,
    createdAt: new Date(),
    thumbnailUrl: `https://clips-media.example/${id}.jpg`,
    url: `https://clips.twitch.tv/${id}`,
    embedUrl: `https://clips.twitch.tv/embed?clip=${id}`,
    durationSec: 30,
    vodOffset: null,
    isFeatured: false,
    ...overrides,
  };
}

/** A migrated PostgreSQL database and a fake Discord; `close()` stops both and drops the database. */
export async function openNotifyPostgresWorld(): Promise<{
  db: Database;
  url: string;
  discord: FakeDiscord;
  close(): Promise<void>;
}> {
  const { db, url, cleanup } = await openTestDatabase('postgres');
  const discord = await startFakeDiscord();
  return {
    db,
    url: url!,
    discord,
    async close() {
      await discord.close();
      await cleanup();
    },
  };
}

/** Empties the notification tables, and the fake Discord's faults, request log and posts in `channelIds`. */
export async function resetNotifyState(
  sql: SqlExecutor,
  discord: FakeDiscord,
  channelIds: readonly string[],
): Promise<void> {
  await sql.exec(
    `TRUNCATE clip_events, deliveries, delivery_messages, subscriptions, clips, guilds, broadcasters CASCADE`,
  );
  discord.clearFaults();
  discord.clearRequests();
  for (const channelId of channelIds) {
    for (const message of discord.messagesIn(channelId)) discord.state.deleteMessage(String(message.id));
  }
}

export async function seedBroadcaster(sql: SqlExecutor, id = '1001', login = `streamer${id}`): Promise<void> {
  await upsertBroadcasters(sql, [
    { id, login, displayName: login, profileImageUrl: null, broadcasterType: '' },
  ]);
}

export async function seedGuild(
  sql: SqlExecutor,
  options: { id: string; systemChannelId?: string | null },
): Promise<void> {
  await sql.query(
    `INSERT INTO guilds (id, name, system_channel_id) VALUES ($1, 'Clip Fans', $2)
     ON CONFLICT (id) DO UPDATE SET system_channel_id = EXCLUDED.system_channel_id`,
    [options.id, options.systemChannelId ?? null],
  );
}

export interface SubscriptionSeed {
  guildId: string;
  channelId: string;
  broadcasterId?: string;
  minViews?: number;
  keywords?: string[];
  keywordMode?: 'any' | 'all';
  excludedWords?: string[];
  gameId?: string | null;
  creatorId?: string | null;
  skipUntitled?: boolean;
  mentionRoleId?: string | null;
  paused?: boolean;
  postClipsSince?: Date;
  createdByUserId?: string;
  mode?: 'every' | 'daily' | 'weekly';
  digestSize?: number;
}

export async function seedSubscription(sql: SqlExecutor, seed: SubscriptionSeed): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `INSERT INTO subscriptions (id, guild_id, discord_channel_id, broadcaster_id, min_views, keywords, keyword_mode,
                                excluded_words, game_id, creator_id, skip_untitled, mention_role_id, paused,
                                post_clips_since, created_by_user_id, mode, digest_size)
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5::text[], $6, $7::text[], $8, $9, $10, $11, $12, $13::timestamptz, $14,
             $15, $16)
     RETURNING id::text AS id`,
    [
      seed.guildId,
      seed.channelId,
      seed.broadcasterId ?? '1001',
      seed.minViews ?? 0,
      seed.keywords ?? [],
      seed.keywordMode ?? 'any',
      seed.excludedWords ?? [],
      seed.gameId ?? null,
      seed.creatorId ?? null,
      seed.skipUntitled ?? false,
      seed.mentionRoleId ?? null,
      seed.paused ?? false,
      seed.postClipsSince ?? new Date(Date.now() - 3_600_000),
      seed.createdByUserId ?? '3001',
      seed.mode ?? 'every',
      seed.digestSize ?? 5,
    ],
  );
  return row!.id;
}

/** Stores clips and their clip_events in one transaction, as the sync does. */
export async function ingestClips(sql: SqlExecutor, clips: ClipRecord[], now = new Date()): Promise<void> {
  await sql.transaction(async (tx) => {
    const result = await upsertClips(tx, clips, now);
    await recordClipEvents(tx, significantUpdates(result));
  });
}

export function restFor(discord: FakeDiscord, options: { retries?: number; timeout?: number } = {}): REST {
  return new REST({
    api: discord.restUrl,
    version: '10',
    retries: options.retries ?? 1,
    timeout: options.timeout ?? 5_000,
  }).setToken(discord.token);
}

export function newNotifier(
  sql: SqlExecutor,
  discord: FakeDiscord,
  options: NotifierOptionsInput = {},
  registry = new Registry(),
): Notifier {
  return createNotifier({
    db: { sql },
    discord: notifyDiscordFromRest(restFor(discord), { token: discord.token }),
    logger: testLogger(),
    registry,
    options: { worker: { retryBaseMs: 20, retryMaxMs: 200 }, ...options },
  });
}

/** Runs fan-out, packing, delivery and pause notices until nothing is pending or in backoff (or `timeoutMs`). */
export async function drainNotifier(sql: SqlExecutor, notifier: Notifier, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    while ((await notifier.steps.fanOut()) > 0);
    await notifier.steps.pack();
    await notifier.steps.deliverDue();
    await notifier.steps.sendPauseNotices();
    const [row] = await sql.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM deliveries WHERE status = 'pending')
            + (SELECT count(*) FROM clip_events WHERE processed_at IS NULL)
            + (SELECT count(*) FROM pause_notices WHERE status = 'pending') AS n`,
    );
    if (Number(row!.n) === 0) return;
    if (Date.now() > deadline) throw new Error(`notifier did not drain: ${row!.n} pending`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export async function deliveryRows(
  sql: SqlExecutor,
): Promise<{ clip_id: string; subscription_id: string; status: string; message_id: string | null }[]> {
  return sql.query(
    `SELECT clip_id, subscription_id::text AS subscription_id, status, message_id FROM deliveries ORDER BY id`,
  );
}

/** Clip ids posted in a channel of the fake, one entry per embed (so a duplicate post shows twice). */
export function postedClipUrls(discord: FakeDiscord, channelId: string): string[] {
  return discord
    .messagesIn(channelId)
    .flatMap((message) =>
      ((message.embeds ?? []) as Array<{ url?: string }>).map((embed) => embed.url ?? ''),
    );
}
