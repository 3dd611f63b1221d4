import { extractUserId, type UserIdResolvable } from '@twurple/api';
import { refreshUserToken, type AccessTokenWithUserId, type AuthProvider } from '@twurple/auth';
import type { Logger } from '../../observability/logger.js';
import { AppError } from '../../shared/errors.js';
import type { EventSubMetrics } from './eventSubMetrics.js';

/** A linked account as the token provider holds it: the decrypted refresh token and which link it came from. */
export interface LinkedAccountToken {
  twitchUserId: string;
  refreshToken: string;
  /** Identifies the link: a refresh started under an older link never overwrites a newer one. */
  linkedAt: Date;
}

export interface LinkedAccountTokensOptions {
  clientId: string;
  clientSecret: string;
  logger: Logger;
  metrics: EventSubMetrics;
  /** Twitch rotated the refresh token: store it (encrypted) for this link. */
  onRefreshTokenRotated(account: LinkedAccountToken): Promise<void>;
  /** Twitch answered "invalid refresh token": the owner revoked access or the token died. */
  onInvalidGrant(account: LinkedAccountToken): Promise<void>;
  /** A refresh succeeded after transient failures: subscriptions that failed meanwhile can be made again. */
  onRecovered(twitchUserId: string): void;
  /** Backoff between refresh attempts after transient failures (doubling, ±20 % jitter). */
  retry?: { initialMs: number; maxMs: number };
  now?: () => number;
}

/** Refresh this long before the token expires, as twurple does, so a request never carries a dying token. */
const EXPIRY_MARGIN_MS = 60_000;
const DEFAULT_RETRY = { initialMs: 5_000, maxMs: 5 * 60_000 };

interface Entry {
  account: LinkedAccountToken;
  accessToken: string | null;
  expiresAt: number;
  expiresIn: number | null;
  obtainedAt: number;
  scopes: string[];
  refreshing: Promise<AccessTokenWithUserId> | null;
  failures: number;
  retryAt: number;
  retryTimer: NodeJS.Timeout | null;
}

/**
 * Twitch's answer to a dead refresh token: 400 "Invalid refresh token" from id.twitch.tv/oauth2/token. Network
 * errors, timeouts, 429 and 5xx are outages of Twitch's id server, not a verdict on the token.
 */
export function isInvalidGrant(error: unknown): boolean {
  const { statusCode, body } = (error ?? {}) as { statusCode?: unknown; body?: unknown };
  return statusCode === 400 && typeof body === 'string' && /invalid refresh token/i.test(body);
}

/**
 * twurple AuthProvider for the user tokens of linked broadcasters. twurple's RefreshingAuthProvider reports
 * every failed refresh the same way (a 503 looks like a revoked grant) and lets a refresh that started before
 * a re-link write the old token back; this provider unlinks only on invalid_grant, retries other failures with
 * backoff (failing fast meanwhile), and discards any refresh whose link was replaced while it ran.
 */
export class LinkedAccountTokens implements AuthProvider {
  readonly clientId: string;
  readonly #options: LinkedAccountTokensOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #log: Logger;
  readonly #retry: { initialMs: number; maxMs: number };
  readonly #now: () => number;
  #stopped = false;

  constructor(options: LinkedAccountTokensOptions) {
    this.clientId = options.clientId;
    this.#options = options;
    this.#log = options.logger;
    this.#retry = options.retry ?? DEFAULT_RETRY;
    this.#now = options.now ?? Date.now;
  }

  /** Adds an account or replaces its token (a re-link): the next request uses the new refresh token. */
  setAccount(account: LinkedAccountToken): void {
    this.removeAccount(account.twitchUserId);
    this.#entries.set(account.twitchUserId, {
      account: { ...account },
      accessToken: null,
      expiresAt: 0,
      expiresIn: null,
      obtainedAt: 0,
      scopes: [],
      refreshing: null,
      failures: 0,
      retryAt: 0,
      retryTimer: null,
    });
  }

  removeAccount(twitchUserId: string): void {
    const entry = this.#entries.get(twitchUserId);
    if (entry?.retryTimer) clearTimeout(entry.retryTimer);
    this.#entries.delete(twitchUserId);
  }

  has(twitchUserId: string): boolean {
    return this.#entries.has(twitchUserId);
  }

  /** Cancels pending retries and schedules no more (shutdown). */
  stop(): void {
    this.#stopped = true;
    for (const entry of this.#entries.values()) {
      if (entry.retryTimer) clearTimeout(entry.retryTimer);
      entry.retryTimer = null;
    }
  }

  getCurrentScopesForUser(user: UserIdResolvable): string[] {
    return this.#entries.get(extractUserId(user))?.scopes ?? [];
  }

  async getAccessTokenForUser(user: UserIdResolvable): Promise<AccessTokenWithUserId | null> {
    const entry = this.#entries.get(extractUserId(user));
    if (!entry) return null;
    if (entry.accessToken !== null && entry.expiresAt - EXPIRY_MARGIN_MS > this.#now()) {
      return this.#toAccessToken(entry);
    }
    return await this.#refreshUnlessBackingOff(entry);
  }

  /** twurple calls this after a 401; it respects the backoff like any other refresh. */
  async refreshAccessTokenForUser(user: UserIdResolvable): Promise<AccessTokenWithUserId> {
    const userId = extractUserId(user);
    const entry = this.#entries.get(userId);
    if (!entry) throw new AppError('twitch.unknownLinkedAccount', `no linked account ${userId}`);
    return await this.#refreshUnlessBackingOff(entry);
  }

  async getAnyAccessToken(user?: UserIdResolvable): Promise<AccessTokenWithUserId> {
    // This provider only serves linked accounts' own requests (EventSub over WebSocket needs user tokens).
    const token = user === undefined ? null : await this.getAccessTokenForUser(user);
    if (!token) throw new AppError('twitch.unknownLinkedAccount', 'no linked account for this request');
    return token;
  }

  #refreshUnlessBackingOff(entry: Entry): Promise<AccessTokenWithUserId> {
    if (entry.retryAt > this.#now()) {
      // Fail fast while backing off: twurple's callers would otherwise hit Twitch's id server on every request.
      return Promise.reject(
        new AppError(
          'twitch.tokenRefreshBackoff',
          `token refresh for linked account ${entry.account.twitchUserId} is backing off after a failure`,
        ),
      );
    }
    return this.#refresh(entry);
  }

  #refresh(entry: Entry): Promise<AccessTokenWithUserId> {
    entry.refreshing ??= this.#refreshOnce(entry).finally(() => {
      entry.refreshing = null;
    });
    return entry.refreshing;
  }

  #isCurrent(entry: Entry): boolean {
    return this.#entries.get(entry.account.twitchUserId) === entry;
  }

  async #refreshOnce(entry: Entry): Promise<AccessTokenWithUserId> {
    const { twitchUserId } = entry.account;
    const usedRefreshToken = entry.account.refreshToken;
    let token: Awaited<ReturnType<typeof refreshUserToken>>;
    try {
      token = await refreshUserToken(this.clientId, this.#options.clientSecret, usedRefreshToken);
    } catch (error) {
      if (!this.#isCurrent(entry)) throw supersededError(twitchUserId);
      const status = (error as { statusCode?: unknown }).statusCode;
      if (isInvalidGrant(error)) {
        this.#options.metrics.tokenRefreshes.inc({ outcome: 'invalid_grant' });
        this.#log.warn({ twitchUserId, status }, 'Twitch rejected a linked account token; unlinking it');
        this.removeAccount(twitchUserId);
        await this.#options
          .onInvalidGrant({ ...entry.account })
          .catch((failure: unknown) =>
            this.#log.error({ err: failure, twitchUserId }, 'Could not mark a linked account revoked'),
          );
        throw new AppError('twitch.linkRevoked', `linked account ${twitchUserId} was revoked`);
      }
      this.#scheduleRetry(entry, status, error);
      throw new AppError('twitch.tokenRefreshFailed', `token refresh for ${twitchUserId} failed; will retry`);
    }
    if (!this.#isCurrent(entry)) {
      // Re-linked (or unlinked) while this refresh ran: its token belongs to the old link.
      this.#options.metrics.tokenRefreshes.inc({ outcome: 'superseded' });
      throw supersededError(twitchUserId);
    }
    const recovered = entry.failures > 0;
    entry.failures = 0;
    entry.retryAt = 0;
    entry.accessToken = token.accessToken;
    entry.expiresIn = token.expiresIn;
    entry.obtainedAt = token.obtainmentTimestamp;
    entry.expiresAt =
      token.expiresIn === null ? Number.MAX_SAFE_INTEGER : token.obtainmentTimestamp + token.expiresIn * 1000;
    entry.scopes = token.scope;
    this.#options.metrics.tokenRefreshes.inc({ outcome: 'ok' });
    if (token.refreshToken && token.refreshToken !== usedRefreshToken) {
      entry.account.refreshToken = token.refreshToken;
      await this.#options
        .onRefreshTokenRotated({ ...entry.account })
        .catch((error: unknown) =>
          this.#log.error({ err: error, twitchUserId }, 'Could not store a rotated refresh token'),
        );
    }
    if (recovered) {
      this.#log.info({ twitchUserId }, 'Linked account token refreshed again after failures');
      this.#options.onRecovered(twitchUserId);
    }
    return this.#toAccessToken(entry);
  }

  #scheduleRetry(entry: Entry, status: unknown, error: unknown): void {
    entry.failures++;
    const base = Math.min(this.#retry.maxMs, this.#retry.initialMs * 2 ** (entry.failures - 1));
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    entry.retryAt = this.#now() + delay;
    this.#options.metrics.tokenRefreshes.inc({ outcome: 'transient_failure' });
    // The error's message quotes the request URL, which carries the refresh token: log its name and status only.
    this.#log.warn(
      {
        twitchUserId: entry.account.twitchUserId,
        status,
        errorName: (error as Error | null)?.name,
        attempt: entry.failures,
        retryInMs: delay,
      },
      'Linked account token refresh failed (Twitch unreachable or erroring); keeping the account and retrying',
    );
    if (entry.retryTimer) clearTimeout(entry.retryTimer);
    if (this.#stopped) return;
    entry.retryTimer = setTimeout(() => {
      entry.retryTimer = null;
      if (!this.#isCurrent(entry)) return;
      // Errors are handled (and the next retry scheduled) inside #refreshOnce.
      this.#refresh(entry).catch(() => undefined);
    }, delay);
    entry.retryTimer.unref();
  }

  #toAccessToken(entry: Entry): AccessTokenWithUserId {
    return {
      accessToken: entry.accessToken!,
      refreshToken: entry.account.refreshToken,
      scope: entry.scopes,
      expiresIn: entry.expiresIn,
      obtainmentTimestamp: entry.obtainedAt,
      userId: entry.account.twitchUserId,
    };
  }
}

function supersededError(twitchUserId: string): AppError {
  return new AppError('twitch.linkReplaced', `linked account ${twitchUserId} was re-linked during a refresh`);
}
