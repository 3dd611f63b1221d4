-- Deliveries looked up by clip: the fan-out's edit of posts whose clips were renamed or deleted
-- (`d.clip_id = ANY(...)`) and of moments whose lead was overtaken (`d.clip_id = e.clip_id`). The unique
-- (subscription_id, clip_id) index cannot serve them (clip_id is its second column): each such batch scanned
-- the whole table, which only grows.
CREATE INDEX "deliveries_clip_id_idx" ON "deliveries"("clip_id");
