import type { Cache } from '../../cache/Cache.js';
import type { Database } from '../../db/Database.js';
import type { Clip } from '../../generated/prisma/client.js';
import { UserError } from '../../shared/errors.js';
import type { ClipRecord } from '../ClipRecord.js';
import type { ClipSearchPage, ClipSearchPeriod } from '../search/ClipSearchQuery.js';
import { findClips, type FindClipsDeps } from '../search/findClips.js';
import { parseSearchText } from '../search/parseSearchText.js';

/**
 * Browsing without words: top, recent, random and one clip's card. Top and recent are searches with a fixed
 * sort, so they go through findClips and share its validation, cache, cursor and protections.
 */

export interface TopClipsQuery {
  channelId?: string;
  gameId?: string;
  period: ClipSearchPeriod;
  cursor?: string;
  pageSize?: number;
}

export function findTopClips(deps: FindClipsDeps, query: TopClipsQuery): Promise<ClipSearchPage> {
  if (query.channelId === undefined && query.gameId === undefined) {
    throw new UserError('clips.topNeedsFilter', 'Pick a channel or a game to see its top clips.');
  }
  return findClips(deps, {
    channelIds: query.channelId === undefined ? undefined : [query.channelId],
    gameId: query.gameId,
    // findClips treats "all" as no filter; a channel or game is always set here.
    period: query.period,
    sort: 'views',
    cursor: query.cursor,
    pageSize: query.pageSize,
  });
}

export interface RecentClipsQuery {
  channelId: string;
  cursor?: string;
  pageSize?: number;
}

export function findRecentClips(deps: FindClipsDeps, query: RecentClipsQuery): Promise<ClipSearchPage> {
  return findClips(deps, {
    channelIds: [query.channelId],
    sort: 'newest',
    cursor: query.cursor,
    pageSize: query.pageSize,
  });
}

const PERIOD_MS: Record<Exclude<ClipSearchPeriod, 'all'>, number> = {
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

export interface RandomClipQuery {
  channelId: string;
  period?: ClipSearchPeriod;
  minViews?: number;
  now?: Date;
  /** Injected by tests; Math.random otherwise. */
  random?: () => number;
}

/**
 * One clip of a channel chosen uniformly among those matching: a count, then one row at a random offset of
 * clips_broadcaster_id_created_at_idx (a channel has at most some 100,000 clips, so the skip stays cheap).
 */
export async function pickRandomClip(
  deps: { db: Database },
  query: RandomClipQuery,
): Promise<ClipRecord | null> {
  const now = query.now ?? new Date();
  const where = {
    broadcasterId: query.channelId,
    deletedAt: null,
    ...(query.period !== undefined && query.period !== 'all'
      ? { createdAt: { gte: new Date(now.getTime() - PERIOD_MS[query.period]) } }
      : {}),
    ...(query.minViews !== undefined && query.minViews > 0 ? { viewCount: { gte: query.minViews } } : {}),
  };
  const count = await deps.db.prisma.clip.count({ where });
  if (count === 0) return null;
  const skip = Math.min(count - 1, Math.floor((query.random ?? Math.random)() * count));
  const clip = await deps.db.prisma.clip.findFirst({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
    skip,
  });
  return clip === null ? null : toClipRecord(clip);
}

export interface ClipInfo {
  clip: ClipRecord;
  channelName: string;
  channelLogin: string;
  gameName: string | null;
  /** How many members saved it with /favorites. */
  favoriteCount: number;
}

/**
 * The full card of one clip, from a clip link or a clip id. Null when the clip is not indexed (or deleted on
 * Twitch); a value that is neither a link nor an id is the user's mistake.
 */
export async function getClipInfo(deps: { db: Database }, reference: string): Promise<ClipInfo | null> {
  const clipId = parseClipReference(reference);
  const clip = await deps.db.prisma.clip.findFirst({
    where: { id: clipId, deletedAt: null },
    include: { broadcaster: true, _count: { select: { favorites: true } } },
  });
  if (clip === null) return null;
  const game =
    clip.gameId === null
      ? null
      : await deps.db.prisma.game.findUnique({ where: { id: clip.gameId }, select: { name: true } });
  return {
    clip: toClipRecord(clip),
    channelName: clip.broadcaster.displayName,
    channelLogin: clip.broadcaster.login,
    gameName: game?.name ?? null,
    favoriteCount: clip._count.favorites,
  };
}

const CLIP_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** A clip link (any of Twitch's forms) or a bare clip id → the clip id; anything else is a UserError. */
export function parseClipReference(reference: string): string {
  const text = reference.trim();
  const parsed = text.length <= 200 ? parseSearchText(text) : { kind: 'none' as const };
  if (parsed.kind === 'clipId') return parsed.clipId;
  if (CLIP_ID.test(text)) return text;
  throw new UserError(
    'clips.invalidReference',
    'That is not a clip link or clip id. Paste a link such as https://clips.twitch.tv/… or pick a clip from the list.',
  );
}

export interface IndexCounts {
  clips: number;
  channels: number;
}

/** Counting every clip is a full index scan; /help shows a figure at most this old. */
export const INDEX_COUNTS_TTL_SECONDS = 300;
const INDEX_COUNTS_KEY = 'help:counts:v1';

/** How much is indexed, cached for {@link INDEX_COUNTS_TTL_SECONDS} (counted again when the cache is down). */
export async function countIndexedClips(deps: { db: Database; cache: Cache }): Promise<IndexCounts> {
  const cached = await deps.cache.get<IndexCounts>(INDEX_COUNTS_KEY);
  if (cached !== undefined) return cached;
  const [clips, channels] = await Promise.all([
    deps.db.prisma.clip.count({ where: { deletedAt: null } }),
    deps.db.prisma.trackedChannel.count(),
  ]);
  const counts = { clips, channels };
  await deps.cache.set(INDEX_COUNTS_KEY, counts, INDEX_COUNTS_TTL_SECONDS);
  return counts;
}

export function toClipRecord(clip: Clip): ClipRecord {
  return {
    id: clip.id,
    broadcasterId: clip.broadcasterId,
    creatorId: clip.creatorId,
    creatorName: clip.creatorName,
    videoId: clip.videoId,
    gameId: clip.gameId,
    language: clip.language,
    title: clip.title,
    viewCount: clip.viewCount,
    createdAt: clip.createdAt,
    thumbnailUrl: clip.thumbnailUrl,
    url: clip.url,
    embedUrl: clip.embedUrl,
    durationSec: clip.durationSec,
    vodOffset: clip.vodOffset,
    isFeatured: clip.isFeatured,
  };
}
