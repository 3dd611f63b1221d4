/**
 * The digest outbox's SQL. A digest_runs row is one period of one daily or weekly subscription: written once
 * (unique per subscription, mode and period start), claimed with FOR UPDATE SKIP LOCKED and a lease, and
 * queued in one transaction, fenced by that lease, as a delivery_messages row of kind 'digest' whose
 * deliveries are the period's top clips. From there the delivery worker posts it like any other message
 * (nonce, enforce_nonce, marker re-find), so a digest is posted once whichever process queues it.
 */
import type { SqlExecutor } from '../../db/Database.js';
import { selectSubscriptionViews } from '../../subscriptions/SubscriptionView.js';
import { clipFactsFromRow, clipMatchesSubscription, type ClipFactsRow } from '../clipMatchesSubscription.js';
import { deliveryNonce, randomSalt } from '../deliveryPolicy.js';
import { untitledTwinCondition } from '../fanOutClipEvents.js';
import { digestHeading } from './digestHeading.js';
import {
  describePeriodStart,
  lastFinishedPeriod,
  type DigestMode,
  type DigestPeriod,
} from './digestPeriods.js';

export const DIGEST_MODES: readonly DigestMode[] = ['daily', 'weekly'];

/** The zone itself when the runtime knows it, else UTC (a zone stored under older time-zone data). */
export function usableTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

/**
 * Writes the run of the most recent finished period of every active digest subscription that does not have
 * it yet. A period counts as finished `settleMs` after its end, so the clips of its last minutes have been
 * polled. Only the most recent period is ever written: after downtime, the periods missed before it are not
 * caught up. A period that ended before the subscription's `post_clips_since` (made or resumed later) gets
 * no run. Periods are computed once per (time zone, mode) pair, not per subscription. Returns the runs
 * written (0 when another process wrote them first).
 */
export async function scheduleDigestRuns(
  sql: SqlExecutor,
  options: { now: Date; settleMs: number; onUnknownZone?: (zone: string) => void },
): Promise<number> {
  const pairs = await sql.query<{ timezone: string; mode: DigestMode }>(
    `SELECT DISTINCT g.timezone, s.mode FROM subscriptions s JOIN guilds g ON g.id = s.guild_id
      WHERE s.mode = ANY($1::text[]) AND NOT s.paused AND g.left_at IS NULL`,
    [DIGEST_MODES],
  );
  if (pairs.length === 0) return 0;
  const settled = new Date(options.now.getTime() - options.settleMs);
  const periods = pairs.map(({ timezone, mode }) => {
    const zone = usableTimeZone(timezone);
    if (zone !== timezone) options.onUnknownZone?.(timezone);
    return { timezone, zone, mode, period: lastFinishedPeriod(settled, zone, mode) };
  });
  const rows = await sql.query(
    `INSERT INTO digest_runs (subscription_id, mode, timezone, period_start, period_end)
     SELECT s.id, s.mode, p.zone, p.period_start, p.period_end
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])
              AS p(timezone, zone, mode, period_start, period_end)
       JOIN guilds g ON g.timezone = p.timezone AND g.left_at IS NULL
       JOIN subscriptions s ON s.guild_id = g.id AND s.mode = p.mode
      WHERE NOT s.paused AND p.period_end > s.post_clips_since
     ON CONFLICT (subscription_id, mode, period_start) DO NOTHING
     RETURNING id`,
    [
      periods.map((p) => p.timezone),
      periods.map((p) => p.zone),
      periods.map((p) => p.mode),
      periods.map((p) => p.period.start),
      periods.map((p) => p.period.end),
    ],
  );
  return rows.length;
}

/**
 * Deletes up to `limit` finished runs whose period ended before `before`, oldest first, and returns how many.
 * A run is kept while it is pending (claimable) or its digest message is still pending in the outbox. What
 * exactly-once needs of older runs is nothing: a run's row only stops its period being written twice, and
 * scheduleDigestRuns writes only the most recent finished period (at most a week and the settle delay old),
 * so a retention longer than that never lets a period come back; the clips a digest posted stay recorded as
 * deliveries, which is what keeps them out of later digests. Uses digest_runs_status_period_end_idx.
 */
export async function pruneDigestRuns(
  sql: SqlExecutor,
  options: { before: Date; limit: number },
): Promise<number> {
  const rows = await sql.query(
    `WITH old AS (
       SELECT r.id FROM digest_runs r
        WHERE r.status = ANY(ARRAY['queued', 'empty', 'skipped', 'failed']) AND r.period_end < $1::timestamptz
          AND NOT EXISTS (SELECT 1 FROM delivery_messages m
                           WHERE m.id = r.delivery_message_id AND m.status = 'pending')
        ORDER BY r.period_end
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     DELETE FROM digest_runs r USING old WHERE r.id = old.id RETURNING r.id`,
    [options.before, options.limit],
  );
  return rows.length;
}

export interface DigestRunClaim {
  id: string;
  subscriptionId: string;
  /** Including this one. */
  attempts: number;
  leaseUntil: Date;
}

/**
 * Claims up to `limit` pending runs, oldest period first; a run another process holds (its lease has not
 * expired) is left alone. Uses digest_runs_status_period_end_idx.
 */
export async function claimDigestRuns(
  sql: SqlExecutor,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<DigestRunClaim[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const rows = await sql.query<{ id: string; subscription_id: string; attempts: number }>(
    `WITH due AS (
       SELECT id FROM digest_runs
        WHERE status = 'pending' AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
        ORDER BY period_end, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE digest_runs r SET lease_until = $3::timestamptz, attempts = r.attempts + 1
       FROM due WHERE r.id = due.id
     RETURNING r.id::text AS id, r.subscription_id::text AS subscription_id, r.attempts`,
    [options.now, options.limit, leaseUntil],
  );
  return rows.map((row) => ({
    id: row.id,
    subscriptionId: row.subscription_id,
    attempts: row.attempts,
    leaseUntil,
  }));
}

export type DigestOutcome =
  | { outcome: 'queued'; deliveryMessageId: string; clips: number; period: DigestPeriod }
  | { outcome: 'empty'; period: DigestPeriod }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'failed'; reason: string }
  | { outcome: 'lost-lease' };

export interface QueueDigestOptions {
  now: Date;
  /** Claims of one run before it is given up (status 'failed'). */
  maxAttempts: number;
  /** Candidate clips read per query while looking for the top N that pass the filters. */
  pageSize: number;
  /** See FanOutOptions.untitledTwinWindowMs. */
  untitledTwinWindowMs: number;
}

interface RunRow {
  mode: DigestMode;
  timezone: string;
  period_start: Date | string;
  period_end: Date | string;
  current_mode: string;
  paused: boolean;
  guild_left: boolean;
}

interface CandidateRow extends ClipFactsRow {
  id: string;
}

/**
 * Queues a claimed run in one transaction fenced by its lease: picks the period's top `digest_size` clips
 * by views that pass the subscription's filters (made within the period, at or after `post_clips_since`,
 * still on Twitch, never delivered to this subscription before), writes them as deliveries of one
 * delivery_messages row of kind 'digest', and marks the run queued. An empty period is marked empty and
 * posts nothing; a subscription paused, switched to another mode or of a guild the bot left is skipped.
 */
export async function queueDigest(
  sql: SqlExecutor,
  claim: DigestRunClaim,
  options: QueueDigestOptions,
): Promise<DigestOutcome> {
  return sql.transaction(async (tx): Promise<DigestOutcome> => {
    const [run] = await tx.query<RunRow>(
      `SELECT r.mode, r.timezone, r.period_start, r.period_end, s.mode AS current_mode, s.paused,
              g.left_at IS NOT NULL AS guild_left
         FROM digest_runs r
         JOIN subscriptions s ON s.id = r.subscription_id
         JOIN guilds g ON g.id = s.guild_id
        WHERE r.id = $1::bigint AND r.lease_until = $2::timestamptz AND r.status = 'pending'
        FOR UPDATE OF r`,
      [claim.id, claim.leaseUntil],
    );
    if (run === undefined) return { outcome: 'lost-lease' };
    const finish = (status: string, extra: { messageId?: string; clips?: number } = {}) =>
      tx.query(
        `UPDATE digest_runs SET status = $2, lease_until = NULL, finished_at = $3::timestamptz,
                delivery_message_id = $4::bigint, clips = $5
          WHERE id = $1::bigint`,
        [claim.id, status, options.now, extra.messageId ?? null, extra.clips ?? 0],
      );
    const skipReason = run.paused
      ? 'subscription paused'
      : run.current_mode !== run.mode
        ? `subscription now in mode ${run.current_mode}`
        : run.guild_left
          ? 'the bot left the server'
          : null;
    if (skipReason !== null) {
      await finish('skipped');
      return { outcome: 'skipped', reason: skipReason };
    }
    if (claim.attempts > options.maxAttempts) {
      await finish('failed');
      return { outcome: 'failed', reason: `gave up after ${claim.attempts - 1} attempts` };
    }
    const [subscription] = await selectSubscriptionViews(tx, 's.id = $1::uuid', [claim.subscriptionId]);
    if (subscription === undefined) return { outcome: 'lost-lease' }; // Removed: the run went with it.
    const period = { start: new Date(run.period_start), end: new Date(run.period_end) };
    const top = await topClips(tx, {
      subscriptionId: claim.subscriptionId,
      broadcasterId: subscription.broadcasterId,
      period,
      since: subscription.postClipsSince,
      filters: subscription.filters,
      limit: subscription.filters.digestSize,
      pageSize: options.pageSize,
      untitledTwinWindowMs: options.untitledTwinWindowMs,
    });
    if (top.length === 0) {
      await finish('empty');
      return { outcome: 'empty', period };
    }
    // Deliveries numbered in rank order, so the post shows the most viewed clip first.
    const deliveries = await tx.query<{ id: string }>(
      `INSERT INTO deliveries (subscription_id, clip_id)
       SELECT $1::uuid, clip_id FROM unnest($2::text[]) WITH ORDINALITY AS t(clip_id, n) ORDER BY n
       RETURNING id::text AS id`,
      [claim.subscriptionId, top],
    );
    const firstDeliveryId = deliveries.map((row) => BigInt(row.id)).reduce((a, b) => (a < b ? a : b));
    const heading = digestHeading({
      mode: run.mode,
      channelName: subscription.channelName,
      clips: top.length,
      periodStart: describePeriodStart(period, run.timezone),
    });
    const [message] = await tx.query<{ id: string }>(
      `INSERT INTO delivery_messages (discord_channel_id, nonce, kind, heading)
       VALUES ($1, $2, 'digest', $3) RETURNING id::text AS id`,
      [subscription.discordChannelId, deliveryNonce(firstDeliveryId, randomSalt()), heading],
    );
    await tx.query(`UPDATE deliveries SET delivery_message_id = $2::bigint WHERE id = ANY($1::bigint[])`, [
      deliveries.map((row) => row.id),
      message!.id,
    ]);
    await finish('queued', { messageId: message!.id, clips: top.length });
    return { outcome: 'queued', deliveryMessageId: message!.id, clips: top.length, period };
  });
}

/**
 * The ids of the period's most viewed clips that pass the filters, most viewed first. Clips are read in
 * pages by views (keyset on view_count, id), so a channel with many clips is not loaded at once; the filters
 * SQL can check are applied in SQL, the word filters by clipMatchesSubscription, as for every-clip posts.
 * Uses clips_broadcaster_id_created_at_idx.
 */
async function topClips(
  sql: SqlExecutor,
  options: {
    subscriptionId: string;
    broadcasterId: string;
    period: DigestPeriod;
    since: Date;
    filters: Parameters<typeof clipMatchesSubscription>[1];
    limit: number;
    pageSize: number;
    untitledTwinWindowMs: number;
  },
): Promise<string[]> {
  const { filters } = options;
  const chosen: string[] = [];
  let after: { views: number; id: string } | null = null;
  for (;;) {
    const page: CandidateRow[] = await sql.query<CandidateRow>(
      `SELECT c.id, c.title, c.view_count, c.game_id, c.creator_id,
              ($9::boolean AND ${untitledTwinCondition('c', '$10::interval')}) AS untitled
         FROM clips c
        WHERE c.broadcaster_id = $1 AND c.created_at >= $2::timestamptz AND c.created_at < $3::timestamptz
          AND c.created_at >= $4::timestamptz AND c.deleted_at IS NULL AND c.view_count >= $5
          AND ($6::text IS NULL OR c.game_id = $6) AND ($7::text IS NULL OR c.creator_id = $7)
          AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.subscription_id = $8::uuid AND d.clip_id = c.id)
          AND ($11::int IS NULL OR (c.view_count, c.id) < ($11::int, $12::text))
        ORDER BY c.view_count DESC, c.id DESC
        LIMIT $13`,
      [
        options.broadcasterId,
        options.period.start,
        options.period.end,
        options.since,
        filters.minViews,
        filters.gameId,
        filters.creatorId,
        options.subscriptionId,
        filters.skipUntitled,
        `${Math.round(options.untitledTwinWindowMs / 1000)} seconds`,
        after?.views ?? null,
        after?.id ?? null,
        options.pageSize,
      ],
    );
    for (const row of page) {
      if (clipMatchesSubscription(clipFactsFromRow(row), filters)) chosen.push(row.id);
      if (chosen.length === options.limit) return chosen;
    }
    if (page.length < options.pageSize) return chosen;
    const last = page.at(-1)!;
    after = { views: last.view_count, id: last.id };
  }
}
