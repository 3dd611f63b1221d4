import { upsertClips } from '../clips/clipStore.js';
import { AppError } from '../shared/errors.js';
import { completePoll, failPoll, type PollClaim } from './channelClaims.js';
import { emitClipEvents, inLockOrder, recordClipEvents, significantUpdates } from './clipEvents.js';
import { fetchClipWindow } from './fetchClipWindow.js';
import { errorBackoffMs, nextPollDelayMs, updateClipRate } from './pollSchedule.js';
import { invalidateSearches, type SyncContext } from './SyncContext.js';
import { storeMissingGames } from './storeMissingGames.js';
import { earliestVisibleAt, incrementalWindow } from './syncWindows.js';

export type PollOutcome = 'ok' | 'error' | 'lost_lease';

/**
 * One incremental poll of a claimed channel: fetch the overlapping window completely, store the clips and
 * their events in one transaction together with the channel's new schedule, then emit in-process events.
 */
export async function pollChannel(ctx: SyncContext, claim: PollClaim): Promise<PollOutcome> {
  const polledAt = ctx.clock();
  const log = ctx.logger.child({ broadcasterId: claim.broadcasterId });
  ctx.metrics.pollLag.observe(Math.max(0, polledAt.getTime() - claim.nextPollAt.getTime()) / 1000);
  try {
    const window = incrementalWindow({
      lastPolledAt: claim.lastPolledAt,
      backfillUntil: claim.backfillUntil,
      now: polledAt,
      lateClipMarginMs: ctx.options.lateClipMarginMs,
      deepScanIntervalMs: ctx.options.deepScanIntervalMs,
      deepScanWindowMs: ctx.options.deepScanWindowMs,
    });
    const { clips, calls } = await fetchClipWindow(ctx.twitch, {
      broadcasterId: claim.broadcasterId,
      window,
      priority: 'incremental',
      splitAt: ctx.options.backfill.splitAt,
      minWindowMs: ctx.options.backfill.minWindowSec * 1000,
    });
    const storedAt = ctx.clock();
    const outcome = await ctx.sql.transaction(async (tx) => {
      const result = significantUpdates(await upsertClips(tx, inLockOrder(clips), storedAt));
      await recordClipEvents(tx, result);
      const elapsedMs = claim.lastPolledAt === null ? 0 : polledAt.getTime() - claim.lastPolledAt.getTime();
      const clipRatePerHour = claim.isLive
        ? updateClipRate(claim.clipRatePerHour, result.discovered.length, elapsedMs)
        : claim.clipRatePerHour;
      const delay = nextPollDelayMs(
        { isLive: claim.isLive, lastLiveAt: claim.lastLiveAt, clipRatePerHour },
        polledAt,
        ctx.stretch(),
        ctx.options.schedule,
      );
      const kept = await completePoll(tx, claim, {
        polledAt,
        nextPollAt: new Date(polledAt.getTime() + delay),
        clipRatePerHour,
        newClips: result.discovered.length,
      });
      // Another process took the channel over after our lease expired: undo, it will store these itself.
      if (!kept) throw new LostLease();
      return result;
    });
    for (const clip of outcome.discovered) {
      ctx.metrics.freshness.observe(
        { state: claim.isLive ? 'live' : 'offline' },
        Math.max(
          0,
          storedAt.getTime() -
            earliestVisibleAt(clip.createdAt, claim.lastPolledAt, ctx.options.lateClipMarginMs).getTime(),
        ) / 1000,
      );
    }
    ctx.metrics.clipsDiscovered.inc({ source: 'incremental' }, outcome.discovered.length);
    ctx.metrics.polls.inc({ result: 'ok' });
    emitClipEvents(ctx.emitter, outcome);
    await storeMissingGames(ctx, outcome.discovered, 'incremental');
    if (outcome.discovered.length > 0 || outcome.updated.length > 0) {
      await invalidateSearches(ctx, [claim.broadcasterId]);
    }
    if (outcome.discovered.length > 0 || calls > 1) {
      log.debug(
        { calls, discovered: outcome.discovered.length, updated: outcome.updated.length },
        'Polled channel',
      );
    }
    return 'ok';
  } catch (error) {
    if (error instanceof LostLease) {
      ctx.metrics.polls.inc({ result: 'lost_lease' });
      log.warn('Poll lease expired before the poll finished; results discarded');
      return 'lost_lease';
    }
    const code = error instanceof AppError ? error.code : 'sync.pollFailed';
    ctx.metrics.polls.inc({ result: 'error' });
    const delay = errorBackoffMs(claim.consecutiveErrors + 1);
    log.warn(
      {
        code,
        consecutiveErrors: claim.consecutiveErrors + 1,
        retryInMs: delay,
        ...(error instanceof AppError ? {} : { err: error }),
      },
      'Channel poll failed',
    );
    await failPoll(ctx.sql, claim, {
      nextPollAt: new Date(ctx.clock().getTime() + delay),
      errorCode: code,
    }).catch((releaseError: unknown) =>
      log.error({ err: releaseError }, 'Could not release a failed poll (lease expires)'),
    );
    return 'error';
  }
}

class LostLease extends Error {
  override readonly name = 'LostLease';
}
