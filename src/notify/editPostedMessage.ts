import { buildClipPost } from './clipPostMessage.js';
import { finishEdit, loadMessageDeliveries, retryEditLater, type EditClaim } from './deliveryClaims.js';
import { asDiscordApiError, classifyDeliveryError, nextRetryDelayMs } from './deliveryPolicy.js';
import type { DeliveryContext } from './deliverMessage.js';
import { momentLeads } from './moments/momentLeads.js';

/**
 * Brings a post in line with its clips after a rename or deletion on Twitch, or after clips joined its
 * moment or overtook its lead: rebuilt with the current titles and moments, without deleted clips, or
 * removed when none is left. A transient failure is retried with exponential backoff up to
 * `maxEditAttempts` tries, then given up (logged and counted: the post keeps its old look); a post Discord
 * no longer has, or a channel the bot lost access to, ends the edit.
 */
export async function editPostedMessage(ctx: DeliveryContext, claim: EditClaim): Promise<void> {
  const log = ctx.logger.child({
    deliveryMessageId: claim.id,
    channelId: claim.channelId,
    attempt: claim.attempts,
  });
  const deliveries = await loadMessageDeliveries(ctx.sql, claim.id, 'sent');
  const remaining = deliveries.filter((delivery) => !delivery.clipDeleted);
  const removed = remaining.length === 0;
  let webhookGone = false;
  try {
    const body = removed
      ? null
      : buildClipPost({
          clips: momentLeads(remaining),
          mentionRoleIds: remaining.flatMap((delivery) =>
            delivery.mentionRoleId ? [delivery.mentionRoleId] : [],
          ),
          marker: claim.nonce,
          heading: claim.heading,
        });
    if (claim.webhookId !== null) {
      // A webhook's post is edited or deleted through that webhook (Edit/Delete Webhook Message).
      if (ctx.webhooks === undefined) throw new Error('webhook mode is not available in this process');
      webhookGone =
        (await ctx.webhooks.edit({
          channelId: claim.channelId,
          webhookId: claim.webhookId,
          messageId: claim.discordMessageId,
          body,
        })) === 'gone';
    } else if (body === null) {
      // A forum post's message lives in its thread. Deleting it leaves the thread (with its title) behind:
      // deleting the thread itself would need Manage Threads, which posting never asks for.
      await ctx.discord.deleteMessage(claim.threadId ?? claim.channelId, claim.discordMessageId);
    } else {
      await ctx.discord.editMessage(claim.threadId ?? claim.channelId, claim.discordMessageId, body);
    }
  } catch (error) {
    const gone = String(asDiscordApiError(error)?.code) === '10008';
    const failure = classifyDeliveryError(error);
    if (!gone && failure.kind === 'transient' && claim.attempts < ctx.options.maxEditAttempts) {
      const delay = nextRetryDelayMs(claim.attempts, failure, ctx.options);
      await retryEditLater(ctx.sql, claim, new Date(ctx.clock().getTime() + delay));
      ctx.metrics.postEdits.inc({ result: 'retry' });
      log.warn({ reason: failure.reason, retryInMs: delay }, 'Post edit failed; will retry');
      return;
    }
    await finishEdit(ctx.sql, claim, { removed: gone });
    if (!gone && failure.kind === 'transient') {
      ctx.metrics.postEdits.inc({ result: 'gave_up' });
      log.error({ reason: failure.reason }, `Post edit given up after ${claim.attempts} attempts`);
    } else {
      ctx.metrics.postEdits.inc({ result: 'gone' });
      log.warn({ reason: failure.reason, gone }, 'Post cannot be edited any more');
    }
    return;
  }
  if (webhookGone) {
    // The webhook that made the post was deleted: nothing can edit its posts any more.
    log.warn('Post cannot be edited any more: the webhook that posted it is gone');
    await finishEdit(ctx.sql, claim, { removed: false });
    return;
  }
  await finishEdit(ctx.sql, claim, { removed });
  ctx.metrics.postEdits.inc({ result: removed ? 'removed' : 'edited' });
  log.info(
    { removed, clips: remaining.length },
    removed ? 'Post removed: its clips were deleted' : 'Post edited',
  );
}
