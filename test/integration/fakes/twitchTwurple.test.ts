// Contract: the unmodified twurple clients talk to the fake Twitch through TWURPLE_MOCK_API_PORT alone.
import { ApiClient } from '@twurple/api';
import { AppTokenAuthProvider, RefreshingAuthProvider } from '@twurple/auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeTwitch, type FakeTwitch } from '../../fakes/twitch/index.js';

const logger = { minLevel: 'critical' as const };
let fake: FakeTwitch;
let api: ApiClient;
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  fake = await startFakeTwitch({ clipVisibilityDelayMs: 0 });
  process.env.TWURPLE_MOCK_API_PORT = String(fake.port);
  api = new ApiClient({ authProvider: new AppTokenAuthProvider(fake.clientId, fake.clientSecret), logger });
});

afterAll(async () => {
  delete process.env.TWURPLE_MOCK_API_PORT;
  await fake.close();
});

describe('twurple ApiClient with an app token against the fake', () => {
  it('looks up users by id and login, and games by id and name', async () => {
    const game = fake.addGame({ name: 'Celeste' });
    const alice = fake.addBroadcaster({ login: 'alice', displayName: 'Alice', broadcasterType: 'partner' });
    fake.addBroadcaster({ login: 'bob' });

    const byLogin = await api.users.getUserByName('ALICE');
    expect(byLogin?.id).toBe(alice.id);
    expect(byLogin?.broadcasterType).toBe('partner');
    const both = await api.users.getUsersByIds([alice.id, 'no-such-id']);
    expect(both.map((u) => u.displayName)).toEqual(['Alice']);
    expect((await api.games.getGameByName('Celeste'))?.id).toBe(game.id);
    expect((await api.games.getGameById(game.id))?.name).toBe('Celeste');
    expect(await api.users.getUserByName('nobody')).toBeNull();
  });

  it('reports live streams and finds channels by search', async () => {
    const carol = fake.addBroadcaster({ login: 'carol_plays', displayName: 'CarolPlays' });
    fake.addBroadcaster({ login: 'carol_offline' });
    fake.goLive(carol.id, { title: 'speedrun', viewerCount: 42 });

    const stream = await api.streams.getStreamByUserId(carol.id);
    expect(stream?.title).toBe('speedrun');
    expect(stream?.viewers).toBe(42);
    const search = await api.search.searchChannels('carol');
    expect(search.data.map((c) => c.name).sort()).toEqual(['carol_offline', 'carol_plays']);
    const liveOnly = await api.search.searchChannels('carol', { liveOnly: true });
    expect(liveOnly.data.map((c) => c.name)).toEqual(['carol_plays']);
    expect(liveOnly.data[0]!.isLive).toBe(true);

    fake.goOffline(carol.id);
    expect(await api.streams.getStreamByUserId(carol.id)).toBeNull();
  });

  it('pages every clip of a broadcaster with getClipsForBroadcasterPaginated', async () => {
    const dave = fake.addBroadcaster({ login: 'dave' });
    const now = Date.now();
    fake.generateClips({ broadcasterId: dave.id, count: 250, from: now - 3 * DAY, to: now - DAY, seed: 7 });

    const clips = await api.clips
      .getClipsForBroadcasterPaginated(dave.id, { startDate: new Date(now - 4 * DAY).toISOString() })
      .getAll();
    expect(clips).toHaveLength(250);
    expect(new Set(clips.map((c) => c.id)).size).toBe(250);
    const views = clips.map((c) => c.views);
    expect(views).toEqual([...views].sort((a, b) => b - a));
    expect(clips[0]!.broadcasterDisplayName).toBe('dave');
    expect(clips[0]!.url).toBe(`https://clips.twitch.tv/${clips[0]!.id}`);
  });

  it('shows a new clip only after its visibility delay on the fake clock', async () => {
    const erin = fake.addBroadcaster({ login: 'erin' });
    fake.clock.set(Date.now());
    const clip = fake.addClip({ broadcasterId: erin.id, title: 'late clip', visibleAfterMs: 30_000 });
    try {
      expect(await api.clips.getClipById(clip.id)).toBeNull();
      fake.clock.advance(30_000);
      expect((await api.clips.getClipById(clip.id))?.title).toBe('late clip');
    } finally {
      fake.clock.useRealTime();
    }
  });

  it('retries 5xx answers and succeeds', async () => {
    const before = fake.callCount('users');
    fake.injectFault('users', { kind: 'status', status: 503 }, 2);
    const user = await api.users.getUserByName('alice');
    expect(user?.name).toBe('alice');
    expect(fake.callCount('users') - before).toBe(3);
  });

  it('waits out a 429 with an empty bucket and retries', async () => {
    fake.injectFault('games', { kind: 'rateLimited', resetAfterMs: 500 });
    const started = Date.now();
    expect((await api.games.getGameByName('Celeste'))?.name).toBe('Celeste');
    expect(fake.requests('games').at(-2)?.status).toBe(429);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('drains a burst of concurrent calls through a small bucket without stalling', async () => {
    const small = await startFakeTwitch({ rateLimit: { points: 10, windowMs: 1_000 } });
    process.env.TWURPLE_MOCK_API_PORT = String(small.port);
    try {
      small.addBroadcaster({ login: 'burst' });
      const client = new ApiClient({
        authProvider: new AppTokenAuthProvider(small.clientId, small.clientSecret),
        logger,
      });
      const started = Date.now();
      const users = await Promise.all(Array.from({ length: 20 }, () => client.users.getUserByName('burst')));
      expect(users.every((u) => u?.name === 'burst')).toBe(true);
      expect(small.requests('users').filter((r) => r.status === 429).length).toBeLessThanOrEqual(1);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      process.env.TWURPLE_MOCK_API_PORT = String(fake.port);
      await small.close();
    }
  });

  it('fetches a fresh app token when the old one is rejected with 401', async () => {
    const tokensBefore = fake.callCount('auth/token');
    fake.expireAllTokens();
    expect((await api.users.getUserByName('bob'))?.name).toBe('bob');
    expect(fake.callCount('auth/token') - tokensBefore).toBe(1);
  });
});

describe('twurple RefreshingAuthProvider against the fake', () => {
  it('refreshes an expired user access token and repeats the call', async () => {
    const frank = fake.addBroadcaster({ login: 'frank' });
    const provider = new RefreshingAuthProvider({ clientId: fake.clientId, clientSecret: fake.clientSecret });
    const refreshed: string[] = [];
    provider.onRefresh((userId) => refreshed.push(userId));
    const userId = await provider.addUserForToken(
      fake.issueUserToken({ userId: frank.id, scopes: ['user:read:email'] }),
    );
    expect(userId).toBe(frank.id);
    const userApi = new ApiClient({ authProvider: provider, logger });

    fake.expireAllTokens();
    const me = await userApi.asUser(frank.id, async (ctx) => await ctx.users.getAuthenticatedUser(frank.id));
    expect(me.name).toBe('frank');
    expect(refreshed).toEqual([frank.id]);
    const grants = fake.requests('auth/token').map((r) => r.query.grant_type?.[0]);
    expect(grants).toContain('refresh_token');
    expect(JSON.stringify(fake.requests())).not.toContain(fake.clientSecret);
  });

  it('exchanges an authorization code for a user token', async () => {
    const gina = fake.addBroadcaster({ login: 'gina' });
    const provider = new RefreshingAuthProvider({
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      redirectUri: 'http://localhost/callback',
    });
    const code = fake.issueAuthorizationCode({
      userId: gina.id,
      scopes: [],
      redirectUri: 'http://localhost/callback',
    });
    expect(await provider.addUserForCode(code)).toBe(gina.id);
    await expect(provider.addUserForCode(code)).rejects.toThrow(/Invalid authorization code/);
  });

  it('reports a dead refresh token as a failed refresh', async () => {
    const hank = fake.addBroadcaster({ login: 'hank' });
    const provider = new RefreshingAuthProvider({ clientId: fake.clientId, clientSecret: fake.clientSecret });
    provider.addUser(hank.id, fake.issueUserToken({ userId: hank.id }));
    fake.revokeUserAuthorization(hank.id);
    await expect(provider.refreshAccessTokenForUser(hank.id)).rejects.toThrow(/Invalid refresh token/);
  });
});
