-- Backfill failures back off on their own counter (consecutive_errors belongs to incremental polls).
ALTER TABLE "tracked_channels" ADD COLUMN "backfill_errors" INTEGER NOT NULL DEFAULT 0;
