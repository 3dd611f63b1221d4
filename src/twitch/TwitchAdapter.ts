import { isTwitchLogin } from './twitchIdentifiers.js';
import { ApiClient, type ApiConfig, type HelixClip } from '@twurple/api';
import { AppTokenAuthProvider, type AuthProvider } from '@twurple/auth';
import { LRUCache } from 'lru-cache';
import { Registry, type Counter, type Gauge } from 'prom-client';
import type { ClipRecord } from '../clips/ClipRecord.js';
import type { Logger } from '../observability/logger.js';
import { getOrCreateCounter, getOrCreateGauge } from '../observability/metrics.js';
import { twurpleLoggerOptions } from '../observability/twurpleLoggerOptions.js';
import { AppError } from '../shared/errors.js';
import type { HelixLimiter, HelixPriority } from './helixLimiter.js';
import type {
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

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
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

function isValidDate(date: Date): boolean {
  return !Number.isNaN(date.getTime());
}

/** HelixClip → ClipRecord; null when the item is malformed (missing id or date). */
export function mapClip(clip: HelixClip): ClipRecord | null {
  const id = clip.id;
  const createdAt = clip.creationDate;
  if (
    typeof id !== 'string' ||
    id === '' ||
    !isValidDate(createdAt) ||
    typeof clip.broadcasterId !== 'string'
  ) {
    return null;
  }
  const views = Number(clip.views);
  return {
    id,
    broadcasterId: clip.broadcasterId,
    creatorId: clip.creatorId ?? '',
    creatorName: clip.creatorDisplayName ?? '',
    videoId: clip.videoId ? clip.videoId : null,
    gameId: clip.gameId ? clip.gameId : null,
    language: clip.language ?? '',
    title: clip.title ?? '',
    viewCount: Number.isFinite(views) ? views : 0,
    createdAt,
    thumbnailUrl: clip.thumbnailUrl ?? '',
    url: clip.url ?? '',
    embedUrl: clip.embedUrl ?? '',
    durationSec: Number(clip.duration) || 0,
    vodOffset: clip.vodOffset ?? null,
    isFeatured: clip.isFeatured === true,
  };
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

  /** Runs one Helix call through the limiter and maps failures to AppErrors. */
  async function call<T>(endpoint: string, priority: HelixPriority, work: () => Promise<T>): Promise<T> {
    try {
      const result = await options.limiter.schedule(priority, work);
      unauthorized = false;
      return result;
    } catch (error) {
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

  function mapUser(user: {
    id: string;
    name: string;
    displayName: string;
    profilePictureUrl: string;
    broadcasterType: string;
    creationDate: Date;
  }): TwitchUser {
    return {
      id: user.id,
      login: user.name,
      displayName: user.displayName || user.name,
      profileImageUrl: user.profilePictureUrl || null,
      broadcasterType: user.broadcasterType ?? '',
      createdAt: user.creationDate,
    };
  }

  function remember(user: TwitchUser): void {
    usersById.set(user.id, user);
    userIdByLogin.set(user.login.toLowerCase(), user.id);
  }

  async function getUsersByIds(
    ids: readonly string[],
    priority: HelixPriority = 'interactive',
  ): Promise<TwitchUser[]> {
    const unique = [...new Set(ids)];
    const missing = unique.filter((id) => !usersById.has(id));
    for (const batch of chunk(missing, HELIX_BATCH)) {
      const users = await call('users', priority, () => api.users.getUsersByIds(batch));
      for (const user of users) remember(mapUser(user));
    }
    return unique.flatMap((id) => usersById.get(id) ?? []);
  }

  async function getUsersByLogins(
    logins: readonly string[],
    priority: HelixPriority = 'interactive',
  ): Promise<TwitchUser[]> {
    const normalised = [
      ...new Set(logins.map((login) => login.trim().toLowerCase()).filter((l) => l !== '')),
    ];
    const missing = normalised.filter((login) => {
      const id = userIdByLogin.get(login);
      return id === undefined || !usersById.has(id);
    });
    for (const batch of chunk(missing, HELIX_BATCH)) {
      const users = await call('users', priority, () => api.users.getUsersByNames(batch));
      for (const user of users) remember(mapUser(user));
    }
    return normalised.flatMap((login) => {
      const id = userIdByLogin.get(login);
      return id === undefined ? [] : (usersById.get(id) ?? []);
    });
  }

  return {
    getUsersByIds,
    getUsersByLogins,
    async getUserByLogin(login, priority) {
      // Anything that is not a login cannot exist, so skip the call.
      if (!isTwitchLogin(login.trim())) return null;
      const [user] = await getUsersByLogins([login], priority);
      return user ?? null;
    },

    async getGamesByIds(ids, priority = 'interactive') {
      const unique = [...new Set(ids)].filter((id) => id !== '');
      const missing = unique.filter((id) => !gamesById.has(id));
      for (const batch of chunk(missing, HELIX_BATCH)) {
        const games = await call('games', priority, () => api.games.getGamesByIds(batch));
        for (const game of games) {
          gamesById.set(game.id, { id: game.id, name: game.name, boxArtUrl: game.boxArtUrl || null });
        }
      }
      return unique.flatMap((id) => gamesById.get(id) ?? []);
    },

    async getStreams(userIds, priority = 'incremental') {
      const streams: TwitchStream[] = [];
      for (const batch of chunk([...new Set(userIds)], HELIX_BATCH)) {
        // Get Streams pages at 20 by default even when given 100 user ids (twurple's getStreamsByUserIds does
        // not ask for more), so ask for the whole batch in one page.
        const { data: page } = await call('streams', priority, () =>
          api.streams.getStreams({ userId: batch, limit: HELIX_BATCH }),
        );
        for (const stream of page) {
          streams.push({
            userId: stream.userId,
            userLogin: stream.userName,
            userDisplayName: stream.userDisplayName,
            gameId: stream.gameId || null,
            title: stream.title,
            viewerCount: stream.viewers,
            startedAt: stream.startDate,
          });
        }
      }
      return streams;
    },

    async getClipsPage(query: ClipWindowQuery): Promise<ClipPage> {
      const result = await call('clips', query.priority, () =>
        api.clips.getClipsForBroadcaster(query.broadcasterId, {
          startDate: query.startedAt.toISOString(),
          endDate: query.endedAt.toISOString(),
          limit: query.first ?? 100,
          ...(query.after ? { after: query.after } : {}),
        }),
      );
      const clips: ClipRecord[] = [];
      for (const clip of result.data) {
        const mapped = mapClip(clip);
        if (mapped === null) metrics.malformed.inc({ endpoint: 'clips' });
        else clips.push(mapped);
      }
      return { clips, cursor: result.cursor ? result.cursor : null };
    },

    async getClipsByIds(ids, priority = 'incremental') {
      const clips: ClipRecord[] = [];
      for (const batch of chunk([...new Set(ids)], HELIX_BATCH)) {
        const found = await call('clips', priority, () => api.clips.getClipsByIds(batch));
        for (const clip of found) {
          const mapped = mapClip(clip);
          if (mapped === null) metrics.malformed.inc({ endpoint: 'clips' });
          else clips.push(mapped);
        }
      }
      return clips;
    },

    async searchChannels(query, limit = 20): Promise<TwitchChannelSearchResult[]> {
      const trimmed = query.trim();
      if (trimmed === '') return [];
      const result = await call('search/channels', 'interactive', () =>
        api.search.searchChannels(trimmed, { limit: Math.min(Math.max(limit, 1), 100) }),
      );
      return result.data.map((channel) => ({
        id: channel.id,
        login: channel.name,
        displayName: channel.displayName,
        isLive: channel.isLive,
        gameId: channel.gameId || null,
        thumbnailUrl: channel.thumbnailUrl || null,
      }));
    },

    health(): TwitchHealth {
      return unauthorized ? { up: false, detail: 'Twitch rejected the app credentials' } : { up: true };
    },

    async stop() {
      // The limiter is owned by the caller (it may be shared); nothing else holds resources.
    },
  };
}
