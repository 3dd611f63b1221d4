// Subscriptions posting as the bot into a forum channel: each message is a forum post (a thread whose
// starter message has its id), exactly once even when Discord's answer to the thread creation is lost,
// edited and removed in its thread, refused with a pause when the forum requires tags; the test post and
// digests go there as posts too.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/Database.js';
import { createBotPoster } from '../../../src/notify/BotPoster.js';
import { createDigestScheduler } from '../../../src/notify/digests/DigestScheduler.js';
import type { Notifier } from '../../../src/notify/Notifier.js';
import { notifyDiscordFromRest } from '../../../src/notify/notifyDiscord.js';
import { sendSubscriptionTestPost } from '../../../src/notify/sendSubscriptionTestPost.js';
import { recordClipEvents } from '../../../src/sync/clipEvents.js';
import type { FakeDiscord } from '../../fakes/discord/index.js';
import { testLogger } from '../../support/databases.js';
import {
  drainNotifier,
  ingestClips,
  makeClip,
  newNotifier,
  openNotifyPostgresWorld,
  restFor,
  seedBroadcaster,
  seedGuild,
  seedSubscription,
} from './notifyFixture.js';

describe('bot-mode delivery to a forum channel', () => {
  let world: Awaited<ReturnType<typeof openNotifyPostgresWorld>>;
  let db: Database;
  let discord: FakeDiscord;
  let guildId: string;
  let notifier: Notifier;
  let forumId: string;

  beforeAll(async () => {
    world = await openNotifyPostgresWorld();
    ({ db, discord } = world);
    guildId = discord.fixtures.guild.id;
    notifier = newNotifier(db.sql, discord);
  }, 60_000);
  afterAll(async () => world?.close());
  beforeEach(async () => {
    await db.sql.exec(
      `TRUNCATE clip_events, deliveries, delivery_messages, digest_runs, pause_notices, subscriptions, clips,
                guilds, broadcasters CASCADE`,
    );
    discord.clearFaults();
    discord.clearRequests();
    // A fresh forum per test, so earlier tests' posts never count.
    forumId = discord.addChannel(guildId, {
      name: `forum-${Math.random().toString(36).slice(2, 8)}`,
      type: 15,
    }).id;
    await seedBroadcaster(db.sql, '1001');
    await seedGuild(db.sql, { id: guildId });
  });

  /** The forum's posts: thread name and the embed titles of its starter message (whose id is the thread's). */
  const posts = () =>
    discord.fixtures.guild.channels
      .filter((channel) => channel.parentId === forumId)
      .map((thread) => {
        const messages = discord.messagesIn(thread.id);
        return {
          name: thread.name,
          starterHasThreadId: messages[0]?.id === thread.id,
          messages: messages.length,
          titles: messages.flatMap((message) =>
            ((message.embeds ?? []) as Array<{ title: string }>).map((embed) => embed.title),
          ),
        };
      });
  const settle = async () => {
    await drainNotifier(db.sql, notifier);
    while ((await notifier.steps.syncClipChanges()) > 0);
  };

  it('posts each clip as a forum post named after it, and records the thread', async () => {
    await seedSubscription(db.sql, { guildId, channelId: forumId });
    await ingestClips(db.sql, [makeClip({ title: 'First ace' }), makeClip({ title: 'Second ace' })]);
    await settle();

    expect(posts()).toEqual([
      { name: 'First ace', starterHasThreadId: true, messages: 1, titles: ['First ace'] },
      { name: 'Second ace', starterHasThreadId: true, messages: 1, titles: ['Second ace'] },
    ]);
    expect(discord.messagesIn(forumId)).toEqual([]);
    const rows = await db.sql.query<{ status: string; message_id: string; thread_id: string }>(
      `SELECT status, message_id, thread_id FROM delivery_messages ORDER BY id`,
    );
    expect(rows).toHaveLength(2);
    for (const row of rows)
      expect(row).toEqual({ status: 'sent', message_id: row.thread_id, thread_id: row.thread_id });
    // The forum's kind is learnt once: one refused message, one Get Channel, then posts straight away.
    expect(discord.findRequests({ method: 'POST', path: `/channels/${forumId}/messages` })).toHaveLength(1);
    expect(discord.findRequests({ method: 'GET', path: `/channels/${forumId}` })).toHaveLength(1);
  });

  it('makes one post when the answer to the thread creation is lost after Discord made it', async () => {
    await seedSubscription(db.sql, { guildId, channelId: forumId });
    // Discord creates the thread, then answers 500: the post exists, the bot does not know it.
    discord.failNext('POST /channels/:id/threads', { status: 500, afterProcessing: true });
    await ingestClips(db.sql, [makeClip({ title: 'Only once' })]);
    await settle();

    expect(posts()).toEqual([
      { name: 'Only once', starterHasThreadId: true, messages: 1, titles: ['Only once'] },
    ]);
    // Exactly one thread creation happened: the retry found the first attempt's post among the active threads.
    expect(discord.findRequests({ method: 'POST', path: `/channels/${forumId}/threads` })).toHaveLength(1);
    expect(
      discord.findRequests({ method: 'GET', path: `/guilds/${guildId}/threads/active` }).length,
    ).toBeGreaterThan(0);
    const [row] = await db.sql.query<{
      status: string;
      attempts: number;
      thread_id: string;
      message_id: string;
    }>(`SELECT status, attempts, thread_id, message_id FROM delivery_messages`);
    const thread = discord.fixtures.guild.channels.find((channel) => channel.parentId === forumId);
    expect(row).toEqual({ status: 'sent', attempts: 2, thread_id: thread!.id, message_id: thread!.id });
  });

  it('edits a renamed clip in its post and removes the post message of a deleted clip', async () => {
    await seedSubscription(db.sql, { guildId, channelId: forumId });
    const clip = makeClip({ title: 'old name' });
    await ingestClips(db.sql, [clip]);
    await settle();
    await ingestClips(db.sql, [{ ...clip, title: 'new name' }]);
    await settle();
    expect(posts()).toEqual([
      { name: 'old name', starterHasThreadId: true, messages: 1, titles: ['new name'] },
    ]);

    await db.sql.transaction(async (tx) => {
      await tx.query(`UPDATE clips SET deleted_at = now() WHERE id = $1`, [clip.id]);
      await recordClipEvents(tx, { discovered: [], updated: [] }, [
        { clipId: clip.id, broadcasterId: '1001' },
      ]);
    });
    await settle();
    expect(posts()).toEqual([{ name: 'old name', starterHasThreadId: false, messages: 0, titles: [] }]);
    const [row] = await db.sql.query<{ status: string }>(`SELECT status FROM delivery_messages`);
    expect(row!.status).toBe('removed');
  });

  it('pauses the subscription and tells the guild when the forum requires a tag', async () => {
    const tagged = discord.addChannel(guildId, { name: 'tagged', type: 15, requireTag: true }).id;
    await seedGuild(db.sql, { id: guildId, systemChannelId: discord.fixtures.general.id });
    await seedSubscription(db.sql, { guildId, channelId: tagged });
    await ingestClips(db.sql, [makeClip()]);
    await settle();

    const [subscription] = await db.sql.query<{ paused: boolean; paused_reason: string }>(
      `SELECT paused, paused_reason FROM subscriptions`,
    );
    expect(subscription).toEqual({ paused: true, paused_reason: '40067' });
    const notices = discord
      .messagesIn(discord.fixtures.general.id)
      .filter((message) => String(message.content).includes(`<#${tagged}>`));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.content).toContain('Require people to tag their posts');
  });

  it('sends the test post of /subscriptions test as a forum post', async () => {
    const poster = createBotPoster(notifyDiscordFromRest(restFor(discord), { token: discord.token }));
    const { messageId } = await sendSubscriptionTestPost(poster, {
      discordChannelId: forumId,
      channelName: 'speedy',
      broadcasterId: '1001',
      filters: { mentionRoleId: null, postAs: 'bot' } as Parameters<
        typeof sendSubscriptionTestPost
      >[1]['filters'],
    });
    expect(posts()).toEqual([
      expect.objectContaining({ name: 'Test post: speedy', starterHasThreadId: true }),
    ]);
    expect(discord.messagesIn(messageId)).toHaveLength(1);
  });

  it("posts a digest as one forum post named after the digest's heading", async () => {
    await db.sql.query(`UPDATE guilds SET timezone = 'America/New_York' WHERE id = $1`, [guildId]);
    await seedSubscription(db.sql, {
      guildId,
      channelId: forumId,
      mode: 'daily',
      digestSize: 2,
      postClipsSince: new Date('2026-11-01T00:00:00Z'),
    });
    await ingestClips(db.sql, [
      makeClip({ title: 'top', viewCount: 50, createdAt: new Date('2026-12-01T12:00:00Z') }),
      makeClip({ title: 'second', viewCount: 20, createdAt: new Date('2026-12-01T13:00:00Z') }),
    ]);
    await createDigestScheduler({ db, logger: testLogger() }).runOnce(new Date('2026-12-02T15:00:00Z'));
    await settle();
    expect(posts()).toEqual([
      {
        name: 'Daily digest · top 2 clips of streamer1001 on Tuesday, 1 December 2026',
        starterHasThreadId: true,
        messages: 1,
        titles: ['top', 'second'],
      },
    ]);
  });
});
