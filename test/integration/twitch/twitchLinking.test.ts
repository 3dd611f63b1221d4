// Twitch account linking end to end against the fake Twitch: the browser round trip through the real OAuth
// routes, the stored token, EventSub for linked broadcasters, and what happens when refreshing tokens fails.
import { randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twitchAuthRoutes } from '../../../src/http/twitchAuthRoutes.js';
import type { ClipSync } from '../../../src/sync/ClipSync.js';
import { createEventSubManager, type EventSubManager } from '../../../src/twitch/linking/EventSubManager.js';
import { createTwitchLinkUrl } from '../../../src/twitch/linking/linkUrl.js';
import { createTokenKeyring, decryptToken } from '../../../src/twitch/linking/tokenCipher.js';
import { createTwitchLinkFlow, type TwitchLinkFlow } from '../../../src/twitch/linking/TwitchLinkFlow.js';
import { testLogger } from '../../support/databases.js';
import { startSyncHarness, type SyncHarness } from '../sync/syncHarness.js';

const key = randomBytes(32);
const keyring = createTokenKeyring(key);
const publicUrl = 'https://bot.example';
let h: SyncHarness;
let app: FastifyInstance;
let flow: TwitchLinkFlow;
let sync: ClipSync;
let manager: EventSubManager;
const linked: { twitchUserId: string; refreshToken: string }[] = [];

beforeAll(async () => {
  h = await startSyncHarness();
  sync = h.newSync();
  manager = createEventSubManager({
    clientId: h.fake.clientId,
    clientSecret: h.fake.clientSecret,
    keyring,
    sql: h.db.sql,
    logger: testLogger(),
    registry: h.registry,
    onLiveChange: (id, isLive) => sync.setLiveState(id, isLive),
    refreshRetry: { initialMs: 200, maxMs: 400 },
  });
  flow = createTwitchLinkFlow({
    clientId: h.fake.clientId,
    clientSecret: h.fake.clientSecret,
    publicUrl,
    keyring,
    sql: h.db.sql,
    logger: testLogger(),
    authorizeUrl: `${h.fake.url}/auth/authorize`,
    onLinked: async (account) => {
      linked.push(account);
      await manager.addAccount(account);
    },
  });
  app = Fastify();
  await app.register(twitchAuthRoutes, { flow, secureCookie: true, requestsPerMinute: 1_000 });
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

/** Follows the browser round trip up to Twitch's redirect back: our start link → cookie → Twitch consent. */
async function startFlow(login: string, discordUserId: string, server = app) {
  const link = new URL(
    createTwitchLinkUrl({ publicUrl, tokenEncryptionKey: key, discordUserId, now: new Date() }),
  );
  const start = await server.inject({ method: 'GET', url: `${link.pathname}${link.search}` });
  expect(start.statusCode).toBe(302);
  const setCookie = String(start.headers['set-cookie']);
  expect(setCookie).toMatch(/HttpOnly/);
  expect(setCookie).toMatch(/Secure/);
  expect(setCookie).toMatch(/SameSite=Lax/);
  const cookie = setCookie.split(';')[0]!;
  const authorize = new URL(start.headers.location as string);
  authorize.searchParams.set('login', login);
  const consent = await fetch(authorize, { redirect: 'manual' });
  const callback = new URL(consent.headers.get('location')!);
  expect(callback.origin + callback.pathname).toBe(`${publicUrl}/auth/twitch/callback`);
  return { callbackUrl: `${callback.pathname}${callback.search}`, cookie };
}

async function linkAs(login: string, discordUserId: string) {
  const { callbackUrl, cookie } = await startFlow(login, discordUserId);
  return app.inject({ method: 'GET', url: callbackUrl, headers: { cookie } });
}

async function accountRow(twitchUserId: string) {
  const [row] = await h.db.sql.query<{
    encrypted_refresh_token: string | null;
    revoked_at: Date | null;
    linked_by_discord_user_id: string;
  }>(
    `SELECT encrypted_refresh_token, revoked_at, linked_by_discord_user_id FROM twitch_accounts
      WHERE twitch_user_id = $1`,
    [twitchUserId],
  );
  return row;
}

/** Authorization-code exchanges made with the client secret (refreshes of linked accounts run concurrently). */
const tokenRequests = (grantType: string) =>
  h.fake.requests('auth/token').filter((r) => r.query.grant_type?.[0] === grantType).length;
const codeExchanges = () => tokenRequests('authorization_code');

const enabledSubscriptions = (userId: string) =>
  h.fake
    .eventSubSubscriptions()
    .filter((s) => s.status === 'enabled' && s.condition.broadcaster_user_id === userId).length;

/** Makes the linked account's next EventSub request need a fresh access token (a refresh). */
function forceRefresh(userId: string): void {
  h.fake.expireAllTokens();
  for (const session of h.fake.eventSubSessions()) {
    if (session.ownerKey?.endsWith(`:${userId}`)) h.fake.dropSession(session.id);
  }
}

describe('Twitch account linking', () => {
  it('links an account and stores only its refresh token, encrypted for this account', async () => {
    const user = h.fake.addBroadcaster({ login: 'linkedstreamer' });
    const response = await linkAs('linkedstreamer', '123456789012345678');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('linkedstreamer');

    const row = await accountRow(user.id);
    expect(row?.linked_by_discord_user_id).toBe('123456789012345678');
    const refreshToken = linked.find((account) => account.twitchUserId === user.id)?.refreshToken;
    expect(refreshToken).toBeTruthy();
    expect(row?.encrypted_refresh_token).not.toContain(refreshToken!);
    expect(row?.encrypted_refresh_token?.startsWith(`v1.${keyring.current.id}.`)).toBe(true);
    expect(decryptToken(row!.encrypted_refresh_token!, keyring, user.id)).toBe(refreshToken);
    // Bound to the row: the same ciphertext is useless on another account.
    expect(() => decryptToken(row!.encrypted_refresh_token!, keyring, '1')).toThrow(/could not be decrypted/);
    expect(response.body).not.toContain(refreshToken!);
  });

  it('rejects a forged state and an expired link', async () => {
    const forged = await app.inject({
      method: 'GET',
      url: '/auth/twitch/callback?code=abc&state=eyJkIjoiMSJ9.AAAA',
      headers: { cookie: 'tcs_twitch_link=whatever' },
    });
    expect(forged.statusCode).toBe(400);
    const expired = new URL(
      createTwitchLinkUrl({
        publicUrl,
        tokenEncryptionKey: key,
        discordUserId: '1',
        now: new Date(Date.now() - 3_600_000),
      }),
    );
    const start = await app.inject({ method: 'GET', url: `${expired.pathname}${expired.search}` });
    expect(start.statusCode).toBe(400);
  });

  it('accepts a state once: a replayed callback is refused without another token exchange', async () => {
    h.fake.addBroadcaster({ login: 'replayedstreamer' });
    const { callbackUrl, cookie } = await startFlow('replayedstreamer', '423456789012345678');
    const first = await app.inject({ method: 'GET', url: callbackUrl, headers: { cookie } });
    expect(first.statusCode).toBe(200);
    const exchanges = codeExchanges();
    expect(exchanges).toBeGreaterThan(0);
    const replay = await app.inject({ method: 'GET', url: callbackUrl, headers: { cookie } });
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already used');
    expect(codeExchanges()).toBe(exchanges);
  });

  it('finishes a flow only in the browser that started it', async () => {
    const user = h.fake.addBroadcaster({ login: 'otherbrowser' });
    const { callbackUrl, cookie } = await startFlow('otherbrowser', '523456789012345678');
    const exchanges = codeExchanges();
    const noCookie = await app.inject({ method: 'GET', url: callbackUrl });
    expect(noCookie.statusCode).toBe(400);
    const wrongCookie = await app.inject({
      method: 'GET',
      url: callbackUrl,
      headers: { cookie: 'tcs_twitch_link=someone-elses-nonce' },
    });
    expect(wrongCookie.statusCode).toBe(400);
    expect(codeExchanges()).toBe(exchanges);
    expect(await accountRow(user.id)).toBeUndefined();
    // The owner's flow survived the attempts.
    const owner = await app.inject({ method: 'GET', url: callbackUrl, headers: { cookie } });
    expect(owner.statusCode).toBe(200);
  });

  it('rate-limits the OAuth routes per client address', async () => {
    const limited = Fastify();
    await limited.register(twitchAuthRoutes, { flow, secureCookie: true, requestsPerMinute: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push(
          (await limited.inject({ method: 'GET', url: '/auth/twitch/callback?state=x&code=y' })).statusCode,
        );
      }
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('EventSub for linked accounts', () => {
  it('marks a linked channel live and offline from EventSub, also across a reconnect', async () => {
    const user = h.fake.addBroadcaster({ login: 'eventsubstreamer' });
    await sync.trackChannel({ broadcasterId: user.id, reason: 'subscription' });
    expect((await linkAs('eventsubstreamer', '223456789012345678')).statusCode).toBe(200);
    await waitFor(() => enabledSubscriptions(user.id) === 2);
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

  it('stops using an account whose owner revoked the authorisation, and wipes its token', async () => {
    const user = h.fake.addBroadcaster({ login: 'revokingstreamer' });
    expect((await linkAs('revokingstreamer', '323456789012345678')).statusCode).toBe(200);
    await waitFor(() => manager.subscribedBroadcasters().includes(user.id));
    await waitFor(() => enabledSubscriptions(user.id) === 2);
    h.fake.revokeUserAuthorization(user.id);
    await waitFor(async () => (await accountRow(user.id))?.revoked_at != null);
    expect((await accountRow(user.id))?.encrypted_refresh_token).toBeNull();
    expect(manager.subscribedBroadcasters()).not.toContain(user.id);
  });

  it('keeps an account through an outage of Twitch’s token endpoint and subscribes again once it recovers', async () => {
    const user = h.fake.addBroadcaster({ login: 'outagestreamer' });
    expect((await linkAs('outagestreamer', '623456789012345678')).statusCode).toBe(200);
    await waitFor(() => enabledSubscriptions(user.id) === 2);

    const failures = () =>
      h.registry.getSingleMetricAsString('tcs_twitch_linked_token_refreshes_total').then((text) => text);
    h.fake.injectFault('auth/token', { kind: 'status', status: 503 }, 2);
    h.fake.injectFault('auth/token', { kind: 'disconnect' }, 1);
    forceRefresh(user.id);
    await waitFor(() => h.fake.faults.pending('auth/token') === 0, 15_000);
    expect(await failures()).toMatch(/outcome="transient_failure"} [1-9]/);
    const row = await accountRow(user.id);
    expect(row?.revoked_at).toBeNull();
    expect(row?.encrypted_refresh_token).not.toBeNull();
    await waitFor(() => enabledSubscriptions(user.id) === 2, 15_000);
    expect(manager.subscribedBroadcasters()).toContain(user.id);
  });

  it('unlinks an account when Twitch answers that its refresh token is invalid', async () => {
    const user = h.fake.addBroadcaster({ login: 'invalidgrantstreamer' });
    expect((await linkAs('invalidgrantstreamer', '723456789012345678')).statusCode).toBe(200);
    await waitFor(() => enabledSubscriptions(user.id) === 2);
    h.fake.injectFault('auth/token', { kind: 'status', status: 400, message: 'Invalid refresh token' }, 1);
    forceRefresh(user.id);
    await waitFor(async () => (await accountRow(user.id))?.revoked_at != null, 15_000);
    expect((await accountRow(user.id))?.encrypted_refresh_token).toBeNull();
    expect(manager.subscribedBroadcasters()).not.toContain(user.id);
  });

  it('uses the new token after a re-link, and an old link never overwrites it', async () => {
    const user = h.fake.addBroadcaster({ login: 'relinkingstreamer' });
    expect((await linkAs('relinkingstreamer', '823456789012345678')).statusCode).toBe(200);
    await waitFor(() => enabledSubscriptions(user.id) === 2);
    const first = linked.findLast((account) => account.twitchUserId === user.id)!.refreshToken;

    expect((await linkAs('relinkingstreamer', '823456789012345678')).statusCode).toBe(200);
    const second = linked.findLast((account) => account.twitchUserId === user.id)!.refreshToken;
    expect(second).not.toBe(first);
    // Twitch no longer honours the first link's token: refreshing with it would unlink the account.
    h.fake.tokens.revokeRefreshToken(first);

    const refreshesBefore = tokenRequests('refresh_token');
    forceRefresh(user.id);
    await waitFor(() => tokenRequests('refresh_token') > refreshesBefore, 15_000);
    await waitFor(() => enabledSubscriptions(user.id) === 2, 15_000);
    const row = await accountRow(user.id);
    expect(row?.revoked_at).toBeNull();
    expect(decryptToken(row!.encrypted_refresh_token!, keyring, user.id)).toBe(second);
  });
});
