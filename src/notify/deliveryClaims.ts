/**
 * The delivery outbox's SQL: packing pending deliveries into Discord messages, claiming due messages with
 * FOR UPDATE SKIP LOCKED and a lease, and recording outcomes. As in src/sync/channelClaims.ts, the lease is
 * a fencing token: a retry is scheduled only `WHERE lease_until = <our lease>`. Recording a *sent* message
 * is not fenced: a message id from Discord is a fact, whoever learns it first writes it.
 */
import type { SqlExecutor } from '../db/Database.js';
import type { ClipPostClip } from './clipPostMessage.js';
import { deliveryNonce, randomSalt } from './deliveryPolicy.js';
import { placeMomentClips } from './moments/placeMomentClips.js';
import { queuePauseNotices, type PausedSubscription } from './pauseNotices.js';

export interface PackOptions {
  /** Pending deliveries looked at per transaction. */
  limit: number;
  /**
   * A channel with at least this many unpacked deliveries is in a burst: its clips are coalesced into
   * messages of up to 10 embeds. Below it, each clip gets its own message.
   */
  burstThreshold: number;
  maxEmbedsPerMessage: number;
}

export const defaultPackOptions: PackOptions = { limit: 1_000, burstThreshold: 3, maxEmbedsPerMessage: 10 };

/**
 * Plans one channel's new deliveries (in order): below the burst threshold each clip gets its own message;
 * in a burst they first fill the channel's newest message that was never attempted (its nonce is unused, so
 * its content may still change), then go in new messages of up to 10. `openCount` is how many clips that
 * open message holds (null when there is none).
 */
export function planChannelMessages<T>(
  deliveries: readonly T[],
  openCount: number | null,
  options: PackOptions,
): { fillOpen: T[]; groups: T[][] } {
  const waiting = deliveries.length + (openCount ?? 0);
  if (waiting < options.burstThreshold) {
    return { fillOpen: [], groups: deliveries.map((delivery) => [delivery]) };
  }
  const room = openCount === null ? 0 : Math.max(0, options.maxEmbedsPerMessage - openCount);
  const fillOpen = deliveries.slice(0, room);
  const groups: T[][] = [];
  for (let i = room; i < deliveries.length; i += options.maxEmbedsPerMessage) {
    groups.push(deliveries.slice(i, i + options.maxEmbedsPerMessage));
  }
  return { fillOpen, groups };
}

export interface PackResult {
  /** Deliveries looked at: packed, skipped, or (moment clips) placed or left for a later pass. */
  handled: number;
  /** Clips that joined a moment already posted (recorded as sent with its message, which gets edited). */
  groupedIntoPosts: number;
}

/**
 * What one message may carry: clips for one channel, posted by the bot, or through the channel's webhook as
 * one streamer (a webhook message shows a single name and avatar).
 */
function senderKey(channelId: string, postAsBroadcasterId: string | null): string {
  return `${channelId}\u0000${postAsBroadcasterId ?? ''}`;
}

/**
 * Packs unpacked pending deliveries into delivery_messages, per target channel and sender, in delivery order.
 * Deliveries of a subscription paused since the fan-out are skipped. Rows another process is packing are
 * skipped (SKIP LOCKED), so concurrent packers never pack one delivery twice. A clip that joined a moment
 * goes where its moment's post is (src/notify/moments/placeMomentClips.ts); a moment takes one embed, so
 * the burst threshold and the 10 embeds count moments.
 */
export async function packPendingDeliveries(sql: SqlExecutor, options: PackOptions): Promise<PackResult> {
  return sql.transaction(async (tx) => {
    // Uses deliveries_status_id_idx.
    const rows = await tx.query<{
      id: string;
      channel_id: string;
      paused: boolean;
      moment_of: string | null;
      post_as_broadcaster_id: string | null;
    }>(
      `SELECT d.id::text AS id, s.discord_channel_id AS channel_id, s.paused, d.moment_of::text AS moment_of,
              CASE WHEN s.post_as = 'webhook' THEN s.broadcaster_id END AS post_as_broadcaster_id
         FROM deliveries d JOIN subscriptions s ON s.id = d.subscription_id
        WHERE d.status = 'pending' AND d.delivery_message_id IS NULL
        ORDER BY d.id LIMIT $1
        FOR UPDATE OF d SKIP LOCKED`,
      [options.limit],
    );
    if (rows.length === 0) return { handled: 0, groupedIntoPosts: 0 };
    const paused = rows.filter((row) => row.paused).map((row) => row.id);
    if (paused.length > 0) {
      await tx.query(
        `UPDATE deliveries SET status = 'skipped', last_error = 'subscription paused' WHERE id = ANY($1::bigint[])`,
        [paused],
      );
    }
    const postable = rows.filter((row) => !row.paused);
    const moments = await placeMomentClips(
      tx,
      postable.map((row) => ({ id: row.id, momentOf: row.moment_of })),
    );
    // Per channel and sender, units of one embed each: a clip with the clips of its moment that travel with
    // it (a moment belongs to one subscription, so to one sender).
    const byChannel = new Map<string, string[][]>();
    const senders = new Map<string, { channelId: string; postAsBroadcasterId: string | null }>();
    const units = new Map<string, string[]>();
    for (const row of postable) {
      if (moments.handled.has(row.id)) continue;
      const head = moments.travelsWith.get(row.id);
      const unit = head === undefined ? undefined : units.get(head);
      if (unit !== undefined) {
        unit.push(row.id);
        continue;
      }
      const key = senderKey(row.channel_id, row.post_as_broadcaster_id);
      const list = byChannel.get(key) ?? [];
      const own = [row.id];
      units.set(row.id, own);
      list.push(own);
      byChannel.set(key, list);
      senders.set(key, { channelId: row.channel_id, postAsBroadcasterId: row.post_as_broadcaster_id });
    }
    const result = { handled: rows.length, groupedIntoPosts: moments.groupedIntoPosts };
    // Each channel's newest never-attempted clip message (a digest is complete as queued); one a claim holds
    // right now is skipped (SKIP LOCKED).
    const open = await tx.query<{
      id: string;
      channel_id: string;
      post_as_broadcaster_id: string | null;
      n: number;
    }>(
      `SELECT m.id::text AS id, m.discord_channel_id AS channel_id, m.post_as_broadcaster_id,
              (SELECT count(DISTINCT COALESCE(d.moment_of, d.id))::int FROM deliveries d
                WHERE d.delivery_message_id = m.id) AS n
         FROM delivery_messages m
        WHERE m.discord_channel_id = ANY($1::text[]) AND m.status = 'pending' AND m.attempts = 0
          AND m.lease_until IS NULL AND m.kind = 'clips'
          AND NOT EXISTS (SELECT 1 FROM delivery_messages o
                           WHERE o.discord_channel_id = m.discord_channel_id AND o.status = 'pending' AND o.id > m.id)
        FOR UPDATE OF m SKIP LOCKED`,
      [[...new Set([...senders.values()].map((sender) => sender.channelId))]],
    );
    // A channel's open message takes only clips of its own sender.
    const openByChannel = new Map(
      open.map((row) => [senderKey(row.channel_id, row.post_as_broadcaster_id), row]),
    );
    const groups: { channelId: string; postAsBroadcasterId: string | null; ids: string[] }[] = [];
    const fillIds: string[] = [];
    const fillMessageIds: string[] = [];
    for (const [key, channelUnits] of byChannel) {
      const openMessage = openByChannel.get(key);
      const plan = planChannelMessages(channelUnits, openMessage?.n ?? null, options);
      for (const id of plan.fillOpen.flat()) {
        fillIds.push(id);
        fillMessageIds.push(openMessage!.id);
      }
      for (const group of plan.groups) groups.push({ ...senders.get(key)!, ids: group.flat() });
    }
    // Messages are numbered in the order of their first delivery, so channels are served first come first.
    groups.sort((a, b) => Number(BigInt(a.ids[0]!) - BigInt(b.ids[0]!)));
    await assignDeliveries(tx, fillIds, fillMessageIds);
    if (groups.length === 0) return result;
    const messages = await tx.query<{ id: string }>(
      `INSERT INTO delivery_messages (discord_channel_id, nonce, post_as_broadcaster_id)
       SELECT channel_id, nonce, post_as
         FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS g(channel_id, nonce, post_as, n)
        ORDER BY n
       RETURNING id::text AS id`,
      [
        groups.map((group) => group.channelId),
        groups.map((group) => deliveryNonce(BigInt(group.ids[0]!), randomSalt())),
        groups.map((group) => group.postAsBroadcasterId),
      ],
    );
    // RETURNING follows the insert order, which follows ORDER BY n.
    const deliveryIds: string[] = [];
    const messageIds: string[] = [];
    groups.forEach((group, index) => {
      for (const id of group.ids) {
        deliveryIds.push(id);
        messageIds.push(messages[index]!.id);
      }
    });
    await assignDeliveries(tx, deliveryIds, messageIds);
    return result;
  });
}

async function assignDeliveries(
  tx: SqlExecutor,
  deliveryIds: readonly string[],
  messageIds: readonly string[],
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await tx.query(
    `UPDATE deliveries d SET delivery_message_id = m.message_id
       FROM unnest($1::bigint[], $2::bigint[]) AS m(delivery_id, message_id)
      WHERE d.id = m.delivery_id`,
    [deliveryIds, messageIds],
  );
}

export interface MessageClaim {
  id: string;
  channelId: string;
  nonce: string;
  /** Including this one. */
  attempts: number;
  firstAttemptAt: Date;
  leaseUntil: Date;
  /** "clips" (new clips) or "digest" (a period's top clips, posted under `heading`). */
  kind: string;
  heading: string | null;
  /** Null: the bot posts. Else the channel's webhook posts as this broadcaster. */
  postAsBroadcasterId: string | null;
}

interface ClaimRow {
  id: string;
  discord_channel_id: string;
  nonce: string;
  attempts: number;
  first_attempt_at: Date | string;
  kind: string;
  heading: string | null;
  post_as_broadcaster_id: string | null;
}

/**
 * Claims up to `limit` due messages, at most one per channel and only each channel's oldest unsent message
 * (so a channel's posts keep their order and one channel's burst never holds a claim while it waits for
 * Discord's per-channel limit). A channel whose message is leased by another process is left alone.
 * Uses delivery_messages_status_next_attempt_at_idx and delivery_messages_discord_channel_id_status_idx.
 */
export async function claimDueMessages(
  sql: SqlExecutor,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<MessageClaim[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const rows = await sql.query<ClaimRow>(
    `WITH due AS (
       SELECT m.id FROM delivery_messages m
        WHERE m.status = 'pending' AND m.next_attempt_at <= $1::timestamptz
          AND (m.lease_until IS NULL OR m.lease_until <= $1::timestamptz)
          AND NOT EXISTS (
            SELECT 1 FROM delivery_messages o
             WHERE o.discord_channel_id = m.discord_channel_id AND o.status = 'pending' AND o.id < m.id)
        ORDER BY m.next_attempt_at, m.id
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE delivery_messages m
        SET lease_until = $3::timestamptz, attempts = m.attempts + 1,
            first_attempt_at = COALESCE(m.first_attempt_at, $1::timestamptz)
       FROM due WHERE m.id = due.id
     RETURNING m.id::text AS id, m.discord_channel_id, m.nonce, m.attempts, m.first_attempt_at, m.kind,
               m.heading, m.post_as_broadcaster_id`,
    [options.now, options.limit, leaseUntil],
  );
  return rows.map((row) => ({
    id: row.id,
    channelId: row.discord_channel_id,
    nonce: row.nonce,
    attempts: row.attempts,
    firstAttemptAt: new Date(row.first_attempt_at),
    leaseUntil,
    kind: row.kind,
    heading: row.heading,
    postAsBroadcasterId: row.post_as_broadcaster_id,
  }));
}

/** One delivery of a claimed message, with what the post shows. */
export interface MessageDelivery extends ClipPostClip {
  deliveryId: string;
  subscriptionId: string;
  guildId: string;
  paused: boolean;
  mentionRoleId: string | null;
  clipId: string;
  clipDeleted: boolean;
  firstSeenAt: Date;
  /** The delivery of the first clip of this clip's moment (its own id when not grouped). */
  momentAnchor: string;
}

export async function loadMessageDeliveries(
  sql: SqlExecutor,
  messageId: string,
  status: 'pending' | 'sent' = 'pending',
): Promise<MessageDelivery[]> {
  const [deliveries] = await loadDeliveriesOfMessages(sql, [messageId], status);
  return deliveries!;
}

/** The deliveries of several messages in one query; one list per message id, in the order given. */
export async function loadDeliveriesOfMessages(
  sql: SqlExecutor,
  messageIds: readonly string[],
  status: 'pending' | 'sent' = 'pending',
): Promise<MessageDelivery[][]> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT d.delivery_message_id::text AS message_id,
            d.id::text AS delivery_id, s.id::text AS subscription_id, s.guild_id, s.paused, s.mention_role_id,
            c.id AS clip_id, c.deleted_at IS NOT NULL AS clip_deleted, c.title, c.url, c.thumbnail_url,
            c.view_count, c.duration_sec, c.created_at, c.first_seen_at, b.display_name, g.name AS game_name,
            c.creator_name, COALESCE(d.moment_of, d.id)::text AS moment_anchor
       FROM deliveries d
       JOIN subscriptions s ON s.id = d.subscription_id
       JOIN clips c ON c.id = d.clip_id
       JOIN broadcasters b ON b.id = c.broadcaster_id
       LEFT JOIN games g ON g.id = c.game_id
      WHERE d.delivery_message_id = ANY($1::bigint[]) AND d.status = $2
      ORDER BY d.id`,
    [messageIds, status],
  );
  const byMessage = new Map(messageIds.map((id) => [id, [] as MessageDelivery[]]));
  for (const row of rows) byMessage.get(String(row.message_id))?.push(toMessageDelivery(row));
  return messageIds.map((id) => byMessage.get(id)!);
}

function toMessageDelivery(row: Record<string, unknown>): MessageDelivery {
  return {
    deliveryId: String(row.delivery_id),
    subscriptionId: String(row.subscription_id),
    guildId: String(row.guild_id),
    paused: row.paused === true,
    mentionRoleId: (row.mention_role_id as string | null) ?? null,
    clipId: String(row.clip_id),
    clipDeleted: row.clip_deleted === true,
    title: String(row.title),
    url: String(row.url),
    thumbnailUrl: String(row.thumbnail_url),
    viewCount: Number(row.view_count),
    durationSec: Number(row.duration_sec),
    createdAt: new Date(row.created_at as string),
    firstSeenAt: new Date(row.first_seen_at as string),
    broadcasterName: String(row.display_name),
    gameName: (row.game_name as string | null) ?? null,
    creatorName: String(row.creator_name),
    momentAnchor: String(row.moment_anchor),
  };
}

/** Marks deliveries that must not be posted any more (paused subscription, deleted clip). */
export async function skipDeliveries(
  sql: SqlExecutor,
  deliveryIds: readonly string[],
  reason: string,
): Promise<void> {
  if (deliveryIds.length === 0) return;
  await sql.query(
    `UPDATE deliveries SET status = 'skipped', last_error = $2 WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
    [deliveryIds, reason],
  );
}

/** Ends a message with nothing left to post. */
export async function skipMessage(sql: SqlExecutor, claim: MessageClaim): Promise<void> {
  await sql.query(
    `UPDATE delivery_messages SET status = 'skipped', lease_until = NULL
      WHERE id = $1::bigint AND lease_until = $2::timestamptz`,
    [claim.id, claim.leaseUntil],
  );
}

export interface SentMessage {
  claim: MessageClaim;
  discordMessageId: string;
  sentAt: Date;
  /** The webhook that posted it (webhook mode), so edits go through it; null or absent: the bot posted. */
  webhookId?: string | null;
  /** The forum post (thread) holding it, where edits go; null or absent: it is in the channel itself. */
  threadId?: string | null;
}

/**
 * Records a posted message: the message, its deliveries and their subscriptions' last post. Returns the
 * deliveries that this call marked sent (none when another process recorded it first).
 */
export async function completeMessage(
  sql: SqlExecutor,
  claim: MessageClaim,
  result: { discordMessageId: string; sentAt: Date; webhookId?: string | null; threadId?: string | null },
): Promise<string[]> {
  const [marked] = await completeMessages(sql, [{ claim, ...result }]);
  return marked!;
}

/**
 * Records several posted messages in one statement (one round trip for a group of posts instead of a
 * transaction of five per post; atomic all the same). Returns, per message in the order given, the
 * deliveries this call marked sent: none for a message another process recorded first (its row lock makes
 * the second writer re-check `status = 'pending'` and find it sent). Rows are locked in id order.
 */
export async function completeMessages(sql: SqlExecutor, sent: readonly SentMessage[]): Promise<string[][]> {
  const ordered = [...sent].sort((a, b) => Number(BigInt(a.claim.id) - BigInt(b.claim.id)));
  const rows = await sql.query<{ id: string; message_id: string }>(
    `WITH posted AS (
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[], $5::text[])
                  AS p(id, discord_message_id, sent_at, webhook_id, thread_id)
     ), message AS (
       UPDATE delivery_messages m SET status = 'sent', message_id = p.discord_message_id, sent_at = p.sent_at,
              lease_until = NULL, last_error = NULL, webhook_id = p.webhook_id, thread_id = p.thread_id
         FROM posted p
        WHERE m.id = p.id AND m.status = 'pending'
        RETURNING m.id, m.message_id, m.sent_at
     ), delivered AS (
       UPDATE deliveries d SET status = 'sent', message_id = message.message_id, sent_at = message.sent_at,
              last_error = NULL
         FROM message
        WHERE d.delivery_message_id = message.id AND d.status = 'pending'
        RETURNING d.id, d.delivery_message_id, d.subscription_id, d.sent_at
     ), latest AS (
       SELECT subscription_id, max(sent_at) AS sent_at FROM delivered GROUP BY subscription_id
     ), last_posted AS (
       UPDATE subscriptions s SET last_posted_at = latest.sent_at
         FROM latest
        WHERE s.id = latest.subscription_id AND (s.last_posted_at IS NULL OR s.last_posted_at < latest.sent_at)
     )
     SELECT id::text AS id, delivery_message_id::text AS message_id FROM delivered ORDER BY id`,
    [
      ordered.map((message) => message.claim.id),
      ordered.map((message) => message.discordMessageId),
      ordered.map((message) => message.sentAt),
      ordered.map((message) => message.webhookId ?? null),
      ordered.map((message) => message.threadId ?? null),
    ],
  );
  const byMessage = new Map(sent.map((message) => [message.claim.id, [] as string[]]));
  for (const row of rows) byMessage.get(row.message_id)?.push(row.id);
  return sent.map((message) => byMessage.get(message.claim.id)!);
}

/** Schedules another attempt (fenced by the lease). Returns false when the lease was lost. */
export async function retryMessageLater(
  sql: SqlExecutor,
  claim: MessageClaim,
  options: { nextAttemptAt: Date; error: string },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE delivery_messages SET lease_until = NULL, next_attempt_at = $3::timestamptz, last_error = $4
      WHERE id = $1::bigint AND lease_until = $2::timestamptz AND status = 'pending' RETURNING id`,
    [claim.id, claim.leaseUntil, options.nextAttemptAt, options.error],
  );
  return rows.length === 1;
}

/**
 * Dead-letters a message: it, its deliveries and their subscriptions' last_error (shown by
 * `/subscriptions list`). With `pause`, a problem of the channel itself, the subscriptions are also paused
 * with that code, and for the ones this call paused (not already paused) a notice per guild is queued in
 * the same transaction (src/notify/pauseNotices.ts), so the guild is told once even if the process dies
 * right after. Fenced by the lease; returns null when it was lost.
 */
export async function deadLetterMessage(
  sql: SqlExecutor,
  claim: MessageClaim,
  options: {
    error: string;
    now: Date;
    /** Pause the channel's subscriptions (a channel problem) and queue the guild's notice. */
    pause?: {
      code: string;
      reason: string;
      /** A problem of webhook mode only (no Manage Webhooks): bot-mode subscriptions there keep posting. */
      webhookModeOnly?: boolean;
    };
  },
): Promise<{ deliveries: number; paused: PausedSubscription[] } | null> {
  return sql.transaction(async (tx) => {
    const updated = await tx.query(
      `UPDATE delivery_messages SET status = 'failed', lease_until = NULL, last_error = $3
        WHERE id = $1::bigint AND lease_until = $2::timestamptz AND status = 'pending' RETURNING id`,
      [claim.id, claim.leaseUntil, options.error],
    );
    if (updated.length === 0) return null;
    const deliveries = await tx.query<{ subscription_id: string }>(
      `UPDATE deliveries SET status = 'failed', last_error = $2
        WHERE delivery_message_id = $1::bigint AND status = 'pending'
        RETURNING subscription_id::text AS subscription_id`,
      [claim.id, options.error],
    );
    const subscriptionIds = [...new Set(deliveries.map((row) => row.subscription_id))];
    await tx.query(
      `UPDATE subscriptions SET last_error = $2, last_error_at = $3::timestamptz WHERE id = ANY($1::uuid[])`,
      [subscriptionIds, options.error, options.now],
    );
    if (options.pause === undefined) return { deliveries: deliveries.length, paused: [] };
    // Every subscription posting to the broken channel is paused, not only those in this message.
    const paused = await tx.query<Record<string, string | null>>(
      `UPDATE subscriptions s SET paused = true, paused_reason = $2, last_error = $3, last_error_at = $4::timestamptz
         FROM broadcasters b, guilds g
        WHERE s.discord_channel_id = $1 AND NOT s.paused AND b.id = s.broadcaster_id AND g.id = s.guild_id
          AND (NOT $5::boolean OR s.post_as = 'webhook')
        RETURNING s.id::text AS subscription_id, s.guild_id, s.created_by_user_id, s.discord_channel_id,
                  b.display_name, g.system_channel_id`,
      [
        claim.channelId,
        options.pause.code,
        options.error,
        options.now,
        options.pause.webhookModeOnly === true,
      ],
    );
    const pausedSubscriptions = paused.map((row): PausedSubscription => ({
      subscriptionId: row.subscription_id!,
      guildId: row.guild_id!,
      createdByUserId: row.created_by_user_id!,
      discordChannelId: row.discord_channel_id!,
      broadcasterName: row.display_name!,
      systemChannelId: row.system_channel_id ?? null,
    }));
    await queuePauseNotices(tx, pausedSubscriptions, options.pause);
    return { deliveries: deliveries.length, paused: pausedSubscriptions };
  });
}

/** Queue depth and the age of the oldest pending delivery, for the gauges. */
export async function readOutboxStats(
  sql: SqlExecutor,
  now: Date,
): Promise<{ pending: number; oldestPendingAgeSec: number }> {
  const [row] = await sql.query<{ pending: string; oldest: Date | string | null }>(
    `SELECT count(*) AS pending, min(created_at) AS oldest FROM deliveries WHERE status = 'pending'`,
  );
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : null;
  return {
    pending: Number(row?.pending ?? 0),
    oldestPendingAgeSec: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
  };
}

/** A posted message whose clips changed on Twitch since it was last edited. */
export interface EditClaim {
  id: string;
  channelId: string;
  discordMessageId: string;
  nonce: string;
  editVersion: number;
  /** Tries of this edit, including this one (reset when an edit succeeds). */
  attempts: number;
  leaseUntil: Date;
  heading: string | null;
  /** Set when a webhook posted it: edits go through that webhook. */
  webhookId: string | null;
  /** Set when it is a forum post: the message lives in this thread, not in the forum (`channelId`). */
  threadId: string | null;
}

/**
 * Claims posts to edit or remove whose retry time (after a failed try) has come. Uses
 * delivery_messages_edit_due_search_idx (partial, raw SQL).
 */
export async function claimDueEdits(
  sql: SqlExecutor,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<EditClaim[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const rows = await sql.query<Record<string, string | number | null>>(
    `WITH due AS (
       SELECT id FROM delivery_messages
        WHERE edit_version > edited_version AND status = 'sent' AND message_id IS NOT NULL
          AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
          AND (edit_next_attempt_at IS NULL OR edit_next_attempt_at <= $1::timestamptz)
        ORDER BY id LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE delivery_messages m SET lease_until = $3::timestamptz, edit_attempts = m.edit_attempts + 1
       FROM due WHERE m.id = due.id
     RETURNING m.id::text AS id, m.discord_channel_id, m.message_id, m.nonce, m.edit_version, m.edit_attempts,
               m.heading, m.webhook_id, m.thread_id`,
    [options.now, options.limit, leaseUntil],
  );
  return rows.map((row) => ({
    id: String(row.id),
    channelId: String(row.discord_channel_id),
    discordMessageId: String(row.message_id),
    nonce: String(row.nonce),
    editVersion: Number(row.edit_version),
    attempts: Number(row.edit_attempts),
    leaseUntil,
    heading: row.heading === null || row.heading === undefined ? null : String(row.heading),
    webhookId: row.webhook_id === null || row.webhook_id === undefined ? null : String(row.webhook_id),
    threadId: row.thread_id === null || row.thread_id === undefined ? null : String(row.thread_id),
  }));
}

/**
 * Records an edit (or removal, or giving up) up to the version that was claimed; a newer change keeps it
 * due, with a fresh budget of tries.
 */
export async function finishEdit(
  sql: SqlExecutor,
  claim: EditClaim,
  options: { removed: boolean },
): Promise<void> {
  await sql.query(
    `UPDATE delivery_messages
        SET edited_version = $3, lease_until = NULL, edit_attempts = 0, edit_next_attempt_at = NULL,
            status = CASE WHEN $4::boolean THEN 'removed' ELSE status END
      WHERE id = $1::bigint AND lease_until = $2::timestamptz`,
    [claim.id, claim.leaseUntil, claim.editVersion, options.removed],
  );
}

/** Schedules another try of a failed edit (fenced by the lease). */
export async function retryEditLater(sql: SqlExecutor, claim: EditClaim, nextAttemptAt: Date): Promise<void> {
  await sql.query(
    `UPDATE delivery_messages SET lease_until = NULL, edit_next_attempt_at = $3::timestamptz
      WHERE id = $1::bigint AND lease_until = $2::timestamptz`,
    [claim.id, claim.leaseUntil, nextAttemptAt],
  );
}
