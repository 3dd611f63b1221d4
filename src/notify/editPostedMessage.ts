import { buildClipPost } from './clipPostMessage.js';
import { finishEdit, loadMessageDeliveries, type EditClaim } from './deliveryClaims.js';
import { asDiscordApiError, classifyDeliveryError } from './deliveryPolicy.js';
import type { DeliveryContext } from './deliverMessage.js';

/**
 * Brings a post in line with its clips after a rename or deletion on Twitch: rebuilt with the current
 * titles, without deleted clips, or removed when none is left. A transient failure leaves the claim to
 * expire (the lease is the backoff); a post Discord no longer has, or a channel the bot lost access to, ends
 * the edit.
 */
export async function editPostedMessage(ctx: DeliveryContext, claim: EditClaim): Promise<void> {
  const log = ctx.logger.child({ deliveryMessageId: claim.id, channelId: claim.channelId });
  const deliveries = await loadMessageDeliveries(ctx.sql, claim.id, 'sent');
  const remaining = deliveries.filter((delivery) => !delivery.clipDeleted);
  const removed = remaining.length === 0;
  try {
    if (removed) {
      await ctx.discord.deleteMessage(claim.channelId, claim.discordMessageId);
    } else {
      const body = buildClipPost({
        clips: remaining,
        mentionRoleIds: remaining.flatMap((delivery) =>
          delivery.mentionRoleId ? [delivery.mentionRoleId] : [],
        ),
        marker: claim.nonce,
        heading: claim.heading,
      });
      await ctx.discord.editMessage(claim.channelId, claim.discordMessageId, body);
    }
  } catch (error) {
    const gone = String(asDiscordApiError(error)?.code) === '10008';
    const failure = classifyDeliveryError(error);
    if (!gone && failure.kind === 'transient') {
      log.warn({ reason: failure.reason }, 'Post edit failed; will retry when the claim expires');
      return;
    }
    log.warn({ reason: failure.reason, gone }, 'Post cannot be edited any more');
    await finishEdit(ctx.sql, claim, { removed: gone });
    return;
  }
  await finishEdit(ctx.sql, claim, { removed });
  log.info(
    { removed, clips: remaining.length },
    removed ? 'Post removed: its clips were deleted' : 'Post edited',
  );
}
