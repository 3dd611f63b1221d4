import type { Cache } from '../cache/Cache.js';
import { UserError } from '../shared/errors.js';

/**
 * New channels a search may start indexing, per Discord server (or per user in DMs) and UTC day. An indexing
 * run walks a channel's whole clip history and costs Twitch API budget for hours, so members of one server
 * cannot queue more than this many a day. Channels already indexed never count.
 */
export const NEW_CHANNELS_PER_DAY = 10;
const DAY_MS = 86_400_000;

export interface IndexingQuota {
  /** Takes one unit of today's quota for `scope` or throws a UserError saying when it resets. */
  take(scope: string, now?: Date): Promise<void>;
}

/**
 * Counted in the cache, which the bot may lose: a Redis outage or restart forgets today's count, which only
 * ever allows more indexing, never blocks a search that should work.
 */
export function createIndexingQuota(options: { cache: Cache; perDay?: number }): IndexingQuota {
  const perDay = options.perDay ?? NEW_CHANNELS_PER_DAY;
  return {
    async take(scope, now = new Date()) {
      const day = Math.floor(now.getTime() / DAY_MS);
      const resetsAt = (day + 1) * DAY_MS;
      const ttl = Math.ceil((resetsAt - now.getTime()) / 1000) + 60;
      const used = await options.cache.increment(`indexing-quota:v1:${scope}:${day}`, 1, ttl);
      if (used !== undefined && used > perDay) {
        throw new UserError(
          'indexing.quota',
          `Members here have already started indexing ${perDay} new channels today, the daily limit (each one ` +
            `costs hours of Twitch API time). Channels already indexed still work. More can be added ` +
            `<t:${Math.floor(resetsAt / 1000)}:R>.`,
        );
      }
    },
  };
}
