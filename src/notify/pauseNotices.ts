/**
 * The notice that tells a guild its subscription was paused because the channel refused a post (Unknown
 * Channel, Missing Access, Missing Permissions). It is an outbox row written in the transaction that pauses
 * the subscription, so a crash between the pause and the send cannot lose it; it is sent like a delivery
 * message (claim with SKIP LOCKED and a lease, the same nonce on every attempt, `enforce_nonce`), so a retry
 * cannot post it twice. Target: the guild's system channel unless that is the refusing channel, else (or when
 * the system channel refuses too) a DM to the member who subscribed.
 */
import { MISSING_MANAGE_WEBHOOKS } from './webhooks/ChannelWebhooks.js';
import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import { classifyDeliveryError, nextRetryDelayMs, randomSalt } from './deliveryPolicy.js';
import type { BotPoster } from './BotPoster.js';
import type { NotifyDiscord } from './notifyDiscord.js';
import type { NotifyMetrics } from './notifyMetrics.js';

/** What sending a notice needs (the delivery worker's context satisfies it: same retry and nonce rules). */
export interface PauseNoticeContext {
  sql: SqlExecutor;
  discord: Pick<NotifyDiscord, 'openDirectMessage'>;
  /** Posts the notice (a new post when the target is a forum or media channel). */
  poster: BotPoster;
  logger: Logger;
  metrics: NotifyMetrics;
  clock: () => Date;
  options: {
    maxAttempts: number;
    retryBaseMs: number;
    retryMaxMs: number;
    nonceTrustMs: number;
    recentMessagesSearched: number;
  };
}

/** A subscription the dead-lettering transaction has just paused, with what its notice needs. */
export interface PausedSubscription {
  subscriptionId: string;
  guildId: string;
  createdByUserId: string;
  discordChannelId: string;
  broadcasterName: string;
  systemChannelId: string | null;
}

/** The title of a notice that goes to a forum or media channel, where every message is a post. */
const PAUSE_NOTICE_THREAD_NAME = 'Clip notifications paused';

/** How to fix each channel problem, in the notice. */
const FIXES: Record<string, string> = {
  '10003': 'The channel no longer exists. Add the subscription again for another channel.',
  '50001': 'I cannot see that channel. Give me **View Channel** there',
  '50013':
    'I am missing permissions there. Give me **View Channel**, **Send Messages** and **Embed Links** (in a ' +
    'forum: **Create Posts** and **Embed Links**)',
  '40067':
    'The forum wants a tag on every post, and I post without tags. Turn off **Require people to tag their ' +
    'posts** in its settings',
  [MISSING_MANAGE_WEBHOOKS]:
    'To post clips as the streamer I create a webhook there. Give me **Manage Webhooks** in that channel (or ' +
    'add the subscription again with `post_as: bot`)',
};

export function pauseNoticeText(
  paused: PausedSubscription,
  failure: { code: string; reason: string },
): string {
  const fix = FIXES[failure.code] ?? 'Check my permissions in that channel';
  const resume = failure.code === '10003' ? '' : ', then run `/subscriptions resume`.';
  return (
    `I stopped posting new clips of **${paused.broadcasterName.replace(/[\\*_~`|[\]()<>@#]/g, '')}** in ` +
    `<#${paused.discordChannelId}>: Discord answered ${failure.reason}. ${fix}${resume}`
  );
}

/**
 * Writes one notice per guild among `paused`, inside the caller's transaction (the one that paused them).
 * Returns how many were queued.
 */
export async function queuePauseNotices(
  tx: SqlExecutor,
  paused: readonly PausedSubscription[],
  failure: { code: string; reason: string },
): Promise<number> {
  const byGuild = new Map<string, PausedSubscription>();
  for (const subscription of paused)
    if (!byGuild.has(subscription.guildId)) byGuild.set(subscription.guildId, subscription);
  const notices = [...byGuild.values()];
  if (notices.length === 0) return 0;
  const systemChannels = notices.map((notice) =>
    notice.systemChannelId !== null && notice.systemChannelId !== notice.discordChannelId
      ? notice.systemChannelId
      : null,
  );
  await tx.query(
    `INSERT INTO pause_notices (guild_id, subscription_id, system_channel_id, user_id, via_dm, content, nonce)
     SELECT guild_id, subscription_id, system_channel_id, user_id, system_channel_id IS NULL, content, nonce
       FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[])
            AS n(guild_id, subscription_id, system_channel_id, user_id, content, nonce)`,
    [
      notices.map((notice) => notice.guildId),
      notices.map((notice) => notice.subscriptionId),
      systemChannels,
      notices.map((notice) => notice.createdByUserId),
      notices.map((notice) => pauseNoticeText(notice, failure)),
      // At most 25 characters; random, as the row id is not known before the insert.
      notices.map(() => `tcsp.${randomSalt()}${randomSalt()}`),
    ],
  );
  return notices.length;
}

export interface PauseNoticeClaim {
  id: string;
  guildId: string;
  systemChannelId: string | null;
  userId: string;
  viaDm: boolean;
  content: string;
  nonce: string;
  /** Including this one. */
  attempts: number;
  firstAttemptAt: Date;
  leaseUntil: Date;
}

/** Claims due notices (SKIP LOCKED, lease). Uses pause_notices_status_next_attempt_at_idx. */
export async function claimDuePauseNotices(
  sql: SqlExecutor,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<PauseNoticeClaim[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const rows = await sql.query<Record<string, unknown>>(
    `WITH due AS (
       SELECT id FROM pause_notices
        WHERE status = 'pending' AND next_attempt_at <= $1::timestamptz
          AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
        ORDER BY next_attempt_at, id LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE pause_notices n
        SET lease_until = $3::timestamptz, attempts = n.attempts + 1,
            first_attempt_at = COALESCE(n.first_attempt_at, $1::timestamptz)
       FROM due WHERE n.id = due.id
     RETURNING n.id::text AS id, n.guild_id, n.system_channel_id, n.user_id, n.via_dm, n.content, n.nonce,
               n.attempts, n.first_attempt_at`,
    [options.now, options.limit, leaseUntil],
  );
  return rows.map((row) => ({
    id: String(row.id),
    guildId: String(row.guild_id),
    systemChannelId: (row.system_channel_id as string | null) ?? null,
    userId: String(row.user_id),
    viaDm: row.via_dm === true,
    content: String(row.content),
    nonce: String(row.nonce),
    attempts: Number(row.attempts),
    firstAttemptAt: new Date(row.first_attempt_at as string),
    leaseUntil,
  }));
}

/** Ends or reschedules a claimed notice, fenced by its lease (false when the lease was lost). */
async function updateClaimed(
  sql: SqlExecutor,
  claim: PauseNoticeClaim,
  assignments: string,
  params: unknown[],
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE pause_notices SET lease_until = NULL, ${assignments}
      WHERE id = $1::bigint AND lease_until = $2::timestamptz AND status = 'pending' RETURNING id`,
    [claim.id, claim.leaseUntil, ...params],
  );
  return rows.length === 1;
}

/**
 * Sends one claimed notice. An attempt older than Discord's nonce window first looks for the notice among
 * the target's recent messages (same text). A permanent refusal of the system channel switches the notice
 * to a DM (a fresh attempt budget); a transient failure is retried with backoff; after the last attempt, or
 * when the DM is refused too, the notice is given up (logged; the pause still shows in `/subscriptions list`).
 */
export async function sendPauseNotice(
  ctx: PauseNoticeContext,
  claim: PauseNoticeClaim,
): Promise<'sent' | 'dm' | 'retry' | 'failed' | 'lost-lease'> {
  const log = ctx.logger.child({ pauseNoticeId: claim.id, guildId: claim.guildId, attempt: claim.attempts });
  const now = ctx.clock();
  try {
    const channelId = claim.viaDm
      ? (await ctx.discord.openDirectMessage(claim.userId)).id
      : claim.systemChannelId!;
    const { messageId } = await ctx.poster.post({
      channelId,
      body: { content: claim.content, allowed_mentions: { parse: [] } },
      threadName: PAUSE_NOTICE_THREAD_NAME,
      nonce: claim.nonce,
      // An earlier attempt's notice is recognised by its text.
      ...(claim.attempts > 1
        ? {
            earlier: {
              since: claim.firstAttemptAt,
              matches: (message) => message.content === claim.content,
              nonceExpired: now.getTime() - claim.firstAttemptAt.getTime() > ctx.options.nonceTrustMs,
            },
          }
        : {}),
    });
    const kept = await updateClaimed(
      ctx.sql,
      claim,
      `status = 'sent', message_id = $3, sent_at = $4::timestamptz`,
      [messageId, ctx.clock()],
    );
    ctx.metrics.pauseNotices.inc({ result: 'sent' });
    log.info({ messageId, viaDm: claim.viaDm, kept }, 'Pause notice sent');
    return 'sent';
  } catch (error) {
    const failure = classifyDeliveryError(error);
    if (failure.kind !== 'transient' && !claim.viaDm) {
      const kept = await updateClaimed(
        ctx.sql,
        claim,
        `via_dm = true, attempts = 0, first_attempt_at = NULL, next_attempt_at = $3::timestamptz, last_error = $4`,
        [now, failure.reason],
      );
      ctx.metrics.pauseNotices.inc({ result: 'dm_fallback' });
      log.warn({ reason: failure.reason }, 'Pause notice: system channel refused, trying a DM');
      return kept ? 'dm' : 'lost-lease';
    }
    if (failure.kind === 'transient' && claim.attempts < ctx.options.maxAttempts) {
      const delay = nextRetryDelayMs(claim.attempts, failure, ctx.options);
      const kept = await updateClaimed(ctx.sql, claim, `next_attempt_at = $3::timestamptz, last_error = $4`, [
        new Date(now.getTime() + delay),
        failure.reason,
      ]);
      ctx.metrics.pauseNotices.inc({ result: 'retry' });
      log.warn({ reason: failure.reason, retryInMs: delay }, 'Pause notice failed; will retry');
      return kept ? 'retry' : 'lost-lease';
    }
    const kept = await updateClaimed(ctx.sql, claim, `status = 'failed', last_error = $3`, [failure.reason]);
    ctx.metrics.pauseNotices.inc({ result: 'failed' });
    log.warn({ reason: failure.reason }, 'Pause notice could not be delivered');
    return kept ? 'failed' : 'lost-lease';
  }
}
