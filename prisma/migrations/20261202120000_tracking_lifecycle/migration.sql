-- Tracking lifecycle: a channel that no subscription needs and nobody searched for TRACKING_IDLE_DAYS stops
-- being polled. last_wanted_at is the last time a search or a subscription asked for the channel; rows
-- that exist today count as wanted now, so nothing is released right after the upgrade.
ALTER TABLE "tracked_channels"
    ADD COLUMN "last_wanted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
