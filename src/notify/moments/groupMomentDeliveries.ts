/**
 * The fan-out's part of moment grouping: new deliveries of a subscription whose guild groups moments are
 * matched against that subscription's live deliveries of the same broadcaster made around the same time,
 * and joined to the earliest matching one's moment (`deliveries.moment_of`). Runs inside the fan-out's
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
 * their subscription. Candidates: deliveries still pending or sent (not skipped or failed, nor carried by a
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
  const windowSec = Math.ceil(Math.max(rule.vodWindowMs, rule.titleWindowMs) / 1000);
  const earlier = await tx.query<MemberRow>(
    `SELECT DISTINCT d.id::text AS id, d.subscription_id::text AS subscription_id,
            COALESCE(d.moment_of, d.id)::text AS anchor, ${CLIP_COLUMNS}
       FROM deliveries f
       JOIN clips fc ON fc.id = f.clip_id
       JOIN clips c ON c.broadcaster_id = fc.broadcaster_id
                   AND c.created_at BETWEEN fc.created_at - $2::interval AND fc.created_at + $2::interval
       JOIN deliveries d ON d.subscription_id = f.subscription_id AND d.clip_id = c.id
       LEFT JOIN delivery_messages m ON m.id = d.delivery_message_id
      WHERE f.id = ANY($1::bigint[]) AND NOT (d.id = ANY($1::bigint[]))
        AND c.deleted_at IS NULL AND d.status IN ('pending', 'sent')
        AND (m.id IS NULL OR m.status IN ('pending', 'sent'))`,
    [fresh.map((row) => row.id), `${windowSec} seconds`],
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
    // Later clips of this batch may join this one's moment (or start from it).
    members.push({ deliveryId: BigInt(row.id), anchorId: anchor ?? BigInt(row.id), clip });
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
 * Views grow: an `updated` event whose clip, within `leadWindowMs` of its creation, now has more views than
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
