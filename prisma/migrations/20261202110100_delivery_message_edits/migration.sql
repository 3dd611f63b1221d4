-- A posted clip renamed or deleted on Twitch edits or removes its post: the fan-out bumps edit_version in the
-- transaction that processes the clip event, and the worker edits until edited_version catches up.
ALTER TABLE "delivery_messages"
    ADD COLUMN "edit_version" INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN "edited_version" INTEGER NOT NULL DEFAULT 0;

-- Raw SQL (Prisma cannot express a partial index; *_search_idx is how schemaAgreement knows raw-SQL indexes): the worker's look-up of posts to edit stays small however
-- many messages were ever sent.
CREATE INDEX "delivery_messages_edit_due_search_idx" ON "delivery_messages"("id") WHERE "edit_version" > "edited_version";
