// The linked accounts' token provider against the fake Twitch's token endpoint: which refresh failures unlink,
// and what happens to a refresh that is still running when the account is re-linked.
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventSubMetrics } from '../../../src/twitch/linking/eventSubMetrics.js';
import {
  isInvalidGrant,
  LinkedAccountTokens,
  type LinkedAccountToken,
} from '../../../src/twitch/linking/LinkedAccountTokens.js';
import { startFakeTwitch, type FakeTwitch } from '../../fakes/twitch/index.js';
import { testLogger } from '../../support/databases.js';

let fake: FakeTwitch;

beforeAll(async () => {
  fake = await startFakeTwitch();
  process.env.TWURPLE_MOCK_API_PORT = String(fake.port);
});

afterAll(async () => {
  await fake?.close();
});

function newProvider() {
  const events = {
    rotated: [] as LinkedAccountToken[],
    invalid: [] as LinkedAccountToken[],
    recovered: [] as string[],
  };
  const provider = new LinkedAccountTokens({
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    logger: testLogger(),
    metrics: createEventSubMetrics(new Registry()),
    onRefreshTokenRotated: async (account) => void events.rotated.push(account),
    onInvalidGrant: async (account) => void events.invalid.push(account),
    onRecovered: (userId) => void events.recovered.push(userId),
    retry: { initialMs: 100, maxMs: 200 },
  });
  return { provider, events };
}

describe('isInvalidGrant', () => {
  it('recognises only Twitch’s 400 "Invalid refresh token"', () => {
    const body = JSON.stringify({ status: 400, message: 'Invalid refresh token' });
    expect(isInvalidGrant({ statusCode: 400, body })).toBe(true);
    expect(isInvalidGrant({ statusCode: 400, body: '{"status":400,"message":"missing client id"}' })).toBe(
      false,
    );
    expect(isInvalidGrant({ statusCode: 503, body: 'Service Unavailable' })).toBe(false);
    expect(isInvalidGrant(new TypeError('fetch failed'))).toBe(false);
    expect(isInvalidGrant(undefined)).toBe(false);
  });
});

describe('LinkedAccountTokens', () => {
  it('answers a 5xx with a fast failure during the backoff and refreshes again afterwards', async () => {
    const user = fake.addBroadcaster({ login: 'backoffuser' });
    const { provider, events } = newProvider();
    provider.setAccount({
      twitchUserId: user.id,
      refreshToken: fake.issueUserToken({ userId: user.id }).refreshToken,
      linkedAt: new Date(),
    });
    fake.injectFault('auth/token', { kind: 'status', status: 502 }, 1);
    await expect(provider.getAccessTokenForUser(user.id)).rejects.toThrow(/will retry/);
    const calls = fake.callCount('auth/token');
    // Within the backoff: no request to Twitch at all.
    await expect(provider.getAccessTokenForUser(user.id)).rejects.toThrow(/backing off/);
    expect(fake.callCount('auth/token')).toBe(calls);
    // The retry timer refreshes by itself and reports the recovery.
    await expect.poll(() => events.recovered, { timeout: 5_000 }).toEqual([user.id]);
    expect((await provider.getAccessTokenForUser(user.id))?.accessToken).toBeTruthy();
    expect(events.invalid).toEqual([]);
    provider.stop();
  });

  it('ignores the failure of a refresh that belonged to the link a re-link replaced', async () => {
    const user = fake.addBroadcaster({ login: 'relinkrace' });
    const { provider, events } = newProvider();
    const oldToken = fake.issueUserToken({ userId: user.id }).refreshToken;
    const newToken = fake.issueUserToken({ userId: user.id }).refreshToken;
    provider.setAccount({ twitchUserId: user.id, refreshToken: oldToken, linkedAt: new Date(1_000) });

    // The old link's refresh is slow; while it runs the broadcaster re-links and Twitch drops the old token.
    fake.injectFault('auth/token', { kind: 'latency', ms: 300 }, 1);
    const stale = provider.getAccessTokenForUser(user.id);
    await new Promise((resolve) => setTimeout(resolve, 50));
    provider.setAccount({ twitchUserId: user.id, refreshToken: newToken, linkedAt: new Date(2_000) });
    fake.tokens.revokeRefreshToken(oldToken);

    await expect(stale).rejects.toThrow(/re-linked/);
    expect(events.invalid).toEqual([]);
    expect(provider.has(user.id)).toBe(true);
    const token = await provider.getAccessTokenForUser(user.id);
    expect(token?.refreshToken).toBe(newToken);
    provider.stop();
  });
});
