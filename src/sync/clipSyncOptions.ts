import type { PollScheduleOptions } from './pollSchedule.js';
import type { BackfillWindowOptions } from './syncWindows.js';

export interface ClipSyncOptions {
  schedule: PollScheduleOptions;
  backfill: BackfillWindowOptions;
  /** Clips can appear in Get Clips this long after their created_at; incremental windows overlap by it. */
  lateClipMarginMs: number;
  /** Once per this interval a poll looks `deepScanWindowMs` back (clips that appear very late). */
  deepScanIntervalMs: number;
  deepScanWindowMs: number;
  /** Channels claimed per poll round (per process). */
  pollBatchSize: number;
  /** Polls run at once per process (the limiter bounds the rate; this bounds memory and connections). */
  pollConcurrency: number;
  /** Claim leases: a crashed process's channels come back after this. */
  leaseMs: number;
  /** Channels backfilled at once per process. */
  backfillConcurrency: number;
  /** Pages fetched per backfill claim before the channel goes back in line (fairness between channels). */
  backfillPagesPerClaim: number;
  /**
   * Get Clips pages read for one date window before paging is cut off. Twitch returns at most ~1,000 results
   * per query (10 pages of 100), so more pages than this mean a cursor that never ends.
   */
  maxPagesPerWindow: number;
  /** Re-check clips first seen within this span for deletion. */
  recheckWindowMs: number;
  /** How often one clip is re-checked. */
  recheckIntervalMs: number;
  /** Earliest clip date worth asking for (Twitch clips launched in 2016). */
  clipsEpoch: Date;
  /** A channel no subscription needs and nobody searched for this long stops being polled (TRACKING_IDLE_DAYS). */
  trackingIdleMs: number;
}

export const defaultClipSyncOptions: Omit<ClipSyncOptions, 'schedule' | 'backfill'> = {
  lateClipMarginMs: 5 * 60_000,
  deepScanIntervalMs: 60 * 60_000,
  deepScanWindowMs: 3 * 60 * 60_000,
  pollBatchSize: 100,
  pollConcurrency: 8,
  leaseMs: 2 * 60_000,
  backfillConcurrency: 2,
  backfillPagesPerClaim: 20,
  maxPagesPerWindow: 12,
  recheckWindowMs: 48 * 3_600_000,
  recheckIntervalMs: 3_600_000,
  clipsEpoch: new Date('2016-05-01T00:00:00Z'),
  trackingIdleMs: 30 * 86_400_000,
};
