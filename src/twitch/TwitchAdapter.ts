import { isTwitchLogin } from './twitchIdentifiers.js';
import { ApiClient, type ApiConfig } from '@twurple/api';
import { AppTokenAuthProvider, type AuthProvider } from '@twurple/auth';
import { LRUCache } from 'lru-cache';
import { Registry, type Counter, type Gauge } from 'prom-client';
import type { Cache } from '../cache/Cache.js';
import type { Logger } from '../observability/logger.js';
import { getOrCreateCounter, getOrCreateGauge } from '../observability/metrics.js';
import { chunk } from '../shared/chunk.js';
import { twurpleLoggerOptions } from './twurpleLoggerOptions.js';
import { AppError } from '../shared/errors.js';
import type { HelixLimiter, HelixPriority } from './helixLimiter.js';
import { rawId, readChannel, readClip, readCursor, readGame, readStream, readUser } from './helixPayloads.js';
import type {
  ClipLookup,
  ClipPage,
  ClipWindowQuery,
  TwitchAdapter,
  TwitchChannelSearchResult,
  TwitchGame,
  TwitchHealth,
  TwitchStream,
  TwitchUser,
} from './twitchTypes.js';

export interface CreateTwitchAdapterOptions {
  clientId: string;
  clientSecret: string;
  logger: Logger;
  limiter: HelixLimiter;
  registry?: Registry;
  /** Overrides the app-token provider (tests, or a RefreshingAuthProvider). */
  authProvider?: AuthProvider;
  /** How long users and games stay cached in memory. */
  lookupCacheTtlMs?: number;
  /** Per-attempt HTTP timeout (twurple retries network failures 3 times). */
  requestTimeoutMs?: number;
  /** Where channel-search results are cached (autocomplete asks again on every keystroke). */
  cache?: Cache;
  /** How long a channel-search result is reused; short, because live state and names change. */
  channelSearchTtlSeconds?: number;
}

/**
 * fetch options whose `signal` is a fresh timeout signal every time twurple spreads them into a request
 * (spreading invokes the getter). twurple has no request timeout of its own, and its rate limiter runs
 * requests in batches, so one hung connection would otherwise hold every later Helix call.
 */
function timeoutFetchOptions(timeoutMs: number): NonNullable<ApiConfig['fetchOptions']> {
  const options = {};
  Object.defineProperty(options, 'signal', { enumerable: true, get: () => AbortSignal.timeout(timeoutMs) });
  return options;
}

const HELIX_BATCH = 100;

interface TwitchMetrics {
  requests: Counter<'endpoint' | 'status'>;
  malformed: Counter<'endpoint'>;
  budget: Gauge;
}

function createTwitchMetrics(registry: Registry, readBudget: () => Promise<number | null>): TwitchMetrics {
  return {
    requests: getOrCreateCounter(registry, {
      name: 'tcs_twitch_helix_requests_total',
      help: 'Helix requests by endpoint and final HTTP status (after twurple retries); a code when no response.',
      labelNames: ['endpoint', 'status'],
    }),
    malformed: getOrCreateCounter(registry, {
      name: 'tcs_twitch_helix_malformed_items_total',
      help: 'Items in Helix replies that could not be mapped and were skipped.',
      labelNames: ['endpoint'],
    }),
    budget: getOrCreateGauge(registry, {
      name: 'tcs_twitch_helix_budget_remaining',
      help: 'Helix points left: Ratelimit-Remaining when Twitch reported it, else the local limiter bucket.',
      async collect() {
        const value = await readBudget();
        if (value !== null) this.set(value);
      },
    }),
  };
}

function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'statusCode' in error) {
    const status = (error as { statusCode: unknown }).statusCode;
    return typeof status === 'number' ? status : undefined;
  }
  return undefined;
}

/** Maps a twurple/Bottleneck/network failure to an AppError code; the message never carries a token. */
export function toTwitchError(error: unknown, endpoint: string): AppError {
  if (error instanceof AppError) return error;
  const status = statusOf(error);
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403)
    return new AppError('twitch.unauthorized', `Helix ${endpoint}: ${status}`);
  if (status === 429) return new AppError('twitch.rateLimited', `Helix ${endpoint}: 429`);
  if (status === 400) return new AppError('twitch.badRequest', `Helix ${endpoint}: 400`);
  if (status !== undefined && status >= 500)
    return new AppError('twitch.unavailable', `Helix ${endpoint}: ${status}`);
  if (status !== undefined) return new AppError('twitch.httpError', `Helix ${endpoint}: ${status}`);
  if (name === 'BottleneckError' || /expired|timed? ?out/i.test(message)) {
    return new AppError('twitch.timeout', `Helix ${endpoint} timed out`);
  }
  if (error instanceof TypeError || error instanceof SyntaxError) {
    return new AppError('twitch.malformedResponse', `Helix ${endpoint} returned an unexpected reply`, {
      cause: error,
    });
  }
  return new AppError('twitch.network', `Helix ${endpoint} failed: ${name || 'network error'}`, {
    cause: error,
  });
}

/** The twurple-backed TwitchAdapter: every Helix call goes through `limiter`, results are our own types. */
export function createTwitchAdapter(options: CreateTwitchAdapterOptions): TwitchAdapter {
  const log = options.logger.child({ component: 'twitch' });
  const authProvider =
    options.authProvider ?? new AppTokenAuthProvider(options.clientId, options.clientSecret);
  const api = new ApiClient({
    authProvider,
    logger: twurpleLoggerOptions(options.logger, 'twurple-api'),
    fetchOptions: timeoutFetchOptions(options.requestTimeoutMs ?? 10_000),
  });
  const metrics = createTwitchMetrics(options.registry ?? new Registry(), async () => {
    const stats = api.rateLimiterStats;
    if (stats?.lastKnownRemainingRequests != null) return stats.lastKnownRemainingRequests;
    return options.limiter.remaining();
  });
  const ttl = options.lookupCacheTtlMs ?? 60 * 60_000;
  const usersById = new LRUCache<string, TwitchUser>({ max: 50_000, ttl });
  const userIdByLogin = new LRUCache<string, string>({ max: 50_000, ttl });
  const gamesById = new LRUCache<string, TwitchGame>({ max: 10_000, ttl });
  let unauthorized = false;

  api.onRequest((request) => {
    metrics.requests.inc({ endpoint: request.options.url, status: String(request.httpStatus) });
  });

  /**
   * Runs one Helix call through the limiter and maps failures to AppErrors. A caller that gives up (`signal`)
   * gets twitch.aborted at once, and a call still waiting in the limiter is dropped without a request.
   */
  async function call<T>(
    endpoint: string,
    priority: HelixPriority,
    work: () => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    try {
      const result = await options.limiter.schedule(priority, work, signal);
      unauthorized = false;
      return result;
    } catch (error) {
      if (signal?.aborted) {
        metrics.requests.inc({ endpoint, status: 'aborted' });
        throw new AppError('twitch.aborted', `Helix ${endpoint}: the caller gave up`, { cause: error });
      }
      const mapped = toTwitchError(error, endpoint);
      if (statusOf(error) === undefined)
        metrics.requests.inc({ endpoint, status: mapped.code.replace('twitch.', '') });
      if (mapped.code === 'twitch.unauthorized') {
        // twurple already fetched a fresh app token and retried once; a second 401 means bad credentials.
        unauthorized = true;
        log.error(
          { endpoint },
          'Twitch rejected the app credentials after a token refresh; marking unhealthy',
        );
      } else {
        log.warn({ endpoint, code: mapped.code }, 'Helix call failed');
      }
      throw mapped;
    }
  }

  /**
   * Maps the items of one reply with `read`, skipping (log line + metric) those it cannot read. Reading
   * `data` inside the limiter job keeps a reply whose `data` is not a list a twitch.malformedResponse.
   */
  function readItems<T>(endpoint: string, items: readonly unknown[], read: (item: unknown) => T | null): T[] {
    const mapped: T[] = [];
    let skipped = 0;
    for (const item of items) {
      const value = read(item);
      if (value === null) skipped += 1;
      else mapped.push(value);
    }
    if (skipped > 0) reportMalformed(endpoint, skipped);
    return mapped;
  }

  function reportMalformed(endpoint: string, count: number, detail = 'skipped'): void {
    metrics.malformed.inc({ endpoint }, count);
    log.warn({ endpoint, items: count }, `Helix reply had items that could not be read; ${detail}`);
  }

  function remember(user: TwitchUser): void {
    usersById.set(user.id, user);
    userIdByLogin.set(user.login.toLowerCase(), user.id);
  }

  async function getUsersByIds(
    ids: readonly string[],
    priority: HelixPriority = 'interactive',
    signal?: AbortSignal,
  ): Promise<TwitchUser[]> {
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => !usersById.has(id));
    for (const batch of chunk(missing, HELIX_BATCH)) {
      const users = await call(
        'users',
        priority,
        async () => [...(await api.users.getUsersByIds(batch))],
        signal,
      );
      for (const user of readItems('users', users, readUser)) remember(user);
    }
    return unique.flatMap((id) => usersById.get(id) ?? []);
  }

  async function getUsersByLogins(
    logins: readonly string[],
    priority: HelixPriority = 'interactive',
    signal?: AbortSignal,
  ): Promise<TwitchUser[]> {
    const normalised = [
      ...new Set(logins.map((login) => login.trim().toLowerCase()).filter((l) => l !== '')),
    ];
    const missing = normalised.filter((login) => {
      const id = userIdByLogin.get(login);
      return id === undefined || !usersById.has(id);
    });
    for (const batch of chunk(missing, HELIX_BATCH)) {
      const users = await call(
        'users',
        priority,
        async () => [...(await api.users.getUsersByNames(batch))],
        signal,
      );
      for (const user of readItems('users', users, readUser)) remember(user);
    }
    return normalised.flatMap((login) => {
      const id = userIdByLogin.get(login);
      return id === undefined ? [] : (usersById.get(id) ?? []);
    });
  }

  const searchTtlSeconds = options.channelSearchTtlSeconds ?? 60;

  return {
    getUsersByIds,
    getUsersByLogins,
    async getUserByLogin(login, priority, signal) {
      // Anything that is not a login cannot exist, so skip the call.
      if (!isTwitchLogin(login.trim())) return null;
      const [user] = await getUsersByLogins([login], priority, signal);
      return user ?? null;
    },

    async getGamesByIds(ids, priority = 'interactive', signal) {
      const unique = [...new Set(ids)].filter((id) => id !== '');
      const missing = unique.filter((id) => !gamesById.has(id));
      for (const batch of chunk(missing, HELIX_BATCH)) {
        const games = await call(
          'games',
          priority,
          async () => [...(await api.games.getGamesByIds(batch))],
          signal,
        );
        for (const game of readItems('games', games, readGame)) gamesById.set(game.id, game);
      }
      return unique.flatMap((id) => gamesById.get(id) ?? []);
    },

    async getStreams(userIds, priority = 'incremental', signal) {
      const streams: TwitchStream[] = [];
      for (const batch of chunk([...new Set(userIds)], HELIX_BATCH)) {
        // Get Streams pages at 20 by default even when given 100 user ids (twurple's getStreamsByUserIds does
        // not ask for more), so ask for the whole batch in one page.
        const page = await call(
          'streams',
          priority,
          async () => [...(await api.streams.getStreams({ userId: batch, limit: HELIX_BATCH })).data],
          signal,
        );
        const fetchedAt = new Date();
        const read = readItems('streams', page, (item) => readStream(item, fetchedAt));
        const withoutLogin = read.filter((entry) => !entry.loginReadable).length;
        if (withoutLogin > 0) reportMalformed('streams', withoutLogin, 'live state kept, login not stored');
        streams.push(...read.map((entry) => entry.stream));
      }
      return streams;
    },

    async getClipsPage(query: ClipWindowQuery): Promise<ClipPage> {
      const page = await call(
        'clips',
        query.priority,
        async () => {
          const result = await api.clips.getClipsForBroadcaster(query.broadcasterId, {
            startDate: query.startedAt.toISOString(),
            endDate: query.endedAt.toISOString(),
            limit: query.first ?? 100,
            ...(query.after ? { after: query.after } : {}),
          });
          return { items: [...result.data], cursor: readCursor(result.cursor) };
        },
        query.signal,
      );
      return { clips: readItems('clips', page.items, readClip), cursor: page.cursor };
    },

    async getClipsByIds(ids, priority = 'incremental', signal): Promise<ClipLookup> {
      const lookup: ClipLookup = { clips: [], unreadableIds: [], unidentified: 0 };
      for (const batch of chunk([...new Set(ids)], HELIX_BATCH)) {
        const items = await call(
          'clips',
          priority,
          async () => [...(await api.clips.getClipsByIds(batch))],
          signal,
        );
        for (const item of items) {
          const clip = readClip(item);
          if (clip !== null) {
            lookup.clips.push(clip);
            continue;
          }
          const id = rawId(item);
          if (id === null) lookup.unidentified += 1;
          else lookup.unreadableIds.push(id);
        }
      }
      const unreadable = lookup.unreadableIds.length + lookup.unidentified;
      if (unreadable > 0) reportMalformed('clips', unreadable);
      return lookup;
    },

    async searchChannels(query, limit = 20, signal): Promise<TwitchChannelSearchResult[]> {
      const trimmed = query.trim();
      if (trimmed === '') return [];
      const first = Math.min(Math.max(limit, 1), 100);
      // Autocomplete asks on every keystroke, often the same prefix again: reuse a recent answer.
      const key = `twitch:search-channels:${first}:${trimmed.toLowerCase()}`;
      const cached = await options.cache?.get<TwitchChannelSearchResult[]>(key);
      if (cached !== undefined) return cached;
      const items = await call(
        'search/channels',
        'interactive',
        async () => [...(await api.search.searchChannels(trimmed, { limit: first })).data],
        signal,
      );
      const channels = readItems('search/channels', items, readChannel);
      await options.cache?.set(key, channels, searchTtlSeconds);
      return channels;
    },

    health(): TwitchHealth {
      return unauthorized ? { up: false, detail: 'Twitch rejected the app credentials' } : { up: true };
    },

    async stop() {
      // The limiter is owned by the caller (it may be shared); nothing else holds resources.
    },
  };
}
