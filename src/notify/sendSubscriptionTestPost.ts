import { UserError } from '../shared/errors.js';
import type { SubscriptionView } from '../subscriptions/SubscriptionView.js';
import { buildSubscriptionTestPost } from './clipPostMessage.js';
import { classifyDeliveryError } from './deliveryPolicy.js';
import type { NotifyDiscord } from './notifyDiscord.js';

/**
 * `/subscriptions test`: posts a sample clip message where the subscription posts, the way the delivery
 * worker would (same builder, same mention rule), so an admin sees the look and learns at once whether the
 * bot may post there. A channel problem (gone, no access, missing permissions) becomes a UserError saying
 * what to fix; other failures propagate to the error handler (logged with an error id).
 */
export async function sendSubscriptionTestPost(
  discord: Pick<NotifyDiscord, 'postMessage'>,
  subscription: Pick<SubscriptionView, 'discordChannelId' | 'channelName' | 'filters'>,
): Promise<{ messageId: string }> {
  const body = buildSubscriptionTestPost({
    broadcasterName: subscription.channelName,
    mentionRoleId: subscription.filters.mentionRoleId,
  });
  try {
    const { id } = await discord.postMessage(subscription.discordChannelId, body);
    return { messageId: id };
  } catch (error) {
    const failure = classifyDeliveryError(error);
    if (failure.kind === 'channel-problem') {
      throw new UserError(
        'subscriptions.testCannotPost',
        `I cannot post in <#${subscription.discordChannelId}> (${failure.reason}). Give the bot View Channel, ` +
          'Send Messages and Embed Links there (and Send Messages in Threads for a forum), then try again.',
      );
    }
    throw error;
  }
}
