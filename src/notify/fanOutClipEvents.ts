/**
 * Fan-out: turns unprocessed clip_events into deliveries (one per matching subscription and clip) and marks
 * the events processed, all in one transaction, in event order. One process at a time fans out (a
 * transaction-scoped advisory lock; the others find it taken and come back later), so two processes can
 * neither insert twice (the unique (subscription_id, clip_id) would refuse it anyway) nor skip events.
 */
import type { SqlExecutor } from '../db/Database.js';
import {
  clipFactsFromRow,
  clipMatchesSubscription,
  FoldedTitle,
  type SubscriptionFilters,
} from './clipMatchesSubscription.js';
import { groupMomentDeliveries, markOvertakenMomentLeads } from './moments/groupMomentDeliveries.js';
import { defaultMomentRule, type MomentRule } from './moments/sameMoment.js';

/** pg_try_advisory_xact_lock key of the fan-out ("tcs" notify fan-out); nothing else uses it. */
const FAN_OUT_LOCK_KEY = 7_463_001_001;

export interface FanOutOptions {
  now: Date;
  /** Events per transaction. */
  batchSize: number;
  /**
   * How long after its creation a clip's `updated` events (views grew) may still make it pass a minimum-views
   * filter. Clips gather most of their views within a day; an old clip going viral later is not news.
   */
  minViewsWindowMs: number;
  /**
   * Two clips of a broadcaster with the very same title made this close together are taken for untitled
   * (Twitch titles a clip nobody named with the stream title, which the bot does not store).
   */
  untitledTwinWindowMs: number;
  /** When clips are one moment, for guilds that group moments (src/notify/moments/sameMoment.ts). */
  moments: MomentRule;
}

export const defaultFanOutOptions: Omit<FanOutOptions, 'now'> = {
  batchSize: 500,
  minViewsWindowMs: 24 * 3_600_000,
  untitledTwinWindowMs: 12 * 3_600_000,
  moments: defaultMomentRule,
};

export interface FanOutResult {
  /** False when another process holds the fan-out lock (nothing was read). */
  locked: boolean;
  events: number;
  deliveries: number;
  /** New deliveries that joined a moment already delivered to their subscription. */
  groupedIntoMoments: number;
}

/**
 * SQL that is true when the clip `clipAlias` looks untitled: another clip of its broadcaster made within
 * `window` (an interval expression) has exactly its title. Uses clips_broadcaster_id_created_at_idx.
 */
export function untitledTwinCondition(clipAlias: string, window: string): string {
  const c = clipAlias;
  return `EXISTS (
    SELECT 1 FROM clips o
     WHERE o.broadcaster_id = ${c}.broadcaster_id AND o.id <> ${c}.id AND o.title = ${c}.title
       AND o.created_at BETWEEN ${c}.created_at - ${window} AND ${c}.created_at + ${window})`;
}

interface EventRow {
  id: string;
  kind: string;
  clip_id: string;
}

interface CandidateRow {
  clip_id: string;
  subscription_id: string;
  title: string;
  view_count: number;
  game_id: string | null;
  creator_id: string;
  untitled: boolean;
  min_views: number;
  keywords: string[] | null;
  keyword_mode: string;
  excluded_words: string[] | null;
  s_game_id: string | null;
  s_creator_id: string | null;
  skip_untitled: boolean;
}

/**
 * One fan-out batch. Only clips created at or after a subscription's post_clips_since are considered (a new
 * subscription does not post the channel's history), only active (unpaused, "every clip" mode) subscriptions
 * of guilds the bot is still in, and only clips that still exist. A paused subscription gets no deliveries,
 * so clips made during a pause are not posted on resume. An `updated` event re-evaluates the filters (views
 * grew past a minimum) only within `minViewsWindowMs` of the clip's creation. New deliveries that show a
 * moment already delivered to their subscription join it (src/notify/moments/), and a clip whose views
 * overtook its posted moment's lead makes the post due for an edit.
 */
export async function fanOutClipEvents(sql: SqlExecutor, options: FanOutOptions): Promise<FanOutResult> {
  return sql.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
      [FAN_OUT_LOCK_KEY],
    );
    if (lock?.locked !== true) return { locked: false, events: 0, deliveries: 0, groupedIntoMoments: 0 };
    // Uses clip_events_processed_at_id_idx.
    const events = await tx.query<EventRow>(
      `SELECT id::text AS id, kind, clip_id FROM clip_events
        WHERE processed_at IS NULL ORDER BY id LIMIT $1`,
      [options.batchSize],
    );
    if (events.length === 0) return { locked: true, events: 0, deliveries: 0, groupedIntoMoments: 0 };

    const firstEvent = new Map<string, number>();
    const discovered = new Set<string>();
    const updated = new Set<string>();
    events.forEach((event, index) => {
      if (!firstEvent.has(event.clip_id)) firstEvent.set(event.clip_id, index);
      if (event.kind === 'discovered') discovered.add(event.clip_id);
      else if (event.kind === 'updated') updated.add(event.clip_id);
    });

    let inserted = 0;
    let groupedIntoMoments = 0;
    if (discovered.size + updated.size > 0) {
      const candidates = await tx.query<CandidateRow>(
        // The batch's clips are looked up by primary key first (MATERIALIZED keeps it that way): joined
        // freely, a planner without fresh statistics (tables filled by a burst) chose to probe every
        // subscription's clips through a search index, ~2 s per batch of 500 at 10,000 clips.
        `WITH batch AS MATERIALIZED (
           SELECT id, broadcaster_id, title, view_count, game_id, creator_id, created_at FROM clips
            WHERE id = ANY($1::text[] || $2::text[]) AND deleted_at IS NULL
              AND (id = ANY($1::text[]) OR created_at >= $3::timestamptz)
         )
         SELECT c.id AS clip_id, s.id::text AS subscription_id, c.title, c.view_count, c.game_id, c.creator_id,
                (s.skip_untitled AND ${untitledTwinCondition('c', '$4::interval')}) AS untitled,
                s.min_views, s.keywords, s.keyword_mode, s.excluded_words, s.game_id AS s_game_id,
                s.creator_id AS s_creator_id, s.skip_untitled
           FROM batch c
           JOIN subscriptions s ON s.broadcaster_id = c.broadcaster_id
           JOIN guilds g ON g.id = s.guild_id
          WHERE NOT s.paused AND s.mode = 'every' AND g.left_at IS NULL
            AND c.created_at >= s.post_clips_since
            AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = s.id AND d.clip_id = c.id)`,
        [
          [...discovered],
          [...updated],
          new Date(options.now.getTime() - options.minViewsWindowMs),
          `${Math.round(options.untitledTwinWindowMs / 1000)} seconds`,
        ],
      );
      const titles = new Map<string, FoldedTitle>();
      const matches = candidates.filter((row) => {
        let title = titles.get(row.clip_id);
        if (title === undefined) titles.set(row.clip_id, (title = new FoldedTitle(row.title)));
        const filters: SubscriptionFilters = {
          minViews: row.min_views,
          keywords: row.keywords ?? [],
          // Only "all" narrows the keyword match; any other stored value reads as "any".
          keywordMode: row.keyword_mode === 'all' ? 'all' : 'any',
          excludedWords: row.excluded_words ?? [],
          gameId: row.s_game_id,
          creatorId: row.s_creator_id,
          skipUntitled: row.skip_untitled,
        };
        return clipMatchesSubscription(clipFactsFromRow(row), filters, title);
      });
      // Deliveries are numbered in the order of the events that produced them.
      matches.sort(
        (a, b) =>
          firstEvent.get(a.clip_id)! - firstEvent.get(b.clip_id)! ||
          (a.subscription_id < b.subscription_id ? -1 : 1),
      );
      if (matches.length > 0) {
        const rows = await tx.query<{ id: string }>(
          `INSERT INTO deliveries (subscription_id, clip_id)
           SELECT subscription_id, clip_id
             FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS m(subscription_id, clip_id, n)
            ORDER BY n
           ON CONFLICT (subscription_id, clip_id) DO NOTHING
           RETURNING id::text AS id`,
          [matches.map((row) => row.subscription_id), matches.map((row) => row.clip_id)],
        );
        inserted = rows.length;
        groupedIntoMoments = await groupMomentDeliveries(
          tx,
          rows.map((row) => row.id),
          options.moments,
        );
      }
    }
    // A posted clip renamed or deleted on Twitch: its post is edited or removed (guild setting). The
    // renamed or deleted clips are found first, from the batch's own events (a burst of discoveries, or
    // views that grew, has none): joined in one statement, the planner walked every sent delivery of the
    // outbox's history per batch.
    const changeEventIds = events.filter((event) => event.kind !== 'discovered').map((event) => event.id);
    const changedClips =
      changeEventIds.length === 0
        ? []
        : await tx.query<{ clip_id: string }>(
            `SELECT DISTINCT e.clip_id FROM clip_events e JOIN clips c ON c.id = e.clip_id
              WHERE e.id = ANY($1::bigint[])
                AND (e.kind = 'deleted' OR (e.kind = 'updated' AND e.previous_title IS DISTINCT FROM c.title))`,
            [changeEventIds],
          );
    if (changedClips.length > 0) {
      await tx.query(
        `UPDATE delivery_messages m SET edit_version = m.edit_version + 1
          WHERE m.status = 'sent' AND m.id IN (
            SELECT d.delivery_message_id
              FROM deliveries d
              JOIN subscriptions s ON s.id = d.subscription_id
              JOIN guilds g ON g.id = s.guild_id AND g.sync_clip_changes
             WHERE d.clip_id = ANY($1::text[]) AND d.status = 'sent')`,
        [changedClips.map((row) => row.clip_id)],
      );
    }
    // A posted moment whose clip's views overtook its lead: the post is edited to lead with it.
    await markOvertakenMomentLeads(
      tx,
      events.filter((event) => event.kind === 'updated').map((event) => event.id),
      { now: options.now, rule: options.moments },
    );
    await tx.query(`UPDATE clip_events SET processed_at = $2::timestamptz WHERE id = ANY($1::bigint[])`, [
      events.map((event) => event.id),
      options.now,
    ]);
    return { locked: true, events: events.length, deliveries: inserted, groupedIntoMoments };
  });
}
