import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/Database.js';
import type { ClipRecord } from '../ClipRecord.js';

/**
 * Channel and game names kept in this process. Every page of results shows them, and they change rarely (a
 * streamer renames their display name, a category is retitled): looking them up once per answer was two
 * database round trips through Prisma per search, about a tenth of the bot's CPU under load. A rename shows
 * after at most `ttlMs`.
 */
export interface DisplayNameCache {
  channels: LRUCache<string, string>;
  games: LRUCache<string, string>;
}

export function createDisplayNameCache(
  options: { maxEntries?: number; ttlMs?: number; now?: () => number } = {},
): DisplayNameCache {
  const settings = {
    max: options.maxEntries ?? 20_000,
    ttl: options.ttlMs ?? 10 * 60_000,
    // Tests move a clock of their own: read it on every access.
    ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
  };
  return { channels: new LRUCache(settings), games: new LRUCache(settings) };
}

/** Channel and game names to show beside a page of clips; ids without a stored name are left out. */
export async function clipDisplayNames(
  deps: { db: Database; names?: DisplayNameCache },
  clips: ReadonlyArray<Pick<ClipRecord, 'broadcasterId' | 'gameId'>>,
): Promise<{ channels: Map<string, string>; games: Map<string, string> }> {
  const broadcasterIds = new Set(clips.map((clip) => clip.broadcasterId));
  const gameIds = new Set(clips.flatMap((clip) => (clip.gameId === null ? [] : [clip.gameId])));
  const channels = known(broadcasterIds, deps.names?.channels);
  const games = known(gameIds, deps.names?.games);
  const missingChannels = [...broadcasterIds].filter((id) => !channels.has(id));
  const missingGames = [...gameIds].filter((id) => !games.has(id));
  const [broadcasterRows, gameRows] = await Promise.all([
    missingChannels.length === 0
      ? []
      : deps.db.prisma.broadcaster.findMany({
          where: { id: { in: missingChannels } },
          select: { id: true, displayName: true },
        }),
    missingGames.length === 0
      ? []
      : deps.db.prisma.game.findMany({
          where: { id: { in: missingGames } },
          select: { id: true, name: true },
        }),
  ]);
  for (const { id, displayName } of broadcasterRows) {
    channels.set(id, displayName);
    deps.names?.channels.set(id, displayName);
  }
  for (const { id, name } of gameRows) {
    games.set(id, name);
    deps.names?.games.set(id, name);
  }
  return { channels, games };
}

function known(ids: Set<string>, cache: LRUCache<string, string> | undefined): Map<string, string> {
  const found = new Map<string, string>();
  if (cache === undefined) return found;
  for (const id of ids) {
    const name = cache.get(id);
    if (name !== undefined) found.set(id, name);
  }
  return found;
}
