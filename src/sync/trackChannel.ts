import { upsertBroadcasters } from '../clips/clipStore.js';
import type { SqlExecutor } from '../db/Database.js';
import { UserError } from '../shared/errors.js';
import type { TwitchAdapter, TwitchUser } from '../twitch/twitchTypes.js';
import { describeBackfill } from './syncWindows.js';

export type TrackReason = 'subscription' | 'search';

/**
 * Starts indexing a channel: stores the broadcaster, then a tracked_channels row whose backfill covers
 * [max(account creation, clipsEpoch), now) and whose incremental sync starts now. Tracking again only
 * restarts the channel's idle clock (last_wanted_at), and a subscription outranks a search as the reason.
 * Throws UserError for an unknown channel.
 */
export async function trackChannel(options: {
  sql: SqlExecutor;
  twitch: TwitchAdapter;
  broadcasterId: string;
  reason: TrackReason;
  now: Date;
  clipsEpoch: Date;
  /** Already fetched by the caller (saves a Get Users call). */
  user?: TwitchUser;
}): Promise<{ created: boolean }> {
  // Already tracked: being wanted again restarts the idle clock (trackingLifecycle.ts).
  const existing = await options.sql.query(
    `UPDATE tracked_channels
        SET last_wanted_at = GREATEST(last_wanted_at, $3::timestamptz),
            reason = CASE WHEN $2 = 'subscription' THEN 'subscription' ELSE reason END
      WHERE broadcaster_id = $1
      RETURNING broadcaster_id`,
    [options.broadcasterId, options.reason, options.now],
  );
  if (existing.length > 0) return { created: false };
  const user =
    options.user?.id === options.broadcasterId
      ? options.user
      : (await options.twitch.getUsersByIds([options.broadcasterId], 'interactive'))[0];
  if (user === undefined) {
    throw new UserError('sync.unknownChannel', 'That Twitch channel does not exist or is suspended.');
  }
  const from = new Date(Math.max(user.createdAt.getTime(), options.clipsEpoch.getTime()));
  return options.sql.transaction(async (tx) => {
    await upsertBroadcasters(tx, [
      {
        id: user.id,
        login: user.login,
        displayName: user.displayName,
        profileImageUrl: user.profileImageUrl,
        broadcasterType: user.broadcasterType,
      },
    ]);
    const rows = await tx.query(
      `INSERT INTO tracked_channels (broadcaster_id, reason, tracked_since, next_poll_at, backfill_status,
                                     backfill_from, backfill_until, backfill_done_from, backfill_next_at,
                                     last_wanted_at)
       VALUES ($1, $2, $3::timestamptz, $3::timestamptz, 'pending', $4::timestamptz, $3::timestamptz,
               $3::timestamptz, $3::timestamptz, $3::timestamptz)
       ON CONFLICT (broadcaster_id) DO NOTHING
       RETURNING broadcaster_id`,
      [user.id, options.reason, options.now, from],
    );
    return { created: rows.length === 1 };
  });
}

/** Stops indexing a channel (its stored clips stay searchable). */
export async function untrackChannel(sql: SqlExecutor, broadcasterId: string): Promise<boolean> {
  const rows = await sql.query(
    `DELETE FROM tracked_channels WHERE broadcaster_id = $1 RETURNING broadcaster_id`,
    [broadcasterId],
  );
  return rows.length === 1;
}

export interface ChannelSyncStatus {
  broadcasterId: string;
  reason: string;
  isLive: boolean;
  clipsIndexed: number;
  backfillStatus: string;
  /** History indexed from this instant up to backfillUntil. */
  backfilledFrom: Date | null;
  backfillUntil: Date | null;
  /** 0–100. */
  backfillPercent: number;
  lastPolledAt: Date | null;
  nextPollAt: Date;
  lastError: string | null;
  /** e.g. "indexed 3,412 clips, 2019–2023 done". */
  summary: string;
}

interface StatusRow {
  broadcaster_id: string;
  reason: string;
  is_live: boolean;
  clips_indexed: number;
  backfill_status: string;
  backfill_from: Date | null;
  backfill_until: Date | null;
  backfill_done_from: Date | null;
  last_polled_at: Date | null;
  next_poll_at: Date;
  last_error: string | null;
}

export async function getChannelSyncStatus(
  sql: SqlExecutor,
  broadcasterId: string,
): Promise<ChannelSyncStatus | null> {
  const [row] = await sql.query<StatusRow>(
    `SELECT broadcaster_id, reason, is_live, clips_indexed, backfill_status, backfill_from, backfill_until,
            backfill_done_from, last_polled_at, next_poll_at, last_error
       FROM tracked_channels WHERE broadcaster_id = $1`,
    [broadcasterId],
  );
  if (row === undefined) return null;
  const date = (value: Date | string | null) => (value === null ? null : new Date(value));
  const from = date(row.backfill_from);
  const until = date(row.backfill_until);
  const doneFrom = date(row.backfill_done_from);
  const span = from && until ? until.getTime() - from.getTime() : 0;
  const backfillPercent =
    row.backfill_status === 'done' || span <= 0 || !until || !doneFrom
      ? row.backfill_status === 'done'
        ? 100
        : 0
      : Math.min(100, Math.round(((until.getTime() - doneFrom.getTime()) / span) * 100));
  return {
    broadcasterId: row.broadcaster_id,
    reason: row.reason,
    isLive: row.is_live,
    clipsIndexed: row.clips_indexed,
    backfillStatus: row.backfill_status,
    backfilledFrom: doneFrom,
    backfillUntil: until,
    backfillPercent,
    lastPolledAt: date(row.last_polled_at),
    nextPollAt: new Date(row.next_poll_at),
    lastError: row.last_error,
    summary: describeBackfill({
      clipsIndexed: row.clips_indexed,
      status: row.backfill_status,
      doneFrom,
      until,
    }),
  };
}
