/**
 * Date-window arithmetic for Get Clips (pure). Get Clips returns clips sorted by views and stops paging after
 * roughly 1,000 results per query, so completeness depends on asking for windows small enough to hold
 * fewer clips than that, and on overlapping consecutive incremental windows so late-appearing clips are seen.
 */

export interface TimeWindow {
  start: Date;
  end: Date;
}

export interface BackfillWindowOptions {
  /** Results after which Twitch stops returning a cursor. */
  resultCap: number;
  /** Split the window as soon as this many results were seen in it (one page below the cap). */
  splitAt: number;
  /** Aim for windows holding about this many clips (a few pages). */
  targetClipsPerWindow: number;
  minWindowSec: number;
  maxWindowSec: number;
}

export const defaultBackfillWindowOptions: BackfillWindowOptions = {
  resultCap: 1_000,
  splitAt: 900,
  targetClipsPerWindow: 400,
  minWindowSec: 60,
  maxWindowSec: 365 * 24 * 3600,
};

/** Persisted backfill position of one channel (mirrors the tracked_channels backfill_* columns). */
export interface BackfillProgress {
  from: Date;
  until: Date;
  /** Everything in [doneFrom, until) is indexed; the walk goes backwards in time, newest history first. */
  doneFrom: Date;
  windowSec: number;
  pageCursor: string | null;
  windowClips: number;
}

export function currentBackfillWindow(progress: BackfillProgress): TimeWindow {
  const end = progress.doneFrom;
  const start = new Date(Math.max(progress.from.getTime(), end.getTime() - progress.windowSec * 1000));
  return { start, end };
}

export function isBackfillFinished(progress: BackfillProgress): boolean {
  return progress.doneFrom.getTime() <= progress.from.getTime();
}

export type BackfillStep =
  /** More pages in this window: fetch the next one with `progress.pageCursor`. */
  | { kind: 'nextPage'; progress: BackfillProgress }
  /** The window is too full to trust: restart with the newer half (clips already stored are deduplicated). */
  | { kind: 'split'; progress: BackfillProgress }
  /** The window is complete; `progress` points at the next, older window (sized from this one's density). */
  | { kind: 'windowDone'; progress: BackfillProgress; window: TimeWindow; clips: number }
  /** The window could not be split further and still hit the cap; paged to the end anyway. */
  | { kind: 'capExceeded'; progress: BackfillProgress; window: TimeWindow; clips: number };

/** What to do after one page of the current window came back with `pageClips` clips and `cursor`. */
export function advanceBackfill(
  progress: BackfillProgress,
  page: { pageClips: number; cursor: string | null },
  options: BackfillWindowOptions = defaultBackfillWindowOptions,
): BackfillStep {
  const window = currentBackfillWindow(progress);
  const lengthSec = (window.end.getTime() - window.start.getTime()) / 1000;
  const windowClips = progress.windowClips + page.pageClips;
  const canSplit = lengthSec / 2 >= options.minWindowSec;

  if (windowClips >= options.splitAt && canSplit) {
    return {
      kind: 'split',
      progress: { ...progress, windowSec: Math.ceil(lengthSec / 2), pageCursor: null, windowClips: 0 },
    };
  }
  if (page.cursor !== null) {
    return { kind: 'nextPage', progress: { ...progress, pageCursor: page.cursor, windowClips } };
  }
  // Size the next window from this one's density; grow at most 4× per step so one empty month does not
  // produce a year-long window that immediately has to be split again.
  const densityPerSec = windowClips / Math.max(lengthSec, 1);
  const ideal = densityPerSec > 0 ? options.targetClipsPerWindow / densityPerSec : lengthSec * 4;
  const windowSec = Math.round(
    Math.min(
      options.maxWindowSec,
      Math.max(options.minWindowSec, Math.min(ideal, Math.max(lengthSec, 1) * 4)),
    ),
  );
  const next: BackfillProgress = {
    ...progress,
    doneFrom: window.start,
    windowSec,
    pageCursor: null,
    windowClips: 0,
  };
  const kind = windowClips >= options.resultCap ? 'capExceeded' : 'windowDone';
  return { kind, progress: next, window, clips: windowClips };
}

/**
 * Window for an incremental poll: from the previous poll's start minus the late-clip margin up to now, so a
 * clip that becomes visible up to `lateClipMarginMs` after its created_at is always inside some window that
 * was queried after it became visible. Once per `deepScanIntervalMs` (the first poll after each boundary)
 * the window reaches `deepScanWindowMs` back instead, a safety net for clips that appear even later.
 * `end` reaches a little into the future to absorb clock skew.
 */
export function incrementalWindow(options: {
  lastPolledAt: Date | null;
  /** Where backfill stops and incremental sync takes over. */
  backfillUntil: Date;
  now: Date;
  lateClipMarginMs: number;
  deepScanIntervalMs?: number;
  deepScanWindowMs?: number;
}): TimeWindow {
  const from = options.lastPolledAt ?? options.backfillUntil;
  let start = from.getTime() - options.lateClipMarginMs;
  const { deepScanIntervalMs, deepScanWindowMs } = options;
  if (deepScanIntervalMs !== undefined && deepScanWindowMs !== undefined && options.lastPolledAt !== null) {
    const crossed =
      Math.floor(options.now.getTime() / deepScanIntervalMs) !==
      Math.floor(options.lastPolledAt.getTime() / deepScanIntervalMs);
    if (crossed) start = Math.min(start, options.now.getTime() - deepScanWindowMs);
  }
  return { start: new Date(start), end: new Date(options.now.getTime() + 60_000) };
}

/**
 * Earliest moment a clip first stored by an incremental poll can have become visible in Get Clips. Polls
 * page their windows completely, so a clip created inside the previous poll's window (which reached back at
 * least `lateClipMarginMs` before `lastPolledAt`) that the previous poll did not return was not visible
 * yet at `lastPolledAt`. Freshness measured from here is an upper bound of visible → stored that no longer
 * charges Twitch's own processing delay (clips can take minutes to appear) to the poller.
 */
export function earliestVisibleAt(
  createdAt: Date,
  lastPolledAt: Date | null,
  lateClipMarginMs: number,
): Date {
  if (lastPolledAt === null) return createdAt;
  const coveredByPreviousPoll = createdAt.getTime() >= lastPolledAt.getTime() - lateClipMarginMs;
  return coveredByPreviousPoll && lastPolledAt > createdAt ? lastPolledAt : createdAt;
}

/** Human summary for a status command: "indexed 3,412 clips, 2019–2023 done". */
export function describeBackfill(options: {
  clipsIndexed: number;
  status: string;
  doneFrom: Date | null;
  until: Date | null;
}): string {
  const clips = `indexed ${options.clipsIndexed.toLocaleString('en-US')} clips`;
  if (options.until === null || options.doneFrom === null) return `${clips}, history not started`;
  const from = options.doneFrom.getUTCFullYear();
  const to = options.until.getUTCFullYear();
  const years = from === to ? `${from}` : `${from}–${to}`;
  if (options.status === 'done') return `${clips}, history complete (${years})`;
  if (options.doneFrom.getTime() >= options.until.getTime()) return `${clips}, history in progress`;
  return `${clips}, ${years} done`;
}
