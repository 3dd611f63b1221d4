/**
 * Adaptive incremental-poll schedule (pure). Live channels are polled often, recently live ones taper off
 * geometrically towards the offline interval, offline ones rarely (clips can still be made from VODs).
 * When the tracked population needs more Helix calls than the budget allows, every interval is stretched by
 * the same factor, so freshness degrades evenly instead of the limiter queueing into 429s.
 */
export interface PollScheduleOptions {
  /** Poll interval of a live channel with an average clip rate. */
  liveIntervalMs: number;
  /** Interval of busy live channels (at least `busyClipRatePerHour`). */
  minLiveIntervalMs: number;
  busyClipRatePerHour: number;
  /** Interval of a channel that has been offline for longer than `recentlyLiveMs`. */
  offlineIntervalMs: number;
  /** How long after going offline a channel still counts as recently live (interval tapers over it). */
  recentlyLiveMs: number;
  /** How often Get Streams re-checks every tracked channel's live state (100 channels per call). */
  liveCheckIntervalMs: number;
  /** Helix calls per minute incremental sync may spend (the rest is for interactive use and backfill). */
  budgetPerMinute: number;
}

export const defaultPollScheduleOptions: PollScheduleOptions = {
  liveIntervalMs: 60_000,
  minLiveIntervalMs: 20_000,
  busyClipRatePerHour: 120,
  offlineIntervalMs: 2 * 60 * 60_000,
  recentlyLiveMs: 2 * 60 * 60_000,
  liveCheckIntervalMs: 120_000,
  budgetPerMinute: 560,
};

export interface ChannelPollState {
  isLive: boolean;
  lastLiveAt: Date | null;
  /** Clips per hour observed while live. */
  clipRatePerHour: number;
}

export interface PopulationCounts {
  live: number;
  recentlyLive: number;
  offline: number;
  /** Calls per minute the live channels need at their base intervals (default: all at `liveIntervalMs`). */
  liveCallsPerMinute?: number;
}

/**
 * Live channels are all polled at `liveIntervalMs`: freshness is judged per clip at the 95th percentile,
 * and an even interval minimises that for a given number of calls (a square-root allocation by clip rate
 * gives a better mean but a worse p95, as the bench showed). Only busy channels (at least
 * `busyClipRatePerHour`, which need several pages per window anyway) are polled at `minLiveIntervalMs`.
 * (Mirrored in SQL by {@link liveCallsPerMinuteSql}.)
 */
export function liveIntervalMs(clipRatePerHour: number, options: PollScheduleOptions): number {
  return clipRatePerHour >= options.busyClipRatePerHour ? options.minLiveIntervalMs : options.liveIntervalMs;
}

/**
 * SQL aggregate over tracked_channels giving the calls per minute live channels need at base intervals
 * ($1 = liveIntervalMs, $2 = minLiveIntervalMs, $3 = busyClipRatePerHour).
 */
export const liveCallsPerMinuteSql = `COALESCE(sum(CASE WHEN clip_rate_per_hour >= $3::float8
  THEN 60000.0 / $2::float8 ELSE 60000.0 / $1::float8 END) FILTER (WHERE is_live), 0)`;

/** Base interval for one channel before the budget stretch. */
export function basePollIntervalMs(state: ChannelPollState, now: Date, options: PollScheduleOptions): number {
  if (state.isLive) return liveIntervalMs(state.clipRatePerHour, options);
  if (state.lastLiveAt !== null) {
    const sinceLive = now.getTime() - state.lastLiveAt.getTime();
    if (sinceLive < options.recentlyLiveMs) {
      const progress = Math.max(0, sinceLive) / options.recentlyLiveMs;
      return options.liveIntervalMs * Math.pow(options.offlineIntervalMs / options.liveIntervalMs, progress);
    }
  }
  return options.offlineIntervalMs;
}

/** Helix calls per minute the population needs at base intervals, including the Get Streams sweep. */
export function requiredCallsPerMinute(counts: PopulationCounts, options: PollScheduleOptions): number {
  const total = counts.live + counts.recentlyLive + counts.offline;
  // Recently live channels sit between the two extremes; their geometric-mean interval is a fair estimate.
  const recentIntervalMs = Math.sqrt(options.liveIntervalMs * options.offlineIntervalMs);
  const liveChecks = (Math.ceil(total / 100) * 60_000) / options.liveCheckIntervalMs;
  return (
    (counts.liveCallsPerMinute ?? (counts.live * 60_000) / options.liveIntervalMs) +
    (counts.recentlyLive * 60_000) / recentIntervalMs +
    (counts.offline * 60_000) / options.offlineIntervalMs +
    liveChecks
  );
}

/** Factor (≥ 1) by which every interval is stretched so the population fits the budget. */
export function budgetStretch(counts: PopulationCounts, options: PollScheduleOptions): number {
  const required = requiredCallsPerMinute(counts, options);
  if (options.budgetPerMinute <= 0) return Number.POSITIVE_INFINITY;
  return Math.max(1, required / options.budgetPerMinute);
}

/**
 * Delay until the next poll: the base interval stretched to fit the budget, with ±10% jitter so that
 * channels tracked at the same moment do not stay in lock-step. `random` is injectable for tests.
 */
export function nextPollDelayMs(
  state: ChannelPollState,
  now: Date,
  stretch: number,
  options: PollScheduleOptions,
  random: () => number = Math.random,
): number {
  const base = basePollIntervalMs(state, now, options) * stretch;
  return Math.round(base * (0.9 + 0.2 * random()));
}

/** Exponentially weighted clip rate (clips per hour) after a poll that found `newClips` in `elapsedMs`. */
export function updateClipRate(previousPerHour: number, newClips: number, elapsedMs: number): number {
  if (elapsedMs <= 0) return previousPerHour;
  const observed = (newClips * 3_600_000) / elapsedMs;
  // Weight grows with the observed span (time constant: 30 minutes) so a short poll moves the average little.
  const weight = 1 - Math.exp(-elapsedMs / 1_800_000);
  return previousPerHour + (observed - previousPerHour) * weight;
}

/** Exponential backoff with full jitter for a channel whose polls keep failing. */
export function errorBackoffMs(consecutiveErrors: number, random: () => number = Math.random): number {
  const capped = Math.min(consecutiveErrors, 10);
  const ceiling = Math.min(30 * 60_000, 5_000 * 2 ** capped);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
