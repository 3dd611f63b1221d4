/**
 * Forum and media channels hold only threads: each post is a thread ("Start Thread in Forum or Media
 * Channel", or a webhook's `thread_name`) whose starter message has the thread's id. The rules both posting
 * modes share: which channels work that way, what a post is called, and how an earlier attempt's post is
 * found again, since creating a thread takes no nonce.
 */
import { ChannelType, SnowflakeUtil, type APIMessage } from 'discord.js';

const THREAD_ONLY_CHANNEL_TYPES: ReadonlySet<number> = new Set([
  ChannelType.GuildForum,
  ChannelType.GuildMedia,
]);

/** Whether a channel of this type takes posts (threads) instead of messages. */
export function isThreadOnlyChannel(type: number): boolean {
  return THREAD_ONLY_CHANNEL_TYPES.has(type);
}

/** Thread names are 1–100 characters. */
const THREAD_NAME_MAX = 100;

/** A forum post's title: the first clip's title (plain text there, so nothing is escaped), 1–100 characters. */
export function forumThreadName(titles: readonly (string | null | undefined)[]): string {
  const title = (titles[0] ?? '').replace(/\s+/g, ' ').trim() || 'New clip';
  const characters = Array.from(title);
  return characters.length <= THREAD_NAME_MAX
    ? title
    : `${characters.slice(0, THREAD_NAME_MAX - 1).join('')}…`;
}

/** A thread name shows plain text: a markdown line (a digest's heading) without bold markers and escapes. */
export function plainText(markdown: string): string {
  return markdown.replace(/\*\*/g, '').replace(/\\(.)/g, '$1');
}

/** When a snowflake (a thread, a message) was made, in milliseconds since 1970 (discord.js decodes it). */
export function snowflakeTime(id: string): number {
  return SnowflakeUtil.timestampFrom(id);
}

/** Clock skew allowed between our first attempt's time and Discord's snowflake of the post it made. */
const CLOCK_SKEW_MS = 60_000;

/** What looking for an earlier forum post needs of Discord. */
export interface ForumPostLookupDiscord {
  /** List Active Guild Threads. */
  activeThreads(guildId: string): Promise<readonly { id: string; parent_id?: string | null }[]>;
  /** Get Channel Message (a post's starter message is in its thread, with the thread's id). */
  getMessage(channelId: string, messageId: string): Promise<APIMessage>;
}

/**
 * The starter message of an earlier attempt's post in a forum, or null: among the guild's active threads of
 * that forum made since the first attempt (newest first, at most `threadsSearched`), the first whose starter
 * message `matches` (the attempt's marker). A post is a new thread, so it is active right after it was made;
 * a starter message that cannot be read (deleted meanwhile) is passed over.
 */
export async function findEarlierForumPost(
  discord: ForumPostLookupDiscord,
  options: {
    guildId: string;
    forumId: string;
    since: Date;
    threadsSearched: number;
    matches: (message: APIMessage) => boolean;
  },
): Promise<APIMessage | null> {
  const threads = (await discord.activeThreads(options.guildId))
    .filter((thread) => thread.parent_id === options.forumId)
    .filter((thread) => snowflakeTime(thread.id) >= options.since.getTime() - CLOCK_SKEW_MS)
    .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1))
    .slice(0, options.threadsSearched);
  for (const thread of threads) {
    const starter = await discord.getMessage(thread.id, thread.id).catch(() => null);
    if (starter !== null && options.matches(starter)) return starter;
  }
  return null;
}
