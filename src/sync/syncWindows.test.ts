import { describe, expect, it } from 'vitest';
import {
  advanceBackfill,
  currentBackfillWindow,
  describeBackfill,
  earliestVisibleAt,
  incrementalWindow,
  isBackfillFinished,
  type BackfillProgress,
} from './syncWindows.js';

const day = 24 * 3600;
const until = new Date('2024-01-01T00:00:00Z');
const from = new Date('2020-01-01T00:00:00Z');

function start(windowSec = 30 * day): BackfillProgress {
  return { from, until, doneFrom: until, windowSec, pageCursor: null, windowClips: 0 };
}

describe('backfill windows', () => {
  it('walks backwards from the tracking date and never before the channel existed', () => {
    const window = currentBackfillWindow({ ...start(), doneFrom: new Date(from.getTime() + day * 1000) });
    expect(window.start).toEqual(from);
    expect(window.end).toEqual(new Date(from.getTime() + day * 1000));
  });

  it('follows the page cursor while the window is below the split threshold', () => {
    const step = advanceBackfill(start(), { pageClips: 100, cursor: 'c1' });
    expect(step.kind).toBe('nextPage');
    expect(step.progress.pageCursor).toBe('c1');
    expect(step.progress.windowClips).toBe(100);
    expect(step.progress.doneFrom).toEqual(until);
  });

  it('halves a window that reaches the result cap and restarts it without a cursor', () => {
    const step = advanceBackfill(
      { ...start(), windowClips: 800, pageCursor: 'c8' },
      { pageClips: 100, cursor: 'c9' },
    );
    expect(step.kind).toBe('split');
    expect(step.progress.windowSec).toBe(15 * day);
    expect(step.progress.pageCursor).toBeNull();
    expect(step.progress.windowClips).toBe(0);
    expect(step.progress.doneFrom).toEqual(until);
  });

  it('moves to the older window when the last page arrives and sizes it from the density', () => {
    const step = advanceBackfill({ ...start(), windowClips: 100 }, { pageClips: 100, cursor: null });
    expect(step.kind).toBe('windowDone');
    expect(step.progress.doneFrom).toEqual(new Date(until.getTime() - 30 * day * 1000));
    // 200 clips in 30 days → 400 clips per 60 days.
    expect(step.progress.windowSec).toBe(60 * day);
  });

  it('grows an empty window at most fourfold', () => {
    const step = advanceBackfill(start(day), { pageClips: 0, cursor: null });
    expect(step.progress.windowSec).toBe(4 * day);
  });

  it('reports a window that is already at the minimum size yet full as cap exceeded', () => {
    const progress = { ...start(60), windowClips: 900 };
    const step = advanceBackfill(
      progress,
      { pageClips: 100, cursor: null },
      {
        resultCap: 1000,
        splitAt: 900,
        targetClipsPerWindow: 400,
        minWindowSec: 60,
        maxWindowSec: 365 * day,
      },
    );
    expect(step.kind).toBe('capExceeded');
  });

  it('finishes when the walk reaches the start of the history', () => {
    expect(isBackfillFinished({ ...start(), doneFrom: from })).toBe(true);
    expect(isBackfillFinished(start())).toBe(false);
  });
});

describe('incremental windows', () => {
  it('overlap the previous poll by the late-clip margin', () => {
    const lastPolledAt = new Date('2024-01-01T12:00:00Z');
    const now = new Date('2024-01-01T12:01:00Z');
    const window = incrementalWindow({ lastPolledAt, backfillUntil: from, now, lateClipMarginMs: 300_000 });
    expect(window.start).toEqual(new Date('2024-01-01T11:55:00Z'));
    expect(window.end.getTime()).toBeGreaterThan(now.getTime());
  });

  it('reach far back once an hour so clips that appear very late are still found', () => {
    const deep = {
      lateClipMarginMs: 300_000,
      deepScanIntervalMs: 3_600_000,
      deepScanWindowMs: 3 * 3_600_000,
    };
    const sameHour = incrementalWindow({
      lastPolledAt: new Date('2024-01-01T12:10:00Z'),
      backfillUntil: from,
      now: new Date('2024-01-01T12:11:00Z'),
      ...deep,
    });
    expect(sameHour.start).toEqual(new Date('2024-01-01T12:05:00Z'));
    const nextHour = incrementalWindow({
      lastPolledAt: new Date('2024-01-01T12:59:30Z'),
      backfillUntil: from,
      now: new Date('2024-01-01T13:00:30Z'),
      ...deep,
    });
    expect(nextHour.start).toEqual(new Date('2024-01-01T10:00:30Z'));
  });

  it('start where the backfill stops when the channel was never polled', () => {
    const window = incrementalWindow({
      lastPolledAt: null,
      backfillUntil: until,
      now: until,
      lateClipMarginMs: 1000,
    });
    expect(window.start).toEqual(new Date(until.getTime() - 1000));
  });
});

describe('backfill summary', () => {
  it('reads like "indexed 3,412 clips, 2019–2023 done"', () => {
    expect(
      describeBackfill({
        clipsIndexed: 3412,
        status: 'running',
        doneFrom: new Date('2019-03-01T00:00:00Z'),
        until: new Date('2023-06-01T00:00:00Z'),
      }),
    ).toBe('indexed 3,412 clips, 2019–2023 done');
    expect(describeBackfill({ clipsIndexed: 5, status: 'done', doneFrom: from, until })).toBe(
      'indexed 5 clips, history complete (2020–2024)',
    );
  });
});

describe('earliest visibility of a newly found clip', () => {
  const at = (minute: number) => new Date(Date.UTC(2024, 0, 1, 12, minute));
  const margin = 5 * 60_000;

  it('is the previous poll for a clip created inside its window (it was not visible then)', () => {
    expect(earliestVisibleAt(at(7), at(10), margin)).toEqual(at(10));
    expect(earliestVisibleAt(at(5), at(10), margin)).toEqual(at(10));
  });

  it('is created_at for clips created after the previous poll, before any poll, or before its window', () => {
    expect(earliestVisibleAt(at(11), at(10), margin)).toEqual(at(11));
    expect(earliestVisibleAt(at(7), null, margin)).toEqual(at(7));
    // Found by a deep scan: the previous poll never asked for this time, so it may have been visible long ago.
    expect(earliestVisibleAt(at(2), at(10), margin)).toEqual(at(2));
  });
});
