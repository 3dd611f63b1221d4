import { upsertBroadcasters } from '../clips/clipStore.js';
import { AppError } from '../shared/errors.js';
import { applyLiveState, claimLiveChecks } from './channelClaims.js';
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
