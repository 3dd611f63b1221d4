/**
 * Posting, editing and deleting clip messages through the channel's webhook, under the streamer's name and
 * avatar, exactly once.
 *
 * Execute Webhook takes no nonce, so exactly-once rests on three things: the message is executed with
 * `wait=true` and its id recorded; the webhook client never retries by itself (src/notify/webhooks/
 * webhookDiscord.ts); and before any later attempt of a message (an answer lost, a 5xx after the write, a
 * crash mid-post) the channel's recent webhook posts are searched for the marker every embed footer carries
 * (the message nonce). A deleted webhook (10015) or a changed token (50027) means nothing was posted, so the
 * webhook is repaired and the post executed again at once.
 */
import type { RESTPostAPIChannelMessageJSONBody, RESTPostAPIWebhookWithTokenJSONBody } from 'discord.js';
import type { SqlExecutor } from '../../db/Database.js';
import type { ChannelWebhooks, WebhookCredentials } from './ChannelWebhooks.js';
import type { WebhookDiscord } from './webhookDiscord.js';
import { findEarlierForumPost, forumThreadName } from '../forumPosts.js';
import {
  isMarkedWebhookPost,
  needsWebhookRepair,
  webhookAvatarUrl,
  webhookUsername,
  type WebhookTarget,
} from './webhookPolicy.js';

export interface WebhookPost {
  messageId: string;
  webhookId: string | null;
  /** The forum post (thread) holding the message; null when it is in the channel (or thread) itself. */
  threadId: string | null;
  /** An earlier attempt's post was found instead of posting again. */
  found: boolean;
}

export interface WebhookPoster {
  /**
   * Posts a message of `broadcasterId`'s clips (the body as the bot would post it, marker in its footers).
   * `earlierAttempt` (the first attempt's time) makes it look for that attempt's post first.
   */
  post(options: {
    channelId: string;
    broadcasterId: string;
    body: RESTPostAPIChannelMessageJSONBody;
    /** Forum posts are threads named after the first clip. */
    titles: readonly string[];
    marker: string;
    earlierAttempt: Date | null;
  }): Promise<WebhookPost>;
  /** Edits (body) or deletes (null) a webhook post; 'gone' when the webhook that made it no longer exists. */
  edit(options: {
    channelId: string;
    webhookId: string;
    messageId: string;
    body: RESTPostAPIChannelMessageJSONBody | null;
  }): Promise<'done' | 'gone'>;
}

export interface WebhookPosterOptions {
  /** Recent messages searched for an earlier attempt's post (Discord allows up to 100 per request). */
  recentMessagesSearched: number;
  /** Forum posts (threads) made since the first attempt that are opened to look for its post. */
  forumThreadsSearched: number;
}

export const defaultWebhookPosterOptions: WebhookPosterOptions = {
  recentMessagesSearched: 100,
  forumThreadsSearched: 10,
};

export function createWebhookPoster(deps: {
  sql: SqlExecutor;
  webhooks: ChannelWebhooks;
  discord: WebhookDiscord;
  options?: Partial<WebhookPosterOptions>;
}): WebhookPoster {
  const options = { ...defaultWebhookPosterOptions, ...deps.options };
  const { webhooks, discord } = deps;

  async function identity(broadcasterId: string): Promise<{ username: string; avatar_url?: string }> {
    const [row] = await deps.sql.query<{ display_name: string; profile_image_url: string | null }>(
      'SELECT display_name, profile_image_url FROM broadcasters WHERE id = $1',
      [broadcasterId],
    );
    const avatar = webhookAvatarUrl(row?.profile_image_url ?? null);
    return { username: webhookUsername(row?.display_name ?? ''), ...(avatar ? { avatar_url: avatar } : {}) };
  }

  /** The earlier attempt's post among the target's recent webhook posts (a forum: its newest threads). */
  async function findEarlierPost(
    target: WebhookTarget,
    marker: string,
    since: Date,
  ): Promise<{ id: string; webhookId: string | null } | null> {
    if (!target.forum) {
      const recent = await discord.recentMessages(
        target.threadId ?? target.channelId,
        options.recentMessagesSearched,
      );
      const found = recent.find((message) => isMarkedWebhookPost(message, marker));
      return found === undefined ? null : { id: found.id, webhookId: found.webhook_id ?? null };
    }
    if (target.guildId === null) return null;
    const starter = await findEarlierForumPost(discord, {
      guildId: target.guildId,
      forumId: target.channelId,
      since,
      threadsSearched: options.forumThreadsSearched,
      matches: (message) => isMarkedWebhookPost(message, marker),
    });
    return starter === null ? null : { id: starter.id, webhookId: starter.webhook_id ?? null };
  }

  /** Runs a call with the channel's webhook; on 10015/50027 repairs the webhook and runs it once more. */
  async function withWebhook<T>(
    webhookChannelId: string,
    call: (webhook: WebhookCredentials) => Promise<T>,
  ): Promise<{ result: T; webhook: WebhookCredentials }> {
    const webhook = await webhooks.acquire(webhookChannelId);
    try {
      return { result: await call(webhook), webhook };
    } catch (error) {
      if (!needsWebhookRepair(error)) throw error;
      const repaired = await webhooks.acquire(webhookChannelId, webhook);
      return { result: await call(repaired), webhook: repaired };
    }
  }

  return {
    async post(input) {
      const target = await webhooks.target(input.channelId);
      if (input.earlierAttempt !== null) {
        const earlier = await findEarlierPost(target, input.marker, input.earlierAttempt);
        if (earlier !== null)
          return {
            messageId: earlier.id,
            webhookId: earlier.webhookId,
            threadId: target.forum ? earlier.id : null,
            found: true,
          };
      }
      const payload: RESTPostAPIWebhookWithTokenJSONBody = {
        ...input.body,
        ...(await identity(input.broadcasterId)),
        ...(target.forum ? { thread_name: forumThreadName(input.titles) } : {}),
      };
      const { result, webhook } = await withWebhook(target.webhookChannelId, (credentials) =>
        discord.executeWebhook(credentials, payload, { threadId: target.threadId }),
      );
      // A forum post's starter message has the id of the thread it started.
      return {
        messageId: result.id,
        webhookId: webhook.id,
        threadId: target.forum ? result.id : null,
        found: false,
      };
    },
    async edit(input) {
      const target = await webhooks.target(input.channelId);
      // A forum post lives in its own thread, which has the starter message's id.
      const threadId = target.forum ? input.messageId : target.threadId;
      const run = (webhook: WebhookCredentials) =>
        input.body === null
          ? discord.deleteWebhookMessage(webhook, input.messageId, { threadId })
          : discord.editWebhookMessage(webhook, input.messageId, input.body, { threadId });
      let webhook = await webhooks.credentialsOf(target.webhookChannelId, input.webhookId);
      if (webhook === null) return 'gone';
      try {
        await run(webhook);
      } catch (error) {
        if (!needsWebhookRepair(error)) throw error;
        webhook = await webhooks.credentialsOf(target.webhookChannelId, input.webhookId, webhook);
        if (webhook === null) return 'gone';
        await run(webhook);
      }
      return 'done';
    },
  };
}
