-- Daily and weekly digests. A digest_runs row is one period of one digest subscription, written once (unique
-- per subscription, mode and period start) by the digest scheduler, claimed with FOR UPDATE SKIP LOCKED and a
-- lease, and turned into one delivery_messages row of kind 'digest' that the delivery worker posts like any
-- other message (same nonce, enforce_nonce and marker re-find).

ALTER TABLE "delivery_messages"
    ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'clips',
    ADD COLUMN "heading" TEXT;

CREATE TABLE "digest_runs" (
    "id" BIGSERIAL NOT NULL,
    "subscription_id" UUID NOT NULL,
    "mode" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "period_start" TIMESTAMPTZ(3) NOT NULL,
    "period_end" TIMESTAMPTZ(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3),
    "delivery_message_id" BIGINT,
    "clips" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "digest_runs_pkey" PRIMARY KEY ("id")
);

-- Exactly once: one row per subscription and period, whichever process computes the period first.
CREATE UNIQUE INDEX "digest_runs_subscription_id_mode_period_start_key" ON "digest_runs"("subscription_id", "mode", "period_start");
-- Claims of pending runs, oldest period first (src/notify/digests/digestRuns.ts).
CREATE INDEX "digest_runs_status_period_end_idx" ON "digest_runs"("status", "period_end");
CREATE INDEX "digest_runs_delivery_message_id_idx" ON "digest_runs"("delivery_message_id");

ALTER TABLE "digest_runs" ADD CONSTRAINT "digest_runs_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "digest_runs" ADD CONSTRAINT "digest_runs_delivery_message_id_fkey" FOREIGN KEY ("delivery_message_id") REFERENCES "delivery_messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;
