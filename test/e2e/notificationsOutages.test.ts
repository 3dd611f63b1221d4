// Outages around a delivery, with the real bot process: Twitch answering 5xx while it polls, Discord slower
// than the REST client's timeout (before and after creating the message), and PostgreSQL restarted in the
// middle of a delivery. The bot uses a private PostgreSQL cluster (never the shared server on 5432, which
// other test files use at the same time), so that one can be stopped and started again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BotProcess } from '../support/botProcess.js';
import { PostgresServer } from '../support/postgresServer.js';
import { startNotifyWorld, type NotifyWorld } from './notifyE2e.js';

/** The bot's Discord REST timeout here; the fake's slow answers take longer. */
const REST_TIMEOUT_MS = 4_000;
const SLOW_ANSWER_MS = 5_000;
const OUTAGE_MS = 4_000;

describe('clip notifications through outages', () => {
  let server: PostgresServer | undefined;
  let world: NotifyWorld | undefined;
  let bot: BotProcess;
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

  beforeAll(async () => {
    server = await PostgresServer.create();
    const admin = new pg.Client({ connectionString: server.url() });
    await admin.connect();
    await admin.query('CREATE DATABASE notify');
    await admin.end();
    // The server (and the database with it) is removed in afterAll, also when a test failed.
    world = await startNotifyWorld({
      database: { url: server.url('notify'), drop: async () => undefined },
      // The slash command at the end must be answered in time on a machine loaded by the whole suite.
      discord: { interactionAckWindowMs: 15_000, waitTimeoutMs: 30_000 },
    });
    bot = await world.startBot({ DISCORD_REST_TIMEOUT_MS: String(REST_TIMEOUT_MS) });
  }, 120_000);
  afterAll(async () => {
    try {
      await world?.close();
    } finally {
      await server?.destroy();
    }
  });

  it('posts clips once although Twitch answers 5xx while the bot polls', { timeout: 90_000 }, async () => {
    const w = world!;
    const { broadcasterId, channelId } = await w.subscribe('helixdown');
    const clips = Array.from({ length: 5 }, (_, i) =>
      w.twitch.addClip({ broadcasterId, title: `outage ${i}`, viewCount: 7, createdAt: minutesAgo(1) }),
    );
    // Four 503s outlast twurple's three retries: the poll fails and the channel backs off (5–10 s), then the
    // next poll meets two more, which twurple's retries absorb.
    w.twitch.injectFault('clips', { kind: 'status', status: 503 }, 6);
    const logsBefore = bot.logs.length;
    await w.pollNow();
    await w.expectPostedOnce(new Map([[channelId, clips.map((clip) => clip.id)]]), 60_000);
    expect(w.twitch.faults.pending('clips')).toBe(0);
    expect(bot.logs.slice(logsBefore).some((line) => line.msg === 'Channel poll failed')).toBe(true);
  });

  it(
    'posts every clip once when Discord answers slower than the timeout, before and after creating the message',
    { timeout: 90_000 },
    async () => {
      const w = world!;
      const [before, after] = await Promise.all([w.subscribe('slowbefore'), w.subscribe('slowafter')]);
      const expected = w.addClips([before!, after!], 12, { title: 'slow', minutesAgo: 1 });
      // Held before the handling: every try of the first post times out (the REST client's first try and
      // its three retries), so the worker schedules its own retry; the held requests are then handled late,
      // and all carry the same nonce.
      w.discord.failNext(`POST /channels/${before!.channelId}/messages`, {
        delayMs: SLOW_ANSWER_MS,
        count: 5,
      });
      // Handled at once, answered too late: the message exists but the bot never heard of it.
      w.discord.failNext(`POST /channels/${after!.channelId}/messages`, {
        delayMs: SLOW_ANSWER_MS,
        afterProcessing: true,
        count: 2,
      });
      const logsBefore = bot.logs.length;
      await w.pollNow();
      await w.expectPostedOnce(expected, 75_000);
      // Requests were repeated (timed out, then tried again with the same nonce), yet nothing doubled.
      for (const { channelId } of [before!, after!]) {
        const posts = w.discord.findRequests({ method: 'POST', path: `/channels/${channelId}/messages` });
        expect(posts.length).toBeGreaterThan(w.discord.messagesIn(channelId).length);
      }
      const retries = bot.logs
        .slice(logsBefore)
        .filter(
          (line) =>
            line.msg === 'Delivery message failed; will retry' && line.channelId === before!.channelId,
        );
      expect(retries.length).toBeGreaterThanOrEqual(1);
      expect(String(retries[0]!.reason)).toMatch(/abort/i);
      expect(bot.child.exitCode).toBeNull();
    },
  );

  it(
    'posts every clip exactly once when PostgreSQL goes down mid-delivery and comes back',
    { timeout: 150_000 },
    async () => {
      const w = world!;
      const targets = await Promise.all(['pga', 'pgb', 'pgc'].map((login) => w.subscribe(login)));
      const expected = w.addClips(targets, 80, { title: 'restart', minutesAgo: 2 });
      for (const { channelId } of targets) {
        // Slow first answers, so the outage lands while posts are in flight (the fake still creates them);
        // after that the fake's per-channel limit (5 messages / 5 s) spreads the 8 messages of each channel.
        w.discord.failNext(`POST /channels/${channelId}/messages`, { delayMs: 500, count: 3 });
      }
      await w.pollNow();
      const broadcasterIds = targets.map((target) => target.broadcasterId);
      await w.waitForStoredClips(broadcasterIds, 240, 60_000);
      await w.discord.waitForRequest(
        (request) =>
          request.method === 'POST' && request.path === `/channels/${targets[0]!.channelId}/messages`,
        30_000,
      );

      const logsBefore = bot.logs.length;
      await server!.stop('immediate');
      const postedAtStop = targets.reduce((sum, { channelId }) => sum + w.postedClipIds(channelId).length, 0);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      await server!.start();
      expect(postedAtStop).toBeLessThan(240);

      await w.expectPostedOnce(expected, 100_000);
      expect(bot.child.exitCode).toBeNull();
      expect(bot.child.signalCode).toBeNull();
      // The outage did reach the bot: its loops saw the database go away and came back on their own.
      const since = bot.logs.slice(logsBefore);
      expect(since.some((line) => line.msg === 'Loop iteration failed')).toBe(true);
      expect(since.some((line) => line.msg === 'Loop recovered')).toBe(true);
      // And the database agrees: every delivery recorded as sent once, none pending or dead-lettered.
      const { rows } = await w.pool.query<{ status: string; n: number }>(
        `SELECT d.status, count(*)::int AS n FROM deliveries d JOIN clips c ON c.id = d.clip_id
          WHERE c.broadcaster_id = ANY($1) GROUP BY d.status`,
        [broadcasterIds],
      );
      expect(rows.map((row) => [row.status, row.n])).toEqual([['sent', 240]]);

      // Prisma (through @prisma/adapter-pg, on the same pool) works again too: /favorites reads and writes
      // through it.
      await w.discord.waitForGatewaySession(30_000);
      const [firstClip] = expected.get(targets[0]!.channelId)!;
      const saved = await w.discord.interact
        .slashCommand({ name: 'favorites', subcommand: 'add', options: { clip: firstClip! } })
        .finalMessage();
      expect(String(saved.content)).toContain('Saved');
    },
  );
});
