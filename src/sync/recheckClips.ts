import { upsertClips } from '../clips/clipStore.js';
import {
  emitClipEvents,
  inLockOrder,
  recordClipEvents,
  significantUpdates,
  type ClipDeletedEvent,
} from './clipEvents.js';
import { invalidateSearches, type SyncContext } from './SyncContext.js';

/**
 * Re-checks up to 100 recently discovered clips by id (one Get Clips call) and marks the ones Twitch no
 * longer returns as deleted, recording `deleted` events in the same transaction. The claim moves
 * last_seen_at forward, so concurrent processes pick different clips (SKIP LOCKED) and a clip is re-checked
 * at most once per `recheckIntervalMs`. Relies on clips_created_at_id index only loosely: the candidate set
 * (first seen within `recheckWindowMs`) is small.
 */
export async function recheckClips(ctx: SyncContext): Promise<number> {
  const now = ctx.clock();
  const candidates = await ctx.sql.query<{ id: string; broadcaster_id: string }>(
    `WITH due AS (
       SELECT id FROM clips
        WHERE deleted_at IS NULL AND first_seen_at >= $2::timestamptz AND last_seen_at <= $3::timestamptz
        ORDER BY last_seen_at
        LIMIT 100
        FOR UPDATE SKIP LOCKED
     )
     UPDATE clips c SET last_seen_at = $1::timestamptz FROM due WHERE c.id = due.id
     RETURNING c.id, c.broadcaster_id`,
    [
      now,
      new Date(now.getTime() - ctx.options.recheckWindowMs),
      new Date(now.getTime() - ctx.options.recheckIntervalMs),
    ],
  );
  if (candidates.length === 0) return 0;
  const found = await ctx.twitch.getClipsByIds(
    candidates.map((clip) => clip.id),
    'incremental',
  );
  const foundIds = new Set(found.map((clip) => clip.id));
  const candidateIds = new Set(candidates.map((clip) => clip.id));
  const deleted: ClipDeletedEvent[] = candidates
    .filter((clip) => !foundIds.has(clip.id))
    .map((clip) => ({ clipId: clip.id, broadcasterId: clip.broadcaster_id }));
  const result = await ctx.sql.transaction(async (tx) => {
    const stored = significantUpdates(
      await upsertClips(tx, inLockOrder(found.filter((clip) => candidateIds.has(clip.id))), now),
    );
    if (deleted.length > 0) {
      await tx.query(
        `UPDATE clips SET deleted_at = $1::timestamptz WHERE id = ANY($2::text[]) AND deleted_at IS NULL`,
        [now, deleted.map((d) => d.clipId)],
      );
    }
    await recordClipEvents(tx, stored, deleted);
    return stored;
  });
  ctx.metrics.clipsDeleted.inc(deleted.length);
  emitClipEvents(ctx.emitter, result, deleted);
  await invalidateSearches(ctx, [
    ...new Set([...deleted.map((d) => d.broadcasterId), ...result.updated.map((u) => u.clip.broadcasterId)]),
  ]);
  if (deleted.length > 0) ctx.logger.info({ deleted: deleted.length }, 'Clips deleted on Twitch');
  return candidates.length;
}
