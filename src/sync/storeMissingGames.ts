import { LRUCache } from 'lru-cache';
import type { ClipRecord } from '../clips/ClipRecord.js';
import { upsertGames } from '../clips/clipStore.js';
import type { HelixPriority } from '../twitch/helixLimiter.js';
import type { SyncContext } from './SyncContext.js';

/** Game ids this process already knows are stored (games are few and never removed). */
const knownGames = new WeakMap<SyncContext, LRUCache<string, true>>();

/**
 * Stores the games of freshly synced clips that the games table does not have yet (Get Games, 100 ids per
 * call, cached by the adapter), so search can filter and autocomplete by game name. Best effort: a failure
 * is logged and retried with the next clips of that game; it never fails the sync step.
 */
export async function storeMissingGames(
  ctx: SyncContext,
  clips: readonly ClipRecord[],
  priority: HelixPriority,
): Promise<void> {
  let known = knownGames.get(ctx);
  if (known === undefined) {
    known = new LRUCache<string, true>({ max: 20_000 });
    knownGames.set(ctx, known);
  }
  const candidates = [...new Set(clips.map((clip) => clip.gameId).filter((id): id is string => !!id))].filter(
    (id) => !known.has(id),
  );
  if (candidates.length === 0) return;
  try {
    const stored = await ctx.sql.query<{ id: string }>(`SELECT id FROM games WHERE id = ANY($1::text[])`, [
      candidates,
    ]);
    for (const row of stored) known.set(row.id, true);
    const missing = candidates.filter((id) => !known.has(id));
    if (missing.length === 0) return;
    const games = await ctx.twitch.getGamesByIds(missing, priority);
    await upsertGames(ctx.sql, games);
    for (const game of games) known.set(game.id, true);
  } catch (error) {
    ctx.logger.warn({ err: error, games: candidates.length }, 'Could not store game names; will retry later');
  }
}
