import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import type { BotPoster } from './BotPoster.js';
import { buildClipPost, carriesMarker } from './clipPostMessage.js';
import {
  deadLetterMessage,
  retryMessageLater,
  skipDeliveries,
  skipMessage,
  type MessageClaim,
  type MessageDelivery,
  type SentMessage,
} from './deliveryClaims.js';
import { classifyDeliveryError, nextRetryDelayMs } from './deliveryPolicy.js';
import { forumThreadName, plainText } from './forumPosts.js';
import type { NotifyDiscord } from './notifyDiscord.js';
import type { NotifyMetrics } from './notifyMetrics.js';
import { momentLeads } from './moments/momentLeads.js';
import { MISSING_MANAGE_WEBHOOKS } from './webhooks/ChannelWebhooks.js';
import type { WebhookPoster } from './webhooks/WebhookPoster.js';

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
  /** Tries of one edit of a post (renamed or deleted clips) before it is given up; same backoff. */
  maxEditAttempts: number;
}

export const defaultDeliveryWorkerOptions: DeliveryWorkerOptions = {
  maxAttempts: 8,
  retryBaseMs: 2_000,
  retryMaxMs: 5 * 60_000,
  nonceTrustMs: 2 * 60_000,
  recentMessagesSearched: 100,
  maxEditAttempts: 6,
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
  /** Posts as the bot (a message, or a post in a forum) over `discord`. */
  poster: BotPoster;
  logger: Logger;
  metrics: NotifyMetrics;
  clock: () => Date;
  options: DeliveryWorkerOptions;
  /** Webhook mode (posts as the streamer); without it, messages of webhook-mode subscriptions cannot go out. */
  webhooks?: WebhookPoster;
}

export type DeliveryOutcome = 'sent' | 'skipped' | 'retry' | 'failed' | 'lost-lease';

/**
 * Posts one claimed message: loads its clips, skips what may no longer be posted, re-finds an old attempt's
 * post, posts (with the nonce and `enforce_nonce`; in a forum, as a new post named after its first clip or
 * the digest's heading), and records the outcome.
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
  const mentionRoleIds = postable.flatMap((delivery) =>
    delivery.mentionRoleId ? [delivery.mentionRoleId] : [],
  );
  try {
    let discordMessageId: string | null = null;
    let found = false;
    let webhookId: string | null = null;
    let threadId: string | null = null;
    if (claim.postAsBroadcasterId !== null) {
      if (ctx.webhooks === undefined) throw new Error('webhook mode is not available in this process');
      // No nonce through a webhook: every later attempt first looks for the earlier attempt's post.
      const posted = await ctx.webhooks.post({
        channelId: claim.channelId,
        broadcasterId: claim.postAsBroadcasterId,
        body: buildClipPost({
          clips: postable,
          mentionRoleIds,
          marker: claim.nonce,
        }),
        titles: postable.map((delivery) => delivery.title),
        marker: claim.nonce,
        earlierAttempt: claim.attempts > 1 ? claim.firstAttemptAt : null,
      });
      ({ messageId: discordMessageId, found, webhookId, threadId } = posted);
    } else {
      const leads = momentLeads(postable);
      const posted = await ctx.poster.post({
        channelId: claim.channelId,
        body: buildClipPost({
          clips: leads,
          mentionRoleIds,
          marker: claim.nonce,
          heading: claim.heading,
        }),
        threadName: forumThreadName(
          claim.heading !== null ? [plainText(claim.heading)] : leads.map((clip) => clip.title),
        ),
        nonce: claim.nonce,
        ...(claim.attempts > 1
          ? {
              earlier: {
                since: claim.firstAttemptAt,
                matches: (message) => carriesMarker(message, claim.nonce),
                nonceExpired:
                  ctx.clock().getTime() - claim.firstAttemptAt.getTime() > ctx.options.nonceTrustMs,
              },
            }
          : {}),
      });
      ({ messageId: discordMessageId, found, threadId } = posted);
    }
    const sentAt = ctx.clock();
    if (discordMessageId === null) throw new Error('no message id after posting');
    const marked = await ctx.batches.recordSent({ claim, discordMessageId, sentAt, webhookId, threadId });
    ctx.metrics.attempts.inc({ result: found ? 'found' : 'sent' });
    const markedSet = new Set(marked);
    for (const delivery of postable) {
      if (!markedSet.has(delivery.deliveryId)) continue;
      ctx.metrics.deliveries.inc({ outcome: 'sent' });
      // A digest posts clips a period later by design: its wait is no delivery latency.
      if (claim.kind === 'digest') continue;
      ctx.metrics.discoveryToPost.observe(
        Math.max(0, (sentAt.getTime() - delivery.firstSeenAt.getTime()) / 1000),
      );
      ctx.metrics.creationToPost.observe(
        Math.max(0, (sentAt.getTime() - delivery.createdAt.getTime()) / 1000),
      );
    }
    log.info(
      { deliveryIds, discordMessageId, clips: postable.length, found, kind: claim.kind },
      'Delivery message posted',
    );
    return 'sent';
  } catch (error) {
    const failure = classifyDeliveryError(error);
    const now = ctx.clock();
    if (failure.kind === 'transient' && claim.attempts < ctx.options.maxAttempts) {
      const delay = nextRetryDelayMs(claim.attempts, failure, ctx.options);
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
      ...(failure.kind === 'channel-problem'
        ? { pause: { ...failure, webhookModeOnly: failure.code === MISSING_MANAGE_WEBHOOKS } }
        : {}),
    });
    if (result === null) return 'lost-lease';
    ctx.metrics.attempts.inc({ result: failure.kind === 'channel-problem' ? 'channel_problem' : 'rejected' });
    ctx.metrics.deliveries.inc({ outcome: 'failed' }, result.deliveries);
    ctx.metrics.deadLetters.inc(result.deliveries);
    // The guilds of newly paused subscriptions are told by the notices queued with the pause (pauseNotices.ts).
    log.error({ deliveryIds, reason, paused: result.paused.length }, 'Delivery message dead-lettered');
    return 'failed';
  }
}
