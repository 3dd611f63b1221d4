import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decryptToken } from '../../../src/crypto/tokenCipher.js';
import { createTwitchLinkUrl, twitchAuthRoutes } from '../../../src/http/twitchAuthRoutes.js';
import type { ClipSync } from '../../../src/sync/ClipSync.js';
import { createEventSubManager, type EventSubManager } from '../../../src/twitch/EventSubManager.js';
import { testLogger } from '../../support/databases.js';
import { startSyncHarness, type SyncHarness } from './syncHarness.js';

const key = randomBytes(32);
const publicUrl = 'https://bot.example';
let h: SyncHarness;
let app: FastifyInstance;
let sync: ClipSync;
let manager: EventSubManager;
const linked: { twitchUserId: string; refreshToken: string }[] = [];

beforeAll(async () => {
  h = await startSyncHarness();
  sync = h.newSync();
  manager = createEventSubManager({
    clientId: h.fake.clientId,
    clientSecret: h.fake.clientSecret,
    tokenEncryptionKey: key,
    sql: h.db.sql,
    logger: testLogger(),
    registry: h.registry,
    onLiveChange: (id, isLive) => sync.setLiveState(id, isLive),
  });
  app = Fastify();
  await app.register(twitchAuthRoutes, {
    clientId: h.fake.clientId,
    clientSecret: h.fake.clientSecret,
    publicUrl,
    tokenEncryptionKey: key,
    sql: h.db.sql,
    logger: testLogger(),
    authorizeUrl: `${h.fake.url}/auth/authorize`,
    onLinked: async (account) => {
      linked.push(account);
      await manager.addAccount(account);
    },
  });
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await app?.close();
  await h?.close();
});

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Follows the whole browser round trip: our start link → Twitch consent → our callback. */
async function linkAs(login: string, discordUserId: string) {
  const link = new URL(
    createTwitchLinkUrl({ publicUrl, tokenEncryptionKey: key, discordUserId, now: new Date() }),
  );
  const start = await app.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
  expect(start.statusCode).toBe(302);
  const authorize = new URL(start.headers.location as string);
  authorize.searchParams.set('login', login);
  const consent = await fetch(authorize, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location')!);
  expect(callback.origin + callback.pathname).toBe(`${publicUrl}/auth/twitch/callback`);
  return app.inject({ method: 'GET', url: `${callback.pathname}${callback.search}` });
}

describe('Twitch account linking and EventSub', () => {
  it('links an account through signed state and stores only an encrypted refresh token', async () => {
    const user = h.fake.addBroadcaster({ login: 'linkedstreamer' });
    const response = await linkAs('linkedstreamer', '123456789012345678');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('linkedstreamer');

    const [row] = await h.db.sql.query<{
      encrypted_refresh_token: string;
      linked_by_discord_user_id: string;
    }>(
      `SELECT encrypted_refresh_token, linked_by_discord_user_id FROM twitch_accounts WHERE twitch_user_id = $1`,
      [user.id],
    );
    expect(row?.linked_by_discord_user_id).toBe('123456789012345678');
    const refreshToken = linked.find((account) => account.twitchUserId === user.id)?.refreshToken;
    expect(refreshToken).toBeTruthy();
    expect(row?.encrypted_refresh_token).not.toContain(refreshToken!);
    expect(decryptToken(row!.encrypted_refresh_token, key)).toBe(refreshToken);
    expect(response.body).not.toContain(refreshToken!);
  });

  it('rejects a forged or expired state', async () => {
    const forged = await app.inject({
      method: 'GET',
      url: '/auth/twitch/callback?code=abc&state=eyJkIjoiMSJ9.AAAA',
    });
    expect(forged.statusCode).toBe(400);
    const expired = createTwitchLinkUrl({
      publicUrl,
      tokenEncryptionKey: key,
      discordUserId: '1',
      now: new Date(Date.now() - 3_600_000),
    });
    const url = new URL(expired);
    const start = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
    expect(start.statusCode).toBe(400);
  });

  it('marks a linked channel live and offline from EventSub, also across a reconnect', async () => {
    const user = h.fake.addBroadcaster({ login: 'eventsubstreamer' });
    await sync.trackChannel({ broadcasterId: user.id, reason: 'subscription' });
    expect((await linkAs('eventsubstreamer', '223456789012345678')).statusCode).toBe(200);
    await waitFor(
      () =>
        h.fake
          .eventSubSubscriptions()
          .filter((s) => s.status === 'enabled' && s.condition.broadcaster_user_id === user.id).length === 2,
    );
    const cost = h.fake
      .eventSubSubscriptions()
      .filter((s) => s.condition.broadcaster_user_id === user.id)
      .reduce((sum, s) => sum + s.cost, 0);
    expect(cost).toBe(0);

    h.fake.goLive(user.id);
    await waitFor(async () => (await sync.getChannelSyncStatus(user.id))?.isLive === true);

    h.fake.requestReconnect();
    await new Promise((resolve) => setTimeout(resolve, 500));
    h.fake.goOffline(user.id);
    await waitFor(async () => (await sync.getChannelSyncStatus(user.id))?.isLive === false);
  });

  it('stops using an account whose owner revoked the authorisation', async () => {
    const user = h.fake.addBroadcaster({ login: 'revokingstreamer' });
    expect((await linkAs('revokingstreamer', '323456789012345678')).statusCode).toBe(200);
    await waitFor(() => manager.subscribedBroadcasters().includes(user.id));
    await waitFor(
      () =>
        h.fake
          .eventSubSubscriptions()
          .filter((s) => s.status === 'enabled' && s.condition.broadcaster_user_id === user.id).length === 2,
    );
    h.fake.revokeUserAuthorization(user.id);
    await waitFor(async () => {
      const [row] = await h.db.sql.query<{ revoked_at: Date | null }>(
        `SELECT revoked_at FROM twitch_accounts WHERE twitch_user_id = $1`,
        [user.id],
      );
      return row?.revoked_at != null;
    });
    expect(manager.subscribedBroadcasters()).not.toContain(user.id);
  });
});
