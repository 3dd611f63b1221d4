import type { REST } from '@discordjs/rest';
import {
  Routes,
  type APIChannel,
  type APIMessage,
  type RESTGetAPIGuildThreadsResult,
  type RESTPatchAPIChannelMessageJSONBody,
  type RESTPostAPIChannelMessageJSONBody,
  type RESTPostAPICurrentUserCreateDMChannelResult,
  type RESTPostAPIGuildForumThreadsJSONBody,
} from 'discord.js';
import { createSlidingWindowLimiter } from '../shared/slidingWindowLimiter.js';
import { nonRetryingRestLike } from './nonRetryingRest.js';

/**
 * What the notifier needs of Discord: post a message or start a forum post, find an earlier post (a
 * channel's recent messages, a forum's active threads and their starter messages), open a DM, edit and
 * delete posts.
 */
export interface NotifyDiscord {
  postMessage(
    channelId: string,
    body: RESTPostAPIChannelMessageJSONBody & { enforce_nonce?: boolean },
  ): Promise<{ id: string }>;
  /**
   * Start Thread in Forum or Media Channel: the thread, with its starter message (whose id is the thread's).
   * Takes no nonce.
   */
  startForumPost(
    forumId: string,
    body: RESTPostAPIGuildForumThreadsJSONBody,
  ): Promise<{ id: string; message?: { id: string } }>;
  getChannel(channelId: string): Promise<Pick<APIChannel, 'id' | 'type'> & { guild_id?: string | null }>;
  getMessage(channelId: string, messageId: string): Promise<APIMessage>;
  activeThreads(guildId: string): Promise<RESTGetAPIGuildThreadsResult['threads']>;
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
 *
 * Forum posts are the exception: starting a thread takes no nonce, so a retry of a request whose answer was
 * lost would make a second post. They go through a client of their own with the bot `token` that never
 * retries by itself (429s are still waited out: a rate-limited request was not executed); the delivery
 * worker retries instead, after looking for the first attempt's post (src/notify/BotPoster.ts).
 */
export function notifyDiscordFromRest(
  rest: REST,
  options: { token: string; requestsPerSecond?: number },
): NotifyDiscord {
  const pacer = createSlidingWindowLimiter({
    limit: options.requestsPerSecond ?? NOTIFY_REQUESTS_PER_SECOND,
    windowMs: 1000,
  });
  const paced = <T>(request: () => Promise<T>): Promise<T> => pacer.schedule(request);
  const once = nonRetryingRestLike(rest, options.token);
  return {
    async postMessage(channelId, body) {
      return (await paced(() => rest.post(Routes.channelMessages(channelId), { body }))) as APIMessage;
    },
    async startForumPost(forumId, body) {
      return (await paced(() => once.post(Routes.threads(forumId), { body }))) as {
        id: string;
        message?: APIMessage;
      };
    },
    async getChannel(channelId) {
      return (await paced(() => rest.get(Routes.channel(channelId)))) as APIChannel & {
        guild_id?: string | null;
      };
    },
    async getMessage(channelId, messageId) {
      return (await paced(() => rest.get(Routes.channelMessage(channelId, messageId)))) as APIMessage;
    },
    async activeThreads(guildId) {
      return (
        (await paced(() => rest.get(Routes.guildActiveThreads(guildId)))) as RESTGetAPIGuildThreadsResult
      ).threads;
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
