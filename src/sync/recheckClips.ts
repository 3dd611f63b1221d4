import type { ClipDeletedEvent } from './clipEvents.js';
import { ingestClips } from './ingestClips.js';
import type { SyncContext } from './SyncContext.js';

/**
 * Re-checks up to 100 recently discovered clips by id (one Get Clips call) and marks the ones Twitch no
 * longer returns as deleted, recording `deleted` events in the same transaction. A clip Twitch returned but
 * we could not read is not deleted; when an unreadable item has no id either, no clip of the batch is (any of
 * them might be it). The claim moves last_seen_at forward, so concurrent processes pick different clips
 * (SKIP LOCKED) and a clip is re-checked at most once per `recheckIntervalMs`. Relies on clips_created_at_id
 * index only loosely: the candidate set (first seen within `recheckWindowMs`) is small.
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
  const lookup = await ctx.twitch.getClipsByIds(
    candidates.map((clip) => clip.id),
    'incremental',
    ctx.signal,
  );
  const candidateIds = new Set(candidates.map((clip) => clip.id));
  const seenIds = new Set([...lookup.clips.map((clip) => clip.id), ...lookup.unreadableIds]);
  const unreadable = lookup.unreadableIds.length + lookup.unidentified;
  if (unreadable > 0) {
    ctx.metrics.recheckUnreadable.inc(unreadable);
    ctx.logger.warn(
      { unreadable, withoutId: lookup.unidentified, candidates: candidates.length },
      lookup.unidentified > 0
        ? 'Re-check reply had unreadable clips without an id; no clip of this batch is marked deleted'
        : 'Re-check reply had unreadable clips; they are kept, not marked deleted',
    );
  }
  const deleted: ClipDeletedEvent[] =
    lookup.unidentified > 0
      ? []
      : candidates
          .filter((clip) => !seenIds.has(clip.id))
          .map((clip) => ({ clipId: clip.id, broadcasterId: clip.broadcaster_id }));
  await ingestClips(ctx, {
    source: 'recheck',
    clips: lookup.clips.filter((clip) => candidateIds.has(clip.id)),
    deleted,
    recordEvents: true,
  });
  if (deleted.length > 0) {
    // The ids, so `grep <clip id>` finds why a clip vanished from search and from its post.
    ctx.logger.info(
      { deleted: deleted.length, clipIds: deleted.slice(0, 100).map((clip) => clip.clipId) },
      'Clips deleted on Twitch',
    );
  }
  return candidates.length;
}
