import { upsertBroadcasters } from '../clips/clipStore.js';
import type { SqlExecutor } from '../db/Database.js';
import { AppError } from '../shared/errors.js';
import { claimLiveChecks } from './channelClaims.js';
import type { SyncContext } from './SyncContext.js';

/**
 * One Get Streams batch: claims up to 100 channels whose live state is stale and applies what Twitch says.
 * Returns how many channels were checked (0 = nothing due). A failed call leaves the channels marked
 * checked; they are retried on the next sweep and their polls keep running on the old state meanwhile.
 */
export async function refreshLiveState(ctx: SyncContext): Promise<number> {
  const now = ctx.clock();
  const claimed = await claimLiveChecks(ctx.sql, {
    now,
    staleMs: ctx.options.schedule.liveCheckIntervalMs,
    limit: 100,
  });
  if (claimed.length === 0) return 0;
  try {
    const streams = await ctx.twitch.getStreams(
      claimed.map((channel) => channel.broadcasterId),
      'incremental',
      ctx.signal,
    );
    const live = new Set(streams.map((stream) => stream.userId));
    const { wentLive, wentOffline } = await applyLiveState(ctx.sql, {
      now,
      liveIds: claimed.filter((channel) => live.has(channel.broadcasterId)).map((c) => c.broadcasterId),
      offlineIds: claimed.filter((channel) => !live.has(channel.broadcasterId)).map((c) => c.broadcasterId),
    });
    // Get Streams carries the current login: a renamed channel gets its new name without extra calls.
    await upsertBroadcasters(
      ctx.sql,
      streams
        .filter((stream) => stream.userLogin !== '')
        .map((stream) => ({
          id: stream.userId,
          login: stream.userLogin,
          displayName: stream.userDisplayName,
        })),
    );
    ctx.metrics.liveChecks.inc({ result: 'ok' });
    if (wentLive.length > 0 || wentOffline.length > 0) {
      ctx.logger.debug({ wentLive: wentLive.length, wentOffline: wentOffline.length }, 'Live state changed');
    }
  } catch (error) {
    ctx.metrics.liveChecks.inc({ result: 'error' });
    ctx.logger.warn(
      { code: error instanceof AppError ? error.code : 'sync.liveCheckFailed', channels: claimed.length },
      'Live-state check failed',
    );
    throw error;
  }
  return claimed.length;
}

/**
 * Applies observed live state. Going live makes the next poll due now; going offline too (clips made at the
 * end of a stream), after which the schedule tapers off. Returns the ids whose state changed.
 */
export async function applyLiveState(
  sql: SqlExecutor,
  options: { now: Date; liveIds: readonly string[]; offlineIds: readonly string[] },
): Promise<{ wentLive: string[]; wentOffline: string[] }> {
  const wentLive: string[] = [];
  const wentOffline: string[] = [];
  if (options.liveIds.length > 0) {
    const rows = await sql.query<{ broadcaster_id: string; was_live: boolean }>(
      `UPDATE tracked_channels t
          SET is_live = true, last_live_at = $1::timestamptz,
              next_poll_at = CASE WHEN t.is_live THEN t.next_poll_at ELSE LEAST(t.next_poll_at, $1::timestamptz) END
         FROM (SELECT broadcaster_id, is_live AS was_live FROM tracked_channels
                WHERE broadcaster_id = ANY($2::text[]) FOR UPDATE) old
        WHERE t.broadcaster_id = old.broadcaster_id
        RETURNING t.broadcaster_id, old.was_live`,
      [options.now, options.liveIds],
    );
    for (const row of rows) if (!row.was_live) wentLive.push(row.broadcaster_id);
  }
  if (options.offlineIds.length > 0) {
    const rows = await sql.query<{ broadcaster_id: string }>(
      `UPDATE tracked_channels
          SET is_live = false, last_live_at = $1::timestamptz, next_poll_at = LEAST(next_poll_at, $1::timestamptz)
        WHERE broadcaster_id = ANY($2::text[]) AND is_live
        RETURNING broadcaster_id`,
      [options.now, options.offlineIds],
    );
    for (const row of rows) wentOffline.push(row.broadcaster_id);
  }
  return { wentLive, wentOffline };
}
