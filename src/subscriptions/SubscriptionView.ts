import type { SqlExecutor } from '../db/Database.js';
import type { KeywordMode, PostAs, SubscriptionFilters, SubscriptionMode } from './subscriptionFilters.js';

/** A subscription as `/subscriptions list` shows it: filters, state, and what delivery last reported. */
export interface SubscriptionView {
  id: string;
  guildId: string;
  discordChannelId: string;
  broadcasterId: string;
  /** Twitch display name and login of the followed channel. */
  channelName: string;
  channelLogin: string;
  filters: SubscriptionFilters;
  /** Names for the filter ids, when we know them (games table, clips' creator names). */
  gameName: string | null;
  creatorName: string | null;
  /** The guild's IANA time zone (`/settings timezone`), in which digests are scheduled. */
  timeZone: string;
  paused: boolean;
  /** "user" or the Discord error code that paused it (e.g. "50013"). */
  pausedReason: string | null;
  createdByUserId: string;
  createdAt: Date;
  postClipsSince: Date;
  lastPostedAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
}

interface SubscriptionRow {
  id: string;
  guild_id: string;
  discord_channel_id: string;
  broadcaster_id: string;
  display_name: string;
  login: string;
  min_views: number;
  keywords: string[] | null;
  keyword_mode: string;
  excluded_words: string[] | null;
  game_id: string | null;
  game_name: string | null;
  creator_id: string | null;
  creator_name: string | null;
  timezone: string | null;
  skip_untitled: boolean;
  mention_role_id: string | null;
  mode: string;
  digest_size: number;
  post_as: string;
  paused: boolean;
  paused_reason: string | null;
  created_by_user_id: string;
  created_at: Date | string;
  post_clips_since: Date | string;
  last_posted_at: Date | string | null;
  last_error: string | null;
  last_error_at: Date | string | null;
}

/**
 * Subscriptions with their channel, game and clipper names, oldest first. `where` is a fixed SQL condition
 * on `s` written by this module's callers with `$n` parameters, never user text. The creator name comes
 * from any one of their clips (clips_creator_id_idx).
 */
export async function selectSubscriptionViews(
  sql: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<SubscriptionView[]> {
  const rows = await sql.query<SubscriptionRow>(
    `SELECT s.id::text AS id, s.guild_id, s.discord_channel_id, s.broadcaster_id, b.display_name, b.login,
            s.min_views, s.keywords, s.keyword_mode, s.excluded_words, s.game_id, g.name AS game_name,
            s.creator_id, creator.creator_name, s.skip_untitled, s.mention_role_id, s.mode, s.digest_size, s.post_as,
            s.paused, s.paused_reason, s.created_by_user_id, s.created_at, s.post_clips_since,
            s.last_posted_at, s.last_error, s.last_error_at, guild.timezone
       FROM subscriptions s
       JOIN broadcasters b ON b.id = s.broadcaster_id
       LEFT JOIN guilds guild ON guild.id = s.guild_id
       LEFT JOIN games g ON g.id = s.game_id
       LEFT JOIN LATERAL (SELECT c.creator_name FROM clips c WHERE c.creator_id = s.creator_id LIMIT 1) creator
              ON true
      WHERE ${where}
      ORDER BY s.created_at, s.id`,
    params,
  );
  return rows.map(toView);
}

function toView(row: SubscriptionRow): SubscriptionView {
  const date = (value: Date | string) => (value instanceof Date ? value : new Date(value));
  return {
    id: row.id,
    guildId: row.guild_id,
    discordChannelId: row.discord_channel_id,
    broadcasterId: row.broadcaster_id,
    channelName: row.display_name,
    channelLogin: row.login,
    filters: {
      minViews: row.min_views,
      keywords: row.keywords ?? [],
      keywordMode: row.keyword_mode as KeywordMode,
      excludedWords: row.excluded_words ?? [],
      gameId: row.game_id,
      creatorId: row.creator_id,
      skipUntitled: row.skip_untitled,
      mentionRoleId: row.mention_role_id,
      mode: row.mode as SubscriptionMode,
      digestSize: row.digest_size,
      postAs: (row.post_as === 'webhook' ? 'webhook' : 'bot') satisfies PostAs,
    },
    gameName: row.game_name,
    creatorName: row.creator_name,
    timeZone: row.timezone ?? 'UTC',
    paused: row.paused,
    pausedReason: row.paused_reason,
    createdByUserId: row.created_by_user_id,
    createdAt: date(row.created_at),
    postClipsSince: date(row.post_clips_since),
    lastPostedAt: row.last_posted_at === null ? null : date(row.last_posted_at),
    lastError: row.last_error,
    lastErrorAt: row.last_error_at === null ? null : date(row.last_error_at),
  };
}
