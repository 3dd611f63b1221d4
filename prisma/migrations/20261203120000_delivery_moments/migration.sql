-- Clips of the same moment are posted once: a delivery grouped by the fan-out with an earlier delivery of the
-- same subscription (same VOD and overlapping offsets, or the same title within minutes) points at the
-- moment's first delivery, and the post shows the moment's most-viewed clip with "also clipped by" the others.
ALTER TABLE "deliveries" ADD COLUMN "moment_of" BIGINT;

-- Packing looks up a moment's other clips (and the message that already carries them).
CREATE INDEX "deliveries_moment_of_idx" ON "deliveries"("moment_of");

ALTER TABLE "deliveries" ADD CONSTRAINT "deliveries_moment_of_fkey" FOREIGN KEY ("moment_of") REFERENCES "deliveries"("id") ON DELETE SET NULL ON UPDATE CASCADE;
