-- CreateExtension
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- CreateTable
CREATE TABLE "broadcasters" (
    "id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "display_name" TEXT NOT NULL,
    "profile_image_url" TEXT,
    "broadcaster_type" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "broadcasters_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "games" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "box_art_url" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "games_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clips" (
    "id" TEXT NOT NULL,
    "broadcaster_id" TEXT NOT NULL,
    "creator_id" TEXT NOT NULL,
    "creator_name" TEXT NOT NULL,
    "video_id" TEXT,
    "game_id" TEXT,
    "language" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "view_count" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "thumbnail_url" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "embed_url" TEXT NOT NULL,
    "duration_sec" DOUBLE PRECISION NOT NULL,
    "vod_offset" INTEGER,
    "is_featured" BOOLEAN NOT NULL DEFAULT false,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "clips_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "guilds" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "joined_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "left_at" TIMESTAMPTZ(3),

    CONSTRAINT "guilds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL,
    "guild_id" TEXT NOT NULL,
    "discord_channel_id" TEXT NOT NULL,
    "broadcaster_id" TEXT NOT NULL,
    "min_views" INTEGER NOT NULL DEFAULT 0,
    "title_filter" TEXT,
    "game_id" TEXT,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "created_by_user_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "post_clips_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deliveries" (
    "id" BIGSERIAL NOT NULL,
    "subscription_id" UUID NOT NULL,
    "clip_id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nonce" TEXT NOT NULL,
    "message_id" TEXT,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "favorites" (
    "user_id" TEXT NOT NULL,
    "clip_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "favorites_pkey" PRIMARY KEY ("user_id","clip_id")
);

-- CreateTable
CREATE TABLE "twitch_accounts" (
    "twitch_user_id" TEXT NOT NULL,
    "login" TEXT NOT NULL,
    "encrypted_refresh_token" TEXT NOT NULL,
    "scopes" TEXT[],
    "linked_by_discord_user_id" TEXT NOT NULL,
    "linked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "twitch_accounts_pkey" PRIMARY KEY ("twitch_user_id")
);

-- CreateTable
CREATE TABLE "tracked_channels" (
    "broadcaster_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "tracked_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "is_live" BOOLEAN NOT NULL DEFAULT false,
    "last_live_at" TIMESTAMPTZ(3),
    "next_poll_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_polled_at" TIMESTAMPTZ(3),
    "lease_until" TIMESTAMPTZ(3),
    "consecutive_errors" INTEGER NOT NULL DEFAULT 0,
    "backfill_status" TEXT NOT NULL DEFAULT 'pending',
    "clips_indexed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "tracked_channels_pkey" PRIMARY KEY ("broadcaster_id")
);

-- CreateTable
CREATE TABLE "sync_state" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_state_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "broadcasters_login_idx" ON "broadcasters"("login");

-- CreateIndex
CREATE INDEX "games_name_idx" ON "games"("name");

-- CreateIndex
CREATE INDEX "clips_broadcaster_id_created_at_idx" ON "clips"("broadcaster_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "clips_game_id_view_count_idx" ON "clips"("game_id", "view_count" DESC);

-- CreateIndex
CREATE INDEX "clips_creator_id_idx" ON "clips"("creator_id");

-- CreateIndex
CREATE INDEX "clips_view_count_id_idx" ON "clips"("view_count" DESC, "id");

-- CreateIndex
CREATE INDEX "clips_created_at_id_idx" ON "clips"("created_at" DESC, "id");

-- CreateIndex
CREATE INDEX "subscriptions_broadcaster_id_idx" ON "subscriptions"("broadcaster_id");

-- CreateIndex
CREATE INDEX "subscriptions_guild_id_idx" ON "subscriptions"("guild_id");

-- CreateIndex
CREATE UNIQUE INDEX "subscriptions_discord_channel_id_broadcaster_id_key" ON "subscriptions"("discord_channel_id", "broadcaster_id");

-- CreateIndex
CREATE INDEX "deliveries_status_next_attempt_at_idx" ON "deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE UNIQUE INDEX "deliveries_subscription_id_clip_id_key" ON "deliveries"("subscription_id", "clip_id");

-- CreateIndex
CREATE INDEX "favorites_user_id_created_at_idx" ON "favorites"("user_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "tracked_channels_next_poll_at_idx" ON "tracked_channels"("next_poll_at");

-- AddForeignKey
ALTER TABLE "clips" ADD CONSTRAINT "clips_broadcaster_id_fkey" FOREIGN KEY ("broadcaster_id") REFERENCES "broadcasters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_guild_id_fkey" FOREIGN KEY ("guild_id") REFERENCES "guilds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_broadcaster_id_fkey" FOREIGN KEY ("broadcaster_id") REFERENCES "broadcasters"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_clip_id_fkey" FOREIGN KEY ("clip_id") REFERENCES "clips"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "favorites" ADD CONSTRAINT "favorites_clip_id_fkey" FOREIGN KEY ("clip_id") REFERENCES "clips"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tracked_channels" ADD CONSTRAINT "tracked_channels_broadcaster_id_fkey" FOREIGN KEY ("broadcaster_id") REFERENCES "broadcasters"("id") ON DELETE CASCADE ON UPDATE CASCADE;
