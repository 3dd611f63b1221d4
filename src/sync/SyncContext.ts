import type { Cache } from '../cache/Cache.js';
import { invalidateChannelSearches } from '../clips/search/searchCache.js';
import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import type { TwitchAdapter } from '../twitch/twitchTypes.js';
import type { ClipSyncEmitter } from './clipEvents.js';
import type { PollScheduleOptions } from './pollSchedule.js';
import type { SyncMetrics } from './syncMetrics.js';
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
  recheckWindowMs: 48 * 3_600_000,
  recheckIntervalMs: 3_600_000,
  clipsEpoch: new Date('2016-05-01T00:00:00Z'),
  trackingIdleMs: 30 * 86_400_000,
};

/** Makes cached channel-filtered searches see newly stored clips (no-op without a cache). */
export async function invalidateSearches(ctx: SyncContext, broadcasterIds: string[]): Promise<void> {
  if (ctx.cache === undefined || broadcasterIds.length === 0) return;
  await invalidateChannelSearches(ctx.cache, broadcasterIds);
}

/** What every sync step needs; built once by createClipSync. */
export interface SyncContext {
  sql: SqlExecutor;
  twitch: TwitchAdapter;
  cache?: Cache;
  logger: Logger;
  metrics: SyncMetrics;
  emitter: ClipSyncEmitter;
  clock: () => Date;
  options: ClipSyncOptions;
  /** Current budget stretch factor (updated by the schedule refresh). */
  stretch: () => number;
}
