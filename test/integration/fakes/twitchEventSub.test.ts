// Contract: twurple's EventSubWsListener runs unmodified against the fake's EventSub WebSocket.
import { ApiClient } from '@twurple/api';
import { RefreshingAuthProvider } from '@twurple/auth';
import { EventSubWsListener } from '@twurple/eventsub-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startFakeTwitch, type FakeTwitch } from '../../fakes/twitch/index.js';

const logger = { minLevel: 'critical' as const };

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('twurple EventSubWsListener against the fake', () => {
  let fake: FakeTwitch;
  let listener: EventSubWsListener;
  let broadcasterId: string;
  const online: { id: string; name: string; type: string }[] = [];
  const offline: string[] = [];
  const revoked: string[] = [];

  beforeAll(async () => {
    fake = await startFakeTwitch({ eventSub: { reconnectGraceMs: 2_000 } });
    process.env.TWURPLE_MOCK_API_PORT = String(fake.port);
    broadcasterId = fake.addBroadcaster({ login: 'ivy', displayName: 'Ivy' }).id;
    const provider = new RefreshingAuthProvider({ clientId: fake.clientId, clientSecret: fake.clientSecret });
    await provider.addUserForToken(fake.issueUserToken({ userId: broadcasterId }));
    listener = new EventSubWsListener({
      apiClient: new ApiClient({ authProvider: provider, logger }),
      logger,
    });
    listener.onStreamOnline(broadcasterId, (e) => {
      online.push({ id: e.broadcasterId, name: e.broadcasterDisplayName, type: e.type });
    });
    listener.onStreamOffline(broadcasterId, (e) => {
      offline.push(e.broadcasterId);
    });
    listener.onRevoke((subscription) => revoked.push(subscription.id));
    listener.start();
    await waitFor(() => fake.eventSubSubscriptions().filter((s) => s.status === 'enabled').length === 2);
  });

  afterAll(async () => {
    listener.stop();
    delete process.env.TWURPLE_MOCK_API_PORT;
    await fake.close();
  });

  it('subscribes with the broadcaster token at no cost on one session', () => {
    const subs = fake.eventSubSubscriptions();
    expect(subs.map((s) => s.type).sort()).toEqual(['stream.offline', 'stream.online']);
    expect(subs.every((s) => s.cost === 0 && s.userId === broadcasterId)).toBe(true);
    expect(fake.eventSubSessions()).toHaveLength(1);
  });

  it('delivers stream.online when the channel goes live', async () => {
    const { delivered } = fake.goLive(broadcasterId, { title: 'hello' });
    expect(delivered).toBe(1);
    await waitFor(() => online.length === 1);
    expect(online[0]).toEqual({ id: broadcasterId, name: 'Ivy', type: 'live' });
  });

  it('keeps subscriptions across a session_reconnect without subscribing again', async () => {
    const posts = fake.requests('eventsub/subscriptions').filter((r) => r.method === 'POST').length;
    const sessionId = fake.eventSubSessions()[0]!.id;
    expect(fake.requestReconnect()).toBe(1);
    await waitFor(() => fake.eventSubSessions()[0]?.previousSocket === null && fake.callCount('ws') === 2);
    fake.goOffline(broadcasterId);
    await waitFor(() => offline.length === 1);
    expect(fake.eventSubSessions().map((s) => s.id)).toEqual([sessionId]);
    expect(fake.requests('eventsub/subscriptions').filter((r) => r.method === 'POST')).toHaveLength(posts);
    expect(new Set(fake.eventSub.messageIds()).size).toBe(fake.eventSub.messageIds().length);
  });

  it('subscribes again on a new session after the server drops the connection', async () => {
    const oldSession = fake.eventSubSessions()[0]!.id;
    expect(fake.dropSession(oldSession)).toBe(true);
    await waitFor(
      () =>
        fake.eventSubSessions().length === 1 &&
        fake.eventSubSubscriptions().filter((s) => s.status === 'enabled' && s.sessionId !== oldSession)
          .length === 2,
    );
    expect(
      fake
        .eventSubSubscriptions()
        .filter((s) => s.sessionId === oldSession)
        .map((s) => s.status),
    ).toEqual(['websocket_internal_error', 'websocket_internal_error']);
    fake.goLive(broadcasterId);
    await waitFor(() => online.length === 2);
  });

  it('tells the listener about a revoked subscription', async () => {
    const sub = fake
      .eventSubSubscriptions()
      .find((s) => s.type === 'stream.online' && s.status === 'enabled')!;
    expect(fake.revokeSubscription(sub.id)).toBe(true);
    await waitFor(() => revoked.length === 1);
    expect(revoked[0]).toBe(`stream.online.${broadcasterId}`);
  });
});

describe('EventSub WebSocket sessions on the fake', () => {
  it('closes a session with 4003 when nothing subscribes in time', async () => {
    const fake = await startFakeTwitch({ eventSub: { unusedTimeoutMs: 200, keepaliveTimeoutSeconds: 1 } });
    try {
      const socket = new WebSocket(`ws://127.0.0.1:${fake.port}/ws`);
      const messages: string[] = [];
      socket.on('message', (data: Buffer) => {
        messages.push(
          (JSON.parse(data.toString()) as { metadata: { message_type: string } }).metadata.message_type,
        );
      });
      const code = await new Promise<number>((resolve) => socket.on('close', (c) => resolve(c)));
      expect(code).toBe(4003);
      expect(messages[0]).toBe('session_welcome');
    } finally {
      await fake.close();
    }
  });

  it('sends keepalives while a subscribed session is idle', async () => {
    const fake = await startFakeTwitch({ eventSub: { keepaliveTimeoutSeconds: 1 } });
    try {
      const user = fake.addBroadcaster({ login: 'kim' });
      const token = fake.issueUserToken({ userId: user.id });
      const socket = new WebSocket(`ws://127.0.0.1:${fake.port}/ws`);
      const types: string[] = [];
      const welcome = await new Promise<{
        payload: { session: { id: string; keepalive_timeout_seconds: number } };
      }>((resolve) =>
        socket.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { metadata: { message_type: string } };
          types.push(message.metadata.message_type);
          if (message.metadata.message_type === 'session_welcome') resolve(message as never);
        }),
      );
      expect(welcome.payload.session.keepalive_timeout_seconds).toBe(1);
      const res = await fetch(`${fake.url}/eventsub/subscriptions`, {
        method: 'POST',
        headers: {
          'Client-Id': fake.clientId,
          Authorization: `Bearer ${token.accessToken}`,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify({
          type: 'stream.online',
          version: '1',
          condition: { broadcaster_user_id: user.id },
          transport: { method: 'websocket', session_id: welcome.payload.session.id },
        }),
      });
      expect(res.status).toBe(202);
      await waitFor(() => types.filter((t) => t === 'session_keepalive').length >= 2, 4_000);
      socket.close();
    } finally {
      await fake.close();
    }
  });
});
