/**
 * When tracking ends. A channel stays tracked while any subscription follows it (paused ones included: a
 * resume must find it indexed) or while someone searched it within the idle time; after that its
 * tracked_channels row is deleted, so it is no longer polled, live-checked or backfilled. Its clips stay
 * in the clips table and searchable; searching it (or subscribing) tracks it again.
 */
import type { Counter, Registry } from 'prom-client';
import type { SqlExecutor } from '../db/Database.js';
import { getOrCreateCounter } from '../observability/metrics.js';

export interface ReleaseIdleChannelsOptions {
  now: Date;
  /** A channel nobody wanted for this long (and no subscription needs) is released. */
  idleMs: number;
  /** Rows deleted per call (bounded work per loop iteration). */
  limit: number;
}

/**
 * Deletes up to `limit` idle tracked channels and returns their ids. Rows under a poll or backfill lease
 * are left for a later pass rather than pulled from under the process working on them; SKIP LOCKED keeps
 * concurrent sweeps (several bot processes) apart. Reads tracked_channels by last_wanted_at (a small table:
 * one row per indexed channel) and subscriptions through subscriptions_broadcaster_id_idx.
 */
export async function releaseIdleChannels(
  sql: SqlExecutor,
  options: ReleaseIdleChannelsOptions,
): Promise<string[]> {
  const idleBefore = new Date(options.now.getTime() - options.idleMs);
  const rows = await sql.query<{ broadcaster_id: string }>(
    `WITH idle AS (
       SELECT t.broadcaster_id FROM tracked_channels t
        WHERE t.last_wanted_at < $1::timestamptz
          AND (t.lease_until IS NULL OR t.lease_until <= $2::timestamptz)
          AND (t.backfill_lease_until IS NULL OR t.backfill_lease_until <= $2::timestamptz)
          AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.broadcaster_id = t.broadcaster_id)
        ORDER BY t.last_wanted_at
        LIMIT $3
        FOR UPDATE OF t SKIP LOCKED
     )
     DELETE FROM tracked_channels t USING idle
      WHERE t.broadcaster_id = idle.broadcaster_id
        AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.broadcaster_id = t.broadcaster_id)
     RETURNING t.broadcaster_id`,
    [idleBefore, options.now, options.limit],
  );
  return rows.map((row) => row.broadcaster_id);
}

/**
 * Restarts a tracked channel's idle clock, e.g. when its last subscription is removed (the channel then
 * stays indexed for the idle time, so removing and re-adding a subscription does not re-walk its history).
 * Returns false when the channel is not tracked.
 */
export async function markChannelWanted(
  sql: SqlExecutor,
  broadcasterId: string,
  now: Date,
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE tracked_channels SET last_wanted_at = GREATEST(last_wanted_at, $2::timestamptz)
      WHERE broadcaster_id = $1 RETURNING broadcaster_id`,
    [broadcasterId, now],
  );
  return rows.length === 1;
}

export function channelsReleasedCounter(registry: Registry): Counter {
  return getOrCreateCounter(registry, {
    name: 'tcs_sync_channels_released_total',
    help: 'Tracked channels that stopped being polled because no subscription needed them and nobody searched them.',
  });
}
