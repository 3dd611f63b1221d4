// Shared setup of the notification end-to-end tests: the real bot process against the fake Discord and
// fake Twitch, with real PostgreSQL and Redis. Subscriptions are rows written straight into the database
// (the /subscriptions command is not what these tests exercise), and a channel's next poll is made due when
// clips are added so the tests wait for delivery, not for the live poll interval.
import pg from 'pg';
import { expect } from 'vitest';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { createTestPostgresDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/redisServer.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface NotifyWorld {
  discord: FakeDiscord;
  twitch: FakeTwitch;
  database: { url: string; drop(): Promise<void> };
  pool: pg.Pool;
  /** Starts a bot process (with `env` added to the fakes' environment) and waits until it notifies. */
  startBot(env?: Record<string, string>): Promise<BotProcess>;
  /**
   * A broadcaster on the fake Twitch, tracked by the bot, and a subscription posting it to a new channel of
   * the default guild (or of `guildId`, which must already be recorded in the guilds table).
   */
  subscribe(
    login: string,
    options?: { minViews?: number; guildId?: string },
  ): Promise<{ broadcasterId: string; channelId: string }>;
  /**
   * Adds `count` clips (created a minute ago) to each target's broadcaster on the fake Twitch; returns the
   * clip ids expected in each target's Discord channel.
   */
  addClips(
    targets: readonly { broadcasterId: string; channelId: string }[],
    count: number,
    title: string,
  ): Map<string, string[]>;
  /** Makes the channels' next poll due now. */
  pollNow(): Promise<void>;
  /** Clip ids posted in a channel, one per embed (a duplicate post shows twice). */
  postedClipIds(channelId: string): string[];
  /**
   * Waits until each channel shows as many posted clips as expected, lets a late duplicate appear, then
   * checks that each expected clip was posted exactly once.
   */
  expectPostedOnce(expected: Map<string, string[]>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startNotifyWorld(
  options: { discord?: Parameters<typeof startFakeDiscord>[0] } = {},
): Promise<NotifyWorld> {
  const discord = await startFakeDiscord(options.discord);
  const twitch = await startFakeTwitch({ clipVisibilityDelayMs: 0 });
  const database = await createTestPostgresDatabase();
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // An idle connection that the server ends (the database is dropped WITH (FORCE) at the end, possibly while
  // a failed test's poll still holds one) must not become an uncaught exception that fails the whole run.
  pool.on('error', () => undefined);
  const bots: BotProcess[] = [];
  const guildId = discord.fixtures.guild.id;
  let migrated = false;

  const world: NotifyWorld = {
    discord,
    twitch,
    database,
    pool,
    async startBot(extraEnv = {}) {
      const env = botEnvForFakes(discord, twitch, {
        DATABASE_URL: database.url,
        REDIS_URL,
        ADMIN_PORT: String(await freePort()),
        LOG_LEVEL: 'info',
        ...extraEnv,
      });
      const bot = startBotProcess({ env });
      bots.push(bot);
      await bot.waitForLog((line) => line.msg === 'Notifier started', 120_000);
      if (!migrated) {
        migrated = true;
        await pool.query(
          `INSERT INTO guilds (id, name, system_channel_id) VALUES ($1, 'Clip Fans', $2)
           ON CONFLICT (id) DO UPDATE SET system_channel_id = EXCLUDED.system_channel_id`,
          [guildId, discord.fixtures.general.id],
        );
      }
      return bot;
    },
    async subscribe(login, options = {}) {
      const broadcaster = twitch.addBroadcaster({ login });
      const channel = discord.addChannel(options.guildId ?? guildId, { name: `clips-${login}` });
      const since = new Date(Date.now() - 10 * 60_000);
      await pool.query(`INSERT INTO broadcasters (id, login, display_name) VALUES ($1, $2, $2)`, [
        broadcaster.id,
        login,
      ]);
      await pool.query(
        `INSERT INTO tracked_channels (broadcaster_id, reason, tracked_since, backfill_status, backfill_until,
                                       last_polled_at, next_poll_at, is_live)
         VALUES ($1, 'subscription', $2, 'done', $2, $2, now() + interval '1 hour', true)`,
        [broadcaster.id, since],
      );
      await pool.query(
        `INSERT INTO subscriptions (id, guild_id, discord_channel_id, broadcaster_id, min_views, post_clips_since,
                                    created_by_user_id)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)`,
        [
          options.guildId ?? guildId,
          channel.id,
          broadcaster.id,
          options.minViews ?? 0,
          since,
          discord.fixtures.owner.id,
        ],
      );
      return { broadcasterId: broadcaster.id, channelId: channel.id };
    },
    addClips(targets, count, title) {
      const expected = new Map<string, string[]>();
      for (const { broadcasterId, channelId } of targets) {
        const createdAt = new Date(Date.now() - 60_000).toISOString();
        const clips = Array.from({ length: count }, (_, i) =>
          twitch.addClip({ broadcasterId, title: `${title} ${i}`, viewCount: 10 + i, createdAt }),
        );
        expected.set(
          channelId,
          clips.map((clip) => clip.id),
        );
      }
      return expected;
    },
    async pollNow() {
      await pool.query(`UPDATE tracked_channels SET next_poll_at = now()`);
    },
    postedClipIds(channelId) {
      return discord
        .messagesIn(channelId)
        .flatMap((message) =>
          ((message.embeds ?? []) as Array<{ url?: string }>).map((embed) => embed.url ?? ''),
        )
        .map((url) => url.split('/').pop() ?? '');
    },
    async expectPostedOnce(expected, timeoutMs) {
      await eventually(
        async () =>
          [...expected].every(([channelId, ids]) => world.postedClipIds(channelId).length >= ids.length)
            ? true
            : undefined,
        timeoutMs,
        'every clip posted',
      );
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      for (const [channelId, ids] of expected) {
        const posted = world.postedClipIds(channelId);
        expect(posted.length, `posts in ${channelId} (a duplicate counts twice)`).toBe(ids.length);
        expect(new Set(posted)).toEqual(new Set(ids));
      }
    },
    async close() {
      await Promise.all(bots.map((bot) => bot.stop('SIGKILL')));
      await pool.end();
      await discord.close();
      await twitch.close();
      await database.drop();
    },
  };
  return world;
}
