import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describePeriodStart, lastFinishedPeriod, periodContaining } from './digestPeriods.js';

const at = (iso: string) => new Date(iso);
const iso = (period: { start: Date; end: Date }) => [period.start.toISOString(), period.end.toISOString()];
const hours = (period: { start: Date; end: Date }) =>
  (period.end.getTime() - period.start.getTime()) / 3_600_000;

describe('daily periods', () => {
  it('are UTC days in UTC, the one before the current day', () => {
    const period = lastFinishedPeriod(at('2026-12-02T10:00:00Z'), 'UTC', 'daily');
    expect(iso(period)).toEqual(['2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z']);
  });

  it('last 23 hours on the day New York springs forward and 25 on the day it falls back', () => {
    const spring = lastFinishedPeriod(at('2026-03-09T12:00:00-04:00'), 'America/New_York', 'daily');
    expect(iso(spring)).toEqual(['2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(hours(spring)).toBe(23);
    const fall = lastFinishedPeriod(at('2026-11-02T12:00:00-05:00'), 'America/New_York', 'daily');
    expect(iso(fall)).toEqual(['2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z']);
    expect(hours(fall)).toBe(25);
  });

  it('follow Lord Howe Island half-hour daylight saving (24.5 and 23.5 hour days)', () => {
    const april = periodContaining(at('2026-04-05T12:00:00+10:30'), 'Australia/Lord_Howe', 'daily');
    expect(iso(april)).toEqual(['2026-04-04T13:00:00.000Z', '2026-04-05T13:30:00.000Z']);
    expect(hours(april)).toBe(24.5);
    const october = periodContaining(at('2026-10-04T12:00:00+11:00'), 'Australia/Lord_Howe', 'daily');
    expect(iso(october)).toEqual(['2026-10-03T13:30:00.000Z', '2026-10-04T13:00:00.000Z']);
    expect(hours(october)).toBe(23.5);
  });

  it('start at local midnight in UTC+14, a day ahead of UTC', () => {
    // 10:00 UTC is midnight of the next date in Kiritimati: that date has just begun.
    const now = at('2026-12-02T10:00:00Z');
    expect(iso(periodContaining(now, 'Pacific/Kiritimati', 'daily'))).toEqual([
      '2026-12-02T10:00:00.000Z',
      '2026-12-03T10:00:00.000Z',
    ]);
    expect(iso(lastFinishedPeriod(now, 'Pacific/Kiritimati', 'daily'))).toEqual([
      '2026-12-01T10:00:00.000Z',
      '2026-12-02T10:00:00.000Z',
    ]);
    // One millisecond earlier it was still the 2nd there, so the last finished day was the 1st.
    expect(iso(lastFinishedPeriod(new Date(now.getTime() - 1), 'Pacific/Kiritimati', 'daily'))).toEqual([
      '2026-11-30T10:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
    ]);
  });

  it('start when the day begins where midnight does not exist (Beirut springs forward at 00:00)', () => {
    const day = periodContaining(at('2026-03-29T12:00:00+03:00'), 'Asia/Beirut', 'daily');
    // 29 March begins at 01:00 EEST, the end of the skipped hour.
    expect(iso(day)).toEqual(['2026-03-28T22:00:00.000Z', '2026-03-29T21:00:00.000Z']);
    expect(hours(day)).toBe(23);
  });

  it('skip to the last date that existed when a whole date was dropped (Samoa, 30 December 2011)', () => {
    const period = lastFinishedPeriod(at('2011-12-31T12:00:00+14:00'), 'Pacific/Apia', 'daily');
    // Thursday 29 December at UTC-10, followed directly by Saturday 31 December at UTC+14.
    expect(iso(period)).toEqual(['2011-12-29T10:00:00.000Z', '2011-12-30T10:00:00.000Z']);
  });
});

describe('weekly periods', () => {
  it('run from Monday 00:00 to the next Monday 00:00 local, across a change of clocks', () => {
    // Monday 9 March 2026, New York: last week included the spring-forward Sunday.
    const week = lastFinishedPeriod(at('2026-03-09T09:00:00-04:00'), 'America/New_York', 'weekly');
    expect(iso(week)).toEqual(['2026-03-02T05:00:00.000Z', '2026-03-09T04:00:00.000Z']);
    expect(hours(week)).toBe(7 * 24 - 1);
  });

  it('treat Sunday night as the same week and Monday 00:00 as the next', () => {
    const sunday = periodContaining(at('2026-12-06T23:59:59+01:00'), 'Europe/Berlin', 'weekly');
    expect(iso(sunday)).toEqual(['2026-11-29T23:00:00.000Z', '2026-12-06T23:00:00.000Z']);
    const monday = periodContaining(at('2026-12-07T00:00:00+01:00'), 'Europe/Berlin', 'weekly');
    expect(monday.start).toEqual(sunday.end);
  });
});

describe('every zone and instant', () => {
  const zones = Intl.supportedValuesOf('timeZone');
  const instants = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2037-12-31T00:00:00Z'),
    noInvalidDate: true,
  });

  it('a period holds its instant, begins where the local date changes and is followed by the next', () => {
    fc.assert(
      fc.property(
        instants,
        fc.constantFrom(...zones),
        fc.constantFrom('daily' as const, 'weekly' as const),
        (now, zone, mode) => {
          const period = periodContaining(now, zone, mode);
          expect(period.start.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(period.end.getTime()).toBeGreaterThan(now.getTime());
          const length = hours(period);
          // A day of 22 to 26 hours covers every DST change in use (Troll station in Antarctica moves by 2).
          if (mode === 'daily') expect(length).toBeGreaterThanOrEqual(22);
          if (mode === 'daily') expect(length).toBeLessThanOrEqual(26);
          // The instant before the start belongs to the period before: it ends where this one starts.
          expect(periodContaining(new Date(period.start.getTime() - 1), zone, mode).end).toEqual(
            period.start,
          );
          expect(lastFinishedPeriod(now, zone, mode).end).toEqual(period.start);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('describePeriodStart', () => {
  it('names the local date of the period start', () => {
    const period = lastFinishedPeriod(at('2026-12-02T10:00:00Z'), 'Pacific/Kiritimati', 'daily');
    expect(describePeriodStart(period, 'Pacific/Kiritimati')).toBe('Wednesday, 2 December 2026');
  });
});
