import type { ClipRecord } from '../clips/ClipRecord.js';
import type { HelixPriority } from '../twitch/helixLimiter.js';
import type { TwitchAdapter } from '../twitch/twitchTypes.js';
import type { TimeWindow } from './syncWindows.js';

/**
 * Every clip of a broadcaster created in `window`, paging with first=100. When a window yields `splitAt`
 * results it may be truncated by the ~1,000 cap, so it is halved and each half fetched on its own (results
 * are deduplicated by id). Returns the clips and the number of Helix calls spent.
 */
export async function fetchClipWindow(
  twitch: TwitchAdapter,
  options: {
    broadcasterId: string;
    window: TimeWindow;
    priority: HelixPriority;
    splitAt: number;
    minWindowMs: number;
  },
): Promise<{ clips: ClipRecord[]; calls: number }> {
  const found = new Map<string, ClipRecord>();
  let calls = 0;
  const pending: TimeWindow[] = [options.window];
  while (pending.length > 0) {
    const window = pending.pop()!;
    const inWindow: ClipRecord[] = [];
    let cursor: string | null = null;
    let split = false;
    do {
      const page = await twitch.getClipsPage({
        broadcasterId: options.broadcasterId,
        startedAt: window.start,
        endedAt: window.end,
        after: cursor,
        priority: options.priority,
      });
      calls += 1;
      // A reply may contain clips of other broadcasters only if Twitch misbehaves; never store those here.
      inWindow.push(...page.clips.filter((clip) => clip.broadcasterId === options.broadcasterId));
      cursor = page.cursor;
      const lengthMs = window.end.getTime() - window.start.getTime();
      if (inWindow.length >= options.splitAt && lengthMs / 2 >= options.minWindowMs) {
        const middle = new Date(window.start.getTime() + Math.floor(lengthMs / 2));
        pending.push({ start: window.start, end: middle }, { start: middle, end: window.end });
        split = true;
        break;
      }
    } while (cursor !== null);
    for (const clip of inWindow) found.set(clip.id, clip);
    if (split) continue;
  }
  return { clips: [...found.values()], calls };
}
