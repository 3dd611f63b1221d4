-- Two delivery guarantees made durable.
--
-- The notice that tells a guild its subscription was paused (the channel refused a post) is written in the
-- transaction that pauses the subscription, as an outbox row, and sent from there with a nonce: a crash
-- between the pause and the send no longer loses it, and a retry cannot post it twice.
CREATE TABLE "pause_notices" (
    "id" BIGSERIAL NOT NULL,
    "guild_id" TEXT NOT NULL,
    "subscription_id" UUID NOT NULL,
    "system_channel_id" TEXT,
    "user_id" TEXT NOT NULL,
    "via_dm" BOOLEAN NOT NULL DEFAULT false,
    "content" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "nonce" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_until" TIMESTAMPTZ(3),
    "first_attempt_at" TIMESTAMPTZ(3),
    "message_id" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "pause_notices_pkey" PRIMARY KEY ("id")
);

-- Claims of due notices (src/notify/pauseNotices.ts).
CREATE INDEX "pause_notices_status_next_attempt_at_idx" ON "pause_notices"("status", "next_attempt_at");

-- Edits of posts whose clips were renamed or deleted are retried a bounded number of times, with backoff.
ALTER TABLE "delivery_messages"
    ADD COLUMN "edit_attempts" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "edit_next_attempt_at" TIMESTAMPTZ(3);
