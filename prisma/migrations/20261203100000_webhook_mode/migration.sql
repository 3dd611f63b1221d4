-- Webhook mode: a subscription may post through a webhook the bot creates in the channel, under the
-- streamer's name and avatar. Messages remember whose identity they post under (clips of different streamers
-- are never packed into one webhook message) and which webhook posted them (edits go through that webhook).

ALTER TABLE "subscriptions" ADD COLUMN "post_as" TEXT NOT NULL DEFAULT 'bot';

ALTER TABLE "delivery_messages"
    ADD COLUMN "post_as_broadcaster_id" TEXT,
    ADD COLUMN "webhook_id" TEXT;

-- The bot's one webhook per channel. Its token is a credential and is not stored: it is read back with Get
-- Channel Webhooks (which only returns it to the application that created the webhook) and kept in memory.
-- The lease fences creating or repairing the webhook, so two processes never both create one.
CREATE TABLE "channel_webhooks" (
    "discord_channel_id" TEXT NOT NULL,
    "webhook_id" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "channel_webhooks_pkey" PRIMARY KEY ("discord_channel_id")
);
