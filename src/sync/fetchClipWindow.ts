import type { ClipRecord } from '../clips/ClipRecord.js';
import type { HelixPriority } from '../twitch/helixLimiter.js';
import { CursorWalk } from './cursorWalk.js';
import type { SyncContext } from './SyncContext.js';
import type { TimeWindow } from './syncWindows.js';

/**
 * Every clip of a broadcaster created in `window`, paging with first=100. When a window yields `splitAt`
 * results it may be truncated by the ~1,000 cap, so it is halved and each half fetched on its own (results
 * are deduplicated by id). A window whose cursor repeats or runs past `maxPagesPerWindow` pages keeps the
 * clips read so far and stops paging (logged and counted). Returns the clips and the Helix calls spent.
 */
export async function fetchClipWindow(
  ctx: Pick<SyncContext, 'twitch' | 'logger' | 'metrics' | 'signal'>,
  options: {
    broadcasterId: string;
    window: TimeWindow;
    priority: HelixPriority;
    splitAt: number;
    minWindowMs: number;
    maxPagesPerWindow: number;
  },
): Promise<{ clips: ClipRecord[]; calls: number }> {
  const found = new Map<string, ClipRecord>();
  let calls = 0;
  const pending: TimeWindow[] = [options.window];
  while (pending.length > 0) {
    const window = pending.pop()!;
    const inWindow: ClipRecord[] = [];
    const walk = new CursorWalk(options.maxPagesPerWindow);
    let cursor: string | null = null;
    do {
      ctx.signal.throwIfAborted();
      const page = await ctx.twitch.getClipsPage({
        broadcasterId: options.broadcasterId,
        startedAt: window.start,
        endedAt: window.end,
        after: cursor,
        priority: options.priority,
        signal: ctx.signal,
      });
      calls += 1;
      // A reply may contain clips of other broadcasters only if Twitch misbehaves; never store those here.
      inWindow.push(...page.clips.filter((clip) => clip.broadcasterId === options.broadcasterId));
      cursor = page.cursor;
      const lengthMs = window.end.getTime() - window.start.getTime();
      if (inWindow.length >= options.splitAt && lengthMs / 2 >= options.minWindowMs) {
        const middle = new Date(window.start.getTime() + Math.floor(lengthMs / 2));
        pending.push({ start: window.start, end: middle }, { start: middle, end: window.end });
        break;
      }
      const stop = walk.next(cursor);
      if (stop !== null) {
        ctx.metrics.pagingStopped.inc({ path: 'incremental', reason: stop });
        ctx.logger.warn(
          { broadcasterId: options.broadcasterId, window, reason: stop, pages: calls },
          'Get Clips paging cut off: Twitch kept returning more pages; keeping the clips read so far',
        );
        cursor = null;
      }
    } while (cursor !== null);
    for (const clip of inWindow) found.set(clip.id, clip);
  }
  return { clips: [...found.values()], calls };
}
