// Test helpers shared by the stats unit tests (not imported by the bot).
import type { ChannelClipStats } from './ChannelClipStats.js';

/** `stats` as a channel without a single clip over all time: no buckets, zero totals, empty lists. */
export function withoutAnyClips(stats: ChannelClipStats): ChannelClipStats {
  return {
    ...stats,
    period: 'all',
    from: null,
    buckets: [],
    totals: { clips: 0, views: 0, clippers: 0, games: 0 },
    topClippers: [],
    topGames: [],
  };
}
