-- The delivery outbox gets its Discord messages: a delivery is one clip for one subscription; a
-- delivery_messages row is one message to one channel carrying 1-10 deliveries (bursts are coalesced), with
-- the nonce, attempts, backoff and claim lease that used to sit on each delivery. No release ever wrote
-- deliveries rows, so the moved columns are dropped without copying.

CREATE TABLE "delivery_messages" (
    "id" BIGSERIAL NOT NULL,
    "discord_channel_id" TEXT NOT NULL,
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

    CONSTRAINT "delivery_messages_pkey" PRIMARY KEY ("id")
);

-- Claims of due messages (src/notify/deliveryClaims.ts).
CREATE INDEX "delivery_messages_status_next_attempt_at_idx" ON "delivery_messages"("status", "next_attempt_at");
-- "Is a message of this channel in flight?" when claiming, and queue depth per channel.
CREATE INDEX "delivery_messages_discord_channel_id_status_idx" ON "delivery_messages"("discord_channel_id", "status");

DROP INDEX "deliveries_status_next_attempt_at_idx";
ALTER TABLE "deliveries"
    DROP COLUMN "attempts",
    DROP COLUMN "next_attempt_at",
    DROP COLUMN "nonce",
    ADD COLUMN "delivery_message_id" BIGINT;

-- Packing walks pending deliveries in id order.
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id");
CREATE INDEX "deliveries_delivery_message_id_idx" ON "deliveries"("delivery_message_id");

ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_delivery_message_id_fkey" FOREIGN KEY ("delivery_message_id") REFERENCES "delivery_messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
