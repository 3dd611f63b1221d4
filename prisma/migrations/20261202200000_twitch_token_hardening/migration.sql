-- Revoked accounts keep no token: the column becomes nullable and tokens of accounts already revoked are wiped.
ALTER TABLE "twitch_accounts" ALTER COLUMN "encrypted_refresh_token" DROP NOT NULL;
UPDATE "twitch_accounts" SET "encrypted_refresh_token" = NULL WHERE "revoked_at" IS NOT NULL;

-- OAuth linking flows in progress: single-use states bound to the browser that started them.
CREATE TABLE "twitch_link_states" (
    "state_hash" TEXT NOT NULL,
    "browser_hash" TEXT NOT NULL,
    "discord_user_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "twitch_link_states_pkey" PRIMARY KEY ("state_hash")
);

CREATE INDEX "twitch_link_states_expires_at_idx" ON "twitch_link_states"("expires_at");
