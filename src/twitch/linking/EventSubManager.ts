import { ApiClient } from '@twurple/api';
import { EventSubWsListener } from '@twurple/eventsub-ws';
import { Registry } from 'prom-client';
import type { SqlExecutor } from '../../db/Database.js';
import type { Logger } from '../../observability/logger.js';
import { twurpleLoggerOptions } from '../twurpleLoggerOptions.js';
import { createEventSubMetrics } from './eventSubMetrics.js';
import { LinkedAccountTokens } from './LinkedAccountTokens.js';
import { listLinkedAccounts, markAccountRevoked, updateRefreshToken } from './linkedAccounts.js';
import { decryptToken, encryptToken, type TokenKeyring } from './tokenCipher.js';

/** twurple's subscription handle (typed via the listener: no direct dependency on @twurple/eventsub-base). */
type EventSubSubscription = ReturnType<EventSubWsListener['onStreamOnline']>;

const LIVE_KINDS = ['online', 'offline'] as const;
type LiveKind = (typeof LIVE_KINDS)[number];

export interface EventSubManager {
  /** Loads every linked account and subscribes to its stream.online/offline. */
  start(): Promise<void>;
  /** Adds a freshly linked account, or replaces the token of a re-linked one (the OAuth callback). */
  addAccount(account: { twitchUserId: string; refreshToken: string; linkedAt: Date }): Promise<void>;
  /** Broadcasters with active subscriptions. */
  subscribedBroadcasters(): string[];
  /** Linked accounts whose stored token could not be decrypted at start (wrong or missing key). */
  undecryptableAccounts(): number;
  stop(): Promise<void>;
}

export interface CreateEventSubManagerOptions {
  clientId: string;
  clientSecret: string;
  keyring: TokenKeyring;
  sql: SqlExecutor;
  logger: Logger;
  registry?: Registry;
  /** Applies a live-state change (ClipSync.setLiveState). */
  onLiveChange: (broadcasterId: string, isLive: boolean) => Promise<void>;
  /** Backoff of token refreshes after transient failures (tests shorten it). */
  refreshRetry?: { initialMs: number; maxMs: number };
  clock?: () => Date;
}

/**
 * EventSub over WebSocket for broadcasters who linked their account. Each subscription uses the
 * broadcaster's own token for their own channel, so stream.online/offline cost 0 and the per-token cost
 * limit (10) is never approached: two subscriptions per token, one socket per token (twurple's model).
 * Everyone else's live state comes from Get Streams; EventSub only makes linked channels faster.
 */
export function createEventSubManager(options: CreateEventSubManagerOptions): EventSubManager {
  const log = options.logger.child({ component: 'eventsub' });
  const metrics = createEventSubMetrics(options.registry ?? new Registry());
  const clock = options.clock ?? (() => new Date());
  const subscriptions = new Map<string, Record<LiveKind, EventSubSubscription>>();
  // Subscriptions Twitch did not create (e.g. no token during an outage of its id server): made again later.
  const failed = new Set<string>();
  const connected = new Set<string>();
  // Accounts whose stored token no configured key opened at start; a re-link fixes one.
  const undecryptable = new Set<string>();
  let started = false;

  const tokens = new LinkedAccountTokens({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    logger: log,
    metrics,
    ...(options.refreshRetry ? { retry: options.refreshRetry } : {}),
    // Twitch may rotate refresh tokens; keep the stored one current so a restart can still refresh.
    onRefreshTokenRotated: async (account) => {
      await updateRefreshToken(
        options.sql,
        account,
        encryptToken(account.refreshToken, options.keyring, account.twitchUserId),
      );
    },
    onInvalidGrant: async (account) => {
      unsubscribe(account.twitchUserId);
      await markAccountRevoked(options.sql, account, clock());
    },
    // Subscriptions made while the token could not be refreshed failed; make them again.
    onRecovered: (twitchUserId) => retryFailedSubscriptions(twitchUserId),
  });
  const apiClient = new ApiClient({
    authProvider: tokens,
    logger: twurpleLoggerOptions(options.logger, 'twurple-eventsub-api'),
  });
  const listener = new EventSubWsListener({
    apiClient,
    logger: twurpleLoggerOptions(options.logger, 'twurple-eventsub'),
  });

  const updateConnectionGauge = () => {
    metrics.connection.set({ state: 'connected' }, connected.size);
    metrics.connection.set({ state: 'disconnected' }, Math.max(0, subscriptions.size - connected.size));
  };

  listener.onUserSocketConnect((userId) => {
    connected.add(userId);
    updateConnectionGauge();
    log.info({ twitchUserId: userId }, 'EventSub socket connected');
  });
  listener.onUserSocketDisconnect((userId, error) => {
    connected.delete(userId);
    updateConnectionGauge();
    // twurple reconnects by itself (and follows session_reconnect); this is for visibility.
    log.warn({ twitchUserId: userId, reason: error?.message }, 'EventSub socket disconnected');
  });
  listener.onRevoke((subscription, status) => {
    metrics.notifications.inc({ type: 'revocation' });
    log.warn({ subscription: subscription.id, status }, 'EventSub subscription revoked');
    const userId = subscription.authUserId;
    if (userId && status === 'authorization_revoked') {
      unsubscribe(userId);
      tokens.removeAccount(userId);
      void markAccountRevoked(options.sql, { twitchUserId: userId }, clock()).catch((error: unknown) =>
        log.error({ err: error, twitchUserId: userId }, 'Could not mark the account revoked'),
      );
    }
  });
  listener.onSubscriptionCreateFailure((subscription, error) => {
    failed.add(subscription.id);
    log.warn({ subscription: subscription.id, err: error.message }, 'EventSub subscription failed');
  });
  listener.onSubscriptionCreateSuccess((subscription) => failed.delete(subscription.id));

  function unsubscribe(userId: string): void {
    for (const subscription of Object.values(subscriptions.get(userId) ?? {})) {
      failed.delete(subscription.id);
      subscription.stop();
    }
    subscriptions.delete(userId);
    connected.delete(userId);
    updateConnectionGauge();
  }

  function createSubscription(userId: string, kind: LiveKind): EventSubSubscription {
    const isLive = kind === 'online';
    const handler = (event: { broadcasterId: string }) => {
      metrics.notifications.inc({ type: `stream.${kind}` });
      void options
        .onLiveChange(event.broadcasterId, isLive)
        .catch((error: unknown) =>
          log.error({ err: error }, 'Could not apply an EventSub live-state change'),
        );
    };
    return isLive ? listener.onStreamOnline(userId, handler) : listener.onStreamOffline(userId, handler);
  }

  function subscribe(userId: string): void {
    if (subscriptions.has(userId)) return;
    subscriptions.set(userId, {
      online: createSubscription(userId, 'online'),
      offline: createSubscription(userId, 'offline'),
    });
    updateConnectionGauge();
  }

  /** Replaces the subscriptions of this user that Twitch never created; working ones are left alone. */
  function retryFailedSubscriptions(userId: string): void {
    const current = subscriptions.get(userId);
    if (!current) return;
    for (const kind of LIVE_KINDS) {
      const subscription = current[kind];
      if (!failed.delete(subscription.id)) continue;
      subscription.stop();
      current[kind] = createSubscription(userId, kind);
      log.info({ twitchUserId: userId, kind }, 'Retrying an EventSub subscription that failed');
    }
  }

  return {
    async start() {
      if (started) return;
      started = true;
      const accounts = await listLinkedAccounts(options.sql);
      undecryptable.clear();
      for (const account of accounts) {
        try {
          const refreshToken = decryptToken(
            account.encryptedRefreshToken,
            options.keyring,
            account.twitchUserId,
          );
          tokens.setAccount({ twitchUserId: account.twitchUserId, refreshToken, linkedAt: account.linkedAt });
          subscribe(account.twitchUserId);
        } catch (error) {
          undecryptable.add(account.twitchUserId);
          log.error({ twitchUserId: account.twitchUserId, err: error }, 'Skipping a linked account');
        }
      }
      listener.start();
      log.info({ accounts: subscriptions.size, undecryptable: undecryptable.size }, 'EventSub started');
    },
    async addAccount(account) {
      // A re-link replaces the token in memory at once; the old link's refreshes can no longer write.
      tokens.setAccount(account);
      undecryptable.delete(account.twitchUserId);
      subscribe(account.twitchUserId);
      retryFailedSubscriptions(account.twitchUserId);
    },
    subscribedBroadcasters: () => [...subscriptions.keys()],
    undecryptableAccounts: () => undecryptable.size,
    async stop() {
      if (!started) return;
      started = false;
      tokens.stop();
      listener.stop();
      connected.clear();
      updateConnectionGauge();
      log.info('EventSub stopped');
    },
  };
}
