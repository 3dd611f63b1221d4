import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { getOrCreateCounter, getOrCreateGauge, getOrCreateHistogram } from '../observability/metrics.js';

export interface SyncMetrics {
  /** result: ok | error | lost_lease. */
  polls: Counter<'result'>;
  /** source: incremental | backfill | recheck. */
  clipsDiscovered: Counter<'source'>;
  clipsDeleted: Counter;
  /** Seconds from a clip's created_at to us storing it (an upper bound of visible → stored). state: live|offline. */
  freshness: Histogram<'state'>;
  /** How late due polls start (overload shows here first). */
  pollLag: Histogram;
  /** state: live | recently_live | offline. */
  trackedChannels: Gauge<'state'>;
  /** status: pending | running | done | failed. */
  backfillChannels: Gauge<'status'>;
  /** result: done | split | cap_exceeded | error. */
  backfillWindows: Counter<'result'>;
  backfillPages: Counter;
  /** Seconds of clip history not yet backfilled, summed over channels. */
  backfillRemaining: Gauge;
  liveChecks: Counter<'result'>;
  budgetStretch: Gauge;
}

export function createSyncMetrics(registry: Registry): SyncMetrics {
  return {
    polls: getOrCreateCounter(registry, {
      name: 'tcs_sync_polls_total',
      help: 'Incremental channel polls by result.',
      labelNames: ['result'],
    }),
    clipsDiscovered: getOrCreateCounter(registry, {
      name: 'tcs_sync_clips_discovered_total',
      help: 'Clips stored for the first time, by the sync path that found them.',
      labelNames: ['source'],
    }),
    clipsDeleted: getOrCreateCounter(registry, {
      name: 'tcs_sync_clips_deleted_total',
      help: 'Clips a re-check by id no longer found on Twitch.',
    }),
    freshness: getOrCreateHistogram(registry, {
      name: 'tcs_sync_clip_freshness_seconds',
      help: 'Time from a clip becoming visible on Twitch (at the latest, the previous poll that did not see it) to it being stored by incremental sync.',
      labelNames: ['state'],
      buckets: [5, 10, 20, 30, 45, 60, 90, 120, 300, 600, 1800, 3600, 4 * 3600],
    }),
    pollLag: getOrCreateHistogram(registry, {
      name: 'tcs_sync_poll_lag_seconds',
      help: 'How long after it was due an incremental poll was claimed.',
      buckets: [1, 5, 15, 30, 60, 120, 300, 900],
    }),
    trackedChannels: getOrCreateGauge(registry, {
      name: 'tcs_sync_tracked_channels',
      help: 'Tracked channels by live state.',
      labelNames: ['state'],
    }),
    backfillChannels: getOrCreateGauge(registry, {
      name: 'tcs_sync_backfill_channels',
      help: 'Tracked channels by backfill status.',
      labelNames: ['status'],
    }),
    backfillWindows: getOrCreateCounter(registry, {
      name: 'tcs_sync_backfill_windows_total',
      help: 'Backfill date windows by outcome (split = window reached the result cap and was halved).',
      labelNames: ['result'],
    }),
    backfillPages: getOrCreateCounter(registry, {
      name: 'tcs_sync_backfill_pages_total',
      help: 'Get Clips pages fetched by backfill.',
    }),
    backfillRemaining: getOrCreateGauge(registry, {
      name: 'tcs_sync_backfill_remaining_seconds',
      help: 'Clip history (seconds of channel lifetime) not yet backfilled, summed over tracked channels.',
    }),
    liveChecks: getOrCreateCounter(registry, {
      name: 'tcs_sync_live_checks_total',
      help: 'Get Streams batches (up to 100 channels) by result.',
      labelNames: ['result'],
    }),
    budgetStretch: getOrCreateGauge(registry, {
      name: 'tcs_sync_budget_stretch',
      help: 'Factor by which poll intervals are stretched to fit the Helix budget (1 = not overloaded).',
    }),
  };
}
