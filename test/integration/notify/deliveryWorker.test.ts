// The delivery worker against real PostgreSQL (and PGlite) and the fake Discord over loopback: posts with
// nonces, survives 5xx (also after the write), 429s and lost answers without doubling, coalesces bursts,
// dead-letters, and pauses a subscription whose channel refuses posts.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/Database.js';
import { createNotifier } from '../../../src/notify/Notifier.js';
import { notifyDiscordFromRest, type NotifyDiscord } from '../../../src/notify/notifyDiscord.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.js';
import { openTestDatabase, testLogger } from '../../support/databases.js';
import {
  deliveryRows,
  drainNotifier,
  ingestClips,
  makeClip,
  newNotifier,
  postedClipUrls,
  restFor,
  seedBroadcaster,
  seedGuild,
  seedSubscription,
} from './notifyFixture.js';

describe.each(['postgres', 'pglite'] as const)('delivery worker on %s', (kind) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let discord: FakeDiscord;
  let channelId: string;
  let guildId: string;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase(kind));
    discord = await startFakeDiscord();
    channelId = discord.fixtures.clips.id;
    guildId = discord.fixtures.guild.id;
  }, 60_000);
  afterAll(async () => {
    await discord?.close();
    await cleanup?.();
  });
  beforeEach(async () => {
    await db.sql.exec(
      `TRUNCATE clip_events, deliveries, delivery_messages, subscriptions, clips, guilds, broadcasters CASCADE`,
    );
    discord.clearFaults();
    discord.clearRequests();
    discord.setChannelAccess(channelId, 'ok');
    discord.setChannelAccess(discord.fixtures.general.id, 'ok');
    for (const message of discord.messagesIn(channelId)) discord.state.deleteMessage(String(message.id));
    for (const message of discord.messagesIn(discord.fixtures.general.id))
      discord.state.deleteMessage(String(message.id));
    await db.sql.exec(`TRUNCATE pause_notices`);
    await seedBroadcaster(db.sql, '1001');
    await seedGuild(db.sql, { id: guildId, systemChannelId: discord.fixtures.general.id });
  });

  it('posts a new clip once, with a nonce, enforce_nonce and only the configured role allowed to ping', async () => {
    const role = discord.fixtures.moderatorRole.id;
    const subscription = await seedSubscription(db.sql, { guildId, channelId, mentionRoleId: role });
    const clip = makeClip({ title: '@everyone [free](https://evil.example)' });
    await ingestClips(db.sql, [clip]);
    const registry = new Registry();
    const notifier = newNotifier(db.sql, discord, {}, registry);
    await drainNotifier(db.sql, notifier);

    expect(postedClipUrls(discord, channelId)).toEqual([clip.url]);
    const [post] = discord.findRequests('POST /channels/:id/messages');
    const body = post!.body as Record<string, unknown>;
    expect(body).toMatchObject({ enforce_nonce: true, allowed_mentions: { parse: [], roles: [role] } });
    expect(String(body.nonce).length).toBeLessThanOrEqual(25);
    expect(body.content).toBe(`<@&${role}>`);
    const rows = await deliveryRows(db.sql);
    expect(rows).toEqual([
      {
        clip_id: clip.id,
        subscription_id: subscription,
        status: 'sent',
        message_id: String(discord.messagesIn(channelId)[0]!.id),
      },
    ]);
    const [sub] = await db.sql.query<{ last_posted_at: Date | null }>(
      `SELECT last_posted_at FROM subscriptions`,
    );
    expect(sub!.last_posted_at).not.toBeNull();
    await notifier.steps.refreshGauges();
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/tcs_notify_deliveries_total\{outcome="sent"\} 1/);
    expect(metrics).toMatch(/tcs_notify_discovery_to_post_seconds_count 1/);
    expect(metrics).toMatch(/tcs_notify_queue_depth 0/);
  });

  it('posts once when Discord answers 500 after creating the message, and when the answer is lost', async () => {
    await seedSubscription(db.sql, { guildId, channelId });
    const first = makeClip();
    const second = makeClip();
    // Two messages (below the burst threshold each clip is its own message).
    await ingestClips(db.sql, [first]);
    await ingestClips(db.sql, [second]);
    discord.failNext('POST /channels/:id/messages', { status: 500, afterProcessing: true, count: 3 });
    discord.failNext('POST /channels/:id/messages', {
      dropConnection: true,
      afterProcessing: true,
      count: 2,
    });
    const notifier = newNotifier(db.sql, discord);
    await drainNotifier(db.sql, notifier);
    expect(postedClipUrls(discord, channelId).sort()).toEqual([first.url, second.url].sort());
    expect(discord.findRequests('POST /channels/:id/messages').length).toBeGreaterThan(2);
    expect((await deliveryRows(db.sql)).every((row) => row.status === 'sent')).toBe(true);
  });

  it('waits out 429s and retries 5xx with backoff, losing nothing', async () => {
    await seedSubscription(db.sql, { guildId, channelId });
    const clips = [makeClip(), makeClip()];
    await ingestClips(db.sql, [clips[0]!]);
    await ingestClips(db.sql, [clips[1]!]);
    discord.failNext('POST /channels/:id/messages', { status: 429, retryAfterMs: 200 });
    discord.failNext('POST /channels/:id/messages', { status: 503, count: 4 });
    const notifier = newNotifier(db.sql, discord);
    await drainNotifier(db.sql, notifier);
    expect(postedClipUrls(discord, channelId).sort()).toEqual(clips.map((clip) => clip.url).sort());
    const [message] = await db.sql.query<{ attempts: number }>(
      `SELECT max(attempts) AS attempts FROM delivery_messages`,
    );
    expect(message!.attempts).toBeGreaterThan(1);
  });

  it('coalesces a burst into messages of up to 10 embeds, in clip order', async () => {
    await seedSubscription(db.sql, { guildId, channelId });
    const clips = Array.from({ length: 23 }, () => makeClip());
    await ingestClips(db.sql, clips);
    const notifier = newNotifier(db.sql, discord);
    await drainNotifier(db.sql, notifier);
    const messages = discord.messagesIn(channelId);
    expect(messages.map((message) => (message.embeds as unknown[]).length)).toEqual([10, 10, 3]);
    expect(new Set(postedClipUrls(discord, channelId))).toEqual(new Set(clips.map((clip) => clip.url)));
    expect(postedClipUrls(discord, channelId)).toHaveLength(23);
  });

  it('finds an old attempt among recent messages instead of posting again once the nonce window is over', async () => {
    await seedSubscription(db.sql, { guildId, channelId });
    const clip = makeClip();
    await ingestClips(db.sql, [clip]);
    discord.failNext('POST /channels/:id/messages', { status: 500, afterProcessing: true, count: 2 });
    // nonceTrustMs 0: every retry distrusts the nonce and searches first.
    const notifier = newNotifier(db.sql, discord, {
      worker: { nonceTrustMs: 0, retryBaseMs: 10, retryMaxMs: 20 },
    });
    await drainNotifier(db.sql, notifier);
    expect(postedClipUrls(discord, channelId)).toEqual([clip.url]);
    expect(discord.findRequests('GET /channels/:id/messages').length).toBeGreaterThan(0);
    // The first POST and @discordjs/rest's own repeat of it (both answered 500); our retry found the post.
    expect(
      discord.findRequests('POST /channels/:id/messages').filter((request) => request.status !== 429),
    ).toHaveLength(2);
  });

  it('dead-letters after the last attempt and shows the reason on the subscription', async () => {
    const subscription = await seedSubscription(db.sql, { guildId, channelId });
    await ingestClips(db.sql, [makeClip()]);
    discord.failNext('POST /channels/:id/messages', { status: 502, count: 100 });
    const registry = new Registry();
    const notifier = newNotifier(
      db.sql,
      discord,
      { worker: { maxAttempts: 3, retryBaseMs: 10, retryMaxMs: 20 } },
      registry,
    );
    await drainNotifier(db.sql, notifier);
    expect(discord.messagesIn(channelId)).toHaveLength(0);
    expect((await deliveryRows(db.sql)).map((row) => row.status)).toEqual(['failed']);
    const [sub] = await db.sql.query<{ last_error: string; paused: boolean }>(
      `SELECT last_error, paused FROM subscriptions WHERE id = $1`,
      [subscription],
    );
    expect(sub!.last_error).toMatch(/^Gave up after 3 attempts: Discord HTTP 502/);
    expect(sub!.paused).toBe(false);
    expect(await registry.metrics()).toMatch(/tcs_notify_dead_letters_total 1/);
  });

  it('pauses the subscription on Missing Permissions and tells the guild once, in its system channel', async () => {
    const subscription = await seedSubscription(db.sql, { guildId, channelId });
    discord.setChannelAccess(channelId, 'missing-permissions');
    await ingestClips(
      db.sql,
      [makeClip(), makeClip(), makeClip()].map((clip, i) => ({ ...clip, title: `c${i}` })),
    );
    // Below the burst threshold one at a time: three separate messages, the first fails.
    const notifier = newNotifier(db.sql, discord, { pack: { burstThreshold: 100 } });
    await drainNotifier(db.sql, notifier);
    const [sub] = await db.sql.query<{ paused: boolean; paused_reason: string; last_error: string }>(
      `SELECT paused, paused_reason, last_error FROM subscriptions WHERE id = $1`,
      [subscription],
    );
    expect(sub).toMatchObject({ paused: true, paused_reason: '50013' });
    expect(sub!.last_error).toContain('Missing Permissions (50013)');
    expect((await deliveryRows(db.sql)).map((row) => row.status).sort()).toEqual([
      'failed',
      'skipped',
      'skipped',
    ]);
    const notices = discord.messagesIn(discord.fixtures.general.id);
    expect(notices).toHaveLength(1);
    expect(String(notices[0]!.content)).toMatch(/Send Messages.*\/subscriptions resume/);
    // Only the first post was tried: the channel is not hammered with requests that will fail. (A 429 from
    // the channel's bucket, used up by earlier tests, is not an attempt: @discordjs/rest waits and repeats it.)
    const posts = discord
      .findRequests({ method: 'POST', path: `/channels/${channelId}/messages` })
      .filter((request) => request.status !== 429);
    expect(posts.map((request) => request.status)).toEqual([403]);
  });

  it('tells the subscriber by DM when the guild has no usable system channel', async () => {
    await seedGuild(db.sql, { id: guildId, systemChannelId: null });
    const user = discord.fixtures.owner.id;
    await seedSubscription(db.sql, { guildId, channelId, createdByUserId: user });
    discord.setChannelAccess(channelId, 'missing-access');
    await ingestClips(db.sql, [makeClip()]);
    await drainNotifier(db.sql, newNotifier(db.sql, discord));
    const dm = discord.findRequests('POST /users/@me/channels');
    expect(dm).toHaveLength(1);
    const dmChannel = String((dm[0]!.responseBody as { id: string }).id);
    expect(String(discord.messagesIn(dmChannel)[0]!.content)).toContain('Missing Access (50001)');
  });

  it('tells the subscriber by DM when the system channel refuses the notice too', async () => {
    // Not the owner, whose DM channel other tests write to.
    const user = discord.fixtures.moderator.id;
    await seedSubscription(db.sql, { guildId, channelId, createdByUserId: user });
    discord.setChannelAccess(channelId, 'missing-access');
    discord.setChannelAccess(discord.fixtures.general.id, 'missing-permissions');
    await ingestClips(db.sql, [makeClip()]);
    await drainNotifier(db.sql, newNotifier(db.sql, discord));
    const refused = discord.findRequests({
      method: 'POST',
      path: `/channels/${discord.fixtures.general.id}/messages`,
      status: 403,
    });
    expect(refused).toHaveLength(1);
    const dm = discord.findRequests('POST /users/@me/channels');
    expect(dm).toHaveLength(1);
    const dmChannel = String((dm[0]!.responseBody as { id: string }).id);
    expect(discord.messagesIn(dmChannel)).toHaveLength(1);
    expect(String(discord.messagesIn(dmChannel)[0]!.content)).toContain('Missing Access (50001)');
    const rows = await db.sql.query<{ status: string; via_dm: boolean }>(
      `SELECT status, via_dm FROM pause_notices`,
    );
    expect(rows).toEqual([{ status: 'sent', via_dm: true }]);
  });

  it.each([
    ['before the notice reached Discord', false],
    ['after Discord created the notice', true],
  ])(
    'tells the guild exactly once when the process dies between the pause and the notice, %s',
    async (_when, afterWrite) => {
      await seedSubscription(db.sql, { guildId, channelId });
      discord.setChannelAccess(channelId, 'missing-permissions');
      await ingestClips(db.sql, [makeClip()]);
      const general = discord.fixtures.general.id;
      const real = notifyDiscordFromRest(restFor(discord), { token: discord.token });
      let died!: () => void;
      const dead = new Promise<void>((resolve) => (died = resolve));
      // The first process pauses the subscription, then dies while posting the notice: nothing it would
      // do after that point happens.
      const dying: NotifyDiscord = {
        ...real,
        async postMessage(channel, body) {
          if (channel !== general) return real.postMessage(channel, body);
          if (afterWrite) await real.postMessage(channel, body);
          died();
          return new Promise(() => undefined);
        },
      };
      const first = createNotifier({ db: { sql: db.sql }, discord: dying, logger: testLogger() });
      void (async () => {
        while ((await first.steps.fanOut()) > 0);
        await first.steps.pack();
        await first.steps.deliverDue();
        await first.steps.sendPauseNotices();
      })();
      await dead;
      const [sub] = await db.sql.query<{ paused: boolean }>(`SELECT paused FROM subscriptions`);
      expect(sub!.paused).toBe(true);

      // The restarted process, once the dead one's claim has expired.
      const registry = new Registry();
      const restarted = createNotifier({
        db: { sql: db.sql },
        discord: real,
        logger: testLogger(),
        registry,
        clock: () => new Date(Date.now() + 60_000),
      });
      await drainNotifier(db.sql, restarted);
      const notices = discord.messagesIn(general);
      expect(notices).toHaveLength(1);
      expect(String(notices[0]!.content)).toMatch(/Send Messages.*\/subscriptions resume/);
      const rows = await db.sql.query<{ status: string; attempts: number; message_id: string }>(
        `SELECT status, attempts, message_id FROM pause_notices`,
      );
      expect(rows).toEqual([{ status: 'sent', attempts: 2, message_id: String(notices[0]!.id) }]);
      expect(await registry.metrics()).toMatch(/tcs_notify_pause_notices_total\{result="sent"\} 1/);
    },
  );
});
