import type { ClipStatsBucket, ClipStatsBucketUnit, ClipStatsPeriod } from './ChannelClipStats.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * How many buckets each fixed period shows. The window covers whole buckets ending with the current one
 * (e.g. `week` = today and the six days before, UTC), so no bar is a misleading fraction of the others
 * except the current, still running one.
 */
const FIXED_WINDOWS: Record<Exclude<ClipStatsPeriod, 'all'>, { unit: ClipStatsBucketUnit; count: number }> = {
  day: { unit: 'hour', count: 24 },
  week: { unit: 'day', count: 7 },
  month: { unit: 'day', count: 30 },
  year: { unit: 'week', count: 52 },
};

/** For `all`: the finest unit that keeps the chart at or under this many bars. */
export const MAX_BARS_FOR_ALL = 120;

/** Start of the UTC bucket containing `date`. */
export function startOfBucket(date: Date, unit: ClipStatsBucketUnit): Date {
  const t = date.getTime();
  switch (unit) {
    case 'hour':
      return new Date(Math.floor(t / HOUR_MS) * HOUR_MS);
    case 'day':
      return new Date(Math.floor(t / DAY_MS) * DAY_MS);
    case 'week': {
      const day = Math.floor(t / DAY_MS) * DAY_MS;
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
      return new Date(day - sinceMonday * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
  }
}

/** `start` moved by `count` buckets (negative goes back). `start` must be a bucket start. */
export function addBuckets(start: Date, unit: ClipStatsBucketUnit, count: number): Date {
  switch (unit) {
    case 'hour':
      return new Date(start.getTime() + count * HOUR_MS);
    case 'day':
      return new Date(start.getTime() + count * DAY_MS);
    case 'week':
      return new Date(start.getTime() + count * 7 * DAY_MS);
    case 'month':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + count, 1));
  }
}

/** The chart window of a fixed period: its unit and the start of its first bucket. */
export function fixedPeriodWindow(
  period: Exclude<ClipStatsPeriod, 'all'>,
  now: Date,
): { unit: ClipStatsBucketUnit; from: Date } {
  const { unit, count } = FIXED_WINDOWS[period];
  return { unit, from: addBuckets(startOfBucket(now, unit), unit, -(count - 1)) };
}

/**
 * For `all`: days while the channel's history fits {@link MAX_BARS_FOR_ALL} days, then weeks, then months
 * (Twitch clips go back to 2016, about 130 months; past MAX_BARS_FOR_ALL months bars just get thinner).
 */
export function unitForSpan(firstClipAt: Date, now: Date): ClipStatsBucketUnit {
  for (const unit of ['day', 'week'] as const) {
    const bars = countBuckets(startOfBucket(firstClipAt, unit), now, unit);
    if (bars <= MAX_BARS_FOR_ALL) return unit;
  }
  return 'month';
}

function countBuckets(from: Date, now: Date, unit: ClipStatsBucketUnit): number {
  let count = 0;
  for (let start = from; start.getTime() <= now.getTime(); start = addBuckets(start, unit, 1)) {
    count += 1;
    if (count > MAX_BARS_FOR_ALL) break;
  }
  return count;
}

/**
 * Rolls fine-grained rows (hours or days, as the database grouped them) up into `unit` buckets from
 * `from` to `now`, with zero buckets where nothing was clipped so the time axis stays linear.
 */
export function rollUpBuckets(
  rows: ReadonlyArray<{ start: Date; clips: number; views: number }>,
  from: Date,
  now: Date,
  unit: ClipStatsBucketUnit,
): ClipStatsBucket[] {
  const buckets: ClipStatsBucket[] = [];
  const indexByStart = new Map<number, number>();
  for (
    let start = startOfBucket(from, unit);
    start.getTime() <= now.getTime();
    start = addBuckets(start, unit, 1)
  ) {
    indexByStart.set(start.getTime(), buckets.length);
    buckets.push({ start, clips: 0, views: 0 });
  }
  for (const row of rows) {
    const index = indexByStart.get(startOfBucket(row.start, unit).getTime());
    // Rows outside the window cannot come from the query (it filters on the same bounds); ignore, never throw.
    if (index === undefined) continue;
    const bucket = buckets[index]!;
    bucket.clips += row.clips;
    bucket.views += row.views;
  }
  return buckets;
}
