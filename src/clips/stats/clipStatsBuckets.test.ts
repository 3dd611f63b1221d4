import { describe, expect, it } from 'vitest';
import {
  addBuckets,
  fixedPeriodWindow,
  MAX_BARS_FOR_ALL,
  rollUpBuckets,
  startOfBucket,
  unitForSpan,
} from './clipStatsBuckets.js';

const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('startOfBucket', () => {
  const instant = at('2026-03-01T13:45:12.345Z'); // a Sunday
  it('truncates to the UTC hour, day, ISO week (Monday) and month', () => {
    expect(iso(startOfBucket(instant, 'hour'))).toBe('2026-03-01T13:00:00.000Z');
    expect(iso(startOfBucket(instant, 'day'))).toBe('2026-03-01T00:00:00.000Z');
    expect(iso(startOfBucket(instant, 'week'))).toBe('2026-02-23T00:00:00.000Z');
    expect(iso(startOfBucket(instant, 'month'))).toBe('2026-03-01T00:00:00.000Z');
  });
  it('keeps a Monday in its own week', () => {
    expect(iso(startOfBucket(at('2026-03-02T00:00:00Z'), 'week'))).toBe('2026-03-02T00:00:00.000Z');
  });
});

describe('addBuckets', () => {
  it('moves by calendar months, across years', () => {
    expect(iso(addBuckets(at('2026-01-01T00:00:00Z'), 'month', -1))).toBe('2025-12-01T00:00:00.000Z');
    expect(iso(addBuckets(at('2026-11-01T00:00:00Z'), 'month', 3))).toBe('2027-02-01T00:00:00.000Z');
  });
  it('moves by fixed hours, days and weeks', () => {
    expect(iso(addBuckets(at('2026-01-01T00:00:00Z'), 'hour', -1))).toBe('2025-12-31T23:00:00.000Z');
    expect(iso(addBuckets(at('2026-01-01T00:00:00Z'), 'week', 2))).toBe('2026-01-15T00:00:00.000Z');
  });
});

describe('fixedPeriodWindow', () => {
  const now = at('2026-11-04T15:30:00Z');
  it('ends every window with the bucket that contains now', () => {
    expect(fixedPeriodWindow('day', now)).toEqual({ unit: 'hour', from: at('2026-11-03T16:00:00Z') });
    expect(fixedPeriodWindow('week', now)).toEqual({ unit: 'day', from: at('2026-10-29T00:00:00Z') });
    expect(fixedPeriodWindow('month', now)).toEqual({ unit: 'day', from: at('2026-10-06T00:00:00Z') });
    expect(fixedPeriodWindow('year', now)).toEqual({ unit: 'week', from: at('2025-11-10T00:00:00Z') });
  });
});

describe('unitForSpan', () => {
  const now = at('2026-11-04T15:30:00Z');
  it('uses days while they fit, then weeks, then months', () => {
    expect(unitForSpan(at('2026-11-04T00:00:00Z'), now)).toBe('day');
    expect(unitForSpan(addBuckets(at('2026-11-04T00:00:00Z'), 'day', -(MAX_BARS_FOR_ALL - 1)), now)).toBe(
      'day',
    );
    expect(unitForSpan(addBuckets(at('2026-11-04T00:00:00Z'), 'day', -MAX_BARS_FOR_ALL), now)).toBe('week');
    expect(unitForSpan(addBuckets(at('2026-11-02T00:00:00Z'), 'week', -(MAX_BARS_FOR_ALL - 1)), now)).toBe(
      'week',
    );
    expect(unitForSpan(addBuckets(at('2026-11-02T00:00:00Z'), 'week', -MAX_BARS_FOR_ALL), now)).toBe('month');
    expect(unitForSpan(at('2016-05-01T00:00:00Z'), now)).toBe('month');
  });
});

describe('rollUpBuckets', () => {
  it('fills empty buckets with zeros and sums rows of the same bucket', () => {
    const buckets = rollUpBuckets(
      [
        { start: at('2026-10-30T00:00:00Z'), clips: 2, views: 20 }, // Friday, week of 26 October
        { start: at('2026-11-01T00:00:00Z'), clips: 1, views: 5 }, // Sunday, same week
        { start: at('2026-11-03T00:00:00Z'), clips: 4, views: 400 },
      ],
      at('2026-10-12T00:00:00Z'),
      at('2026-11-04T15:30:00Z'),
      'week',
    );
    expect(buckets.map((b) => [iso(b.start).slice(0, 10), b.clips, b.views])).toEqual([
      ['2026-10-12', 0, 0],
      ['2026-10-19', 0, 0],
      ['2026-10-26', 3, 25],
      ['2026-11-02', 4, 400],
    ]);
  });
  it('rolls days up into months', () => {
    const buckets = rollUpBuckets(
      [
        { start: at('2026-01-31T00:00:00Z'), clips: 1, views: 1 },
        { start: at('2026-03-01T00:00:00Z'), clips: 2, views: 2 },
        { start: at('2026-03-31T00:00:00Z'), clips: 3, views: 3 },
      ],
      at('2026-01-31T00:00:00Z'),
      at('2026-03-31T23:59:59Z'),
      'month',
    );
    expect(buckets.map((b) => [iso(b.start).slice(0, 7), b.clips])).toEqual([
      ['2026-01', 1],
      ['2026-02', 0],
      ['2026-03', 5],
    ]);
  });
  it('ignores rows outside the window instead of failing', () => {
    const buckets = rollUpBuckets(
      [{ start: at('2020-01-01T00:00:00Z'), clips: 9, views: 9 }],
      at('2026-11-03T00:00:00Z'),
      at('2026-11-04T01:00:00Z'),
      'day',
    );
    expect(buckets.map((b) => b.clips)).toEqual([0, 0]);
  });
});
