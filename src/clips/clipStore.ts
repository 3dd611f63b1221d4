import type { SqlExecutor } from '../db/Database.js';
import { chunk } from '../shared/chunk.js';
import type { ClipRecord } from './ClipRecord.js';
import { NO_SPACE_CLASS } from './search/scripts.js';

/**
 * Rows per statement. Every column travels as one array parameter (`unnest`), so a batch is one round trip
 * and one plan regardless of its size; 1,000 keeps each statement's lock and WAL footprint small enough to
 * share a transaction with the sync's event writes.
 */
export const UPSERT_BATCH_SIZE = 1_000;

export interface UpsertClipsResult {
  /** Clips stored for the first time by this call. */
  discovered: ClipRecord[];
  /**
   * Clips we already had whose title or view count changed, or that had been marked deleted and are back.
   * Re-seeing an unchanged clip only refreshes `lastSeenAt` and is not reported.
   */
  updated: Array<{ clip: ClipRecord; previousTitle: string; previousViewCount: number }>;
}

export interface BroadcasterRow {
  id: string;
  login: string;
  displayName: string;
  /** Unknown (undefined/null) keeps the stored value. */
  profileImageUrl?: string | null;
  /** "partner" | "affiliate" | ""; unknown keeps the stored value. */
  broadcasterType?: string | null;
}

export interface GameRow {
  id: string;
  name: string;
  /** Unknown (undefined/null) keeps the stored value. */
  boxArtUrl?: string | null;
}

interface UpsertedClipRow {
  id: string;
  inserted: boolean;
  previous_title: string | null;
  previous_view_count: number | null;
  was_deleted: boolean | null;
}

// `previous` reads the rows as they were before this statement: every part of one statement shares a
// snapshot, so it cannot see the INSERT's effects. `xmax = 0` is true only for rows the INSERT created
// (an ON CONFLICT update stamps xmax with our transaction id).
const UPSERT_CLIPS_SQL = `
WITH input AS (
  SELECT * FROM unnest(
    $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
    $9::int[], $10::timestamptz[], $11::text[], $12::text[], $13::text[], $14::float8[], $15::int[], $16::bool[]
  ) AS u(id, broadcaster_id, creator_id, creator_name, video_id, game_id, language, title,
         view_count, created_at, thumbnail_url, url, embed_url, duration_sec, vod_offset, is_featured)
),
previous AS (
  SELECT c.id, c.title, c.view_count, c.deleted_at FROM clips c JOIN input i ON i.id = c.id
),
written AS (
  INSERT INTO clips (id, broadcaster_id, creator_id, creator_name, video_id, game_id, language, title,
                     view_count, created_at, thumbnail_url, url, embed_url, duration_sec, vod_offset,
                     is_featured, first_seen_at, last_seen_at, deleted_at)
  SELECT i.id, i.broadcaster_id, i.creator_id, i.creator_name, i.video_id, i.game_id, i.language, i.title,
         i.view_count, i.created_at, i.thumbnail_url, i.url, i.embed_url, i.duration_sec, i.vod_offset,
         i.is_featured, $17::timestamptz, $17::timestamptz, NULL
  FROM input i
  ON CONFLICT (id) DO UPDATE SET
    broadcaster_id = EXCLUDED.broadcaster_id,
    creator_id = EXCLUDED.creator_id,
    creator_name = EXCLUDED.creator_name,
    video_id = COALESCE(EXCLUDED.video_id, clips.video_id),
    game_id = EXCLUDED.game_id,
    language = EXCLUDED.language,
    title = EXCLUDED.title,
    view_count = EXCLUDED.view_count,
    created_at = EXCLUDED.created_at,
    thumbnail_url = EXCLUDED.thumbnail_url,
    url = EXCLUDED.url,
    embed_url = EXCLUDED.embed_url,
    duration_sec = EXCLUDED.duration_sec,
    vod_offset = COALESCE(EXCLUDED.vod_offset, clips.vod_offset),
    is_featured = EXCLUDED.is_featured,
    last_seen_at = EXCLUDED.last_seen_at,
    deleted_at = NULL
  RETURNING id, title, search_vector, (xmax = 0) AS inserted
),
-- The vocabulary for typo correction (see the clip_search migration): words of new or retitled clips.
-- Sorted so that concurrent writers take the words' insertion locks in the same order (no deadlocks).
words AS (
  INSERT INTO clip_search_words (word)
  SELECT DISTINCT v.word
  FROM written w
  LEFT JOIN previous p ON p.id = w.id
  CROSS JOIN LATERAL unnest(tsvector_to_array(w.search_vector)) AS v(word)
  WHERE p.title IS DISTINCT FROM w.title
    AND char_length(v.word) BETWEEN 3 AND 40
    AND v.word !~ '${NO_SPACE_CLASS}'
    AND v.word NOT LIKE '~%'
  ORDER BY v.word
  ON CONFLICT (word) DO NOTHING
)
SELECT w.id, w.inserted, p.title AS previous_title, p.view_count AS previous_view_count,
       (p.deleted_at IS NOT NULL) AS was_deleted
FROM written w LEFT JOIN previous p ON p.id = w.id`;

/**
 * Inserts or refreshes clips in batches of {@link UPSERT_BATCH_SIZE}, one statement each, setting
 * `lastSeenAt = now` and clearing `deletedAt`. Pass a transaction's executor to make the whole call atomic
 * with other writes (the sync writes clip events in the same transaction); with a pool executor each batch
 * commits on its own. Their broadcasters must exist (foreign key): call {@link upsertBroadcasters} first.
 * A clip id repeated in the input is stored once, with its last occurrence.
 */
export async function upsertClips(
  sql: SqlExecutor,
  clips: ClipRecord[],
  now: Date,
): Promise<UpsertClipsResult> {
  const unique = [...new Map(clips.map((clip) => [clip.id, clip])).values()];
  const result: UpsertClipsResult = { discovered: [], updated: [] };
  for (const batch of chunk(unique, UPSERT_BATCH_SIZE)) {
    const rows = await sql.query<UpsertedClipRow>(UPSERT_CLIPS_SQL, [
      batch.map((c) => c.id),
      batch.map((c) => c.broadcasterId),
      batch.map((c) => c.creatorId),
      batch.map((c) => c.creatorName),
      batch.map((c) => c.videoId),
      batch.map((c) => c.gameId),
      batch.map((c) => c.language),
      batch.map((c) => c.title),
      batch.map((c) => c.viewCount),
      batch.map((c) => c.createdAt.toISOString()),
      batch.map((c) => c.thumbnailUrl),
      batch.map((c) => c.url),
      batch.map((c) => c.embedUrl),
      batch.map((c) => c.durationSec),
      batch.map((c) => c.vodOffset),
      batch.map((c) => c.isFeatured),
      now.toISOString(),
    ]);
    const byId = new Map(batch.map((clip) => [clip.id, clip]));
    for (const row of rows) {
      const clip = byId.get(row.id);
      if (clip === undefined) continue;
      if (row.inserted || row.previous_title === null || row.previous_view_count === null) {
        result.discovered.push(clip);
        continue;
      }
      const previousViewCount = Number(row.previous_view_count);
      if (
        row.previous_title !== clip.title ||
        previousViewCount !== clip.viewCount ||
        row.was_deleted === true
      ) {
        result.updated.push({ clip, previousTitle: row.previous_title, previousViewCount });
      }
    }
  }
  if (unique.length > 0) await mergeSearchPendingLists(sql);
  return result;
}

// The search GIN indexes take inserts into a pending list of up to 4 MB (cheap bulk merges), but every
// search scans that list: merge it once per call so it stays short between ingest bursts. Needs the
// indexes' ownership; without it (a read-mostly role) merging is left to inserts and autovacuum.
const MERGE_PENDING_LISTS_SQL = `
SELECT count(pg_catalog.gin_clean_pending_list(c.oid::regclass)) AS merged
FROM unnest(ARRAY[to_regclass('clips_search_vector_search_idx'), to_regclass('clip_search_words_trgm_idx')]) AS i(oid)
JOIN pg_class c ON c.oid = i.oid
WHERE pg_has_role(c.relowner, 'USAGE')`;

async function mergeSearchPendingLists(sql: SqlExecutor): Promise<void> {
  await sql.query(MERGE_PENDING_LISTS_SQL);
}

/** Inserts or refreshes broadcasters (batched like {@link upsertClips}); returns how many rows were written. */
export async function upsertBroadcasters(sql: SqlExecutor, rows: BroadcasterRow[]): Promise<number> {
  const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
  let written = 0;
  for (const batch of chunk(unique, UPSERT_BATCH_SIZE)) {
    const result = await sql.query<{ id: string }>(
      `WITH input AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
           AS u(id, login, display_name, profile_image_url, broadcaster_type)
       )
       INSERT INTO broadcasters (id, login, display_name, profile_image_url, broadcaster_type, updated_at)
       SELECT i.id, i.login, i.display_name, i.profile_image_url, COALESCE(i.broadcaster_type, ''), now()
       FROM input i
       ON CONFLICT (id) DO UPDATE SET
         login = EXCLUDED.login,
         display_name = EXCLUDED.display_name,
         profile_image_url = COALESCE(EXCLUDED.profile_image_url, broadcasters.profile_image_url),
         -- EXCLUDED holds '' for an unknown type; read the input to tell "unknown" from "no type".
         broadcaster_type = COALESCE(
           (SELECT i.broadcaster_type FROM input i WHERE i.id = EXCLUDED.id), broadcasters.broadcaster_type),
         updated_at = now()
       RETURNING id`,
      [
        batch.map((b) => b.id),
        batch.map((b) => b.login),
        batch.map((b) => b.displayName),
        batch.map((b) => b.profileImageUrl ?? null),
        batch.map((b) => b.broadcasterType ?? null),
      ],
    );
    written += result.length;
  }
  return written;
}

/** Inserts or refreshes games (batched like {@link upsertClips}); returns how many rows were written. */
export async function upsertGames(sql: SqlExecutor, rows: GameRow[]): Promise<number> {
  const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
  let written = 0;
  for (const batch of chunk(unique, UPSERT_BATCH_SIZE)) {
    const result = await sql.query<{ id: string }>(
      `INSERT INTO games (id, name, box_art_url, updated_at)
       SELECT u.id, u.name, u.box_art_url, now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, name, box_art_url)
       ON CONFLICT (id) DO UPDATE SET
         name = EXCLUDED.name,
         box_art_url = COALESCE(EXCLUDED.box_art_url, games.box_art_url),
         updated_at = now()
       RETURNING id`,
      [batch.map((g) => g.id), batch.map((g) => g.name), batch.map((g) => g.boxArtUrl ?? null)],
    );
    written += result.length;
  }
  return written;
}
