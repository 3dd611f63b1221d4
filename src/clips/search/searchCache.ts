import { createHash } from 'node:crypto';
import type { Cache } from '../../cache/Cache.js';

/** Channel-filtered results live until the channel ingests new clips (generation bump) or this TTL. */
export const CHANNEL_SEARCH_TTL_SECONDS = 600;
/** Searches across all channels cannot be invalidated per channel: they simply expire quickly. */
export const GLOBAL_SEARCH_TTL_SECONDS = 30;
/** Generations outlive every cached result that could embed them. */
const GENERATION_TTL_SECONDS = 7 * 86_400;
const PREFIX = 'search:v1';

function generationKey(broadcasterId: string): string {
  return `${PREFIX}:gen:${broadcasterId}`;
}

/**
 * Makes every cached search that filtered on one of these channels unreachable: their keys embed the
 * channel's generation, and this bumps it. Call after ingesting new or changed clips. Cheap (one INCR per
 * channel) and safe when the cache is down (nothing was cached then either).
 */
export async function invalidateChannelSearches(
  cache: Cache,
  broadcasterIds: Iterable<string>,
): Promise<void> {
  await Promise.all(
    [...new Set(broadcasterIds)].map((id) => cache.increment(generationKey(id), 1, GENERATION_TTL_SECONDS)),
  );
}

/** The cache key of one search page, including the current generation of each filtered channel. */
export async function searchCacheKey(
  cache: Cache,
  options: {
    channelIds: string[] | undefined;
    fingerprint: string;
    cursor: string | undefined;
    pageSize: number;
  },
): Promise<{ key: string; ttlSeconds: number }> {
  const channelIds = [...new Set(options.channelIds ?? [])].sort();
  const generations = await Promise.all(
    channelIds.map(async (id) => `${id}@${(await cache.get<number>(generationKey(id))) ?? 0}`),
  );
  const digest = createHash('sha256')
    .update(JSON.stringify([options.fingerprint, options.cursor ?? '', options.pageSize, generations]))
    .digest('base64url');
  return {
    key: `${PREFIX}:page:${digest}`,
    ttlSeconds: channelIds.length > 0 ? CHANNEL_SEARCH_TTL_SECONDS : GLOBAL_SEARCH_TTL_SECONDS,
  };
}
