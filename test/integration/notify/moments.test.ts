// Moment grouping against real PostgreSQL and the fake Discord: clips of one moment make one post, whether
// they arrive together, while the moment's message waits, while it is being posted, or after it was posted
// (then the post is edited), also with two notifiers racing on the same database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ClipRecord } from '../../../src/clips/ClipRecord.js';
import { createDatabase } from '../../../src/db/createDatabase.js';
import type { Database } from '../../../src/db/Database.js';
import type { Notifier } from '../../../src/notify/Notifier.js';
import type { FakeDiscord } from '../../fakes/discord/index.js';
import { testLogger } from '../../support/databases.js';
import {
  drainNotifier,
  ingestClips,
  makeClip,
  newNotifier,
  openNotifyPostgresWorld,
  resetNotifyState,
  seedBroadcaster,
  seedGuild,
  seedSubscription,
} from './notifyFixture.js';

interface PostedEmbed {
  url?: string;
  fields?: { name: string; value: string }[];
}

const VOD = '2000000001';

describe('moment grouping on postgres', () => {
  let world: Awaited<ReturnType<typeof openNotifyPostgresWorld>> | undefined;
  let db: Database;
  let url: string;
  let discord: FakeDiscord;
  let channelId: string;
  let guildId: string;
  let notifier: Notifier;

  beforeAll(async () => {
    world = await openNotifyPostgresWorld();
    ({ db, url, discord } = world);
    channelId = discord.fixtures.clips.id;
    guildId = discord.fixtures.guild.id;
    notifier = newNotifier(db.sql, discord);
  }, 60_000);
  afterAll(async () => world?.close());
  beforeEach(async () => {
    await resetNotifyState(db.sql, discord, [channelId]);
    await seedBroadcaster(db.sql, '1001');
    await seedGuild(db.sql, { id: guildId });
    await seedSubscription(db.sql, { guildId, channelId });
  });

  /** Five viewers clip one play: overlapping ranges of one VOD, made seconds apart. */
  const momentClips = (broadcasterId = '1001', views = [5, 40, 12, 7, 3]): ClipRecord[] => {
    const start = Date.now() - 60_000;
    return views.map((viewCount, i) =>
      makeClip({
        broadcasterId,
        videoId: VOD,
        vodOffset: 3_600 + i * 3,
        durationSec: 30,
        createdAt: new Date(start + i * 4_000),
        title: i % 2 === 0 ? 'Stream title' : `named by viewer ${i}`,
        creatorName: `viewer${i}`,
        viewCount,
      }),
    );
  };
  const embedsIn = (channel = channelId) =>
    discord.messagesIn(channel).map((message) => (message.embeds ?? []) as PostedEmbed[]);
  const alsoClippedBy = (embed: PostedEmbed) =>
    embed.fields?.find((field) => field.name === 'Also clipped by')?.value;
  const settle = async (target = notifier) => {
    await drainNotifier(db.sql, target);
    while ((await target.steps.syncClipChanges()) > 0);
  };
  /** Stores clips as the sync does, then runs one fan-out and one packing pass (no post yet). */
  const ingestAndPack = async (clips: ClipRecord[]) => {
    await ingestClips(db.sql, clips);
    await notifier.steps.fanOut();
    await notifier.steps.pack();
  };
  const expectAllSentIn = async (messageId: string, count: number) => {
    const rows = await deliveries();
    expect(rows).toHaveLength(count);
    expect(rows.every((row) => row.status === 'sent' && row.message_id === messageId)).toBe(true);
  };
  const deliveries = () =>
    db.sql.query<{ clip_id: string; status: string; message_id: string | null }>(
      `SELECT clip_id, status, message_id FROM deliveries ORDER BY id`,
    );

  it('posts five clips of one moment that arrive together once, led by the most-viewed', async () => {
    const clips = momentClips();
    await ingestClips(db.sql, clips);
    await settle();
    const posts = embedsIn();
    expect(posts).toHaveLength(1);
    expect(posts[0]).toHaveLength(1);
    expect(posts[0]![0]!.url).toBe(clips[1]!.url);
    expect(alsoClippedBy(posts[0]![0]!)).toBe('viewer0, viewer2, viewer3, viewer4');
    await expectAllSentIn(String(discord.messagesIn(channelId)[0]!.id), 5);
  });

  it('adds a clip to its moment message that is packed but not yet attempted', async () => {
    const [first, second] = momentClips();
    await ingestAndPack([first!]);
    await ingestAndPack([second!]);
    const [row] = await db.sql.query<{ messages: number; carried: number }>(
      `SELECT (SELECT count(*)::int FROM delivery_messages) AS messages,
              (SELECT count(*)::int FROM deliveries WHERE delivery_message_id IS NOT NULL) AS carried`,
    );
    expect(row).toEqual({ messages: 1, carried: 2 });
    await settle();
    expect(embedsIn()).toEqual([[expect.objectContaining({ url: second!.url })]]);
    expect(alsoClippedBy(embedsIn()[0]![0]!)).toBe('viewer0');
    expect(discord.findRequests({ method: 'PATCH' })).toHaveLength(0);
  });

  it('edits the posted message when the rest of the moment arrives later, instead of posting again', async () => {
    const clips = momentClips();
    await ingestClips(db.sql, [clips[0]!]);
    await settle();
    expect(embedsIn()).toEqual([[expect.objectContaining({ url: clips[0]!.url })]]);
    const messageId = String(discord.messagesIn(channelId)[0]!.id);

    await ingestClips(db.sql, clips.slice(1));
    await settle();
    expect(discord.findRequests({ method: 'POST', path: `/channels/${channelId}/messages` })).toHaveLength(1);
    expect(
      discord.findRequests({ method: 'PATCH', path: `/channels/${channelId}/messages/${messageId}` }),
    ).not.toHaveLength(0);
    const posts = embedsIn();
    expect(posts).toHaveLength(1);
    expect(posts[0]![0]!.url).toBe(clips[1]!.url);
    expect(alsoClippedBy(posts[0]![0]!)).toBe('viewer0, viewer2, viewer3, viewer4');
    await expectAllSentIn(messageId, 5);
  });

  it('holds a joining clip while its moment is being posted, then attaches it to the post', async () => {
    const [first, second] = momentClips();
    await ingestAndPack([first!]);
    discord.failNext(`POST /channels/${channelId}/messages`, { delayMs: 1_500 });
    const posting = notifier.steps.deliverDue();
    for (;;) {
      const [row] = await db.sql.query<{ attempts: number }>(`SELECT attempts FROM delivery_messages`);
      if (row!.attempts > 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await ingestAndPack([second!]);
    const [waiting] = await db.sql.query<{ status: string; delivery_message_id: string | null }>(
      `SELECT status, delivery_message_id FROM deliveries WHERE clip_id = $1`,
      [second!.id],
    );
    expect(waiting).toEqual({ status: 'pending', delivery_message_id: null });
    expect(await posting).toBe(1);
    await settle();
    expect(embedsIn()).toHaveLength(1);
    expect(embedsIn()[0]![0]!.url).toBe(second!.url);
    expect(alsoClippedBy(embedsIn()[0]![0]!)).toBe('viewer0');
  });

  it('posts the rest of a moment whose first post was rejected on their own, once', async () => {
    const [first, second, third] = momentClips();
    discord.failNext(`POST /channels/${channelId}/messages`, {
      status: 400,
      body: { code: 50035, message: 'Invalid Form Body' },
    });
    await ingestClips(db.sql, [first!]);
    await settle();
    expect(embedsIn()).toHaveLength(0);
    await ingestClips(db.sql, [second!]);
    await settle();
    await ingestClips(db.sql, [third!]);
    await settle();
    expect(embedsIn()).toEqual([[expect.objectContaining({ url: second!.url })]]);
    expect(alsoClippedBy(embedsIn()[0]![0]!)).toBe('viewer2');
    const rows = await deliveries();
    expect(rows.map((row) => row.status)).toEqual(['failed', 'sent', 'sent']);
  });

  it('groups untitled clips of the same title made within the window while the VOD is unknown', async () => {
    const start = Date.now() - 5 * 60_000;
    const clips = [0, 30_000, 119_000, 200_000].map((offset, i) =>
      makeClip({
        createdAt: new Date(start + offset),
        title: i === 2 ? 'STREAM Title 🎉' : 'stream title',
        creatorName: `viewer${i}`,
        viewCount: 10 - i,
      }),
    );
    await ingestClips(db.sql, clips);
    await settle();
    // The first three are one moment (the third within 2 min of the first); the fourth is 200 s later.
    expect(
      embedsIn()
        .flat()
        .map((embed) => embed.url),
    ).toEqual([clips[0]!.url, clips[3]!.url]);
    expect(alsoClippedBy(embedsIn().flat()[0]!)).toBe('viewer1, viewer2');
  });

  it('coalesces a burst of moments, counting each moment as one embed', async () => {
    const a = momentClips('1001', [1, 2, 3]);
    const b = momentClips('1001', [9, 8]).map((clip) => ({ ...clip, videoId: '2000000002' }));
    const single = makeClip({ title: 'alone' });
    await ingestClips(db.sql, [...a, ...b, single]);
    await settle();
    const posts = embedsIn();
    expect(posts).toHaveLength(1);
    expect(posts[0]!.map((embed) => embed.url)).toEqual([a[2]!.url, b[0]!.url, single.url]);
  });

  it('posts every clip on its own when the guild turned grouping off', async () => {
    await db.sql.query(`UPDATE guilds SET group_moments = false`);
    const clips = momentClips();
    await ingestClips(db.sql, clips);
    await settle();
    const urls = embedsIn()
      .flat()
      .map((embed) => embed.url);
    expect(urls.sort()).toEqual(clips.map((clip) => clip.url).sort());
    expect(
      embedsIn()
        .flat()
        .some((embed) => alsoClippedBy(embed) !== undefined),
    ).toBe(false);
  });

  it('edits the post when another clip of the moment overtakes the lead in views', async () => {
    const clips = momentClips('1001', [50, 10, 5]);
    await ingestClips(db.sql, clips);
    await settle();
    expect(embedsIn()[0]![0]!.url).toBe(clips[0]!.url);
    // Views grow but the lead stays: no edit.
    await ingestClips(db.sql, [{ ...clips[2]!, viewCount: 30 }]);
    await settle();
    expect(discord.findRequests({ method: 'PATCH' })).toHaveLength(0);
    await ingestClips(db.sql, [{ ...clips[2]!, viewCount: 80 }]);
    await settle();
    expect(discord.findRequests({ method: 'PATCH' })).toHaveLength(1);
    expect(embedsIn()[0]![0]!.url).toBe(clips[2]!.url);
    expect(alsoClippedBy(embedsIn()[0]![0]!)).toBe('viewer0, viewer1');
  });

  it('posts each moment once when two notifiers with their own pools race over arriving clips', async () => {
    const second = await createDatabase({ databaseUrl: url, poolSize: 3, logger: testLogger() });
    try {
      const other = newNotifier(second.sql, discord);
      const channels = [channelId];
      for (const id of ['1002', '1003', '1004']) {
        await seedBroadcaster(db.sql, id);
        const channel = discord.addChannel(guildId, { name: `moments-${id}` }).id;
        await seedSubscription(db.sql, { guildId, channelId: channel, broadcasterId: id });
        channels.push(channel);
      }
      const moments = ['1001', '1002', '1003', '1004'].map((id) => momentClips(id));
      let running = true;
      const work = async (target: Notifier) => {
        while (running) {
          await target.steps.fanOut();
          await target.steps.pack();
          await target.steps.deliverDue();
          await target.steps.syncClipChanges();
        }
      };
      const workers = [work(notifier), work(other)];
      // The clips arrive in three waves, so later ones meet their moment pending, in flight or posted.
      for (const wave of [[0], [1, 2], [3, 4]]) {
        await ingestClips(
          db.sql,
          moments.flatMap((clips) => wave.map((i) => clips[i]!)),
        );
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [row] = await db.sql.query<{ n: number }>(
          `SELECT ((SELECT count(*) FROM deliveries WHERE status = 'pending')
                 + (SELECT count(*) FROM clip_events WHERE processed_at IS NULL)
                 + (SELECT count(*) FROM delivery_messages WHERE edit_version > edited_version))::int AS n`,
        );
        if (row!.n === 0 || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      running = false;
      await Promise.all(workers);
      channels.forEach((channel, i) => {
        const posts = embedsIn(channel);
        expect(posts, `posts in channel ${i}`).toHaveLength(1);
        expect(posts[0]!.map((embed) => embed.url)).toEqual([moments[i]![1]!.url]);
        expect(alsoClippedBy(posts[0]![0]!)).toBe('viewer0, viewer2, viewer3, viewer4');
      });
      const rows = await deliveries();
      expect(rows).toHaveLength(20);
      expect(rows.filter((row) => row.status === 'sent' && row.message_id !== null)).toHaveLength(20);
    } finally {
      await second.close();
    }
  });
});
