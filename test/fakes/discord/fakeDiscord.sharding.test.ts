// Contract: the fake gateway shards as Discord documents it. A raw WebSocket client speaks the protocol here,
// so what is checked is the fake's side (routing, close codes, the IDENTIFY rate limit), not a library's.
import { once } from 'node:events';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from './index.js';
import { shardForGuild } from './snowflake.js';

interface Received {
  dispatches: { t: string; d: Record<string, unknown> }[];
  invalidSessions: number;
  closed: Promise<number>;
  socket: WebSocket;
}

const fakes: FakeDiscord[] = [];
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function start(options: Parameters<typeof startFakeDiscord>[0] = {}): Promise<FakeDiscord> {
  const fake = await startFakeDiscord({ waitTimeoutMs: 3_000, ...options });
  fakes.push(fake);
  return fake;
}

/** Opens a session and sends IDENTIFY right after HELLO, with `shard` when given. */
async function identify(fake: FakeDiscord, shard?: unknown): Promise<Received> {
  const socket = new WebSocket(`${fake.gatewayUrl}?v=10&encoding=json`);
  sockets.push(socket);
  const received: Received = {
    dispatches: [],
    invalidSessions: 0,
    closed: once(socket, 'close').then(([code]) => code as number),
    socket,
  };
  socket.on('message', (raw) => {
    const payload = JSON.parse(String(raw)) as { op: number; t?: string; d: unknown };
    if (payload.op === 10) {
      socket.send(
        JSON.stringify({
          op: 2,
          d: {
            token: fake.token,
            intents: 1,
            properties: { os: 'linux', browser: 'test', device: 'test' },
            ...(shard === undefined ? {} : { shard }),
          },
        }),
      );
    }
    if (payload.op === 9) received.invalidSessions += 1;
    if (payload.op === 0)
      received.dispatches.push({ t: payload.t!, d: payload.d as Record<string, unknown> });
  });
  return received;
}

function eventually<T>(read: () => T | undefined, what: string, timeoutMs = 3_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = read();
      if (value !== undefined) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const guildCreates = (session: Received) =>
  session.dispatches.filter((event) => event.t === 'GUILD_CREATE').map((event) => String(event.d.id));

describe('fake Discord gateway sharding', () => {
  it('reports the recommended shards and the session start limit with max_concurrency', async () => {
    const fake = await start({ shardCount: 3, maxConcurrency: 2, sessionStartLimit: 1000 });
    const answer = await fetch(`${fake.restUrl}/v10/gateway/bot`, {
      headers: { authorization: `Bot ${fake.token}` },
    });
    const body = (await answer.json()) as { url: string; shards: number; session_start_limit: unknown };
    expect(body).toEqual({
      url: fake.gatewayUrl,
      shards: 3,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 86_400_000, max_concurrency: 2 },
    });
    const session = await identify(fake, [0, 3]);
    await eventually(() => session.dispatches.find((event) => event.t === 'READY'), 'READY');
    expect(fake.sessionStartLimit).toMatchObject({ total: 1000, remaining: 999, max_concurrency: 2 });
  });

  it('sends each guild to the shard (guild_id >> 22) % num_shards only, and DMs to shard 0', async () => {
    const fake = await start({ maxConcurrency: 2 });
    const onShard1 = fake.addGuild({ id: fake.guildIdOnShard(1, 2), name: 'odd' });
    const onShard0 = fake.addGuild({ id: fake.guildIdOnShard(0, 2), name: 'even' });
    const defaultGuild = fake.fixtures.guild.id;
    expect(shardForGuild(onShard1.id, 2)).toBe(1);
    expect(shardForGuild(onShard0.id, 2)).toBe(0);

    const [shard0, shard1] = await Promise.all([identify(fake, [0, 2]), identify(fake, [1, 2])]);
    await eventually(
      () => (guildCreates(shard0).length + guildCreates(shard1).length === 3 ? true : undefined),
      'the three GUILD_CREATEs',
    );
    const owner = (guildId: string) => (shardForGuild(guildId, 2) === 0 ? shard0 : shard1);
    const other = (guildId: string) => (shardForGuild(guildId, 2) === 0 ? shard1 : shard0);
    for (const guildId of [onShard0.id, onShard1.id, defaultGuild]) {
      expect(guildCreates(owner(guildId))).toContain(guildId);
      expect(guildCreates(other(guildId))).not.toContain(guildId);
    }
    const ready = (session: Received) => session.dispatches.find((event) => event.t === 'READY')!.d;
    expect(ready(shard0).shard).toEqual([0, 2]);
    expect(ready(shard1).shard).toEqual([1, 2]);

    // A guild joined later, and interactions, go to the owning shard only; a DM goes to shard 0.
    const joined = fake.addGuild({ id: fake.guildIdOnShard(1, 2), name: 'joined' });
    await eventually(() => (guildCreates(shard1).includes(joined.id) ? true : undefined), 'GUILD_CREATE');
    expect(guildCreates(shard0)).not.toContain(joined.id);
    const inShard1 = fake.interact.slashCommand({ name: 'ping', guildId: onShard1.id });
    const inShard0 = fake.interact.slashCommand({ name: 'ping', guildId: onShard0.id });
    const inDm = fake.interact.slashCommand({ name: 'ping', guildId: null });
    const interactionsOf = (session: Received) =>
      session.dispatches
        .filter((event) => event.t === 'INTERACTION_CREATE')
        .map((event) => String(event.d.id));
    await eventually(
      () => (interactionsOf(shard0).length === 2 ? true : undefined),
      'two interactions on shard 0',
    );
    await eventually(
      () => (interactionsOf(shard1).length === 1 ? true : undefined),
      'one interaction on shard 1',
    );
    expect(interactionsOf(shard0).sort()).toEqual([inShard0.id, inDm.id].sort());
    expect(interactionsOf(shard1)).toEqual([inShard1.id]);

    fake.removeGuild(onShard1.id);
    await eventually(
      () => (shard1.dispatches.some((event) => event.t === 'GUILD_DELETE') ? true : undefined),
      'GUILD_DELETE',
    );
    expect(shard0.dispatches.some((event) => event.t === 'GUILD_DELETE')).toBe(false);
  });

  it('closes with 4011 when an unsharded session would hold more guilds than one shard may', async () => {
    const fake = await start({ maxGuildsPerShard: 2, identifyIntervalMs: 0 });
    fake.addGuild({ id: fake.guildIdOnShard(0, 2), name: 'second' });
    fake.addGuild({ id: fake.guildIdOnShard(1, 2), name: 'third' });
    // Three guilds (the default one included) on one session: too many.
    expect(await (await identify(fake)).closed).toBe(4011);
    expect(fake.gateway.handshakes.at(-1)?.rejectedWith).toBe(4011);
    // Split over two shards, each holds at most two.
    const shards = await Promise.all([identify(fake, [0, 2]), identify(fake, [1, 2])]);
    await eventually(
      () => (shards.flatMap(guildCreates).length === 3 ? true : undefined),
      'the three guilds over two shards',
    );
    expect(fake.gateway.handshakes.slice(-2).map((handshake) => handshake.rejectedWith)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('closes with 4010 on an invalid shard pair', async () => {
    const fake = await start({ identifyIntervalMs: 0 });
    for (const shard of [[2, 2], [-1, 2], [0, 0], [0.5, 2], [0], 'zero']) {
      expect(await (await identify(fake, shard)).closed, JSON.stringify(shard)).toBe(4010);
    }
  });

  it('answers an IDENTIFY within 5 s of another one of the same rate-limit key with op 9', async () => {
    const fake = await start({ maxConcurrency: 2, identifyIntervalMs: 400 });
    // Keys: shard % 2. Shards 0 and 1 may start together; shard 2 shares key 0 with shard 0.
    const [shard0, shard1] = await Promise.all([identify(fake, [0, 4]), identify(fake, [1, 4])]);
    await eventually(() => (fake.gateway.connectedSessionCount === 2 ? true : undefined), 'two sessions');
    const tooSoon = await identify(fake, [2, 4]);
    await eventually(() => (tooSoon.invalidSessions === 1 ? true : undefined), 'op 9');
    expect(tooSoon.dispatches).toEqual([]);
    expect(fake.gateway.handshakes.at(-1)?.rejectedWith).toBe(9);
    expect(shard0.invalidSessions + shard1.invalidSessions).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const later = await identify(fake, [2, 4]);
    await eventually(() => later.dispatches.find((event) => event.t === 'READY'), 'READY after the interval');
    expect(later.invalidSessions).toBe(0);
  });
});
