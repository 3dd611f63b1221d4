/**
 * Claims of due sync work on tracked_channels. Every claim is one statement: `FOR UPDATE SKIP LOCKED` picks
 * rows no other process is claiming right now, and the lease column written in the same UPDATE keeps them
 * away from other processes until it expires (so a crashed process's work comes back by itself). The lease
 * value doubles as a fencing token: follow-up writes only apply `WHERE <lease column> = <our lease>`, so a
 * process whose lease expired mid-work cannot overwrite a newer claim.
 */
import type { SqlExecutor } from '../db/Database.js';
import type { BackfillProgress } from './syncWindows.js';

export interface PollClaim {
  broadcasterId: string;
  isLive: boolean;
  lastLiveAt: Date | null;
  lastPolledAt: Date | null;
  nextPollAt: Date;
  backfillUntil: Date;
  clipRatePerHour: number;
  consecutiveErrors: number;
  leaseUntil: Date;
}

interface PollClaimRow {
  broadcaster_id: string;
  is_live: boolean;
  last_live_at: Date | null;
  last_polled_at: Date | null;
  next_poll_at: Date;
  backfill_until: Date | null;
  tracked_since: Date;
  clip_rate_per_hour: number;
  consecutive_errors: number;
  lease_until: Date;
}

function toDate(value: Date | string | null): Date | null {
  if (value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/** Claims up to `limit` channels whose incremental poll is due. Uses tracked_channels_next_poll_at_idx. */
export async function claimDuePolls(
  sql: SqlExecutor,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<PollClaim[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const rows = await sql.query<PollClaimRow>(
    `WITH due AS (
       SELECT broadcaster_id FROM tracked_channels
        WHERE next_poll_at <= $1::timestamptz AND (lease_until IS NULL OR lease_until <= $1::timestamptz)
        ORDER BY next_poll_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE tracked_channels t SET lease_until = $3::timestamptz
       FROM due WHERE t.broadcaster_id = due.broadcaster_id
     RETURNING t.broadcaster_id, t.is_live, t.last_live_at, t.last_polled_at, t.next_poll_at, t.backfill_until,
               t.tracked_since, t.clip_rate_per_hour, t.consecutive_errors, t.lease_until`,
    [options.now, options.limit, leaseUntil],
  );
  return rows.map((row) => ({
    broadcasterId: row.broadcaster_id,
    isLive: row.is_live,
    lastLiveAt: toDate(row.last_live_at),
    lastPolledAt: toDate(row.last_polled_at),
    nextPollAt: toDate(row.next_poll_at)!,
    backfillUntil: toDate(row.backfill_until) ?? toDate(row.tracked_since)!,
    clipRatePerHour: Number(row.clip_rate_per_hour),
    consecutiveErrors: row.consecutive_errors,
    leaseUntil,
  }));
}

/**
 * Ends a successful poll. If the live state flipped while we were polling (live check or EventSub), the
 * next poll is due now instead of at the interval computed from the stale state.
 */
export async function completePoll(
  sql: SqlExecutor,
  claim: PollClaim,
  result: { polledAt: Date; nextPollAt: Date; clipRatePerHour: number; newClips: number },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE tracked_channels
        SET lease_until = NULL,
            last_polled_at = $3::timestamptz,
            next_poll_at = CASE WHEN is_live <> $4::boolean THEN $3::timestamptz ELSE $5::timestamptz END,
            clip_rate_per_hour = $6::float8,
            clips_indexed = clips_indexed + $7::int,
            consecutive_errors = 0,
            last_error = NULL
      WHERE broadcaster_id = $1 AND lease_until = $2::timestamptz
      RETURNING broadcaster_id`,
    [
      claim.broadcasterId,
      claim.leaseUntil,
      result.polledAt,
      claim.isLive,
      result.nextPollAt,
      result.clipRatePerHour,
      result.newClips,
    ],
  );
  return rows.length === 1;
}

export async function failPoll(
  sql: SqlExecutor,
  claim: PollClaim,
  result: { nextPollAt: Date; errorCode: string },
): Promise<void> {
  await sql.query(
    `UPDATE tracked_channels
        SET lease_until = NULL, next_poll_at = $3::timestamptz, consecutive_errors = consecutive_errors + 1,
            last_error = $4::text
      WHERE broadcaster_id = $1 AND lease_until = $2::timestamptz`,
    [claim.broadcasterId, claim.leaseUntil, result.nextPollAt, result.errorCode],
  );
}

/** Hands back a claimed poll untouched (shutdown): the channel stays due and any process may claim it. */
export async function releasePoll(sql: SqlExecutor, claim: PollClaim): Promise<void> {
  await sql.query(
    `UPDATE tracked_channels SET lease_until = NULL WHERE broadcaster_id = $1 AND lease_until = $2::timestamptz`,
    [claim.broadcasterId, claim.leaseUntil],
  );
}

/**
 * Claims up to `limit` channels (one Get Streams call) whose live state is older than `staleMs`, marking
 * them checked now. Uses tracked_channels_live_checked_at_idx.
 */
export async function claimLiveChecks(
  sql: SqlExecutor,
  options: { now: Date; staleMs: number; limit: number },
): Promise<{ broadcasterId: string; isLive: boolean }[]> {
  const staleBefore = new Date(options.now.getTime() - options.staleMs);
  const rows = await sql.query<{ broadcaster_id: string; is_live: boolean }>(
    `WITH due AS (
       SELECT broadcaster_id FROM tracked_channels
        WHERE live_checked_at IS NULL OR live_checked_at <= $2::timestamptz
        ORDER BY live_checked_at NULLS FIRST
        LIMIT $3
        FOR UPDATE SKIP LOCKED
     )
     UPDATE tracked_channels t SET live_checked_at = $1::timestamptz
       FROM due WHERE t.broadcaster_id = due.broadcaster_id
     RETURNING t.broadcaster_id, t.is_live`,
    [options.now, staleBefore, options.limit],
  );
  return rows.map((row) => ({ broadcasterId: row.broadcaster_id, isLive: row.is_live }));
}

/** A claimed backfill: the channel's persisted position plus the claim's own bookkeeping. */
export interface BackfillClaim extends BackfillProgress {
  broadcasterId: string;
  /** Consecutive failed backfill steps. */
  backfillErrors: number;
  leaseUntil: Date;
}

interface BackfillClaimRow {
  broadcaster_id: string;
  backfill_from: Date;
  backfill_until: Date;
  backfill_done_from: Date;
  backfill_window_sec: number;
  backfill_page_cursor: string | null;
  backfill_window_clips: number;
  backfill_errors: number;
}

/** Claims channels with history left to index. Uses tracked_channels_backfill_status_backfill_next_at_idx. */
export async function claimBackfills(
  sql: SqlExecutor,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<BackfillClaim[]> {
  const leaseUntil = new Date(options.now.getTime() + options.leaseMs);
  const rows = await sql.query<BackfillClaimRow>(
    `WITH due AS (
       SELECT broadcaster_id FROM tracked_channels
        WHERE backfill_status IN ('pending', 'running') AND backfill_next_at <= $1::timestamptz
          AND (backfill_lease_until IS NULL OR backfill_lease_until <= $1::timestamptz)
          AND backfill_from IS NOT NULL AND backfill_until IS NOT NULL AND backfill_done_from IS NOT NULL
        ORDER BY backfill_next_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED
     )
     UPDATE tracked_channels t SET backfill_lease_until = $3::timestamptz, backfill_status = 'running'
       FROM due WHERE t.broadcaster_id = due.broadcaster_id
     RETURNING t.broadcaster_id, t.backfill_from, t.backfill_until, t.backfill_done_from, t.backfill_window_sec,
               t.backfill_page_cursor, t.backfill_window_clips, t.backfill_errors`,
    [options.now, options.limit, leaseUntil],
  );
  return rows.map((row) => ({
    broadcasterId: row.broadcaster_id,
    from: toDate(row.backfill_from)!,
    until: toDate(row.backfill_until)!,
    doneFrom: toDate(row.backfill_done_from)!,
    windowSec: row.backfill_window_sec,
    pageCursor: row.backfill_page_cursor,
    windowClips: row.backfill_window_clips,
    backfillErrors: row.backfill_errors,
    leaseUntil,
  }));
}

/**
 * Persists backfill progress after a page (inside the page's transaction), extending the lease. Returns
 * false when our lease was lost, in which case the caller must roll back.
 */
export async function saveBackfillProgress(
  sql: SqlExecutor,
  claim: BackfillClaim,
  progress: {
    doneFrom: Date;
    windowSec: number;
    pageCursor: string | null;
    windowClips: number;
    newClips: number;
    finished: boolean;
    newLeaseUntil: Date;
  },
): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE tracked_channels
        SET backfill_done_from = $3::timestamptz, backfill_window_sec = $4::int, backfill_page_cursor = $5::text,
            backfill_window_clips = $6::int, clips_indexed = clips_indexed + $7::int, backfill_errors = 0,
            backfill_status = CASE WHEN $8::boolean THEN 'done' ELSE 'running' END,
            backfill_lease_until = CASE WHEN $8::boolean THEN NULL ELSE $9::timestamptz END
      WHERE broadcaster_id = $1 AND backfill_lease_until = $2::timestamptz
      RETURNING broadcaster_id`,
    [
      claim.broadcasterId,
      claim.leaseUntil,
      progress.doneFrom,
      progress.windowSec,
      progress.pageCursor,
      progress.windowClips,
      progress.newClips,
      progress.finished,
      progress.newLeaseUntil,
    ],
  );
  return rows.length === 1;
}

/** Hands the channel back so others get a turn (round robin) or, after an error, backs off. */
export async function releaseBackfill(
  sql: SqlExecutor,
  broadcasterId: string,
  leaseUntil: Date,
  options: { nextAt: Date; errorCode?: string },
): Promise<void> {
  await sql.query(
    `UPDATE tracked_channels
        SET backfill_lease_until = NULL, backfill_next_at = $3::timestamptz,
            last_error = COALESCE($4::text, last_error),
            backfill_errors = CASE WHEN $4::text IS NULL THEN backfill_errors ELSE backfill_errors + 1 END
      WHERE broadcaster_id = $1 AND backfill_lease_until = $2::timestamptz`,
    [broadcasterId, leaseUntil, options.nextAt, options.errorCode ?? null],
  );
}
