import type { ClipSearchPeriod } from '../search/ClipSearchQuery.js';

/** The periods `/clips stats` offers: the same words as search, so members learn one vocabulary. */
export type ClipStatsPeriod = ClipSearchPeriod;

/** Width of one bar of the chart. Always UTC; weeks start on Monday (ISO), months on the 1st. */
export type ClipStatsBucketUnit = 'hour' | 'day' | 'week' | 'month';

export interface ClipStatsBucket {
  /** Start of the bucket (inclusive), UTC. */
  start: Date;
  clips: number;
  /** Sum of the current view counts of the clips made in this bucket. */
  views: number;
}

export interface ClipperStats {
  creatorId: string;
  /** The clipper's name on their most recent clip in the window (Twitch names change). */
  creatorName: string;
  clips: number;
  views: number;
}

export interface GameClipStats {
  /** Null for clips without a category. */
  gameId: string | null;
  /** Null when the clip has no category or the game is not in the games table yet. */
  gameName: string | null;
  clips: number;
  views: number;
}

/** What `/clips stats` shows for one channel and period; deleted clips are never counted. */
export interface ChannelClipStats {
  broadcasterId: string;
  period: ClipStatsPeriod;
  unit: ClipStatsBucketUnit;
  /** Start of the first bucket; null for `all` on a channel without clips. */
  from: Date | null;
  /** The instant the stats were computed for (end of the last bucket, exclusive). */
  to: Date;
  /** Every bucket from `from` to `to`, oldest first, empty buckets included (clips 0, views 0). */
  buckets: ClipStatsBucket[];
  totals: { clips: number; views: number; clippers: number; games: number };
  /** Most clips first, then most views; at most {@link TOP_LIST_SIZE}. */
  topClippers: ClipperStats[];
  /** Most clips first, then most views; at most {@link TOP_LIST_SIZE}. */
  topGames: GameClipStats[];
}

/** Rows in each of the chart's two side panels (more would not fit 700 px legibly). */
export const TOP_LIST_SIZE = 5;
