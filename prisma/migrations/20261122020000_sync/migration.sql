-- Clip synchronisation (issue 4): live-state checks, adaptive polling, resumable backfill, clip event outbox.

ALTER TABLE "tracked_channels"
  ADD COLUMN "live_checked_at" TIMESTAMPTZ(3),
  ADD COLUMN "clip_rate_per_hour" DOUBLE PRECISION NOT NULL DEFAULT 0,
  ADD COLUMN "last_error" TEXT,
  ADD COLUMN "backfill_from" TIMESTAMPTZ(3),
  ADD COLUMN "backfill_until" TIMESTAMPTZ(3),
  ADD COLUMN "backfill_done_from" TIMESTAMPTZ(3),
  ADD COLUMN "backfill_window_sec" INTEGER NOT NULL DEFAULT 2592000,
  ADD COLUMN "backfill_page_cursor" TEXT,
  ADD COLUMN "backfill_window_clips" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "backfill_lease_until" TIMESTAMPTZ(3),
  ADD COLUMN "backfill_next_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- Live-state claims take the least recently checked channels first.
CREATE INDEX "tracked_channels_live_checked_at_idx" ON "tracked_channels"("live_checked_at");
-- Backfill claims filter on status and due time.
CREATE INDEX "tracked_channels_backfill_status_backfill_next_at_idx" ON "tracked_channels"("backfill_status", "backfill_next_at");

CREATE TABLE "clip_events" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "clip_id" TEXT NOT NULL,
    "broadcaster_id" TEXT NOT NULL,
    "previous_title" TEXT,
    "previous_view_count" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),

    CONSTRAINT "clip_events_pkey" PRIMARY KEY ("id")
);

-- The notifier reads unprocessed events in id order.
CREATE INDEX "clip_events_processed_at_id_idx" ON "clip_events"("processed_at", "id");
CREATE INDEX "clip_events_clip_id_idx" ON "clip_events"("clip_id");
