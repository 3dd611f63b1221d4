import { decodeCursor, encodeCursor } from './cursor.js';
import { badRequest } from './http.js';
import { getAllLimited, parseBoolean, parseFirst, parseRfc3339 } from './queryParams.js';
import type { FakeClip } from './types.js';

export const ONE_WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export interface ClipSource {
  byId(id: string): FakeClip | undefined;
  ofBroadcaster(id: string): Iterable<FakeClip>;
  ofGame(id: string): Iterable<FakeClip>;
}

export interface ClipPage {
  clips: FakeClip[];
  cursor: string | undefined;
}

/**
 * Remembers sorted query results between pages. An entry is valid while the data version is unchanged and no
 * matching clip has become visible since (validUntil = the earliest future visibleAt among the candidates).
 */
export class SortedClipCache {
  private readonly entries = new Map<
    string,
    { version: number; validFrom: number; validUntil: number; clips: FakeClip[] }
  >();

  constructor(private readonly maxEntries = 200) {}

  get(key: string, version: number, now: number): FakeClip[] | undefined {
    const entry = this.entries.get(key);
    // validFrom guards against the fake clock being set backwards.
    return entry && entry.version === version && entry.validFrom <= now && now < entry.validUntil
      ? entry.clips
      : undefined;
  }

  set(key: string, version: number, validFrom: number, validUntil: number, clips: FakeClip[]): void {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { version, validFrom, validUntil, clips });
  }
}

export interface FindClipsOptions {
  params: URLSearchParams;
  source: ClipSource;
  /** Fake-clock now: clips whose visibleAt is later are not returned yet. */
  now: number;
  /** How many results one query window yields at most before the cursor stops (Twitch: about 1,000). */
  maxResultsPerQuery: number;
  /** Optional: reuse sorting across pages of one query; `version` must change whenever clips change. */
  cache?: { store: SortedClipCache; version: number };
}

/** Get Clips semantics: validation, filters, view-count order, cursor paging and the per-query result cap. */
export function findClips({ params, source, now, maxResultsPerQuery, cache }: FindClipsOptions): ClipPage {
  const ids = getAllLimited(params, 'id', 100);
  const broadcasterIds = params.getAll('broadcaster_id').filter((v) => v !== '');
  const gameIds = params.getAll('game_id').filter((v) => v !== '');
  const kinds = [ids.length > 0, broadcasterIds.length > 0, gameIds.length > 0].filter(Boolean).length;
  if (kinds === 0) {
    throw badRequest('Missing required parameter "broadcaster_id" or "game_id" or "id"');
  }
  if (kinds > 1) {
    throw badRequest('The parameters "broadcaster_id", "game_id" and "id" are mutually exclusive');
  }
  if (broadcasterIds.length > 1) {
    throw badRequest('The parameter "broadcaster_id" may only be specified once');
  }
  if (gameIds.length > 1) {
    throw badRequest('The parameter "game_id" may only be specified once');
  }
  const visible = (clip: FakeClip | undefined): clip is FakeClip =>
    clip !== undefined && clip.visibleAt <= now;

  if (ids.length > 0) {
    // With id, Twitch ignores first, dates and cursors.
    const clips = [...new Set(ids)].map((id) => source.byId(id)).filter(visible);
    return { clips: sortByViews(clips), cursor: undefined };
  }

  const first = parseFirst(params);
  const startedAt = parseRfc3339(params, 'started_at');
  const endedAtParam = parseRfc3339(params, 'ended_at');
  const isFeatured = parseBoolean(params, 'is_featured');
  if (params.get('before')) {
    throw badRequest('The fake does not support the "before" cursor; page forward with "after"');
  }
  const after = params.get('after');
  const offset = after ? decodeCursor(after) : 0;
  // ended_at only counts together with started_at; a missing ended_at means one week after started_at.
  const endedAt = startedAt === null ? null : (endedAtParam ?? startedAt + ONE_WEEK_MS);

  const cacheKey = JSON.stringify([
    broadcasterIds[0],
    gameIds[0],
    startedAt,
    endedAt,
    isFeatured,
    maxResultsPerQuery,
  ]);
  let reachable = cache?.store.get(cacheKey, cache.version, now);
  if (!reachable) {
    const candidates = broadcasterIds[0]
      ? source.ofBroadcaster(broadcasterIds[0])
      : source.ofGame(gameIds[0]!);
    const matching: FakeClip[] = [];
    let nextVisibleAt = Infinity;
    for (const clip of candidates) {
      if (startedAt !== null && clip.createdAt < startedAt) continue;
      if (endedAt !== null && clip.createdAt >= endedAt) continue;
      if (isFeatured !== null && clip.isFeatured !== isFeatured) continue;
      if (clip.visibleAt > now) {
        nextVisibleAt = Math.min(nextVisibleAt, clip.visibleAt);
        continue;
      }
      matching.push(clip);
    }
    reachable = sortByViews(matching).slice(0, maxResultsPerQuery);
    cache?.store.set(cacheKey, cache.version, now, nextVisibleAt, reachable);
  }
  const page = reachable.slice(offset, offset + first);
  const nextOffset = offset + page.length;
  return {
    clips: page,
    cursor: page.length > 0 && nextOffset < reachable.length ? encodeCursor(nextOffset) : undefined,
  };
}

function sortByViews(clips: FakeClip[]): FakeClip[] {
  return clips.sort(
    (a, b) =>
      b.viewCount - a.viewCount || b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}
