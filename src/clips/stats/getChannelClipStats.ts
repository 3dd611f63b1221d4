import type { Database } from '../../db/Database.js';
import {
  type ChannelClipStats,
  type ClipStatsBucketUnit,
  type ClipStatsPeriod,
  TOP_LIST_SIZE,
} from './ChannelClipStats.js';
import { fixedPeriodWindow, rollUpBuckets, startOfBucket, unitForSpan } from './clipStatsBuckets.js';

export interface GetChannelClipStatsOptions {
  broadcasterId: string;
  period: ClipStatsPeriod;
  /** The instant "now" for the window; defaults to the current time (tests pin it). */
  now?: Date;
}

interface StatsRow {
  kind: 'total' | 'slot' | 'clipper' | 'game';
  slot: Date | string | null;
  key: string | null;
  name: string | null;
  clips: number;
  views: number;
  clippers: number | null;
  games: number | null;
}

/**
 * Every figure of one channel's stats in one statement and one pass over its clips in the window.
 *
 * `scoped` is a range scan of clips_broadcaster_id_created_at_idx (broadcaster_id, created_at DESC):
 * `broadcaster_id = $1 AND created_at BETWEEN …` are both index conditions, so the cost is the channel's
 * clips in the window, never the table. MATERIALIZED makes the four aggregates share that one scan instead
 * of repeating it. The games join is by primary key on at most TOP_LIST_SIZE rows.
 *
 * $1 broadcaster id, $2 window start (NULL = the channel's first clip), $3 now, $4 'hour' | 'day': the
 * grain rows are grouped by (UTC); src/clips/stats/clipStatsBuckets.ts rolls them up into the chart's
 * buckets, $5 rows per top list. Sums are float8 so both drivers return numbers (exact below 2^53).
 */
const CHANNEL_CLIP_STATS_SQL = `
WITH scoped AS MATERIALIZED (
  SELECT created_at, view_count, creator_id, creator_name, game_id
  FROM clips
  WHERE broadcaster_id = $1
    AND created_at >= coalesce($2::timestamptz, '-infinity'::timestamptz)
    AND created_at <= $3::timestamptz
    AND deleted_at IS NULL
),
totals AS (
  SELECT 'total'::text AS kind, NULL::timestamptz AS slot, NULL::text AS key, NULL::text AS name,
         count(*)::int AS clips, coalesce(sum(view_count), 0)::float8 AS views,
         count(DISTINCT creator_id)::int AS clippers, count(DISTINCT game_id)::int AS games
  FROM scoped
),
slots AS (
  SELECT 'slot'::text, date_trunc($4::text, created_at, 'UTC'), NULL::text, NULL::text,
         count(*)::int, sum(view_count)::float8, NULL::int, NULL::int
  FROM scoped
  GROUP BY 2
),
clippers AS (
  SELECT 'clipper'::text, NULL::timestamptz, creator_id,
         (array_agg(creator_name ORDER BY created_at DESC))[1],
         count(*)::int AS clips, sum(view_count)::float8 AS views, NULL::int, NULL::int
  FROM scoped
  GROUP BY creator_id
  ORDER BY clips DESC, views DESC, creator_id
  LIMIT $5
),
top_games AS (
  SELECT game_id, count(*)::int AS clips, sum(view_count)::float8 AS views
  FROM scoped
  GROUP BY game_id
  ORDER BY clips DESC, views DESC, game_id NULLS LAST
  LIMIT $5
),
games AS (
  SELECT 'game'::text, NULL::timestamptz, t.game_id, g.name, t.clips, t.views, NULL::int, NULL::int
  FROM top_games t LEFT JOIN games g ON g.id = t.game_id
)
SELECT * FROM totals
UNION ALL SELECT * FROM slots
UNION ALL SELECT * FROM clippers
UNION ALL SELECT * FROM games`;

const byClipsThenViews = (a: { clips: number; views: number }, b: { clips: number; views: number }) =>
  b.clips - a.clips || b.views - a.views;

/**
 * Clips per bucket, views per bucket, totals, top clippers and most-clipped games of one channel over a
 * period, deleted clips excluded. Bucket choice (hourly for a day, daily for a week or month, weekly for a
 * year, by span for all time) is documented in docs/stats.md.
 */
export async function getChannelClipStats(
  deps: { db: Database },
  options: GetChannelClipStatsOptions,
): Promise<ChannelClipStats> {
  const now = options.now ?? new Date();
  const fixed = options.period === 'all' ? null : fixedPeriodWindow(options.period, now);
  // A day is charted by the hour; everything else is grouped by day in SQL and rolled up here.
  const grain: ClipStatsBucketUnit = fixed?.unit === 'hour' ? 'hour' : 'day';
  const rows = await deps.db.sql.query<StatsRow>(CHANNEL_CLIP_STATS_SQL, [
    options.broadcasterId,
    fixed?.from ?? null,
    now,
    grain,
    TOP_LIST_SIZE,
  ]);

  const slots = rows
    .filter((row) => row.kind === 'slot' && row.slot !== null)
    .map((row) => ({ start: new Date(row.slot!), clips: row.clips, views: row.views }))
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  const total = rows.find((row) => row.kind === 'total');

  let unit: ClipStatsBucketUnit;
  let from: Date | null;
  if (fixed !== null) {
    ({ unit, from } = fixed);
  } else if (slots.length > 0) {
    unit = unitForSpan(slots[0]!.start, now);
    from = startOfBucket(slots[0]!.start, unit);
  } else {
    unit = 'day';
    from = null;
  }

  return {
    broadcasterId: options.broadcasterId,
    period: options.period,
    unit,
    from,
    to: now,
    buckets: from === null ? [] : rollUpBuckets(slots, from, now, unit),
    totals: {
      clips: total?.clips ?? 0,
      views: total?.views ?? 0,
      clippers: total?.clippers ?? 0,
      games: total?.games ?? 0,
    },
    // UNION ALL does not keep each branch's ORDER BY: sort again (same keys; ties are rare and harmless).
    topClippers: rows
      .filter((row) => row.kind === 'clipper')
      .map((row) => ({
        creatorId: row.key!,
        creatorName: row.name ?? row.key!,
        clips: row.clips,
        views: row.views,
      }))
      .sort((a, b) => byClipsThenViews(a, b) || a.creatorId.localeCompare(b.creatorId)),
    topGames: rows
      .filter((row) => row.kind === 'game')
      .map((row) => ({ gameId: row.key, gameName: row.name, clips: row.clips, views: row.views }))
      .sort(byClipsThenViews),
  };
}
