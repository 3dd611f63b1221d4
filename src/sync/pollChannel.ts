import { AppError } from '../shared/errors.js';
import { completePoll, failPoll, releasePoll, type PollClaim } from './channelClaims.js';
import { fetchClipWindow } from './fetchClipWindow.js';
import { ingestClips, LeaseLostError, reportLostLease } from './ingestClips.js';
import { errorBackoffMs, nextPollDelayMs, updateClipRate } from './pollSchedule.js';
import type { SyncContext } from './SyncContext.js';
import { earliestVisibleAt, incrementalWindow } from './syncWindows.js';

export type PollOutcome = 'ok' | 'error' | 'lost_lease' | 'stopped';

/**
 * One incremental poll of a claimed channel: fetch the overlapping window completely, store the clips and
 * their events in one transaction together with the channel's new schedule, then emit in-process events.
 */
export async function pollChannel(ctx: SyncContext, claim: PollClaim): Promise<PollOutcome> {
  const polledAt = ctx.clock();
  const log = ctx.logger.child({ broadcasterId: claim.broadcasterId });
  try {
    ctx.signal.throwIfAborted();
    ctx.metrics.pollLag.observe(Math.max(0, polledAt.getTime() - claim.nextPollAt.getTime()) / 1000);
    const window = incrementalWindow({
      lastPolledAt: claim.lastPolledAt,
      backfillUntil: claim.backfillUntil,
      now: polledAt,
      lateClipMarginMs: ctx.options.lateClipMarginMs,
      deepScanIntervalMs: ctx.options.deepScanIntervalMs,
      deepScanWindowMs: ctx.options.deepScanWindowMs,
    });
    const { clips, calls } = await fetchClipWindow(ctx, {
      broadcasterId: claim.broadcasterId,
      window,
      priority: 'incremental',
      splitAt: ctx.options.backfill.splitAt,
      minWindowMs: ctx.options.backfill.minWindowSec * 1000,
      maxPagesPerWindow: ctx.options.maxPagesPerWindow,
    });
    const outcome = await ingestClips(ctx, {
      source: 'incremental',
      clips,
      recordEvents: true,
      saveClaim: (tx, stored) => {
        const elapsedMs = claim.lastPolledAt === null ? 0 : polledAt.getTime() - claim.lastPolledAt.getTime();
        const clipRatePerHour = claim.isLive
          ? updateClipRate(claim.clipRatePerHour, stored.discovered.length, elapsedMs)
          : claim.clipRatePerHour;
        const delay = nextPollDelayMs(
          { isLive: claim.isLive, lastLiveAt: claim.lastLiveAt, clipRatePerHour },
          polledAt,
          ctx.stretch(),
          ctx.options.schedule,
        );
        return completePoll(tx, claim, {
          polledAt,
          nextPollAt: new Date(polledAt.getTime() + delay),
          clipRatePerHour,
          newClips: stored.discovered.length,
        });
      },
    });
    for (const clip of outcome.discovered) {
      ctx.metrics.freshness.observe(
        { state: claim.isLive ? 'live' : 'offline' },
        Math.max(
          0,
          outcome.storedAt.getTime() -
            earliestVisibleAt(clip.createdAt, claim.lastPolledAt, ctx.options.lateClipMarginMs).getTime(),
        ) / 1000,
      );
    }
    ctx.metrics.polls.inc({ result: 'ok' });
    if (outcome.discovered.length > 0 || calls > 1) {
      log.debug(
        { calls, discovered: outcome.discovered.length, updated: outcome.updated.length },
        'Polled channel',
      );
    }
    return 'ok';
  } catch (error) {
    if (error instanceof LeaseLostError) {
      ctx.metrics.polls.inc({ result: 'lost_lease' });
      reportLostLease(ctx, 'poll', log);
      return 'lost_lease';
    }
    if (ctx.signal.aborted) {
      // Shutting down is not the channel's fault: hand the claim back as it was, due again at once.
      await releasePoll(ctx.sql, claim).catch((releaseError: unknown) =>
        log.warn({ err: releaseError }, 'Could not hand back a poll claim on shutdown (lease expires)'),
      );
      return 'stopped';
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
