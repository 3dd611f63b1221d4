import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../db/Database.js';
import { UserError } from '../shared/errors.js';
import { isSnowflake } from '../shared/snowflake.js';
import type { ClipSync } from '../sync/ClipSync.js';
import type { TwitchUser } from '../twitch/twitchTypes.js';
import { selectSubscriptionViews, type SubscriptionView } from './SubscriptionView.js';
import {
  normaliseSubscriptionFilters,
  type SubscriptionFilterInput,
  type SubscriptionFilters,
} from './subscriptionFilters.js';

export interface CreateSubscriptionOptions {
  sql: SqlExecutor;
  /** Keeps the followed channel indexed. */
  sync: Pick<ClipSync, 'trackChannel'>;
  /** Most subscriptions the guild may have (SUBSCRIPTIONS_PER_GUILD). */
  quota: number;
  now?: Date;
  guild: { id: string; name: string };
  /** Where clips are posted (text, announcement, forum or thread channel of the guild). */
  discordChannelId: string;
  /** The Twitch channel, already resolved; `user` when Twitch was asked (saves a Get Users call). */
  twitchChannel: { id: string; user?: TwitchUser };
  createdByUserId: string;
  filters: SubscriptionFilterInput;
}

export interface CreateSubscriptionResult {
  subscription: SubscriptionView;
  /** False when the Discord channel already followed this Twitch channel: its filters were updated instead. */
  created: boolean;
}

/**
 * Subscribes a Discord channel to a Twitch channel's new clips. Filters are validated and normalised; the
 * Twitch channel is tracked (indexing starts if it was not) before the row exists, so the notifier never
 * sees a subscription whose channel nobody polls. New subscriptions post clips made from now on, not the
 * channel's history. A second add for the same (Discord channel, Twitch channel) updates the given
 * filters of the existing subscription. The per-guild quota is checked under a lock on the guild's row, so
 * concurrent adds cannot exceed it.
 */
export async function createSubscription(
  options: CreateSubscriptionOptions,
): Promise<CreateSubscriptionResult> {
  const { sql, guild } = options;
  const now = options.now ?? new Date();
  if (!isSnowflake(options.discordChannelId) || !isSnowflake(guild.id)) {
    throw new UserError('subscriptions.invalidChannel', 'Pick the Discord channel to post in from the list.');
  }
  // Validates before anything is written; applied again to the existing filters on a duplicate.
  const filters = normaliseSubscriptionFilters(options.filters, { guildId: guild.id });

  const existing = await findExisting(sql, options.discordChannelId, options.twitchChannel.id);
  if (existing === undefined) await assertBelowQuota(sql, guild.id, options.quota);
  await options.sync.trackChannel({
    broadcasterId: options.twitchChannel.id,
    reason: 'subscription',
    user: options.twitchChannel.user,
  });

  const result = await sql.transaction(async (tx) => {
    await tx.query(`INSERT INTO guilds (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [
      guild.id,
      guild.name.slice(0, 100),
    ]);
    // Serialises adds of one guild: the quota count and the insert see the same set of subscriptions.
    await tx.query(`SELECT id FROM guilds WHERE id = $1 FOR UPDATE`, [guild.id]);
    const duplicate = await findExisting(tx, options.discordChannelId, options.twitchChannel.id);
    if (duplicate !== undefined) {
      if (duplicate.guildId !== guild.id) {
        throw new UserError('subscriptions.otherGuild', 'That channel belongs to another server.');
      }
      const updated = normaliseSubscriptionFilters(options.filters, {
        guildId: guild.id,
        base: duplicate.filters,
      });
      await writeFilters(tx, duplicate.id, updated);
      return { id: duplicate.id, created: false };
    }
    await assertBelowQuota(tx, guild.id, options.quota);
    const id = randomUUID();
    await tx.query(
      `INSERT INTO subscriptions (id, guild_id, discord_channel_id, broadcaster_id, ${FILTER_COLUMNS},
                                  created_by_user_id, created_at, post_clips_since)
       VALUES ($1::uuid, $2, $3, $4, ${FILTER_PLACEHOLDERS(5)}, $16, $17::timestamptz, $17::timestamptz)`,
      [
        id,
        guild.id,
        options.discordChannelId,
        options.twitchChannel.id,
        ...filterValues(filters),
        options.createdByUserId,
        now,
      ],
    );
    return { id, created: true };
  });
  const [subscription] = await selectSubscriptionViews(sql, 's.id = $1::uuid', [result.id]);
  if (subscription === undefined) throw new Error(`subscription ${result.id} vanished after it was written`);
  return { subscription, created: result.created };
}

async function findExisting(
  sql: SqlExecutor,
  discordChannelId: string,
  broadcasterId: string,
): Promise<SubscriptionView | undefined> {
  const [found] = await selectSubscriptionViews(sql, 's.discord_channel_id = $1 AND s.broadcaster_id = $2', [
    discordChannelId,
    broadcasterId,
  ]);
  return found;
}

async function assertBelowQuota(sql: SqlExecutor, guildId: string, quota: number): Promise<void> {
  const [row] = await sql.query<{ count: number | string }>(
    `SELECT count(*) AS count FROM subscriptions WHERE guild_id = $1`,
    [guildId],
  );
  const count = Number(row?.count ?? 0);
  if (count >= quota) {
    throw new UserError(
      'subscriptions.quota',
      `This server already has ${count} subscriptions, the most it may have (${quota}). Remove one with ` +
        '/subscriptions remove first.',
    );
  }
}

/** The filter columns, in the order of `filterValues`. */
const FILTER_COLUMNS = `min_views, keywords, keyword_mode, excluded_words, game_id, creator_id, skip_untitled,
                        mention_role_id, mode, digest_size, post_as`;
const FILTER_PLACEHOLDERS = (first: number) =>
  `$${first}, $${first + 1}::text[], $${first + 2}, $${first + 3}::text[], $${first + 4}, $${first + 5},
   $${first + 6}, $${first + 7}, $${first + 8}, $${first + 9}, $${first + 10}`;

function filterValues(f: SubscriptionFilters): unknown[] {
  return [
    f.minViews,
    f.keywords,
    f.keywordMode,
    f.excludedWords,
    f.gameId,
    f.creatorId,
    f.skipUntitled,
    f.mentionRoleId,
    f.mode,
    f.digestSize,
    f.postAs,
  ];
}

/** Writes every filter column of a subscription (used by the duplicate-add update). */
async function writeFilters(sql: SqlExecutor, id: string, filters: SubscriptionFilters): Promise<void> {
  await sql.query(
    `UPDATE subscriptions SET (${FILTER_COLUMNS}) = (${FILTER_PLACEHOLDERS(2)}) WHERE id = $1::uuid`,
    [id, ...filterValues(filters)],
  );
}
