import { AppError } from '../shared/errors.js';
import { releaseBackfill, saveBackfillProgress, type BackfillClaim } from './channelClaims.js';
import { CursorWalk } from './cursorWalk.js';
import { ingestClips, LeaseLostError, reportLostLease } from './ingestClips.js';
import { errorBackoffMs } from './pollSchedule.js';
import type { SyncContext } from './SyncContext.js';
import {
  advanceBackfill,
  currentBackfillWindow,
  isBackfillFinished,
  type BackfillProgress,
  type TimeWindow,
} from './syncWindows.js';

/**
 * Walks a claimed channel's history backwards for up to `backfillPagesPerClaim` pages. Each page is one
 * transaction: the clips and the new position (window, cursor) commit together, so a restart resumes at
 * the exact page. Backfilled clips are history: they are stored but produce no clip events.
 */
export async function backfillChannel(
  ctx: SyncContext,
  claim: BackfillClaim,
): Promise<'finished' | 'paused' | 'error' | 'lost_lease' | 'stopped'> {
  const log = ctx.logger.child({ broadcasterId: claim.broadcasterId });
  let progress: BackfillProgress = {
    from: claim.from,
    until: claim.until,
    doneFrom: claim.doneFrom,
    windowSec: claim.windowSec,
    pageCursor: claim.pageCursor,
    windowClips: claim.windowClips,
  };
  let lease = { ...claim };
  // One walk per window: a saved cursor counts as seen, so a reply that hands it back again is caught.
  let walk = new CursorWalk(ctx.options.maxPagesPerWindow, progress.pageCursor);
  try {
    for (let page = 0; page < ctx.options.backfillPagesPerClaim; page += 1) {
      if (ctx.signal.aborted) return await handBack(ctx, claim, lease, progress);
      if (isBackfillFinished(progress)) {
        await finish(ctx, lease, progress, 0);
        return 'finished';
      }
      const window = currentBackfillWindow(progress);
      const result = await ctx.twitch.getClipsPage({
        broadcasterId: claim.broadcasterId,
        startedAt: window.start,
        endedAt: window.end,
        after: progress.pageCursor,
        priority: 'backfill',
        signal: ctx.signal,
      });
      ctx.metrics.backfillPages.inc();
      const clips = result.clips.filter((clip) => clip.broadcasterId === claim.broadcasterId);
      let cursor = result.cursor;
      const stop = walk.next(cursor);
      if (stop !== null) {
        // Treat the window as read to the end: its clips so far are kept and the walk moves on.
        ctx.metrics.pagingStopped.inc({ path: 'backfill', reason: stop });
        log.warn(
          { window, reason: stop },
          'Get Clips paging cut off: Twitch kept returning more pages; moving on to the next window',
        );
        cursor = null;
      }
      let step = advanceBackfill(progress, { pageClips: clips.length, cursor }, ctx.options.backfill);
      if (step.kind !== 'nextPage') walk = new CursorWalk(ctx.options.maxPagesPerWindow);
      if (step.kind === 'split') {
        const windowSec = await narrowedWindowSec(ctx, claim, window, step.progress.windowSec);
        step = { kind: 'split', progress: { ...step.progress, windowSec } };
      }
      const newLeaseUntil = new Date(ctx.clock().getTime() + ctx.options.leaseMs);
      const finished = step.kind !== 'nextPage' && step.kind !== 'split' && isBackfillFinished(step.progress);
      const savedStep = step;
      await ingestClips(ctx, {
        source: 'backfill',
        clips,
        recordEvents: false,
        saveClaim: (tx, stored) =>
          saveBackfillProgress(tx, lease, {
            ...savedStep.progress,
            newClips: stored.discovered.length,
            finished,
            newLeaseUntil,
          }),
      });
      lease = { ...lease, leaseUntil: newLeaseUntil };
      progress = step.progress;
      if (step.kind === 'split') {
        ctx.metrics.backfillWindows.inc({ result: 'split' });
        log.debug(
          { window, windowSec: progress.windowSec },
          'Backfill window reached the result cap; halving it',
        );
      } else if (step.kind === 'windowDone' || step.kind === 'capExceeded') {
        ctx.metrics.backfillWindows.inc({ result: step.kind === 'windowDone' ? 'done' : 'cap_exceeded' });
        if (step.kind === 'capExceeded') {
          log.warn(
            { window, clips: step.clips },
            'Backfill window at the minimum size still hit the result cap',
          );
        }
        log.debug(
          { from: step.window.start, to: step.window.end, clips: step.clips },
          'Backfill window done',
        );
      }
      if (finished) {
        log.info({ from: progress.from, until: progress.until }, 'Backfill finished');
        return 'finished';
      }
    }
    // Back in line so other channels get their turn; the next claim continues from the saved cursor.
    await releaseBackfill(ctx.sql, claim.broadcasterId, lease.leaseUntil, { nextAt: ctx.clock() });
    const span = progress.until.getTime() - progress.from.getTime();
    const percent =
      span <= 0 ? 100 : Math.round(((progress.until.getTime() - progress.doneFrom.getTime()) / span) * 100);
    log.info({ doneFrom: progress.doneFrom, percent }, 'Backfill progress');
    return 'paused';
  } catch (error) {
    if (error instanceof LeaseLostError) {
      reportLostLease(ctx, 'backfill', log);
      return 'lost_lease';
    }
    if (ctx.signal.aborted) return await handBack(ctx, claim, lease, progress);
    const code = error instanceof AppError ? error.code : 'sync.backfillFailed';
    ctx.metrics.backfillWindows.inc({ result: 'error' });
    const delay = errorBackoffMs(claim.backfillErrors + 1);
    log.warn(
      { code, retryInMs: delay, ...(error instanceof AppError ? {} : { err: error }) },
      'Backfill step failed; will resume from the saved position',
    );
    await releaseBackfill(ctx.sql, claim.broadcasterId, lease.leaseUntil, {
      nextAt: new Date(ctx.clock().getTime() + delay),
      errorCode: code,
    }).catch((releaseError: unknown) => log.error({ err: releaseError }, 'Could not release backfill claim'));
    return 'error';
  }
}

/**
 * Shutdown mid-claim: the position saved after the last page stands; the claim goes back without counting
 * an error, due at once, so the next process resumes there.
 */
async function handBack(
  ctx: SyncContext,
  claim: BackfillClaim,
  lease: BackfillClaim,
  progress: BackfillProgress,
): Promise<'stopped'> {
  await releaseBackfill(ctx.sql, claim.broadcasterId, lease.leaseUntil, { nextAt: ctx.clock() }).catch(
    (error: unknown) =>
      ctx.logger.warn(
        { err: error, broadcasterId: claim.broadcasterId },
        'Could not hand back a backfill claim',
      ),
  );
  ctx.logger.debug({ broadcasterId: claim.broadcasterId, doneFrom: progress.doneFrom }, 'Backfill stopped');
  return 'stopped';
}

async function finish(ctx: SyncContext, lease: BackfillClaim, progress: BackfillProgress, newClips: number) {
  await saveBackfillProgress(ctx.sql, lease, {
    ...progress,
    newClips,
    finished: true,
    newLeaseUntil: lease.leaseUntil,
  });
}

/**
 * After a window hit the cap, the clips already stored from it (the most viewed ones, which are spread over
 * the window much like all of its clips) show where it is dense. Keep from the window's end back to the
 * clip that has half a target's worth of stored clips newer than it: that new window holds at least that
 * many clips and, unless the window was many times over the cap, fewer than the target. Never wider than
 * the plain halving.
 */
async function narrowedWindowSec(
  ctx: SyncContext,
  claim: BackfillClaim,
  window: TimeWindow,
  halvedSec: number,
): Promise<number> {
  const offset = Math.max(1, Math.floor(ctx.options.backfill.targetClipsPerWindow / 2));
  // Uses clips_broadcaster_id_created_at_idx.
  const [row] = await ctx.sql.query<{ created_at: Date | string }>(
    `SELECT created_at FROM clips
      WHERE broadcaster_id = $1 AND created_at >= $2::timestamptz AND created_at < $3::timestamptz
      ORDER BY created_at DESC OFFSET $4 LIMIT 1`,
    [claim.broadcasterId, window.start, window.end, offset],
  );
  if (row === undefined) return halvedSec;
  const spanSec = Math.ceil((window.end.getTime() - new Date(row.created_at).getTime()) / 1000);
  return Math.max(ctx.options.backfill.minWindowSec, Math.min(halvedSec, spanSec));
}
