import type { Cache } from '../cache/Cache.js';
import type { ClipRecord } from '../clips/ClipRecord.js';
import { upsertClips, type UpsertClipsResult } from '../clips/clipStore.js';
import { invalidateChannelSearches } from '../clips/search/searchCache.js';
import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import { AppError } from '../shared/errors.js';
import {
  emitClipEvents,
  inLockOrder,
  recordClipEvents,
  significantUpdates,
  type ClipDeletedEvent,
} from './clipEvents.js';
import { storeMissingGames } from './storeMissingGames.js';
import type { SyncContext } from './SyncContext.js';

/** Which sync path found the clips (the `source` label of the discovered-clips metric). */
export type IngestSource = 'incremental' | 'backfill' | 'recheck';

/** Thrown inside an ingest transaction when the claim's lease was taken over: everything rolls back. */
export class LeaseLostError extends AppError {
  constructor(job: 'poll' | 'backfill') {
    super('sync.leaseLost', `${job} lease expired before its results were saved`);
  }
}

export interface IngestResult extends UpsertClipsResult {
  /** When the clips were stored (their first_seen_at / last_seen_at). */
  storedAt: Date;
}

/**
 * Stores what one sync step read from Twitch, the same way for every path: in one transaction the clips
 * (in lock order), the deletions, the durable clip events and the claim's own bookkeeping (`saveClaim`,
 * whose `false` means our lease was lost: {@link LeaseLostError}, nothing is kept); after the commit the
 * metrics, the in-process events, the clips' games and the invalidation of cached searches.
 */
export async function ingestClips(
  ctx: SyncContext,
  options: {
    source: IngestSource;
    clips: readonly ClipRecord[];
    /** Clips Twitch no longer returns (re-check). */
    deleted?: readonly ClipDeletedEvent[];
    /** Backfilled clips are history: stored without clip events. */
    recordEvents: boolean;
    saveClaim?: (tx: SqlExecutor, stored: UpsertClipsResult) => Promise<boolean>;
  },
): Promise<IngestResult> {
  const deleted = options.deleted ?? [];
  const storedAt = ctx.clock();
  const result = await ctx.sql.transaction(async (tx) => {
    const upserted = await upsertClips(tx, inLockOrder(options.clips), storedAt);
    const stored = options.recordEvents ? significantUpdates(upserted) : upserted;
    if (deleted.length > 0) {
      await tx.query(
        `UPDATE clips SET deleted_at = $1::timestamptz WHERE id = ANY($2::text[]) AND deleted_at IS NULL`,
        [storedAt, deleted.map((clip) => clip.clipId)],
      );
    }
    if (options.recordEvents) await recordClipEvents(tx, stored, [...deleted]);
    if (options.saveClaim !== undefined && !(await options.saveClaim(tx, stored))) {
      throw new LeaseLostError(options.source === 'backfill' ? 'backfill' : 'poll');
    }
    return stored;
  });
  ctx.metrics.clipsDiscovered.inc({ source: options.source }, result.discovered.length);
  if (deleted.length > 0) ctx.metrics.clipsDeleted.inc(deleted.length);
  if (options.recordEvents) emitClipEvents(ctx.emitter, result, [...deleted]);
  await storeMissingGames(ctx, options.clips, options.source === 'backfill' ? 'backfill' : 'incremental');
  await invalidateSearches(ctx.cache, [
    ...result.discovered.map((clip) => clip.broadcasterId),
    ...result.updated.map((update) => update.clip.broadcasterId),
    ...deleted.map((clip) => clip.broadcasterId),
  ]);
  return { ...result, storedAt };
}

/** A claim's lease expired mid-work and another process owns the channel now: nothing to release or retry. */
export function reportLostLease(ctx: SyncContext, job: 'poll' | 'backfill', log: Logger): void {
  ctx.metrics.leasesLost.inc({ job });
  log.warn(
    { job },
    'Lease expired before the results were saved; discarded (another process has the channel)',
  );
}

/** Makes cached channel-filtered searches see changed clips (no-op without a cache). */
async function invalidateSearches(cache: Cache | undefined, broadcasterIds: string[]): Promise<void> {
  if (cache === undefined || broadcasterIds.length === 0) return;
  await invalidateChannelSearches(cache, [...new Set(broadcasterIds)]);
}
