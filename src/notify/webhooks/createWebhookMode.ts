import type { REST } from '@discordjs/rest';
import type { Registry } from 'prom-client';
import type { SqlExecutor } from '../../db/Database.js';
import type { Logger } from '../../observability/logger.js';
import { createChannelWebhooks } from './ChannelWebhooks.js';
import { webhookDiscordFromRest } from './webhookDiscord.js';
import { createWebhookPoster, type WebhookPoster } from './WebhookPoster.js';

/**
 * Webhook mode for the composition root: the webhook manager and the poster over the bot's REST client (and
 * a non-retrying client for webhook-token calls). One per process, shared by the notifier and
 * `/subscriptions test`, so both use the same in-memory webhook tokens.
 */
export function createWebhookMode(deps: {
  sql: SqlExecutor;
  rest: REST;
  applicationId: string;
  logger: Logger;
  registry: Registry;
}): WebhookPoster {
  const discord = webhookDiscordFromRest(deps.rest);
  const webhooks = createChannelWebhooks({
    sql: deps.sql,
    discord,
    applicationId: deps.applicationId,
    logger: deps.logger,
    registry: deps.registry,
  });
  return createWebhookPoster({ sql: deps.sql, webhooks, discord });
}
