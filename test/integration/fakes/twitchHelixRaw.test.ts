// Raw HTTP checks of the fake Twitch's edge semantics (what twurple hides or never exercises).
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seedDemoData, startFakeTwitch, type FakeTwitch } from '../../fakes/twitch/index.js';

const WEEK = 7 * 24 * 60 * 60 * 1000;
const T0 = Date.parse('2026-03-01T00:00:00Z');
let fake: FakeTwitch;
let appToken: string;

beforeAll(async () => {
  fake = await startFakeTwitch({ clipVisibilityDelayMs: 0 });
  appToken = fake.issueAppToken();
});

afterAll(async () => {
  await fake.close();
});

async function helix(
  path: string,
  init: {
    token?: string | null;
    clientId?: string | null;
    method?: string;
    body?: unknown;
    target?: FakeTwitch;
  } = {},
): Promise<{
  status: number;
  headers: Headers;
  json: Record<string, unknown> & { data?: Record<string, unknown>[] };
}> {
  const target = init.target ?? fake;
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? appToken : init.token;
  const clientId = init.clientId === undefined ? target.clientId : init.clientId;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (clientId) headers['Client-Id'] = clientId;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const base = path.startsWith('eventsub/') ? `${target.url}/` : `${target.url}/mock/`;
  const res = await fetch(base + path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as never) : {} };
}

describe('Helix authentication and rate limits', () => {
  it('answers 401 in Twitch shape without token, without Client-Id, or with a bad token', async () => {
    const noToken = await helix('users?login=x', { token: null });
    expect(noToken.status).toBe(401);
    expect(noToken.json).toEqual({ error: 'Unauthorized', status: 401, message: 'OAuth token is missing' });
    expect(noToken.headers.get('ratelimit-limit')).toBe('800');
    expect((await helix('users?login=x', { clientId: null })).status).toBe(401);
    expect((await helix('users?login=x', { token: 'nope' })).json.message).toBe('Invalid OAuth token');
    expect((await helix('users?login=x', { clientId: 'other' })).json.message).toMatch(/do not match/);
  });

  it('counts the bucket down in Ratelimit headers and answers 429 when it is empty', async () => {
    const small = await startFakeTwitch({ rateLimit: { points: 3, windowMs: 60_000 } });
    try {
      const token = small.issueAppToken();
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await helix('users?login=x', { token, target: small });
        expect(res.status).toBe(200);
        remaining.push(res.headers.get('ratelimit-remaining'));
      }
      expect(remaining).toEqual(['2', '1', '0']);
      const limited = await helix('users?login=x', { token, target: small });
      expect(limited.status).toBe(429);
      expect(limited.json).toMatchObject({ status: 429, error: 'Too Many Requests' });
      expect(limited.headers.get('ratelimit-remaining')).toBe('0');
      expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    } finally {
      await small.close();
    }
  });

  it('serves the same port on ::1 when the machine has an IPv6 loopback', async () => {
    const hasIpv6Loopback = Object.values(networkInterfaces())
      .flat()
      .some((i) => i?.address === '::1');
    if (hasIpv6Loopback) {
      expect((await fetch(`http://[::1]:${fake.port}/auth/validate`)).status).toBe(401);
    }
    const viaLocalhost = await fetch(`http://localhost:${fake.port}/auth/validate`);
    expect(viaLocalhost.status).toBe(401);
  });
});

describe('Get Clips edge semantics', () => {
  let broadcasterId: string;

  beforeAll(() => {
    broadcasterId = fake.addBroadcaster({ login: 'clipper' }).id;
    fake.addClip({ id: 'InsideWeek', broadcasterId, createdAt: T0 + WEEK - 1000, viewCount: 5 });
    fake.addClip({ id: 'AfterWeek', broadcasterId, createdAt: T0 + WEEK + 1000, viewCount: 9 });
    fake.addClip({ id: 'BeforeStart', broadcasterId, createdAt: T0 - 1000, viewCount: 7 });
  });

  it('uses a one-week window when ended_at is missing', async () => {
    const res = await helix(`clips?broadcaster_id=${broadcasterId}&started_at=2026-03-01T00:00:00Z`);
    expect(res.status).toBe(200);
    expect(res.json.data!.map((c) => c.id)).toEqual(['InsideWeek']);
    const wide = await helix(
      `clips?broadcaster_id=${broadcasterId}&started_at=2026-02-01T00:00:00Z&ended_at=2026-04-01T00:00:00Z`,
    );
    expect(wide.json.data!.map((c) => c.id)).toEqual(['AfterWeek', 'BeforeStart', 'InsideWeek']);
  });

  it('returns clip objects with every field Helix has', async () => {
    const res = await helix('clips?id=InsideWeek');
    expect(Object.keys(res.json.data![0]!).sort()).toEqual(
      [
        'broadcaster_id',
        'broadcaster_name',
        'created_at',
        'creator_id',
        'creator_name',
        'duration',
        'embed_url',
        'game_id',
        'id',
        'is_featured',
        'language',
        'thumbnail_url',
        'title',
        'url',
        'video_id',
        'view_count',
        'vod_offset',
      ].sort(),
    );
    expect(res.json.data![0]!.created_at).toBe('2026-03-07T23:59:59Z');
  });

  it('stops the cursor after about 1,000 results per query window', async () => {
    const big = fake.addBroadcaster({ login: 'bigchannel' }).id;
    fake.generateClips({
      broadcasterId: big,
      count: 1_200,
      from: T0,
      to: T0 + 3 * 24 * 3600 * 1000,
      seed: 3,
    });
    let cursor: string | undefined;
    let total = 0;
    let pages = 0;
    do {
      const res = await helix(`clips?broadcaster_id=${big}&first=100${cursor ? `&after=${cursor}` : ''}`);
      total += res.json.data!.length;
      cursor = (res.json.pagination as { cursor?: string }).cursor;
      pages++;
    } while (cursor);
    expect(total).toBe(1_000);
    expect(pages).toBe(10);
  });

  it('rejects first above 100, more than 100 ids and malformed dates with 400', async () => {
    const first = await helix(`clips?broadcaster_id=${broadcasterId}&first=101`);
    expect(first.status).toBe(400);
    expect(first.json).toMatchObject({ error: 'Bad Request', status: 400 });
    const ids = Array.from({ length: 101 }, (_, i) => `id=c${i}`).join('&');
    expect((await helix(`clips?${ids}`)).status).toBe(400);
    expect((await helix(`clips?broadcaster_id=${broadcasterId}&started_at=2026-03-01`)).status).toBe(400);
    expect((await helix('clips')).status).toBe(400);
    const users = Array.from({ length: 101 }, (_, i) => `login=u${i}`).join('&');
    expect((await helix(`users?${users}`)).status).toBe(400);
  });

  it('fills video_id in only after the clip has had time to process', async () => {
    fake.clock.set(T0 + 10 * WEEK);
    try {
      fake.addClip({
        id: 'Fresh',
        broadcasterId,
        videoId: '123',
        vodOffset: 60,
        visibleAfterMs: 0,
        videoIdAfterMs: 60_000,
      });
      expect((await helix('clips?id=Fresh')).json.data![0]).toMatchObject({ video_id: '', vod_offset: null });
      fake.clock.advance(60_000);
      expect((await helix('clips?id=Fresh')).json.data![0]).toMatchObject({
        video_id: '123',
        vod_offset: 60,
      });
    } finally {
      fake.clock.useRealTime();
    }
  });
});

describe('control API effects', () => {
  it('shows renames, new views and deletions in the next Helix answers', async () => {
    const user = fake.addBroadcaster({ login: 'oldname', displayName: 'OldName' });
    fake.addClip({ id: 'ClipA', broadcasterId: user.id, viewCount: 10, createdAt: T0 });
    fake.addClip({ id: 'ClipB', broadcasterId: user.id, viewCount: 20, createdAt: T0 });
    const ids = async () => (await helix(`clips?broadcaster_id=${user.id}`)).json.data!.map((c) => c.id);
    expect(await ids()).toEqual(['ClipB', 'ClipA']);
    fake.addViews('ClipA', 15);
    expect(await ids()).toEqual(['ClipA', 'ClipB']);
    fake.deleteClip('ClipB');
    expect(await ids()).toEqual(['ClipA']);
    fake.renameBroadcaster(user.id, { login: 'newname', displayName: 'NewName' });
    expect((await helix('clips?id=ClipA')).json.data![0]!.broadcaster_name).toBe('NewName');
    expect((await helix('users?login=oldname')).json.data).toEqual([]);
    expect((await helix('users?login=newname')).json.data![0]!.id).toBe(user.id);
    const viaHelixPrefix = await fetch(`${fake.url}/helix/users?login=newname`, {
      headers: { Authorization: `Bearer ${appToken}`, 'Client-Id': fake.clientId },
    });
    expect(((await viaHelixPrefix.json()) as { data: { id: string }[] }).data[0]!.id).toBe(user.id);
    expect(fake.callCount('clips')).toBeGreaterThanOrEqual(4);
  });
});

describe('OAuth endpoints', () => {
  it('validates user and app tokens and rejects unknown ones', async () => {
    const user = fake.addBroadcaster({ login: 'oauthuser' });
    const token = fake.issueUserToken({ userId: user.id, scopes: ['clips:edit'] });
    const res = await fetch(`${fake.url}/auth/validate`, {
      headers: { Authorization: `OAuth ${token.accessToken}` },
    });
    expect(await res.json()).toMatchObject({
      client_id: fake.clientId,
      login: 'oauthuser',
      user_id: user.id,
      scopes: ['clips:edit'],
    });
    const app = await fetch(`${fake.url}/auth/validate`, { headers: { Authorization: `OAuth ${appToken}` } });
    expect(await app.json()).not.toHaveProperty('user_id');
    const bad = await fetch(`${fake.url}/auth/validate`, { headers: { Authorization: 'OAuth nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ status: 401, message: 'invalid access token' });
  });

  it('refuses an unknown refresh token and a wrong client secret', async () => {
    const refresh = await fetch(
      `${fake.url}/auth/token?grant_type=refresh_token&client_id=${fake.clientId}&client_secret=${fake.clientSecret}&refresh_token=nope`,
      { method: 'POST' },
    );
    expect(refresh.status).toBe(400);
    expect(await refresh.json()).toEqual({ status: 400, message: 'Invalid refresh token' });
    const secret = await fetch(
      `${fake.url}/auth/token?grant_type=client_credentials&client_id=${fake.clientId}&client_secret=wrong`,
      { method: 'POST' },
    );
    expect(secret.status).toBe(403);
    expect(JSON.stringify(fake.requests('auth/token'))).not.toContain(fake.clientSecret);
  });
});

describe('OAuth authorize redirect', () => {
  it('redirects back with a code that the token endpoint exchanges once', async () => {
    const user = fake.addBroadcaster({ login: 'linker' });
    const redirect = 'http://127.0.0.1:9/callback';
    const authorize = await fetch(
      `${fake.url}/auth/authorize?client_id=${fake.clientId}&redirect_uri=${encodeURIComponent(redirect)}` +
        `&response_type=code&scope=user%3Aread%3Aemail&state=xyz&login=linker`,
      { redirect: 'manual' },
    );
    expect(authorize.status).toBe(302);
    const location = new URL(authorize.headers.get('location')!);
    expect(location.origin + location.pathname).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code')!;
    const exchange = () =>
      fetch(
        `${fake.url}/auth/token?grant_type=authorization_code&client_id=${fake.clientId}` +
          `&client_secret=${fake.clientSecret}&code=${code}&redirect_uri=${encodeURIComponent(redirect)}`,
        { method: 'POST' },
      );
    const first = await exchange();
    expect(await first.json()).toMatchObject({ scope: ['user:read:email'], token_type: 'bearer' });
    expect((await exchange()).status).toBe(400);
    expect(fake.tokens.hasAuthorised(user.id)).toBe(true);

    const denied = await fetch(
      `${fake.url}/auth/authorize?client_id=${fake.clientId}&redirect_uri=${encodeURIComponent(redirect)}` +
        `&response_type=code&state=s&deny=true`,
      { redirect: 'manual' },
    );
    expect(new URL(denied.headers.get('location')!).searchParams.get('error')).toBe('access_denied');
  });
});

describe('fault injection', () => {
  it('serves malformed JSON, empty data and dropped connections on demand', async () => {
    fake.injectFault('games', { kind: 'malformed' });
    const malformed = await fetch(`${fake.url}/mock/games?name=x`, {
      headers: { Authorization: `Bearer ${appToken}`, 'Client-Id': fake.clientId },
    });
    await expect(malformed.json()).rejects.toThrow();
    fake.addBroadcaster({ login: 'faulty' });
    fake.injectFault('users', { kind: 'empty' });
    expect((await helix('users?login=faulty')).json.data).toEqual([]);
    expect((await helix('users?login=faulty')).json.data).toHaveLength(1);
    fake.injectFault('users', { kind: 'disconnect' });
    await expect(helix('users?login=faulty')).rejects.toThrow();
    fake.injectFault('*', { kind: 'latency', ms: 200 });
    const started = Date.now();
    expect((await helix('users?login=faulty')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('serves any JSON body on demand', async () => {
    fake.injectFault('streams', { kind: 'body', body: { data: [{ user_id: null }], pagination: 7 } });
    const reply = await helix('streams?user_id=1');
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: [{ user_id: null }], pagination: 7 });
  });

  it('gives a request held by latency only the faults queued when it arrived, logged at its arrival', async () => {
    fake.injectFault('videos', { kind: 'latency', ms: 400 });
    const arrived = Date.now();
    const held = fetch(`${fake.url}/mock/videos?user_id=1`, {
      headers: { Authorization: `Bearer ${appToken}`, 'Client-Id': fake.clientId },
      signal: AbortSignal.timeout(100),
    }).catch(() => 'gave up');
    await new Promise((resolve) => setTimeout(resolve, 150));
    // Injected after the held request arrived: meant for the next one, which must get it.
    fake.injectFault('videos', { kind: 'status', status: 503 });
    const secondAt = Date.now();
    expect((await helix('videos?user_id=1')).status).toBe(503);
    expect(await held).toBe('gave up');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const log = fake.requests('videos').filter((request) => request.at >= arrived);
    expect(log.map((request) => [request.status, request.at >= secondAt])).toEqual([
      [503, true],
      [0, false],
    ]);
    expect(log[1]!.fault).toBe('abandoned');
  });
});

describe('EventSub subscription limits', () => {
  async function openSession(target: FakeTwitch): Promise<{ socket: WebSocket; sessionId: string }> {
    const socket = new WebSocket(`ws://127.0.0.1:${target.port}/ws`);
    const sessionId = await new Promise<string>((resolve) =>
      socket.once('message', (data: Buffer) => {
        resolve((JSON.parse(data.toString()) as { payload: { session: { id: string } } }).payload.session.id);
      }),
    );
    return { socket, sessionId };
  }

  function subscribe(token: string, sessionId: string, broadcasterUserId: string, target: FakeTwitch) {
    return helix('eventsub/subscriptions', {
      token,
      target,
      method: 'POST',
      body: {
        type: 'stream.online',
        version: '1',
        condition: { broadcaster_user_id: broadcasterUserId },
        transport: { method: 'websocket', session_id: sessionId },
      },
    });
  }

  it('charges 1 per unauthorised channel, caps the total cost at 10, and frees cost on delete', async () => {
    const es = await startFakeTwitch();
    const sockets: WebSocket[] = [];
    try {
      const watcher = es.addBroadcaster({ login: 'watcher' });
      const linked = es.addBroadcaster({ login: 'linked' });
      es.issueUserToken({ userId: linked.id });
      const channels = Array.from({ length: 11 }, (_, i) => es.addBroadcaster({ login: `chan${i}` }).id);
      const token = es.issueUserToken({ userId: watcher.id }).accessToken;
      const { socket, sessionId } = await openSession(es);
      sockets.push(socket);

      const created: string[] = [];
      for (const channel of channels.slice(0, 10)) {
        const res = await subscribe(token, sessionId, channel, es);
        expect(res.status).toBe(202);
        expect(res.json.data![0]).toMatchObject({ cost: 1, status: 'enabled' });
        created.push(String(res.json.data![0]!.id));
      }
      const over = await subscribe(token, sessionId, channels[10]!, es);
      expect(over.status).toBe(429);
      expect(over.json.message).toMatch(/limit exceeded/);
      expect(over.headers.get('ratelimit-remaining')).not.toBe('0');
      const free = await subscribe(token, sessionId, linked.id, es);
      expect(free.status).toBe(202);
      expect(free.json).toMatchObject({ total_cost: 10, max_total_cost: 10 });
      expect((await subscribe(token, sessionId, linked.id, es)).status).toBe(409);

      const list = await helix('eventsub/subscriptions', { token, target: es });
      expect(list.json).toMatchObject({ total: 11, total_cost: 10, max_total_cost: 10 });
      expect(
        (await helix(`eventsub/subscriptions?id=${created[0]}`, { token, target: es, method: 'DELETE' }))
          .status,
      ).toBe(204);
      expect((await subscribe(token, sessionId, channels[10]!, es)).status).toBe(202);
    } finally {
      sockets.forEach((s) => s.close());
      await es.close();
    }
  });

  it('limits the subscriptions on one session', async () => {
    const es = await startFakeTwitch({ eventSub: { maxSubscriptionsPerSession: 2, maxTotalCost: 100 } });
    const { socket, sessionId } = await openSession(es);
    try {
      const user = es.addBroadcaster({ login: 'many' });
      const token = es.issueUserToken({ userId: user.id }).accessToken;
      const others = Array.from({ length: 3 }, (_, i) => es.addBroadcaster({ login: `other${i}` }).id);
      expect((await subscribe(token, sessionId, others[0]!, es)).status).toBe(202);
      expect((await subscribe(token, sessionId, others[1]!, es)).status).toBe(202);
      expect((await subscribe(token, sessionId, others[2]!, es)).status).toBe(429);
    } finally {
      socket.close();
      await es.close();
    }
  });

  it('rejects app tokens, foreign sessions and a fourth session per user', async () => {
    const es = await startFakeTwitch();
    const sockets: WebSocket[] = [];
    try {
      const a = es.addBroadcaster({ login: 'usera' });
      const b = es.addBroadcaster({ login: 'userb' });
      const tokenA = es.issueUserToken({ userId: a.id }).accessToken;
      const tokenB = es.issueUserToken({ userId: b.id }).accessToken;
      const sessions = [];
      for (let i = 0; i < 4; i++) {
        const opened = await openSession(es);
        sockets.push(opened.socket);
        sessions.push(opened.sessionId);
      }
      expect((await subscribe(es.issueAppToken(), sessions[0]!, a.id, es)).status).toBe(400);
      expect((await subscribe(tokenA, 'not-a-session', a.id, es)).status).toBe(400);
      for (const session of sessions.slice(0, 3)) {
        expect((await subscribe(tokenA, session, a.id, es)).status).toBe(202);
      }
      expect((await subscribe(tokenB, sessions[0]!, b.id, es)).status).toBe(400);
      const fourth = await subscribe(tokenA, sessions[3]!, a.id, es);
      expect(fourth.status).toBe(429);
      expect(fourth.json.message).toBe('number of websocket transports limit exceeded');
    } finally {
      sockets.forEach((s) => s.close());
      await es.close();
    }
  });
});

describe('demo seed', () => {
  it('builds a browsable world for running the bot by hand', async () => {
    const demo = await startFakeTwitch();
    try {
      const seed = seedDemoData(demo);
      const token = demo.issueAppToken();
      const live = await helix('streams?user_login=speedyrunner', { token, target: demo });
      expect(live.json.data).toHaveLength(1);
      const clips = await helix(`clips?broadcaster_id=${seed.broadcasterIds[0]}&first=100`, {
        token,
        target: demo,
      });
      expect(clips.json.data).toHaveLength(100);
      expect(seed.clipCount).toBe(451);
    } finally {
      await demo.close();
    }
  });
});
