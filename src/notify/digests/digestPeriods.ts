/**
 * Digest periods in a guild's time zone, computed with Intl (the runtime's ICU time-zone data), never with
 * fixed offsets: a local day lasts 23, 23.5, 24, 24.5 or 25 hours around daylight-saving changes, and a
 * local midnight may not exist at all (zones that move their clocks at 00:00).
 *
 * A local date starts at the first instant whose local date is that date or later. Where midnight is
 * skipped, that is the end of the gap (01:00 local); where a whole date was skipped (Pacific/Apia dropped
 * 30 December 2011), it is the start of the next date, and the period before it is the last date that did
 * exist. Weeks start on Monday.
 */

export type DigestMode = 'daily' | 'weekly';

export interface DigestPeriod {
  /** Inclusive. */
  start: Date;
  /** Exclusive: the next period's start. */
  end: Date;
}

/** A calendar date, as a proleptic Gregorian day number (days since 1970-01-01) for easy arithmetic. */
type DayNumber = number;

const DAY_MS = 86_400_000;
/** Wider than any UTC offset the tz database has used (local mean times reach about ±15:56). */
const MAX_OFFSET_MS = 18 * 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for a zone the runtime does not know. */
function dateFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local date of an instant in a zone. */
function localDay(instantMs: number, timeZone: string): DayNumber {
  let year = 0;
  let month = 0;
  let day = 0;
  for (const part of dateFormatter(timeZone).formatToParts(instantMs)) {
    if (part.type === 'year') year = Number(part.value);
    else if (part.type === 'month') month = Number(part.value);
    else if (part.type === 'day') day = Number(part.value);
  }
  return Math.floor(Date.UTC(year, month - 1, day) / DAY_MS);
}

/**
 * The first instant whose local date is `day` or later. Under current tz rules a local date only moves
 * forward with time (clocks set back at midnight go from 24:00 to 23:00 of the same date), so a binary
 * search over the instants around that date's UTC midnight finds it to the millisecond.
 */
function startOfLocalDay(day: DayNumber, timeZone: string): number {
  let before = day * DAY_MS - MAX_OFFSET_MS; // local date < day
  let after = day * DAY_MS + MAX_OFFSET_MS; // local date >= day
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (localDay(middle, timeZone) >= day) after = middle;
    else before = middle;
  }
  return after;
}

/** Monday of the week holding `day` (1970-01-01 was a Thursday). */
function mondayOf(day: DayNumber): DayNumber {
  const weekday = (((day + 3) % 7) + 7) % 7; // 0 = Monday
  return day - weekday;
}

/** The local day or week (from Monday) that contains `instant`. */
export function periodContaining(instant: Date, timeZone: string, mode: DigestMode): DigestPeriod {
  const today = localDay(instant.getTime(), timeZone);
  const first = mode === 'daily' ? today : mondayOf(today);
  const length = mode === 'daily' ? 1 : 7;
  return {
    start: new Date(startOfLocalDay(first, timeZone)),
    end: new Date(startOfLocalDay(first + length, timeZone)),
  };
}

/** The last period that ended at or before `instant`: yesterday, or last week. */
export function lastFinishedPeriod(instant: Date, timeZone: string, mode: DigestMode): DigestPeriod {
  const current = periodContaining(instant, timeZone, mode);
  return periodContaining(new Date(current.start.getTime() - 1), timeZone, mode);
}

/** The period's first local date in its zone, in words ("Tuesday, 1 December 2026"). */
export function describePeriodStart(period: DigestPeriod, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  }).format(period.start);
}
