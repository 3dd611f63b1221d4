import { ApiClient } from '@twurple/api';
import { RefreshingAuthProvider } from '@twurple/auth';
import { EventSubWsListener } from '@twurple/eventsub-ws';
import { Registry } from 'prom-client';
import { decryptToken, encryptToken } from '../crypto/tokenCipher.js';
import type { SqlExecutor } from '../db/Database.js';
import type { Logger } from '../observability/logger.js';
import { twurpleLoggerOptions } from './twurpleLoggerOptions.js';
import { createSyncMetrics } from '../sync/syncMetrics.js';
import { listLinkedAccounts, markAccountRevoked, updateRefreshToken } from './twitchAccounts.js';

/** twurple's subscription handle (typed via the listener: no direct dependency on @twurple/eventsub-base). */
type EventSubSubscription = ReturnType<EventSubWsListener['onStreamOnline']>;

export interface EventSubManager {
  /** Loads every linked account and subscribes to its stream.online/offline. */
  start(): Promise<void>;
  /** Adds a freshly linked account (the OAuth callback's onLinked hook). */
  addAccount(account: { twitchUserId: string; refreshToken: string }): Promise<void>;
  /** Broadcasters with active subscriptions. */
  subscribedBroadcasters(): string[];
  stop(): Promise<void>;
}

export interface CreateEventSubManagerOptions {
  clientId: string;
  clientSecret: string;
  tokenEncryptionKey: Buffer;
  sql: SqlExecutor;
  logger: Logger;
  registry?: Registry;
  /** Applies a live-state change (ClipSync.setLiveState). */
  onLiveChange: (broadcasterId: string, isLive: boolean) => Promise<void>;
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
  const metrics = createSyncMetrics(options.registry ?? new Registry());
  const clock = options.clock ?? (() => new Date());
  const authProvider = new RefreshingAuthProvider({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
  });
  const apiClient = new ApiClient({
    authProvider,
    logger: twurpleLoggerOptions(options.logger, 'twurple-eventsub-api'),
  });
  const listener = new EventSubWsListener({
    apiClient,
    logger: twurpleLoggerOptions(options.logger, 'twurple-eventsub'),
  });
  const subscriptions = new Map<string, EventSubSubscription[]>();
  const connected = new Set<string>();
  let started = false;

  const updateConnectionGauge = () => {
    metrics.eventSubConnection.set({ state: 'connected' }, connected.size);
    metrics.eventSubConnection.set(
      { state: 'disconnected' },
      Math.max(0, subscriptions.size - connected.size),
    );
  };

  authProvider.onRefresh((userId, token) => {
    if (!token.refreshToken) return;
    // Twitch may rotate refresh tokens; keep the stored one current so a restart can still refresh.
    void updateRefreshToken(
      options.sql,
      userId,
      encryptToken(token.refreshToken, options.tokenEncryptionKey),
    ).catch((error: unknown) =>
      log.error({ err: error, twitchUserId: userId }, 'Could not store a refreshed token'),
    );
  });
  authProvider.onRefreshFailure((userId) => {
    log.warn({ twitchUserId: userId }, 'Twitch refused a linked account token; marking it revoked');
    void revoke(userId);
  });

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
    metrics.eventSubNotifications.inc({ type: 'revocation' });
    log.warn({ subscription: subscription.id, status }, 'EventSub subscription revoked');
    const userId = subscription.authUserId;
    if (userId && status === 'authorization_revoked') void revoke(userId);
  });
  listener.onSubscriptionCreateFailure((subscription, error) => {
    log.warn({ subscription: subscription.id, err: error.message }, 'EventSub subscription failed');
  });

  async function revoke(userId: string): Promise<void> {
    for (const subscription of subscriptions.get(userId) ?? []) subscription.stop();
    subscriptions.delete(userId);
    connected.delete(userId);
    updateConnectionGauge();
    authProvider.removeUser(userId);
    await markAccountRevoked(options.sql, userId, clock()).catch((error: unknown) =>
      log.error({ err: error, twitchUserId: userId }, 'Could not mark the account revoked'),
    );
  }

  function subscribe(userId: string, refreshToken: string): void {
    if (subscriptions.has(userId)) return;
    // An empty, already-expired access token makes twurple refresh before the first use.
    authProvider.addUser(userId, {
      accessToken: '',
      refreshToken,
      expiresIn: 0,
      obtainmentTimestamp: 0,
      scope: [],
    });
    const live = (isLive: boolean) => (event: { broadcasterId: string }) => {
      metrics.eventSubNotifications.inc({ type: isLive ? 'stream.online' : 'stream.offline' });
      void options
        .onLiveChange(event.broadcasterId, isLive)
        .catch((error: unknown) =>
          log.error({ err: error }, 'Could not apply an EventSub live-state change'),
        );
    };
    subscriptions.set(userId, [
      listener.onStreamOnline(userId, live(true)),
      listener.onStreamOffline(userId, live(false)),
    ]);
    updateConnectionGauge();
  }

  return {
    async start() {
      if (started) return;
      started = true;
      const accounts = await listLinkedAccounts(options.sql);
      for (const account of accounts) {
        try {
          subscribe(
            account.twitchUserId,
            decryptToken(account.encryptedRefreshToken, options.tokenEncryptionKey),
          );
        } catch (error) {
          log.error({ twitchUserId: account.twitchUserId, err: error }, 'Skipping a linked account');
        }
      }
      listener.start();
      log.info({ accounts: subscriptions.size }, 'EventSub started');
    },
    async addAccount(account) {
      subscribe(account.twitchUserId, account.refreshToken);
    },
    subscribedBroadcasters: () => [...subscriptions.keys()],
    async stop() {
      if (!started) return;
      started = false;
      listener.stop();
      connected.clear();
      updateConnectionGauge();
      log.info('EventSub stopped');
    },
  };
}
