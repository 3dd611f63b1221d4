import type { Logger } from 'pino';
import type { Cache } from '../cache/Cache.js';
import { createIndexingQuota } from '../channels/indexingQuota.js';
import {
  assertChannelInputShape,
  resolveTwitchChannel,
  type ResolvedChannel,
} from '../channels/resolveTwitchChannel.js';
import {
  countIndexedClips,
  findRecentClips,
  findTopClips,
  getClipInfo,
  parseClipReference,
  pickRandomClip,
  type RandomClipQuery,
  type RecentClipsQuery,
  type TopClipsQuery,
} from '../clips/browse/browseClips.js';
import { clipDisplayNames, createDisplayNameCache } from '../clips/browse/clipDisplayNames.js';
import type { ClipRecord } from '../clips/ClipRecord.js';
import { getChannelClipStats } from '../clips/stats/getChannelClipStats.js';
import { renderClipStatsChart } from '../clips/stats/renderClipStatsChart.js';
import {
  autocompleteChannels,
  autocompleteClippers,
  autocompleteGames,
} from '../clips/search/autocomplete.js';
import type { ClipSearchPeriod, ClipSearchQuery } from '../clips/search/ClipSearchQuery.js';
import { findClips, type FindClipsDeps } from '../clips/search/findClips.js';
import type { SearchMetrics } from '../clips/search/searchMetrics.js';
import type { Database } from '../db/Database.js';
import { addFavorite, autocompleteFavorites, listFavorites, removeFavorite } from '../favorites/favorites.js';
import type { GuildService } from '../guilds/GuildService.js';
import type { SubscriptionService } from '../subscriptions/SubscriptionService.js';
import type { SubscriptionView } from '../subscriptions/SubscriptionView.js';
import type { ClipSync } from '../sync/ClipSync.js';
import type { TwitchAdapter } from '../twitch/twitchTypes.js';
import { createCooldowns } from './cooldowns.js';
import { createInteractionStateStore } from './components/interactionState.js';

export interface CommandServicesOptions {
  db: Database;
  cache: Cache;
  logger: Logger;
  /** Interactive Twitch lookups (channel search, login → id); runs at the limiter's highest priority. */
  twitch: Pick<TwitchAdapter, 'searchChannels' | 'getUserByLogin' | 'getUsersByIds'>;
  sync: Pick<ClipSync, 'trackChannel' | 'getChannelSyncStatus'>;
  searchMetrics?: SearchMetrics;
  /** Extra search dependencies (cursor secret, concurrency bounds) passed through to findClips unchanged. */
  search?: Partial<FindClipsDeps>;
  /** Twitch account linking; null when the operator has not set PUBLIC_URL and TOKEN_ENCRYPTION_KEY. */
  twitchLinking: { publicUrl: string; tokenEncryptionKey: Buffer } | null;
  /** New channels a search may start indexing per server (or DM user) and day. */
  newChannelsPerDay?: number;
  /** `/subscriptions`: add, list, pause, resume, remove (per-guild quota inside). */
  subscriptions: SubscriptionService;
  /** `/settings` and the manage permission's manager role. */
  guilds: Pick<GuildService, 'getSettings' | 'updateSettings'>;
  /** `/subscriptions test`: a sample post where a subscription posts (src/notify/sendSubscriptionTestPost). */
  notifications: { sendTestPost(subscription: SubscriptionView): Promise<{ messageId: string }> };
}

/**
 * The services commands call, bound to the infrastructure once. Each is a thin adapter over a domain
 * function in src/clips, src/channels, src/favorites or src/sync, so the rules stay testable without Discord.
 */
export function createCommandServices(options: CommandServicesOptions) {
  const { db, cache, logger, twitch, sync } = options;
  const searchDeps: FindClipsDeps = {
    db,
    cache,
    logger: logger.child({ component: 'search' }),
    ...(options.searchMetrics ? { searchMetrics: options.searchMetrics } : {}),
    ...options.search,
  };
  const quota = createIndexingQuota({ cache, perDay: options.newChannelsPerDay });
  const names = createDisplayNameCache();

  const clips = {
    search: (query: ClipSearchQuery) => findClips(searchDeps, query),
    top: (query: TopClipsQuery) => findTopClips(searchDeps, query),
    recent: (query: RecentClipsQuery) => findRecentClips(searchDeps, query),
    random: (query: RandomClipQuery) => pickRandomClip({ db }, query),
    info: (reference: string) => getClipInfo({ db }, reference),
    /** Checks a clip link or id without a lookup (UserError when it is neither); returns the id. */
    parseReference: parseClipReference,
    /** Channel and game names to show beside a page of clips. */
    displayNames: (page: ReadonlyArray<Pick<ClipRecord, 'broadcasterId' | 'gameId'>>) =>
      clipDisplayNames({ db, names }, page),
    counts: () => countIndexedClips({ db, cache }),
    /** A channel's clips per day, views, top clippers and games over a period, and their chart as a PNG. */
    async stats(query: {
      broadcasterId: string;
      period: ClipSearchPeriod;
      channelName: string;
      periodLabel: string;
    }) {
      const { broadcasterId, period, ...labels } = query;
      const stats = await getChannelClipStats({ db }, { broadcasterId, period });
      const chart = await renderClipStatsChart(stats, labels);
      return { stats, chart };
    },
  };

  const channels = {
    assertInputShape: assertChannelInputShape,
    /** A channel a member asked about: resolved, and indexing started if it is new (see startIndexing). */
    async resolveAndIndex(input: string, scope: string) {
      const channel = await channels.resolve(input);
      const indexing = await channels.startIndexing(channel, scope);
      return { channel, indexing };
    },
    resolve: (input: string) => resolveTwitchChannel({ db, twitch }, input),
    status: (broadcasterId: string) => sync.getChannelSyncStatus(broadcasterId),
    /**
     * Starts indexing a channel that is new to the bot, counting it against the daily quota of `scope` (a
     * guild id, or `dm:<user id>`). A channel already indexed is a no-op and costs nothing.
     */
    async startIndexing(channel: ResolvedChannel, scope: string): Promise<{ started: boolean }> {
      if ((await sync.getChannelSyncStatus(channel.id)) !== null) {
        // Tracking again marks the channel as still wanted (the sync may stop polling channels nobody
        // asks about); it costs no quota, and a failure must not stop a search of its stored clips.
        await sync
          .trackChannel({ broadcasterId: channel.id, reason: 'search' })
          .catch((error: unknown) => logger.warn({ err: error }, 'could not keep the channel tracked'));
        return { started: false };
      }
      await quota.take(scope);
      const { created } = await sync.trackChannel({
        broadcasterId: channel.id,
        reason: 'search',
        ...(channel.user ? { user: channel.user } : {}),
      });
      return { started: created };
    },
  };

  const autocomplete = {
    channels: (query: string) => autocompleteChannels({ db, logger, directory: twitch }, { query }),
    games: (query: string) => autocompleteGames({ db, logger }, { query }),
    clippers: (query: string, broadcasterId?: string) =>
      autocompleteClippers({ db, logger }, { query, ...(broadcasterId ? { broadcasterId } : {}) }),
    favorites: (userId: string, query: string) => autocompleteFavorites({ db }, { userId, query }),
  };

  const favorites = {
    add: (userId: string, clip: string) => addFavorite({ db }, { userId, clip }),
    remove: (userId: string, clip: string) => removeFavorite({ db }, { userId, clip }),
    list: (userId: string, cursor?: string) =>
      listFavorites({ db }, { userId, ...(cursor ? { cursor } : {}) }),
  };

  return {
    clips,
    channels,
    autocomplete,
    favorites,
    twitchLinking: options.twitchLinking,
    subscriptions: options.subscriptions,
    guilds: options.guilds,
    notifications: options.notifications,
    state: createInteractionStateStore(cache),
    cooldowns: createCooldowns({ cache }),
  };
}

export type CommandServices = Omit<ReturnType<typeof createCommandServices>, 'state' | 'cooldowns'>;
