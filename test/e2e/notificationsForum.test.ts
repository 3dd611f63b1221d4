// Bot-mode notifications into a forum channel from the running bot: every clip becomes a forum post (a thread
// named after it), exactly once, also when Discord made the post but its answer was lost.
import { afterEach, describe, expect, it } from 'vitest';
import { minutesAgo, withNotifyWorld } from './notifyE2e.js';

describe('clip notifications in a forum channel', () => {
  const setup = withNotifyWorld();
  // A fault a test did not use up must not hit the next test's posts.
  afterEach(() => setup.world.discord.clearFaults());

  it(
    'posts each clip once as a forum post, across answers lost after Discord created the post',
    { timeout: 60_000 },
    async () => {
      const { discord } = setup.world;
      const forumId = discord.addChannel(discord.fixtures.guild.id, { name: 'clip-forum', type: 15 }).id;
      const { broadcasterId } = await setup.world.subscribe('forumstreamer', { channelId: forumId });
      // The first post's answer is a 500 after Discord made it; the second's connection drops after it.
      discord.failNext('POST /channels/:id/threads', { status: 500, afterProcessing: true });
      discord.failNext('POST /channels/:id/threads', { dropConnection: true, afterProcessing: true });
      const clips = ['Forum ace', 'Forum clutch'].map((title, i) =>
        setup.world.twitch.addClip({ broadcasterId, title, viewCount: 5 + i, createdAt: minutesAgo(1) }),
      );
      await setup.world.pollNow();
      await setup.world.expectPostedOnce(new Map([[forumId, clips.map((clip) => clip.id)]]), 45_000);

      const threads = discord.fixtures.guild.channels.filter((channel) => channel.parentId === forumId);
      expect(threads.map((thread) => thread.name).sort()).toEqual(['Forum ace', 'Forum clutch']);
      // One thread creation per post: the retries found the posts instead of making new ones.
      expect(discord.findRequests({ method: 'POST', path: `/channels/${forumId}/threads` })).toHaveLength(2);
      expect(discord.messagesIn(forumId)).toEqual([]);
      // The fake shows a post as soon as Discord made it; the bot records it after its answer (or, for a lost
      // answer, after finding the post), so wait for the records.
      const sentRows = async () =>
        (
          await setup.world.pool.query<{ thread_id: string; message_id: string }>(
            `SELECT thread_id, message_id FROM delivery_messages WHERE discord_channel_id = $1 AND status = 'sent'`,
            [forumId],
          )
        ).rows;
      await expect
        .poll(async () => (await sentRows()).map((row) => row.thread_id).sort(), { timeout: 15_000 })
        .toEqual(threads.map((thread) => thread.id).sort());
      expect((await sentRows()).every((row) => row.thread_id === row.message_id)).toBe(true);
    },
  );
});
