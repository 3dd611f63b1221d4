import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import { buildClipPost } from './clipPostMessage.js';
import {
  deadLetterMessage,
  retryMessageLater,
  skipDeliveries,
  skipMessage,
  type MessageClaim,
  type MessageDelivery,
  type PausedSubscription,
  type SentMessage,
} from './deliveryClaims.js';
import { classifyDeliveryError, retryDelayMs } from './deliveryPolicy.js';
import type { NotifyDiscord } from './notifyDiscord.js';
import type { NotifyMetrics } from './notifyMetrics.js';

export interface DeliveryWorkerOptions {
  /** Attempts (claims) of one message before it is dead-lettered. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /**
   * Discord returns the first message for a repeated nonce for "a few minutes". An attempt older than this
   * (kept well inside that window) may have posted without the nonce still protecting us, so the channel's
   * recent messages are searched for its marker before posting again.
   */
  nonceTrustMs: number;
  /** Recent messages searched for an old attempt's marker (Discord allows up to 100 per request). */
  recentMessagesSearched: number;
}

export const defaultDeliveryWorkerOptions: DeliveryWorkerOptions = {
  maxAttempts: 8,
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  nonceTrustMs: 2 * 60_000,
  recentMessagesSearched: 100,
};

/** The outbox reads and writes of a post; the Notifier batches them across the posts in flight. */
export interface DeliveryBatches {
  loadDeliveries(messageId: string): Promise<MessageDelivery[]>;
  recordSent(sent: SentMessage): Promise<string[]>;
}

export interface DeliveryContext {
  sql: SqlExecutor;
  batches: DeliveryBatches;
  discord: NotifyDiscord;
  logger: Logger;
  metrics: NotifyMetrics;
  clock: () => Date;
  options: DeliveryWorkerOptions;
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'retry' | 'failed' | 'lost-lease';

/** How to fix each channel problem, in the notice sent to the guild. */
const FIXES: Record<string, string> = {
  '10003': 'The channel no longer exists. Add the subscription again for another channel.',
  '50001': 'I cannot see that channel. Give me **View Channel** there',
  '50013': 'I am missing permissions there. Give me **View Channel**, **Send Messages** and **Embed Links**',
};

function noticeText(paused: PausedSubscription, reason: string, code: string): string {
  const fix = FIXES[code] ?? 'Check my permissions in that channel';
  const resume = code === '10003' ? '' : ', then run `/subscriptions resume`.';
  return (
    `I stopped posting new clips of **${paused.broadcasterName.replace(/[\\*_~`|[\]()<>@#]/g, '')}** in ` +
    `<#${paused.discordChannelId}>: Discord answered ${reason}. ${fix}${resume}`
  );
}

/**
 * Tells each guild once that a subscription was paused: in its system channel (unless that is the broken
 * channel), else by DM to the member who subscribed. Best effort: a notice that cannot be delivered is
 * logged, the pause itself is already recorded (and shown by `/subscriptions list`).
 */
async function tellGuilds(
  ctx: DeliveryContext,
  paused: readonly PausedSubscription[],
  failure: { code: string; reason: string },
): Promise<void> {
  const byGuild = new Map<string, PausedSubscription>();
  for (const subscription of paused)
    if (!byGuild.has(subscription.guildId)) byGuild.set(subscription.guildId, subscription);
  for (const subscription of byGuild.values()) {
    const content = noticeText(subscription, failure.reason, failure.code);
    const body = { content, allowed_mentions: { parse: [] } };
    try {
      if (
        subscription.systemChannelId !== null &&
        subscription.systemChannelId !== subscription.discordChannelId
      ) {
        try {
          await ctx.discord.postMessage(subscription.systemChannelId, body);
          continue;
        } catch (error) {
          ctx.logger.warn(
            { err: error, guildId: subscription.guildId },
            'Pause notice: system channel refused, trying a DM',
          );
        }
      }
      const dm = await ctx.discord.openDirectMessage(subscription.createdByUserId);
      await ctx.discord.postMessage(dm.id, body);
    } catch (error) {
      ctx.logger.warn({ err: error, guildId: subscription.guildId }, 'Pause notice could not be delivered');
    }
  }
}

/** Looks for an earlier attempt's post among the channel's recent messages (by the marker in its footer). */
async function findEarlierPost(ctx: DeliveryContext, claim: MessageClaim): Promise<string | null> {
  const recent = await ctx.discord.recentMessages(claim.channelId, ctx.options.recentMessagesSearched);
  const found = recent.find((message) =>
    (message.embeds ?? []).some((embed) => embed.footer?.text.endsWith(` · ${claim.nonce}`) === true),
  );
  return found?.id ?? null;
}

/**
 * Posts one claimed message: loads its clips, skips what may no longer be posted, re-finds an old attempt's
 * post, posts with the nonce and `enforce_nonce`, and records the outcome.
 */
export async function deliverMessage(ctx: DeliveryContext, claim: MessageClaim): Promise<DeliveryOutcome> {
  const log = ctx.logger.child({
    deliveryMessageId: claim.id,
    channelId: claim.channelId,
    attempt: claim.attempts,
  });
  const deliveries = await ctx.batches.loadDeliveries(claim.id);
  const postable = deliveries.filter((delivery) => !delivery.paused && !delivery.clipDeleted);
  const dropped = deliveries.filter((delivery) => delivery.paused || delivery.clipDeleted);
  if (dropped.length > 0) {
    await skipDeliveries(
      ctx.sql,
      dropped.map((delivery) => delivery.deliveryId),
      'subscription paused or clip deleted',
    );
    ctx.metrics.deliveries.inc({ outcome: 'skipped' }, dropped.length);
  }
  if (postable.length === 0) {
    await skipMessage(ctx.sql, claim);
    log.info({ skipped: dropped.length }, 'Delivery message skipped: nothing left to post');
    return 'skipped';
  }
  const deliveryIds = postable.map((delivery) => delivery.deliveryId);
  try {
    let discordMessageId: string | null = null;
    let found = false;
    if (
      claim.attempts > 1 &&
      ctx.clock().getTime() - claim.firstAttemptAt.getTime() > ctx.options.nonceTrustMs
    ) {
      discordMessageId = await findEarlierPost(ctx, claim);
      found = discordMessageId !== null;
    }
    if (discordMessageId === null) {
      const body = buildClipPost({
        clips: postable,
        mentionRoleIds: postable.flatMap((delivery) =>
          delivery.mentionRoleId ? [delivery.mentionRoleId] : [],
        ),
        marker: claim.nonce,
      });
      discordMessageId = (
        await ctx.discord.postMessage(claim.channelId, { ...body, nonce: claim.nonce, enforce_nonce: true })
      ).id;
    }
    const sentAt = ctx.clock();
    const marked = await ctx.batches.recordSent({ claim, discordMessageId, sentAt });
    ctx.metrics.attempts.inc({ result: found ? 'found' : 'sent' });
    const markedSet = new Set(marked);
    for (const delivery of postable) {
      if (!markedSet.has(delivery.deliveryId)) continue;
      ctx.metrics.deliveries.inc({ outcome: 'sent' });
      ctx.metrics.discoveryToPost.observe(
        Math.max(0, (sentAt.getTime() - delivery.firstSeenAt.getTime()) / 1000),
      );
      ctx.metrics.creationToPost.observe(
        Math.max(0, (sentAt.getTime() - delivery.createdAt.getTime()) / 1000),
      );
    }
    log.info({ deliveryIds, discordMessageId, clips: postable.length, found }, 'Delivery message posted');
    return 'sent';
  } catch (error) {
    const failure = classifyDeliveryError(error);
    const now = ctx.clock();
    if (failure.kind === 'transient' && claim.attempts < ctx.options.maxAttempts) {
      const delay = Math.max(
        failure.retryAfterMs ?? 0,
        retryDelayMs(claim.attempts, { baseMs: ctx.options.retryBaseMs, maxMs: ctx.options.retryMaxMs }),
      );
      const kept = await retryMessageLater(ctx.sql, claim, {
        nextAttemptAt: new Date(now.getTime() + delay),
        error: failure.reason,
      });
      ctx.metrics.attempts.inc({ result: 'retry' });
      log.warn(
        { deliveryIds, reason: failure.reason, retryInMs: delay, kept },
        'Delivery message failed; will retry',
      );
      return kept ? 'retry' : 'lost-lease';
    }
    const reason =
      failure.kind === 'transient'
        ? `Gave up after ${claim.attempts} attempts: ${failure.reason}`
        : failure.kind === 'channel-problem'
          ? `Discord refused to post: ${failure.reason}`
          : `Discord rejected the post: ${failure.reason}`;
    const result = await deadLetterMessage(ctx.sql, claim, {
      error: reason,
      now,
      ...(failure.kind === 'channel-problem' ? { pauseCode: failure.code } : {}),
    });
    if (result === null) return 'lost-lease';
    ctx.metrics.attempts.inc({ result: failure.kind === 'channel-problem' ? 'channel_problem' : 'rejected' });
    ctx.metrics.deliveries.inc({ outcome: 'failed' }, result.deliveries);
    ctx.metrics.deadLetters.inc(result.deliveries);
    log.error({ deliveryIds, reason, paused: result.paused.length }, 'Delivery message dead-lettered');
    if (failure.kind === 'channel-problem' && result.paused.length > 0) {
      await tellGuilds(ctx, result.paused, failure);
    }
    return 'failed';
  }
}
