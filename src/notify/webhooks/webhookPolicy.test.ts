import { describe, expect, it } from 'vitest';
import {
  isMarkedWebhookPost,
  needsWebhookRepair,
  webhookAvatarUrl,
  webhookTargetOf,
  webhookUsername,
} from './webhookPolicy.js';

/** Shaped like @discordjs/rest's DiscordAPIError (recognised by name and shape). */
function discordError(status: number, code: number): Error {
  return Object.assign(new Error('refused'), { name: `DiscordAPIError[${code}]`, status, code });
}

describe('webhook targets', () => {
  it('posts into a thread through its parent channel with thread_id', () => {
    expect(webhookTargetOf({ id: '2', type: 11, parent_id: '1', guild_id: '9' })).toEqual({
      channelId: '2',
      webhookChannelId: '1',
      threadId: '2',
      forum: false,
      guildId: '9',
    });
  });

  it('gives text channels their own webhook and marks forums as needing a thread per post', () => {
    expect(webhookTargetOf({ id: '3', type: 0, parent_id: '7' })).toMatchObject({
      webhookChannelId: '3',
      threadId: null,
      forum: false,
    });
    expect(webhookTargetOf({ id: '4', type: 15 })).toMatchObject({ webhookChannelId: '4', forum: true });
  });
});

describe('webhook identity', () => {
  it('keeps a usual display name and takes out words Discord refuses in webhook names', () => {
    expect(webhookUsername('SpeedyRunner')).toBe('SpeedyRunner');
    expect(webhookUsername('DiscordClyde Fan')).toBe('Fan');
    expect(webhookUsername('discord')).toBe('Twitch clips');
    expect(Array.from(webhookUsername('é'.repeat(120)))).toHaveLength(80);
  });

  it('uses only http(s) avatars', () => {
    expect(webhookAvatarUrl('https://static-cdn.jtvnw.net/a.png')).toBe('https://static-cdn.jtvnw.net/a.png');
    expect(webhookAvatarUrl('javascript:alert(1)')).toBeUndefined();
    expect(webhookAvatarUrl('not a url')).toBeUndefined();
    expect(webhookAvatarUrl(null)).toBeUndefined();
  });
});

describe('webhook errors and earlier posts', () => {
  it('repairs on Unknown Webhook and Invalid Webhook Token only', () => {
    expect(needsWebhookRepair(discordError(404, 10015))).toBe(true);
    expect(needsWebhookRepair(discordError(401, 50027))).toBe(true);
    expect(needsWebhookRepair(discordError(403, 50013))).toBe(false);
    expect(needsWebhookRepair(new Error('ECONNRESET'))).toBe(false);
  });

  it('recognises an earlier attempt by a webhook post carrying its marker', () => {
    const embed = (footer: string) => ({ footer: { text: footer } });
    expect(
      isMarkedWebhookPost({ webhook_id: '5', embeds: [embed('TwitchClipSearch · tcs1.abc')] }, 'tcs1.abc'),
    ).toBe(true);
    expect(
      isMarkedWebhookPost({ webhook_id: '5', embeds: [embed('TwitchClipSearch · tcs1.abcd')] }, 'tcs1.abc'),
    ).toBe(false);
    // The bot's own posts (no webhook) are not webhook posts.
    expect(isMarkedWebhookPost({ embeds: [embed('TwitchClipSearch · tcs1.abc')] }, 'tcs1.abc')).toBe(false);
  });
});
