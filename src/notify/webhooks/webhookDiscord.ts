import type { REST } from '@discordjs/rest';
import {
  Routes,
  type APIChannel,
  type APIMessage,
  type APIWebhook,
  type RESTGetAPIGuildThreadsResult,
  type RESTPatchAPIWebhookWithTokenMessageJSONBody,
  type RESTPostAPIWebhookWithTokenJSONBody,
} from 'discord.js';
import { nonRetryingRestLike } from '../nonRetryingRest.js';

/** What webhook mode needs of Discord. Webhook tokens pass through here and nowhere else is told them. */
export interface WebhookDiscord {
  getChannel(
    channelId: string,
  ): Promise<Pick<APIChannel, 'id' | 'type'> & { parent_id?: string | null; guild_id?: string | null }>;
  listChannelWebhooks(channelId: string): Promise<APIWebhook[]>;
  createWebhook(channelId: string, name: string): Promise<APIWebhook>;
  deleteWebhook(webhookId: string): Promise<void>;
  /** Execute Webhook with `wait=true` (so the created message comes back), into a thread with `threadId`. */
  executeWebhook(
    webhook: { id: string; token: string },
    body: RESTPostAPIWebhookWithTokenJSONBody,
    options: { threadId: string | null },
  ): Promise<APIMessage>;
  editWebhookMessage(
    webhook: { id: string; token: string },
    messageId: string,
    body: RESTPatchAPIWebhookWithTokenMessageJSONBody,
    options: { threadId: string | null },
  ): Promise<void>;
  deleteWebhookMessage(
    webhook: { id: string; token: string },
    messageId: string,
    options: { threadId: string | null },
  ): Promise<void>;
  recentMessages(channelId: string, limit: number): Promise<APIMessage[]>;
  /** A message by id (a forum post's starter message has its thread's id). */
  getMessage(channelId: string, messageId: string): Promise<APIMessage>;
  activeThreads(guildId: string): Promise<RESTGetAPIGuildThreadsResult['threads']>;
}

function threadQuery(threadId: string | null, extra: Record<string, string> = {}): URLSearchParams {
  return new URLSearchParams({ ...extra, ...(threadId === null ? {} : { thread_id: threadId }) });
}

/**
 * Management calls (channels, webhook lists, create, delete, recent messages) go through the bot's own
 * `client.rest`. Calls with a webhook token go through a separate client that never retries by itself:
 * Execute Webhook takes no nonce, so @discordjs/rest's automatic retry of a 5xx or a timeout could post
 * twice; the delivery worker retries instead, after looking for the first attempt's post. Token routes are
 * exempt from the bot's global limit and carry no bot token (`auth: false`); their per-webhook buckets are
 * all tracked by that one client. 429s are still waited out (a rate-limited request was not executed).
 */
export function webhookDiscordFromRest(botRest: REST): WebhookDiscord {
  const tokenRest = nonRetryingRestLike(botRest);
  return {
    async getChannel(channelId) {
      return (await botRest.get(Routes.channel(channelId))) as APIChannel & { parent_id?: string | null };
    },
    async listChannelWebhooks(channelId) {
      return (await botRest.get(Routes.channelWebhooks(channelId))) as APIWebhook[];
    },
    async createWebhook(channelId, name) {
      return (await botRest.post(Routes.channelWebhooks(channelId), { body: { name } })) as APIWebhook;
    },
    async deleteWebhook(webhookId) {
      await botRest.delete(Routes.webhook(webhookId));
    },
    async executeWebhook(webhook, body, { threadId }) {
      return (await tokenRest.post(Routes.webhook(webhook.id, webhook.token), {
        body,
        query: threadQuery(threadId, { wait: 'true' }),
        auth: false,
      })) as APIMessage;
    },
    async editWebhookMessage(webhook, messageId, body, { threadId }) {
      await tokenRest.patch(Routes.webhookMessage(webhook.id, webhook.token, messageId), {
        body,
        query: threadQuery(threadId),
        auth: false,
      });
    },
    async deleteWebhookMessage(webhook, messageId, { threadId }) {
      await tokenRest.delete(Routes.webhookMessage(webhook.id, webhook.token, messageId), {
        query: threadQuery(threadId),
        auth: false,
      });
    },
    async recentMessages(channelId, limit) {
      return (await botRest.get(Routes.channelMessages(channelId), {
        query: new URLSearchParams({ limit: String(limit) }),
      })) as APIMessage[];
    },
    async getMessage(channelId, messageId) {
      return (await botRest.get(Routes.channelMessage(channelId, messageId))) as APIMessage;
    },
    async activeThreads(guildId) {
      return ((await botRest.get(Routes.guildActiveThreads(guildId))) as RESTGetAPIGuildThreadsResult)
        .threads;
    },
  };
}
