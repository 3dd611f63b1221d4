/**
 * Packing's part of moment grouping: where a clip that joined a moment goes. A moment has at most one post
 * per subscription; a clip joining it never gets a post of its own while that post can carry it:
 *
 * - the moment's first clips are in this very batch: the joiner travels with them (one embed);
 * - the moment's message was never attempted (its nonce unused, so its content may still change) and this
 *   transaction can lock it: the joiner is added to it;
 * - the moment's message was posted: the joiner is recorded as sent with that message's id and the message
 *   is made due for an edit (`edit_version`), which re-renders it with the most-viewed clip and "also
 *   clipped by" the others;
 * - the moment's message is being posted or waits for a retry, or another packer holds the moment's
 *   earlier clips: the joiner waits (stays unpacked) and is placed by a later pass;
 * - the moment has no live message (its clips were skipped, or its post failed or was removed): the joiners
 *   form a post of their own, which later joiners then find.
 *
 * Every step locks with SKIP LOCKED, so packers, claims and edits never wait on each other; a row someone
 * else holds only makes the joiner wait for the next pass.
 */
import type { SqlExecutor } from '../../db/Database.js';

export interface PackedRow {
  id: string;
  /** deliveries.moment_of: the moment's first delivery, null for a clip not grouped with an earlier one. */
  momentOf: string | null;
}

export interface MomentPlacement {
  /** Deliveries that must stay unpacked for now (or were just placed into a message here). */
  handled: Set<string>;
  /** A joiner travelling with a clip of this batch: joiner id → the id of that clip (the unit's head). */
  travelsWith: Map<string, string>;
  /** Joiners recorded as sent into an already posted message (that message edited to show them). */
  groupedIntoPosts: number;
}

interface MemberStateRow {
  id: string;
  anchor: string;
  status: string;
  message_row: string | null;
  message_status: string | null;
  attempts: number | null;
  leased: boolean | null;
  posted: boolean | null;
}

type Decision =
  | { kind: 'wait' }
  | { kind: 'own' }
  | { kind: 'open'; messageRow: string }
  | { kind: 'posted'; messageRow: string };

/** What to do with a moment's joiners, given its other clips (in id order) outside this batch. */
function decide(members: readonly MemberStateRow[], firstJoinerId: bigint): Decision {
  const home = members.find(
    (member) =>
      (member.status === 'pending' || member.status === 'sent') &&
      member.message_row !== null &&
      (member.message_status === 'pending' || member.message_status === 'sent'),
  );
  if (home !== undefined) {
    if (home.message_status === 'sent') {
      return home.posted === true ? { kind: 'posted', messageRow: home.message_row! } : { kind: 'wait' };
    }
    return home.attempts === 0 && home.leased === false
      ? { kind: 'open', messageRow: home.message_row! }
      : { kind: 'wait' };
  }
  // An earlier clip of the moment, not yet packed, that this packer did not get: another packer has it.
  const packedElsewhere = members.some(
    (member) =>
      member.status === 'pending' && member.message_row === null && BigInt(member.id) < firstJoinerId,
  );
  return packedElsewhere ? { kind: 'wait' } : { kind: 'own' };
}

/** Places the joiners among `rows` (this pass's unpacked, postable deliveries, locked by the caller). */
export async function placeMomentClips(
  tx: SqlExecutor,
  rows: readonly PackedRow[],
): Promise<MomentPlacement> {
  const placement: MomentPlacement = { handled: new Set(), travelsWith: new Map(), groupedIntoPosts: 0 };
  const inBatch = new Set(rows.map((row) => row.id));
  const joinersByAnchor = new Map<string, string[]>();
  for (const row of rows) {
    if (row.momentOf === null) continue;
    if (inBatch.has(row.momentOf)) {
      placement.travelsWith.set(row.id, row.momentOf);
      continue;
    }
    const joiners = joinersByAnchor.get(row.momentOf) ?? [];
    joiners.push(row.id);
    joinersByAnchor.set(row.momentOf, joiners);
  }
  if (joinersByAnchor.size === 0) return placement;

  // The moments' other clips outside this batch. Uses the primary key and deliveries_moment_of_idx.
  const anchors = [...joinersByAnchor.keys()];
  const members = await tx.query<MemberStateRow>(
    `SELECT d.id::text AS id, COALESCE(d.moment_of, d.id)::text AS anchor, d.status,
            d.delivery_message_id::text AS message_row, m.status AS message_status, m.attempts,
            m.lease_until IS NOT NULL AS leased, m.message_id IS NOT NULL AS posted
       FROM deliveries d LEFT JOIN delivery_messages m ON m.id = d.delivery_message_id
      WHERE (d.id = ANY($1::bigint[]) OR d.moment_of = ANY($1::bigint[])) AND NOT (d.id = ANY($2::bigint[]))
      ORDER BY d.id`,
    [anchors, [...inBatch]],
  );
  const membersByAnchor = new Map<string, MemberStateRow[]>();
  for (const member of members) {
    const list = membersByAnchor.get(member.anchor) ?? [];
    list.push(member);
    membersByAnchor.set(member.anchor, list);
  }

  const open = new Map<string, string[]>();
  const posted = new Map<string, string[]>();
  for (const [anchor, joiners] of joinersByAnchor) {
    const decision = decide(membersByAnchor.get(anchor) ?? [], BigInt(joiners[0]!));
    if (decision.kind === 'own') {
      // The first joiner heads the moment's post; the others travel with it.
      for (const joiner of joiners.slice(1)) placement.travelsWith.set(joiner, joiners[0]!);
      continue;
    }
    for (const joiner of joiners) placement.handled.add(joiner);
    if (decision.kind === 'open')
      open.set(decision.messageRow, [...(open.get(decision.messageRow) ?? []), ...joiners]);
    if (decision.kind === 'posted') {
      posted.set(decision.messageRow, [...(posted.get(decision.messageRow) ?? []), ...joiners]);
    }
  }

  if (open.size > 0) {
    // Still never attempted, and nobody (a claim) holds it: its content may still change.
    const locked = await tx.query<{ id: string }>(
      `SELECT id::text AS id FROM delivery_messages
        WHERE id = ANY($1::bigint[]) AND status = 'pending' AND attempts = 0 AND lease_until IS NULL
        FOR UPDATE SKIP LOCKED`,
      [[...open.keys()]],
    );
    const deliveryIds: string[] = [];
    const messageRows: string[] = [];
    for (const { id } of locked) {
      for (const joiner of open.get(id)!) {
        deliveryIds.push(joiner);
        messageRows.push(id);
      }
    }
    await tx.query(
      `UPDATE deliveries d SET delivery_message_id = a.message_row
         FROM unnest($1::bigint[], $2::bigint[]) AS a(delivery_id, message_row)
        WHERE d.id = a.delivery_id`,
      [deliveryIds, messageRows],
    );
  }

  if (posted.size > 0) {
    // Made due for an edit; one an edit or another packer holds right now is left for the next pass.
    const edited = await tx.query<{ id: string; message_id: string }>(
      `WITH target AS (
         SELECT id FROM delivery_messages
          WHERE id = ANY($1::bigint[]) AND status = 'sent' AND message_id IS NOT NULL
          FOR UPDATE SKIP LOCKED
       )
       UPDATE delivery_messages m SET edit_version = m.edit_version + 1
         FROM target WHERE m.id = target.id
       RETURNING m.id::text AS id, m.message_id`,
      [[...posted.keys()]],
    );
    const deliveryIds: string[] = [];
    const messageRows: string[] = [];
    const discordIds: string[] = [];
    for (const { id, message_id } of edited) {
      for (const joiner of posted.get(id)!) {
        deliveryIds.push(joiner);
        messageRows.push(id);
        discordIds.push(message_id);
      }
    }
    if (deliveryIds.length > 0) {
      await tx.query(
        `UPDATE deliveries d SET status = 'sent', delivery_message_id = a.message_row, message_id = a.discord_id,
                sent_at = now(), last_error = NULL
           FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS a(delivery_id, message_row, discord_id)
          WHERE d.id = a.delivery_id`,
        [deliveryIds, messageRows, discordIds],
      );
    }
    placement.groupedIntoPosts = deliveryIds.length;
  }
  return placement;
}
