import type { REST } from '@discordjs/rest';
import {
  Routes,
  type APIMessage,
  type RESTPatchAPIChannelMessageJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPICurrentUserCreateDMChannelResult,
} from 'discord.js';

/** What the notifier needs of Discord: post a message, read a channel's recent messages, open a DM. */
export interface NotifyDiscord {
  postMessage(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody & { enforce_nonce?: boolean },
  ): Promise<{ id: string }>;
  recentMessages(channelId: string, limit: number): Promise<APIMessage[]>;
  openDirectMessage(userId: string): Promise<{ id: string }>;
  editMessage(channelId: string, messageId: string, body: RESTPatchAPIChannelMessageJSONBody): Promise<void>;
  deleteMessage(channelId: string, messageId: string): Promise<void>;
}

/**
 * Over the bot's own REST client (`client.rest`), so posts share its global and per-route rate limiter:
 * @discordjs/rest waits out 429s by itself (honouring Retry-After and the buckets) and retries 5xx answers,
 * timeouts and ECONNRESET `retries` times (default 3) with the same body, hence the same nonce.
 */
export function notifyDiscordFromRest(rest: REST): NotifyDiscord {
  return {
    async postMessage(channelId, body) {
      return (await rest.post(Routes.channelMessages(channelId), { body })) as APIMessage;
    },
    async recentMessages(channelId, limit) {
      return (await rest.get(Routes.channelMessages(channelId), {
        query: new URLSearchParams({ limit: String(limit) }),
      })) as APIMessage[];
    },
    async openDirectMessage(userId) {
      return (await rest.post(Routes.userChannels(), {
        body: { recipient_id: userId },
      })) as RESTPostAPICurrentUserCreateDMChannelResult;
    },
    async editMessage(channelId, messageId, body) {
      await rest.patch(Routes.channelMessage(channelId, messageId), { body });
    },
    async deleteMessage(channelId, messageId) {
      await rest.delete(Routes.channelMessage(channelId, messageId));
    },
  };
}
