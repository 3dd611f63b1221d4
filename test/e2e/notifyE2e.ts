// Shared setup of the notification end-to-end tests: the real bot process against the fake Discord and
// fake Twitch, with real PostgreSQL and Redis. Subscriptions are rows written straight into the database
// (the /subscriptions command is not what these tests exercise), and a channel's next poll is made due when
// clips are added so the tests wait for delivery, not for the live poll interval.
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { botEnvForFakes } from '../fakes/botEnv.js';
import { startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../fakes/discord/index.js';
import { startFakeTwitch, type FakeTwitch } from '../fakes/twitch/index.js';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { createTestPostgresDatabase } from '../support/databases.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/redisServer.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A clip's `createdAt` on the fake Twitch: `minutes` minutes ago. */
export const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

export interface NotifyWorld {
  discord: FakeDiscord;
  twitch: FakeTwitch;
  database: { url: string; drop(): Promise<void> };
  pool: pg.Pool;
  /** Starts a bot process; `env` adds to (or overrides) the configuration pointing it at the fakes. */
  startBot(env?: Record<string, string>): Promise<BotProcess>;
  /**
   * A broadcaster on the fake Twitch, tracked by the bot, and a subscription posting it to a new channel (or
   * `channelId`), by the bot or (`postAs: 'webhook'`) through the channel's webhook as the streamer.
   */
  subscribe(login: string, options?: SubscribeOptions): Promise<{ broadcasterId: string; channelId: string }>;
  /**
   * Adds `perTarget` clips made `minutesAgo` minutes ago to each target's broadcaster on the fake Twitch;
   * returns the expected clip ids per Discord channel.
   */
  addClips(
    targets: ReadonlyArray<{ broadcasterId: string; channelId: string }>,
    perTarget: number,
    options: { title: string; minutesAgo: number },
  ): Map<string, string[]>;
  /** Waits until the bot has stored `count` clips of these broadcasters. */
  waitForStoredClips(broadcasterIds: readonly string[], count: number, timeoutMs: number): Promise<void>;
  /** Makes the channels' next poll due now. */
  pollNow(): Promise<void>;
  /** Clip ids posted in a channel, one per embed (a duplicate shows twice); in a forum, those of its posts. */
  postedClipIds(channelId: string): string[];
  /**
   * Waits until each channel shows as many posted clips as expected, lets a late duplicate appear, then
   * checks that each expected clip was posted exactly once.
   */
  expectPostedOnce(expected: Map<string, string[]>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface SubscribeOptions {
  minViews?: number;
  mode?: 'every' | 'daily' | 'weekly';
  digestSize?: number;
  paused?: boolean;
  /** Posts clips made since (and the channel counts as polled up to) this; default 10 minutes ago. */
  since?: Date;
  postAs?: 'bot' | 'webhook';
  /** Posts in this existing channel instead of a new one. */
  channelId?: string;
  /** A guild other than the default one (it must already be recorded in the guilds table). */
  guildId?: string;
  profileImageUrl?: string;
}

/**
 * `database` replaces the fresh database on the shared server (e.g. one on a private server a test restarts);
 * `close()` calls its `drop()`. `discord` configures the fake Discord.
 */
export async function startNotifyWorld(
  options: { database?: NotifyWorld['database']; discord?: FakeDiscordOptions } = {},
): Promise<NotifyWorld> {
  const discord = await startFakeDiscord(options.discord);
  const twitch = await startFakeTwitch({ clipVisibilityDelayMs: 0 });
  const database = options.database ?? (await createTestPostgresDatabase());
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  // An idle connection that the server ends (the database is dropped WITH (FORCE) at the end, possibly while
  // a failed test's poll still holds one) must not become an uncaught exception that fails the whole run.
  pool.on('error', () => undefined);
  const bots: BotProcess[] = [];
  const guildId = discord.fixtures.guild.id;

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
      // The bot records the guild from its GUILD_CREATE (the fake's has no system channel); set the system
      // channel after that, on every start, or a late record would overwrite it and notices would go by DM.
      await bot.waitForLog((line) => line.msg === 'guilds recorded', 60_000);
      await pool.query(
        `INSERT INTO guilds (id, name, system_channel_id) VALUES ($1, 'Clip Fans', $2)
         ON CONFLICT (id) DO UPDATE SET system_channel_id = EXCLUDED.system_channel_id`,
        [guildId, discord.fixtures.general.id],
      );
      return bot;
    },
    async subscribe(login, options = {}) {
      const broadcaster = twitch.addBroadcaster({ login });
      const channelId =
        options.channelId ?? discord.addChannel(options.guildId ?? guildId, { name: `clips-${login}` }).id;
      const since = options.since ?? new Date(Date.now() - 10 * 60_000);
      await pool.query(
        `INSERT INTO broadcasters (id, login, display_name, profile_image_url) VALUES ($1, $2, $2, $3)`,
        [broadcaster.id, login, options.profileImageUrl ?? null],
      );
      await pool.query(
        `INSERT INTO tracked_channels (broadcaster_id, reason, tracked_since, backfill_status, backfill_until,
                                       last_polled_at, next_poll_at, is_live)
         VALUES ($1, 'subscription', $2, 'done', $2, $2, now() + interval '1 hour', true)`,
        [broadcaster.id, since],
      );
      await pool.query(
        `INSERT INTO subscriptions (id, guild_id, discord_channel_id, broadcaster_id, min_views, post_clips_since,
                                   created_by_user_id, mode, digest_size, paused, post_as)
         VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          options.guildId ?? guildId,
          channelId,
          broadcaster.id,
          options.minViews ?? 0,
          since,
          discord.fixtures.owner.id,
          options.mode ?? 'every',
          options.digestSize ?? 5,
          options.paused ?? false,
          options.postAs ?? 'bot',
        ],
      );
      return { broadcasterId: broadcaster.id, channelId };
    },
    addClips(targets, perTarget, options) {
      const createdAt = minutesAgo(options.minutesAgo);
      const expected = new Map<string, string[]>();
      for (const { broadcasterId, channelId } of targets) {
        const clips = Array.from({ length: perTarget }, (_, i) =>
          twitch.addClip({ broadcasterId, title: `${options.title} ${i}`, viewCount: 100 + i, createdAt }),
        );
        expected.set(
          channelId,
          clips.map((clip) => clip.id),
        );
      }
      return expected;
    },
    async waitForStoredClips(broadcasterIds, count, timeoutMs) {
      await eventually(
        async () => {
          const { rows } = await pool.query<{ stored: number }>(
            'SELECT count(*)::int AS stored FROM clips WHERE broadcaster_id = ANY($1)',
            [broadcasterIds],
          );
          return rows[0]!.stored === count ? true : undefined;
        },
        timeoutMs,
        `all ${count} clips stored`,
      );
    },
    async pollNow() {
      await pool.query(`UPDATE tracked_channels SET next_poll_at = now()`);
    },
    postedClipIds(channelId) {
      // A forum or media channel holds no messages: its posts are threads, each with its starter message.
      const channel = discord.state.channel(channelId).channel;
      const threads =
        channel !== undefined && [15, 16].includes(channel.type)
          ? discord.state.guild(channel.guildId).channels.filter((thread) => thread.parentId === channelId)
          : [];
      return [channelId, ...threads.map((thread) => thread.id)]
        .flatMap((id) => discord.messagesIn(id))
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

/**
 * A world with one running bot for the enclosing `describe`: started before its tests, closed after them.
 * Read `world` and `bot` inside the tests (they are set by then).
 */
export function withNotifyWorld(): { readonly world: NotifyWorld; readonly bot: BotProcess } {
  const setup = {} as { world: NotifyWorld; bot: BotProcess };
  beforeAll(async () => {
    setup.world = await startNotifyWorld();
    setup.bot = await setup.world.startBot();
  }, 90_000);
  afterAll(async () => setup.world?.close());
  return setup;
}
