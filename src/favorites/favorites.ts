import type { Database } from '../db/Database.js';
import { UserError } from '../shared/errors.js';
import { parseClipReference, toClipRecord } from '../clips/browse/browseClips.js';
import type { ClipRecord } from '../clips/ClipRecord.js';
import type { AutocompleteChoice } from '../clips/search/autocomplete.js';
import { truncateName } from '../clips/search/autocomplete.js';

/**
 * A member's saved clips. Favourites belong to the Discord user, not to a guild: the same list shows in every
 * server and in DMs. Only indexed clips can be saved (the row references the clip, and a clip deleted on
 * Twitch disappears from every list with it).
 */

/** Keeps one member from filling the table; far more than anyone browses. */
export const MAX_FAVORITES_PER_USER = 500;
export const FAVORITES_PAGE_SIZE = 10;

export interface FavoritesDeps {
  db: Database;
}

export async function addFavorite(
  deps: FavoritesDeps,
  input: { userId: string; clip: string },
): Promise<{ clip: ClipRecord; added: boolean }> {
  const clipId = parseClipReference(input.clip);
  const clip = await deps.db.prisma.clip.findFirst({ where: { id: clipId, deletedAt: null } });
  if (clip === null) {
    throw new UserError(
      'favorites.unknownClip',
      'That clip is not indexed. Search its channel with /clips search first, then save it from the results.',
    );
  }
  const existing = await deps.db.prisma.favorite.findUnique({
    where: { userId_clipId: { userId: input.userId, clipId } },
  });
  if (existing !== null) return { clip: toClipRecord(clip), added: false };
  const count = await deps.db.prisma.favorite.count({ where: { userId: input.userId } });
  if (count >= MAX_FAVORITES_PER_USER) {
    throw new UserError(
      'favorites.full',
      `You have saved ${MAX_FAVORITES_PER_USER} clips, the most one member can keep. Remove some with /favorites remove.`,
    );
  }
  // A double click races two inserts: the second one finds the row and is not an error.
  await deps.db.prisma.favorite.createMany({
    data: [{ userId: input.userId, clipId }],
    skipDuplicates: true,
  });
  return { clip: toClipRecord(clip), added: true };
}

export async function removeFavorite(
  deps: FavoritesDeps,
  input: { userId: string; clip: string },
): Promise<boolean> {
  const clipId = parseClipReference(input.clip);
  const { count } = await deps.db.prisma.favorite.deleteMany({ where: { userId: input.userId, clipId } });
  return count > 0;
}

export interface FavoritesPage {
  clips: ClipRecord[];
  /** Pass back to get the next page; null on the last one. */
  nextCursor: string | null;
  total: number;
}

/**
 * Newest saved first, keyset-paged on (created_at, clip_id) through favorites_user_id_created_at_idx. The
 * cursor is `<epoch ms>~<clip id>`; it only ever travels inside server-side paging state.
 */
export async function listFavorites(
  deps: FavoritesDeps,
  input: { userId: string; cursor?: string; pageSize?: number },
): Promise<FavoritesPage> {
  const pageSize = Math.max(1, Math.min(25, input.pageSize ?? FAVORITES_PAGE_SIZE));
  const after = input.cursor === undefined ? null : decodeCursor(input.cursor);
  const rows = await deps.db.prisma.favorite.findMany({
    where: {
      userId: input.userId,
      clip: { deletedAt: null },
      ...(after === null
        ? {}
        : {
            OR: [
              { createdAt: { lt: after.createdAt } },
              { createdAt: after.createdAt, clipId: { gt: after.clipId } },
            ],
          }),
    },
    orderBy: [{ createdAt: 'desc' }, { clipId: 'asc' }],
    take: pageSize + 1,
    include: { clip: true },
  });
  const total = await deps.db.prisma.favorite.count({
    where: { userId: input.userId, clip: { deletedAt: null } },
  });
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return {
    clips: page.map((row) => toClipRecord(row.clip)),
    nextCursor:
      rows.length > pageSize && last !== undefined ? `${last.createdAt.getTime()}~${last.clipId}` : null,
    total,
  };
}

/** The member's saved clips whose title contains `query`, for /favorites remove. */
export async function autocompleteFavorites(
  deps: FavoritesDeps,
  input: { userId: string; query: string },
): Promise<AutocompleteChoice[]> {
  const query = input.query.trim().slice(0, 100);
  const rows = await deps.db.prisma.favorite.findMany({
    where: {
      userId: input.userId,
      ...(query === '' ? {} : { clip: { title: { contains: query, mode: 'insensitive' } } }),
    },
    orderBy: [{ createdAt: 'desc' }, { clipId: 'asc' }],
    take: 25,
    include: { clip: { select: { id: true, title: true } } },
  });
  return rows.map((row) => ({
    name: truncateName(row.clip.title.trim() || row.clip.id),
    value: row.clip.id,
  }));
}

function decodeCursor(cursor: string): { createdAt: Date; clipId: string } {
  const match = /^(\d{1,15})~([A-Za-z0-9_-]{1,100})$/.exec(cursor);
  if (match === null)
    throw new UserError('favorites.invalidCursor', 'This page has expired. Run /favorites list again.');
  return { createdAt: new Date(Number(match[1])), clipId: match[2]! };
}
