import { UserError } from '../shared/errors.js';
import type { SubscriptionView } from '../subscriptions/SubscriptionView.js';
import { buildSubscriptionTestPost } from './clipPostMessage.js';
import { classifyDeliveryError } from './deliveryPolicy.js';
import type { BotPoster } from './BotPoster.js';
import { forumThreadName } from './forumPosts.js';
import { MISSING_MANAGE_WEBHOOKS } from './webhooks/ChannelWebhooks.js';
import type { WebhookPoster } from './webhooks/WebhookPoster.js';

/**
 * `/subscriptions test`: posts a sample clip message where the subscription posts, the way the delivery
 * worker would (same builder, same mention rule, and for webhook mode the same webhook, created now if need
 * be, under the streamer's name and avatar; in a forum, a post of its own), so an admin sees the look and learns at once whether the bot may
 * post there. A channel problem (gone, no access, missing permissions, no Manage Webhooks) becomes a UserError
 * saying what to fix; other failures propagate to the error handler (logged with an error id).
 */
export async function sendSubscriptionTestPost(
  poster: Pick<BotPoster, 'post'>,
  subscription: Pick<SubscriptionView, 'discordChannelId' | 'channelName' | 'broadcasterId' | 'filters'>,
  webhooks?: Pick<WebhookPoster, 'post'>,
): Promise<{ messageId: string }> {
  const body = buildSubscriptionTestPost({
    broadcasterName: subscription.channelName,
    mentionRoleId: subscription.filters.mentionRoleId,
  });
  try {
    if (subscription.filters.postAs === 'webhook') {
      if (webhooks === undefined) throw new Error('webhook mode is not available in this process');
      const posted = await webhooks.post({
        channelId: subscription.discordChannelId,
        broadcasterId: subscription.broadcasterId,
        body,
        titles: [`Test post: ${subscription.channelName}`],
        marker: '',
        earlierAttempt: null,
      });
      return { messageId: posted.messageId };
    }
    // In a forum or media channel the sample is a post of its own, as each clip would be.
    const { messageId } = await poster.post({
      channelId: subscription.discordChannelId,
      body,
      threadName: forumThreadName([`Test post: ${subscription.channelName}`]),
    });
    return { messageId };
  } catch (error) {
    const failure = classifyDeliveryError(error);
    if (failure.kind === 'channel-problem' && failure.code === MISSING_MANAGE_WEBHOOKS) {
      throw new UserError(
        'subscriptions.testNoWebhook',
        `I cannot create the webhook that posts as the streamer in <#${subscription.discordChannelId}>. Give ` +
          'the bot Manage Webhooks there (for a thread: in its parent channel), then try again, or add the ' +
          'subscription again with post_as: bot.',
      );
    }
    if (failure.kind === 'channel-problem') {
      throw new UserError(
        'subscriptions.testCannotPost',
        `I cannot post in <#${subscription.discordChannelId}> (${failure.reason}). Give the bot View Channel, ` +
          'Send Messages and Embed Links there (in a forum: Create Posts and Embed Links), then try again.',
      );
    }
    throw error;
  }
}
