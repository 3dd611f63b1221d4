import { z } from 'zod';
import type { Database } from '../../db/Database.js';
import { UserError } from '../../shared/errors.js';
import { TWITCH_ID } from '../../twitch/twitchIdentifiers.js';
import { SEARCH_PERIODS } from '../search/ClipSearchQuery.js';
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

const optionsSchema = z
  .object({
    broadcasterId: z.string().regex(TWITCH_ID, 'must be a numeric Twitch id'),
    period: z.enum(SEARCH_PERIODS),
    now: z
      .date()
      .refine((date) => !Number.isNaN(date.getTime()), 'must be a valid date')
      .optional(),
  })
  .strict();

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
 * clips in the window, never the table (when the channel is most of the table the planner rightly prefers a
 * sequential scan). GROUPING SETS computes the per-slot, per-clipper, per-game and total aggregates in that
 * single pass with hash aggregates: no sort, no temp files, no count(DISTINCT) (the distinct clippers and
 * games are the sizes of their grouping sets). `grouped` is small (one row per slot, clipper and game) and
 * is read four times. Only the top clippers' current names are looked up afterwards, one indexed probe each.
 *
 * $1 broadcaster id, $2 window start (NULL = the channel's first clip), $3 now, $4 '1 hour' | '1 day': the
 * grain rows are grouped by, aligned to UTC midnight by date_bin's origin (date_bin is plain arithmetic,
 * about half the cost of date_trunc with a time zone); src/clips/stats/clipStatsBuckets.ts rolls them up
 * into the chart's buckets. $5 rows per top list. Sums are float8 so both drivers return numbers (exact
 * below 2^53).
 */
export const CHANNEL_CLIP_STATS_SQL = `
WITH scoped AS (
  SELECT date_bin($4::interval, created_at, '2000-01-01T00:00:00Z'::timestamptz) AS slot,
         creator_id, game_id, view_count
  FROM clips
  WHERE broadcaster_id = $1
    AND created_at >= coalesce($2::timestamptz, '-infinity'::timestamptz)
    AND created_at <= $3::timestamptz
    AND deleted_at IS NULL
),
grouped AS MATERIALIZED (
  SELECT CASE WHEN GROUPING(slot) = 0 THEN 'slot'
              WHEN GROUPING(creator_id) = 0 THEN 'clipper'
              WHEN GROUPING(game_id) = 0 THEN 'game'
              ELSE 'total' END AS kind,
         slot, creator_id, game_id,
         count(*)::int AS clips, coalesce(sum(view_count), 0)::float8 AS views
  FROM scoped
  GROUP BY GROUPING SETS ((slot), (creator_id), (game_id), ())
),
top_clippers AS (
  SELECT creator_id, clips, views FROM grouped WHERE kind = 'clipper'
  ORDER BY clips DESC, views DESC, creator_id LIMIT $5
),
top_games AS (
  SELECT game_id, clips, views FROM grouped WHERE kind = 'game'
  ORDER BY clips DESC, views DESC, game_id NULLS LAST LIMIT $5
)
SELECT 'total'::text AS kind, NULL::timestamptz AS slot, NULL::text AS key, NULL::text AS name,
       t.clips, t.views,
       (SELECT count(*) FROM grouped WHERE kind = 'clipper')::int AS clippers,
       (SELECT count(*) FROM grouped WHERE kind = 'game' AND game_id IS NOT NULL)::int AS games
FROM grouped t WHERE t.kind = 'total'
UNION ALL
SELECT 'slot', slot, NULL, NULL, clips, views, NULL, NULL FROM grouped WHERE kind = 'slot'
UNION ALL
SELECT 'clipper', NULL, c.creator_id,
       -- The name on the clipper's latest clip in the window (Twitch names change).
       (SELECT n.creator_name FROM clips n
        WHERE n.broadcaster_id = $1 AND n.creator_id = c.creator_id AND n.deleted_at IS NULL
          AND n.created_at >= coalesce($2::timestamptz, '-infinity'::timestamptz)
          AND n.created_at <= $3::timestamptz
        ORDER BY n.created_at DESC LIMIT 1),
       c.clips, c.views, NULL, NULL
FROM top_clippers c
UNION ALL
SELECT 'game', NULL, t.game_id, g.name, t.clips, t.views, NULL, NULL
FROM top_games t LEFT JOIN games g ON g.id = t.game_id`;

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
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new UserError('stats.invalidOptions', `Invalid stats request: ${problems.join('; ')}.`);
  }
  const now = options.now ?? new Date();
  const fixed = options.period === 'all' ? null : fixedPeriodWindow(options.period, now);
  // A day is charted by the hour; everything else is grouped by day in SQL and rolled up here.
  const grain: ClipStatsBucketUnit = fixed?.unit === 'hour' ? 'hour' : 'day';
  const rows = await deps.db.sql.transaction(async (tx) => {
    // A channel with hundreds of thousands of clips pushes the plan's cost past jit_above_cost, and
    // compiling it would cost more (about a second) than running it.
    await tx.query(`SET LOCAL jit = off`);
    return tx.query<StatsRow>(CHANNEL_CLIP_STATS_SQL, [
      options.broadcasterId,
      fixed?.from ?? null,
      now,
      grain === 'hour' ? '1 hour' : '1 day',
      TOP_LIST_SIZE,
    ]);
  });

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
