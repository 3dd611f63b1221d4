/**
 * The fan-out's part of moment grouping: new deliveries of a subscription whose guild groups moments are
 * matched against the first clips of that subscription's live moments of the same broadcaster made around
 * the same time, and joined to the earliest matching moment (`deliveries.moment_of`). Only a moment's first
 * clip is compared, so a moment spans at most the rule's window around it: clips of a stream that keep
 * carrying its title every minute do not chain into one endless moment. Runs inside the fan-out's
 * transaction, under its advisory lock, so one process decides at a time and every later clip sees the
 * earlier ones (including those of the same batch).
 */
import type { SqlExecutor } from '../../db/Database.js';
import { findMoment, type MomentClip, type MomentMember, type MomentRule } from './sameMoment.js';

interface MemberRow {
  id: string;
  subscription_id: string;
  anchor: string;
  broadcaster_id: string;
  video_id: string | null;
  vod_offset: number | null;
  duration_sec: number;
  created_at: Date | string;
  title: string;
}

function momentClip(row: MemberRow): MomentClip {
  return {
    broadcasterId: row.broadcaster_id,
    videoId: row.video_id,
    vodOffset: row.vod_offset === null ? null : Number(row.vod_offset),
    durationSec: Number(row.duration_sec),
    createdAt: new Date(row.created_at),
    title: row.title,
  };
}

const CLIP_COLUMNS = `c.broadcaster_id, c.video_id, c.vod_offset, c.duration_sec, c.created_at, c.title`;

/**
 * Sets `moment_of` on the new deliveries (ids in insertion order) that show a moment already delivered to
 * their subscription. Candidates: first clips of moments, deliveries still pending or sent (not skipped or failed, nor carried by a
 * removed, skipped or failed message) of clips not deleted, made within the rule's wider window. Uses
 * clips_broadcaster_id_created_at_idx and the unique (subscription_id, clip_id). Returns how many joined.
 */
export async function groupMomentDeliveries(
  tx: SqlExecutor,
  newDeliveryIds: readonly string[],
  rule: MomentRule,
): Promise<number> {
  if (newDeliveryIds.length === 0) return 0;
  const fresh = await tx.query<MemberRow>(
    `SELECT d.id::text AS id, d.subscription_id::text AS subscription_id, d.id::text AS anchor, ${CLIP_COLUMNS}
       FROM deliveries d
       JOIN subscriptions s ON s.id = d.subscription_id
       JOIN guilds g ON g.id = s.guild_id AND g.group_moments
       JOIN clips c ON c.id = d.clip_id
      WHERE d.id = ANY($1::bigint[])
      ORDER BY d.id`,
    [newDeliveryIds],
  );
  if (fresh.length === 0) return 0;
  // One time range per subscription (its new clips' creation times, widened by the rule's wider window).
  const windowMs = Math.max(rule.vodWindowMs, rule.titleWindowMs);
  const ranges = new Map<string, { broadcasterId: string; from: number; to: number }>();
  for (const row of fresh) {
    const time = new Date(row.created_at).getTime();
    const range = ranges.get(row.subscription_id);
    if (range === undefined) {
      ranges.set(row.subscription_id, { broadcasterId: row.broadcaster_id, from: time, to: time });
    } else {
      range.from = Math.min(range.from, time);
      range.to = Math.max(range.to, time);
    }
  }
  // Driven from the ranges (LATERAL), so the plan is the same with or without table statistics: clips by
  // clips_broadcaster_id_created_at_idx, then their delivery by the unique (subscription_id, clip_id).
  const earlier = await tx.query<MemberRow>(
    `SELECT d.id::text AS id, d.subscription_id::text AS subscription_id, d.id::text AS anchor, ${CLIP_COLUMNS}
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[])
            AS r(subscription_id, broadcaster_id, created_from, created_to)
       CROSS JOIN LATERAL (
         SELECT * FROM clips
          WHERE broadcaster_id = r.broadcaster_id AND created_at BETWEEN r.created_from AND r.created_to
            AND deleted_at IS NULL
       ) c
       JOIN deliveries d ON d.subscription_id = r.subscription_id AND d.clip_id = c.id
       LEFT JOIN delivery_messages m ON m.id = d.delivery_message_id
      WHERE d.moment_of IS NULL AND d.status IN ('pending', 'sent')
        AND (m.id IS NULL OR m.status IN ('pending', 'sent'))
        AND NOT (d.id = ANY($5::bigint[]))`,
    [
      [...ranges.keys()],
      [...ranges.values()].map((range) => range.broadcasterId),
      [...ranges.values()].map((range) => new Date(range.from - windowMs)),
      [...ranges.values()].map((range) => new Date(range.to + windowMs)),
      fresh.map((row) => row.id),
    ],
  );
  const membersBySubscription = new Map<string, MomentMember[]>();
  const membersOf = (subscriptionId: string) => {
    let members = membersBySubscription.get(subscriptionId);
    if (members === undefined) membersBySubscription.set(subscriptionId, (members = []));
    return members;
  };
  for (const row of earlier) {
    membersOf(row.subscription_id).push({
      deliveryId: BigInt(row.id),
      anchorId: BigInt(row.anchor),
      clip: momentClip(row),
    });
  }
  const joinedIds: string[] = [];
  const anchorIds: string[] = [];
  for (const row of fresh) {
    const members = membersOf(row.subscription_id);
    const clip = momentClip(row);
    const anchor = findMoment(clip, members);
    if (anchor !== null) {
      joinedIds.push(row.id);
      anchorIds.push(anchor.toString());
    }
    // A clip that starts a moment is what later clips of this batch compare with.
    if (anchor === null) members.push({ deliveryId: BigInt(row.id), anchorId: BigInt(row.id), clip });
  }
  if (joinedIds.length > 0) {
    await tx.query(
      `UPDATE deliveries d SET moment_of = j.anchor
         FROM unnest($1::bigint[], $2::bigint[]) AS j(delivery_id, anchor)
        WHERE d.id = j.delivery_id`,
      [joinedIds, anchorIds],
    );
  }
  return joinedIds.length;
}

/**
 * Views grow: an `updated` event (the caller passes only those) whose clip, within `leadWindowMs` of its creation, now has more views than
 * every other clip of its moment in the same posted message, having had no more than them before, makes
 * that post due for an edit (the edit path shows the new lead). Only overtakes edit; other view changes do
 * not, so a post is edited at most a few times. Returns the messages made due.
 */
export async function markOvertakenMomentLeads(
  tx: SqlExecutor,
  eventIds: readonly string[],
  options: { now: Date; rule: MomentRule },
): Promise<number> {
  if (eventIds.length === 0) return 0;
  const rows = await tx.query(
    `UPDATE delivery_messages m SET edit_version = m.edit_version + 1
      WHERE m.status = 'sent' AND m.message_id IS NOT NULL AND m.id IN (
        SELECT d.delivery_message_id
          FROM clip_events e
          JOIN clips c ON c.id = e.clip_id
          JOIN deliveries d ON d.clip_id = e.clip_id AND d.status = 'sent'
          CROSS JOIN LATERAL (
            SELECT max(oc.view_count) AS top
              FROM deliveries o JOIN clips oc ON oc.id = o.clip_id
             WHERE o.delivery_message_id = d.delivery_message_id AND o.id <> d.id AND o.status = 'sent'
               AND COALESCE(o.moment_of, o.id) = COALESCE(d.moment_of, d.id) AND oc.deleted_at IS NULL
          ) others
         WHERE e.id = ANY($1::bigint[]) AND e.kind = 'updated' AND e.previous_view_count IS NOT NULL
           AND c.created_at >= $2::timestamptz AND c.deleted_at IS NULL
           AND others.top IS NOT NULL AND c.view_count > others.top AND e.previous_view_count <= others.top)
     RETURNING m.id`,
    [eventIds, new Date(options.now.getTime() - options.rule.leadWindowMs)],
  );
  return rows.length;
}
