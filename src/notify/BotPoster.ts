/**
 * Posting as the bot, exactly once, wherever a subscription points: a message in a text or announcement
 * channel or a thread, or a new post (a thread with a starter message) in a forum or media channel, which
 * take no messages of their own.
 *
 * A channel's kind is learnt without costing the common case a request: a post goes out as a message, and
 * a refusal because the channel takes no messages (50008, or 40058 for a forum) is followed by one Get
 * Channel; a forum is then remembered for this process. A retry learns the kind first, because the two kinds
 * find an earlier attempt's post differently:
 * - a message carries the nonce with `enforce_nonce`: within Discord's nonce window a repeat returns the first
 *   message; after it, the channel's recent messages are searched for the attempt's marker;
 * - a forum post takes no nonce: every retry first looks among the forum's new active threads for a starter
 *   message with the marker (src/notify/forumPosts.ts), and the thread is created by a client that never
 *   retries by itself (src/notify/notifyDiscord.ts).
 */
import type { APIMessage, RESTPostAPIChannelMessageJSONBody } from 'discord.js';
import { asDiscordApiError } from './deliveryPolicy.js';
import { findEarlierForumPost, isThreadOnlyChannel } from './forumPosts.js';
import type { NotifyDiscord } from './notifyDiscord.js';

/** Discord's answers to a message addressed to a channel that takes none (non-text channel; forum). */
const TAKES_NO_MESSAGES = new Set(['50008', '40058']);

export interface BotPost {
  messageId: string;
  /** The forum post (thread) holding the message; null when it is in the channel itself. */
  threadId: string | null;
  /** An earlier attempt's post was found instead of posting again. */
  found: boolean;
}

/** A later attempt of a post: when the first was made and how its post is recognised. */
export interface EarlierAttempt {
  since: Date;
  matches: (message: APIMessage) => boolean;
  /** Discord's nonce window may have passed: a message's nonce no longer protects against a second post. */
  nonceExpired: boolean;
}

export interface BotPoster {
  post(input: {
    channelId: string;
    body: RESTPostAPIChannelMessageJSONBody;
    /** The post's name when the channel is a forum (1–100 characters). */
    threadName: string;
    /** Sent with `enforce_nonce` when the channel takes messages. */
    nonce?: string;
    earlier?: EarlierAttempt;
  }): Promise<BotPost>;
}

export interface BotPosterOptions {
  /** Recent messages searched for an earlier attempt's post (Discord allows up to 100 per request). */
  recentMessagesSearched: number;
  /** Forum posts (threads) made since the first attempt whose starter message is read to find its post. */
  forumThreadsSearched: number;
}

export const defaultBotPosterOptions: BotPosterOptions = {
  recentMessagesSearched: 100,
  forumThreadsSearched: 10,
};

type ChannelKind = { forum: false } | { forum: true; guildId: string | null };

export function createBotPoster(discord: NotifyDiscord, input: Partial<BotPosterOptions> = {}): BotPoster {
  const options = { ...defaultBotPosterOptions, ...input };
  /** Channel kinds learnt so far (a channel's type never changes between a forum and anything else). */
  const kinds = new Map<string, ChannelKind>();

  async function kindOf(channelId: string): Promise<ChannelKind> {
    const known = kinds.get(channelId);
    if (known !== undefined) return known;
    const channel = await discord.getChannel(channelId);
    const kind: ChannelKind = isThreadOnlyChannel(channel.type)
      ? { forum: true, guildId: channel.guild_id ?? null }
      : { forum: false };
    kinds.set(channelId, kind);
    return kind;
  }

  async function postForum(
    forumId: string,
    kind: { guildId: string | null },
    post: Parameters<BotPoster['post']>[0],
  ): Promise<BotPost> {
    if (post.earlier !== undefined && kind.guildId !== null) {
      const starter = await findEarlierForumPost(discord, {
        guildId: kind.guildId,
        forumId,
        since: post.earlier.since,
        threadsSearched: options.forumThreadsSearched,
        matches: post.earlier.matches,
      });
      if (starter !== null) return { messageId: starter.id, threadId: starter.channel_id, found: true };
    }
    const thread = await discord.startForumPost(forumId, { name: post.threadName, message: post.body });
    // The starter message has the thread's id (Discord's threads topic).
    return { messageId: thread.message?.id ?? thread.id, threadId: thread.id, found: false };
  }

  return {
    async post(post) {
      // A retry needs the kind to know how to look for the first attempt's post.
      let kind = post.earlier === undefined ? kinds.get(post.channelId) : await kindOf(post.channelId);
      if (kind?.forum !== true) {
        if (post.earlier !== undefined && (post.earlier.nonceExpired || post.nonce === undefined)) {
          const recent = await discord.recentMessages(post.channelId, options.recentMessagesSearched);
          const found = recent.find(post.earlier.matches);
          if (found !== undefined) return { messageId: found.id, threadId: null, found: true };
        }
        try {
          const { id } = await discord.postMessage(post.channelId, {
            ...post.body,
            ...(post.nonce === undefined ? {} : { nonce: post.nonce, enforce_nonce: true }),
          });
          kinds.set(post.channelId, { forum: false });
          return { messageId: id, threadId: null, found: false };
        } catch (error) {
          if (kind !== undefined || !TAKES_NO_MESSAGES.has(String(asDiscordApiError(error)?.code)))
            throw error;
          kind = await kindOf(post.channelId);
          if (!kind.forum) throw error;
        }
      }
      return postForum(post.channelId, kind, post);
    },
  };
}
