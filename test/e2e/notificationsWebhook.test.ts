// Webhook mode from the running bot: clips posted through the channel's webhook under the streamer's name and
// avatar, each exactly once, across a webhook deleted mid-delivery, answers lost after the post was made, and
// a channel where the bot may not manage webhooks.
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { withNotifyWorld } from './notifyE2e.js';

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
const avatar = (login: string) => `https://static-cdn.example/${login}.png`;

describe('clip notifications through a channel webhook', () => {
  const setup = withNotifyWorld();
  // A fault a test did not use up must not hit the next test's posts.
  afterEach(() => setup.world.discord.clearFaults());

  const addClips = (broadcasterId: string, count: number, title: string) =>
    Array.from({ length: count }, (_, i) =>
      setup.world.twitch.addClip({
        broadcasterId,
        title: `${title} ${i}`,
        viewCount: 5 + i,
        createdAt: minutesAgo(1),
      }),
    ).map((clip) => clip.id);

  /** The avatar the bot should use: the broadcaster's profile image as the bot has stored it. */
  async function storedAvatar(broadcasterId: string): Promise<string | null> {
    const { rows } = await setup.world.pool.query<{ url: string | null }>(
      'SELECT profile_image_url AS url FROM broadcasters WHERE id = $1',
      [broadcasterId],
    );
    return rows[0]?.url ?? null;
  }

  it(
    "posts every clip once under each streamer's name and avatar, through one webhook per channel",
    { timeout: 60_000 },
    async () => {
      const first = await setup.world.subscribe('hookone', {
        postAs: 'webhook',
        profileImageUrl: avatar('hookone'),
      });
      const second = await setup.world.subscribe('hooktwo', {
        postAs: 'webhook',
        profileImageUrl: avatar('hooktwo'),
        channelId: first.channelId,
      });
      // A burst of each, so messages are coalesced: never two streamers in one message.
      const expected = [
        ...addClips(first.broadcasterId, 12, 'one'),
        ...addClips(second.broadcasterId, 4, 'two'),
      ];
      await setup.world.pollNow();
      await setup.world.expectPostedOnce(new Map([[first.channelId, expected]]), 45_000);
      const messages = setup.world.discord.messagesIn(first.channelId);
      const hooks = setup.world.discord.webhooksIn(first.channelId);
      expect(hooks).toHaveLength(1);
      const avatars = new Map([
        ['hookone', await storedAvatar(first.broadcasterId)],
        ['hooktwo', await storedAvatar(second.broadcasterId)],
      ]);
      for (const message of messages) {
        const author = message.author as { username: string };
        expect(message.webhook_id).toBe(hooks[0]!.id);
        expect(['hookone', 'hooktwo']).toContain(author.username);
        expect(setup.world.discord.messageAvatarUrl(String(message.id))).toBe(avatars.get(author.username));
        const channels = (message.embeds as Array<{ fields: Array<{ name: string; value: string }> }>).map(
          (embed) => embed.fields.find((field) => field.name === 'Channel')?.value,
        );
        expect(new Set(channels)).toEqual(new Set([author.username]));
      }
      expect(messages.length).toBeLessThan(expected.length);
      // The token never reaches the logs.
      const logs = JSON.stringify(setup.bot.logs);
      expect(logs).not.toContain(hooks[0]!.token);
    },
  );

  it(
    'recreates a webhook deleted mid-delivery and loses or doubles nothing',
    { timeout: 60_000 },
    async () => {
      const { broadcasterId, channelId } = await setup.world.subscribe('hookdeleted', { postAs: 'webhook' });
      // Slow answers, so the webhook is deleted while posts are still going out.
      setup.world.discord.failNext('POST /webhooks/:id/:token', { delayMs: 300, count: 6 });
      const expected = addClips(broadcasterId, 2, 'early');
      await setup.world.pollNow();
      await eventually(
        async () => (setup.world.postedClipIds(channelId).length >= 1 ? true : undefined),
        30_000,
        'a post',
      );
      const [original] = setup.world.discord.webhooksIn(channelId);
      setup.world.discord.deleteWebhook(original!.id);
      expected.push(...addClips(broadcasterId, 3, 'late'));
      await setup.world.pollNow();
      await setup.world.expectPostedOnce(new Map([[channelId, expected]]), 45_000);
      const hooks = setup.world.discord.webhooksIn(channelId);
      expect(hooks).toHaveLength(1);
      expect(hooks[0]!.id).not.toBe(original!.id);
      expect(
        setup.world.discord.findRequests({ method: 'POST', path: `/webhooks/${original!.id}/*`, status: 404 })
          .length,
      ).toBeGreaterThanOrEqual(1);
    },
  );

  it(
    'finds the post of an attempt whose answer was lost instead of posting again',
    { timeout: 60_000 },
    async () => {
      const { broadcasterId, channelId } = await setup.world.subscribe('hooklost', { postAs: 'webhook' });
      setup.world.discord.failNext('POST /webhooks/:id/:token', {
        dropConnection: true,
        afterProcessing: true,
      });
      setup.world.discord.failNext('POST /webhooks/:id/:token', { status: 500, afterProcessing: true });
      const expected = addClips(broadcasterId, 2, 'lost');
      await setup.world.pollNow();
      await setup.world.expectPostedOnce(new Map([[channelId, expected]]), 45_000);
      const executes = setup.world.discord.findRequests({ method: 'POST', path: '/webhooks/*/*' });
      expect(executes.filter((request) => request.status === 0)).toHaveLength(1);
      expect(executes.filter((request) => request.status === 500)).toHaveLength(1);
      // Both messages end up recorded as sent (the second one's 500 came after its post was made).
      await eventually(
        async () => {
          const { rows } = await setup.world.pool.query<{ status: string }>(
            `SELECT status FROM delivery_messages WHERE discord_channel_id = $1`,
            [channelId],
          );
          return rows.length === 2 && rows.every((row) => row.status === 'sent') ? true : undefined;
        },
        30_000,
        'both messages recorded as sent',
      );
      expect(setup.world.postedClipIds(channelId)).toHaveLength(2);
      // Each retry recorded the post it found rather than executing the webhook again.
      const found = setup.bot.logs.filter(
        (line) =>
          line.msg === 'Delivery message posted' && line.found === true && line.channelId === channelId,
      );
      expect(found).toHaveLength(2);
    },
  );

  it(
    'pauses webhook-mode subscriptions of a channel without Manage Webhooks and tells the guild once',
    { timeout: 60_000 },
    async () => {
      const hooked = await setup.world.subscribe('hooklocked', { postAs: 'webhook' });
      const plain = await setup.world.subscribe('botstill', { channelId: hooked.channelId });
      setup.world.discord.setWebhookPermission(hooked.channelId, false);
      addClips(hooked.broadcasterId, 2, 'locked');
      const botClips = addClips(plain.broadcasterId, 1, 'plain');
      await setup.world.pollNow();
      const general = setup.world.discord.fixtures.general.id;
      const notice = await setup.world.discord.waitForMessage(
        general,
        (message) => String(message.content).includes('Manage Webhooks'),
        45_000,
      );
      expect(String(notice.content)).toContain('/subscriptions resume');
      const { rows } = await setup.world.pool.query<{
        login: string;
        paused: boolean;
        paused_reason: string | null;
      }>(
        `SELECT b.login, s.paused, s.paused_reason FROM subscriptions s JOIN broadcasters b ON b.id = s.broadcaster_id
          WHERE s.discord_channel_id = $1 ORDER BY b.login`,
        [hooked.channelId],
      );
      expect(rows).toEqual([
        { login: 'botstill', paused: false, paused_reason: null },
        { login: 'hooklocked', paused: true, paused_reason: 'manage_webhooks' },
      ]);
      // The bot-mode subscription of the same channel still posts; nothing came through a webhook.
      await setup.world.expectPostedOnce(new Map([[hooked.channelId, botClips]]), 30_000);
      expect(setup.world.discord.webhooksIn(hooked.channelId)).toHaveLength(0);
      const notices = setup.world.discord
        .messagesIn(general)
        .filter((message) => String(message.content).includes('Manage Webhooks'));
      expect(notices).toHaveLength(1);
    },
  );
});
