// New clips reach Discord once: the real bot process polls the fake Twitch, fans the clip events out and
// posts through the fake Discord, across Discord faults and a kill -9 in the middle of a delivery; clips of
// one moment make one post.
import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { minutesAgo, withNotifyWorld } from './notifyE2e.js';

describe('clip notifications from the running bot', () => {
  const setup = withNotifyWorld();

  it(
    'posts a new clip, a late-visible clip and a 1-view clip among many popular ones, each once',
    { timeout: 60_000 },
    async () => {
      const { broadcasterId, channelId } = await setup.world.subscribe('newclips');
      const fresh = setup.world.twitch.addClip({
        broadcasterId,
        title: 'fresh',
        viewCount: 3,
        createdAt: minutesAgo(0),
      });
      // Made four minutes ago, visible on Twitch only now.
      const late = setup.world.twitch.addClip({
        broadcasterId,
        title: 'late',
        viewCount: 10,
        createdAt: minutesAgo(4),
        visibleAfterMs: 4 * 60_000,
      });
      const popular = Array.from({ length: 150 }, (_, i) =>
        setup.world.twitch.addClip({
          broadcasterId,
          title: `popular ${i}`,
          viewCount: 10_000 + i,
          createdAt: minutesAgo(1),
        }),
      );
      const tiny = setup.world.twitch.addClip({
        broadcasterId,
        title: 'tiny',
        viewCount: 1,
        createdAt: minutesAgo(1),
      });
      await setup.world.pollNow();
      const expected = [fresh, late, tiny, ...popular].map((clip) => clip.id);
      await setup.world.expectPostedOnce(new Map([[channelId, expected]]), 45_000);
      // The burst went out coalesced (up to 10 embeds a message), not as 153 messages.
      expect(setup.world.discord.messagesIn(channelId).length).toBeLessThanOrEqual(20);
      expect(
        setup.bot.logs.some(
          (line) => line.msg === 'Delivery message posted' && line.deliveryIds !== undefined,
        ),
      ).toBe(true);
    },
  );

  it(
    'loses and doubles nothing through Discord 500s (also after the write), 429s and lost answers',
    { timeout: 60_000 },
    async () => {
      const target = await setup.world.subscribe('faults');
      const { channelId } = target;
      const route = `POST /channels/${channelId}/messages`;
      setup.world.discord.failNext(route, { status: 500, afterProcessing: true, count: 3 });
      setup.world.discord.failNext(route, { status: 429, retryAfterMs: 300, count: 2 });
      setup.world.discord.failNext(route, { status: 502, count: 3 });
      setup.world.discord.failNext(route, { dropConnection: true, afterProcessing: true, count: 2 });
      const expected = setup.world.addClips([target], 25, { title: 'fault', minutesAgo: 1 });
      await setup.world.pollNow();
      await setup.world.expectPostedOnce(expected, 50_000);
      expect(
        setup.world.discord.findRequests({
          method: 'POST',
          path: `/channels/${channelId}/messages`,
          status: 500,
        }),
      ).toHaveLength(3);
      expect(setup.bot.child.exitCode).toBeNull();
    },
  );

  it(
    'posts five clips of one moment once, edited to lead with the most-viewed and name the other clippers',
    { timeout: 90_000 },
    async () => {
      const { broadcasterId, channelId } = await setup.world.subscribe('moment');
      const vod = setup.world.twitch.addVideo({ userId: broadcasterId, createdAt: minutesAgo(90) });
      const start = Date.now() - 3 * 60_000;
      // Viewers press "clip" seconds apart: overlapping ranges of one VOD; the last two are not placed in
      // the VOD yet (Twitch fills vod_offset in minutes later), so their untitled title links them.
      const clipOf = (i: number, viewCount: number, title: string, vodKnown = true) =>
        setup.world.twitch.addClip({
          broadcasterId,
          title,
          viewCount,
          createdAt: new Date(start + i * 5_000).toISOString(),
          creatorId: String(91_000 + i),
          creatorName: `viewer${i}`,
          durationSeconds: 30,
          videoId: vod.id,
          vodOffset: 5_000 + i * 4,
          ...(vodKnown ? {} : { videoIdAfterMs: 3_600_000 }),
        });
      const first = clipOf(0, 20, 'Speedrun day 3');
      await setup.world.pollNow();
      await setup.world.discord.waitForMessage(channelId, () => true, 45_000);
      const top = clipOf(1, 500, 'what a play');
      clipOf(2, 30, 'Speedrun day 3');
      clipOf(3, 8, 'Speedrun day 3', false);
      clipOf(4, 2, 'SPEEDRUN day 3 🎉', false);
      await setup.world.pollNow();
      const alsoClippedBy = (message: { embeds?: unknown }) =>
        ((message.embeds ?? []) as Array<{ fields?: { name: string; value: string }[] }>)[0]?.fields?.find(
          (field) => field.name === 'Also clipped by',
        )?.value;
      await eventually(
        async () =>
          alsoClippedBy(setup.world.discord.messagesIn(channelId)[0]!)?.includes('viewer4')
            ? true
            : undefined,
        45_000,
        'the post edited with the whole moment',
      );
      const messages = setup.world.discord.messagesIn(channelId);
      expect(messages).toHaveLength(1);
      expect(setup.world.postedClipIds(channelId)).toEqual([top.id]);
      expect(alsoClippedBy(messages[0]!)).toBe('viewer0, viewer2, viewer3, viewer4');
      expect(
        setup.world.discord.findRequests({ method: 'POST', path: `/channels/${channelId}/messages` }),
      ).toHaveLength(1);
      expect(
        setup.world.discord.findRequests({ method: 'PATCH', path: `/channels/${channelId}/messages/*` }),
      ).not.toHaveLength(0);
      const { rows } = await setup.world.pool.query<{ status: string; message_id: string }>(
        `SELECT d.status, d.message_id FROM deliveries d JOIN clips c ON c.id = d.clip_id
          WHERE c.broadcaster_id = $1`,
        [broadcasterId],
      );
      expect(rows).toHaveLength(5);
      expect(rows.every((row) => row.status === 'sent' && row.message_id === String(messages[0]!.id))).toBe(
        true,
      );
      expect(first.id).not.toBe(top.id);
    },
  );

  it('posts each clip of a moment when the guild turned grouping off', { timeout: 60_000 }, async () => {
    await setup.world.pool.query(`UPDATE guilds SET group_moments = false`);
    try {
      const { broadcasterId, channelId } = await setup.world.subscribe('nomoment');
      const start = Date.now() - 60_000;
      const clips = Array.from({ length: 5 }, (_, i) =>
        setup.world.twitch.addClip({
          broadcasterId,
          title: 'Speedrun day 3',
          viewCount: 10 + i,
          createdAt: new Date(start + i * 5_000).toISOString(),
          creatorName: `viewer${i}`,
        }),
      );
      await setup.world.pollNow();
      await setup.world.expectPostedOnce(new Map([[channelId, clips.map((clip) => clip.id)]]), 45_000);
    } finally {
      await setup.world.pool.query(`UPDATE guilds SET group_moments = true`);
    }
  });

  it(
    'posts every clip exactly once across a kill -9 during the delivery and a restart',
    // Generous: a restart under a loaded machine (the whole suite on 2 cores) can take half a minute.
    { timeout: 150_000 },
    async () => {
      const targets = await Promise.all(
        ['killa', 'killb', 'killc', 'killd'].map((login) => setup.world.subscribe(login)),
      );
      const expected = setup.world.addClips(targets, 75, { title: 'kill', minutesAgo: 2 });
      for (const { channelId } of targets) {
        // Slow answers, so the kill lands while posts are in flight (the fake still creates the message).
        setup.world.discord.failNext(`POST /channels/${channelId}/messages`, { delayMs: 400, count: 3 });
      }
      await setup.world.pollNow();
      // The kill must land in the delivery, not in the poll: a poll killed half-way is only taken up again
      // when its channel's lease (2 min) runs out, which this test is not about. So wait for every clip to be
      // stored, then for the first post.
      await setup.world.waitForStoredClips(
        targets.map((target) => target.broadcasterId),
        300,
        60_000,
      );
      await setup.world.discord.waitForRequest('POST /channels/:id/messages', 30_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await setup.bot.stop('SIGKILL');
      const postedAtKill = targets.reduce(
        (sum, { channelId }) => sum + setup.world.postedClipIds(channelId).length,
        0,
      );
      expect(postedAtKill).toBeLessThan(300);

      // The harness stops this second bot with the world.
      await setup.world.startBot();
      await setup.world.expectPostedOnce(expected, 90_000);
    },
  );
});
