-- Subscriptions get the filters and state of `/subscriptions add|list` (keywords any/all, excluded words,
-- clipper, untitled clips, a role to mention, every clip or a digest), and guilds the settings of `/settings`.

-- title_filter was never written by any release: keywords replace it. Lists are nullable columns, as Prisma
-- creates its scalar lists (the client always writes them).
ALTER TABLE "subscriptions" DROP COLUMN "title_filter";
ALTER TABLE "subscriptions"
    ADD COLUMN "keywords" TEXT[] DEFAULT ARRAY[]::TEXT[],
    ADD COLUMN "keyword_mode" TEXT NOT NULL DEFAULT 'any',
    ADD COLUMN "excluded_words" TEXT[] DEFAULT ARRAY[]::TEXT[],
    ADD COLUMN "creator_id" TEXT,
    ADD COLUMN "skip_untitled" BOOLEAN NOT NULL DEFAULT false,
    ADD COLUMN "mention_role_id" TEXT,
    ADD COLUMN "mode" TEXT NOT NULL DEFAULT 'every',
    ADD COLUMN "digest_size" INTEGER NOT NULL DEFAULT 5,
    ADD COLUMN "paused_reason" TEXT,
    ADD COLUMN "last_posted_at" TIMESTAMPTZ(3),
    ADD COLUMN "last_error" TEXT,
    ADD COLUMN "last_error_at" TIMESTAMPTZ(3);

ALTER TABLE "guilds"
    ADD COLUMN "system_channel_id" TEXT,
    ADD COLUMN "manager_role_id" TEXT,
    ADD COLUMN "timezone" TEXT NOT NULL DEFAULT 'UTC',
    ADD COLUMN "sync_clip_changes" BOOLEAN NOT NULL DEFAULT true,
    ADD COLUMN "group_moments" BOOLEAN NOT NULL DEFAULT true;
