/**
 * The rules of webhook mode that need no database or Discord: where a channel's webhook lives, what a post
 * through it is called, which Discord answers mean "repair the webhook", and how an earlier attempt's post is
 * recognised. Forum posts follow the rules in ../forumPosts.ts.
 */
import type { APIMessage } from 'discord.js';
import { carriesMarker } from '../clipPostMessage.js';
import { asDiscordApiError } from '../deliveryPolicy.js';
import { isThreadOnlyChannel } from '../forumPosts.js';

/** The name the bot gives the webhooks it creates (each post overrides it with the streamer's name). */
export const WEBHOOK_NAME = 'TwitchClipSearch clips';

/** Discord: webhook usernames are 1–80 characters and may not contain "discord" or "clyde". */
const USERNAME_MAX = 80;
const FORBIDDEN_IN_USERNAME = /discord|clyde/gi;

/** Discord channel types (https://discord.com/developers/docs/resources/channel#channel-object-channel-types). */
const THREAD_TYPES = new Set([10, 11, 12]);

/** Where a subscription's channel gets its webhook posts. */
export interface WebhookTarget {
  /** The subscription's channel (a text channel, a thread, or a forum). */
  channelId: string;
  /** The channel the webhook lives in: the channel itself, or a thread's parent. */
  webhookChannelId: string;
  /** Set when the target is a thread: webhooks execute into it with `thread_id`. */
  threadId: string | null;
  /** A forum (or media) channel: each post starts a thread (`thread_name`). */
  forum: boolean;
  guildId: string | null;
}

/** Webhooks live on the parent channel: a thread posts through its parent's webhook with `thread_id`. */
export function webhookTargetOf(channel: {
  id: string;
  type: number;
  parent_id?: string | null;
  guild_id?: string | null;
}): WebhookTarget {
  const guildId = channel.guild_id ?? null;
  if (THREAD_TYPES.has(channel.type) && channel.parent_id) {
    return {
      channelId: channel.id,
      webhookChannelId: channel.parent_id,
      threadId: channel.id,
      forum: false,
      guildId,
    };
  }
  return {
    channelId: channel.id,
    webhookChannelId: channel.id,
    threadId: null,
    forum: isThreadOnlyChannel(channel.type),
    guildId,
  };
}

/**
 * The streamer's display name as a webhook username Discord accepts: the forbidden words are taken out (a
 * name Discord refuses would dead-letter the post), then clamped to 80 characters.
 */
export function webhookUsername(displayName: string): string {
  const cleaned = displayName.replace(FORBIDDEN_IN_USERNAME, '').replace(/\s+/g, ' ').trim();
  const name = cleaned.length > 0 ? cleaned : 'Twitch clips';
  return Array.from(name).slice(0, USERNAME_MAX).join('');
}

/** Only an absolute http(s) URL may be an avatar; anything else is left out (the webhook's default shows). */
export function webhookAvatarUrl(profileImageUrl: string | null): string | undefined {
  if (profileImageUrl === null) return undefined;
  try {
    const url = new URL(profileImageUrl);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a Discord error says our webhook credentials are dead: 10015 Unknown Webhook (deleted) or 50027
 * Invalid Webhook Token (token changed). Either way no message was posted, so posting again after a repair
 * cannot double a post.
 */
export function needsWebhookRepair(error: unknown): boolean {
  const code = String(asDiscordApiError(error)?.code ?? '');
  return code === '10015' || code === '50027';
}

/** A 50013 from webhook management: the bot lacks Manage Webhooks there. */
export function isMissingPermissions(error: unknown): boolean {
  return String(asDiscordApiError(error)?.code ?? '') === '50013';
}

/** Whether a message was posted by a webhook and carries the marker (the nonce) in an embed footer. */
export function isMarkedWebhookPost(
  message: Pick<APIMessage, 'webhook_id' | 'embeds'>,
  marker: string,
): boolean {
  if (message.webhook_id === undefined || message.webhook_id === null) return false;
  return carriesMarker(message, marker);
}
