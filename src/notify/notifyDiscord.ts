import type { REST } from '@discordjs/rest';
import {
  Routes,
  type APIMessage,
  type RESTPatchAPIChannelMessageJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPICurrentUserCreateDMChannelResult,
} from 'discord.js';
import { createSlidingWindowLimiter } from '../shared/slidingWindowLimiter.js';

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
 * Requests the notifier starts in any one second at most: under Discord's global 50 per second per
 * bot, with room for the bot's other requests. @discordjs/rest counts the global limit in fixed one-second
 * windows of its own, which do not line up with the server's: a full burst at the start of its window can
 * land in the server's previous one and be answered 429 (measured: ~100 global 429s per 1,000 posts in
 * the bench), each of which halts every request for up to a second and counts towards Discord's
 * invalid-request ban. Counted in a sliding window, no one-second window holds more than 45.
 */
export const NOTIFY_REQUESTS_PER_SECOND = 45;

/**
 * Over the bot's own REST client (`client.rest`), so posts share its global and per-route rate limiter:
 * @discordjs/rest waits out 429s by itself (honouring Retry-After and the buckets) and retries 5xx answers,
 * timeouts and ECONNRESET `retries` times (default 3) with the same body, hence the same nonce. The
 * notifier's requests are paced to `requestsPerSecond` before they reach it.
 */
export function notifyDiscordFromRest(
  rest: REST,
  options: { requestsPerSecond?: number } = {},
): NotifyDiscord {
  const pacer = createSlidingWindowLimiter({
    limit: options.requestsPerSecond ?? NOTIFY_REQUESTS_PER_SECOND,
    windowMs: 1000,
  });
  const paced = <T>(request: () => Promise<T>): Promise<T> => pacer.schedule(request);
  return {
    async postMessage(channelId, body) {
      return (await paced(() => rest.post(Routes.channelMessages(channelId), { body }))) as APIMessage;
    },
    async recentMessages(channelId, limit) {
      return (await paced(() =>
        rest.get(Routes.channelMessages(channelId), {
          query: new URLSearchParams({ limit: String(limit) }),
        }),
      )) as APIMessage[];
    },
    async openDirectMessage(userId) {
      return (await paced(() =>
        rest.post(Routes.userChannels(), { body: { recipient_id: userId } }),
      )) as RESTPostAPICurrentUserCreateDMChannelResult;
    },
    async editMessage(channelId, messageId, body) {
      await paced(() => rest.patch(Routes.channelMessage(channelId, messageId), { body }));
    },
    async deleteMessage(channelId, messageId) {
      await paced(() => rest.delete(Routes.channelMessage(channelId, messageId)));
    },
  };
}
