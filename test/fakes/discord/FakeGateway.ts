// Discord's gateway protocol over the `ws` package: HELLO, heartbeats, IDENTIFY → READY + GUILD_CREATE,
// RESUME with replay of missed dispatches, op 7 / op 9, and the close codes @discordjs/ws reacts to.
// Sharding as Discord documents it: `shard: [shard_id, num_shards]` in IDENTIFY, guild events routed by
// `(guild_id >> 22) % num_shards` (DMs to shard 0), 4010 for an invalid pair, 4011 when a session would hold
// more guilds than one shard may, and IDENTIFY limited to `max_concurrency` per 5 s, one per rate-limit key
// `shard_id % max_concurrency` (an IDENTIFY too soon is answered with op 9).
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { guildCreateJson, userJson, type FakeGuild, type FakeUser } from './fixtures.js';
import { shardForGuild } from './snowflake.js';

const Op = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  VoiceStateUpdate: 4,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;
const Intent = {
  Guilds: 1 << 0,
  GuildMembers: 1 << 1,
  GuildPresences: 1 << 8,
  MessageContent: 1 << 15,
} as const;
const PRIVILEGED_INTENTS = Intent.GuildMembers | Intent.GuildPresences | Intent.MessageContent;
const ALL_INTENTS = (1 << 26) - 1;
const REPLAY_BUFFER = 1000;

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

interface GatewaySession {
  id: string;
  shard: [number, number];
  intents: number;
  seq: number;
  buffer: Dispatch[];
  socket: WebSocket | null;
}

export interface GatewayConnection {
  path: string;
  query: Record<string, string>;
  at: number;
}

export interface FakeGatewayOptions {
  /** Called whenever a session connects (READY/RESUMED) or loses its socket, so waiters re-check. */
  onSessionChange?: () => void;
  token: () => string;
  bot: FakeUser;
  applicationId: string;
  heartbeatIntervalMs: number;
  /** Privileged intents the application has been granted in the developer portal. */
  privilegedIntents: number;
  resumeUrl: () => string;
  guilds: () => FakeGuild[];
  /** Most guilds one session may hold before IDENTIFY closes with 4011 (Discord: 2,500). */
  maxGuildsPerShard: number;
  /** IDENTIFYs allowed at once, one per rate-limit key `shard_id % maxConcurrency` (Discord: 1 for most bots). */
  maxConcurrency: number;
  /** How long a rate-limit key stays taken after an IDENTIFY (Discord: 5 s). */
  identifyIntervalMs: number;
  /** Called for every IDENTIFY accepted by the rate limit: it counts against the session start limit. */
  onSessionStart?: () => void;
}

export class FakeGateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, GatewaySession>();
  readonly #sockets = new Set<WebSocket>();
  /** Every socket opened, with its path and query (proves the client used resume_gateway_url). */
  readonly connections: GatewayConnection[] = [];
  /** Every op 2 and op 6 received, in order. */
  readonly handshakes: {
    op: 'identify' | 'resume';
    at: number;
    /** The `shard` pair an IDENTIFY sent (absent = not sharded, i.e. [0, 1]). */
    shard?: unknown;
    intents?: number;
    seq?: number;
    rejectedWith?: number;
    replayed?: number;
  }[] = [];
  /** Heartbeats (op 1) received over all connections. */
  heartbeatsReceived = 0;
  /** When each rate-limit key (`shard_id % max_concurrency`) last let an IDENTIFY through. */
  readonly #identifiedAt = new Map<number, number>();

  constructor(private readonly options: FakeGatewayOptions) {}

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    this.connections.push({
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      at: Date.now(),
    });
    this.#wss.handleUpgrade(request, socket, head, (ws) => this.#accept(ws, url));
  }

  /** Sends an event to every session whose shard owns the guild (DM events go to shard 0). */
  dispatch(t: string, d: unknown, guildId?: string, intent?: number): number {
    let delivered = 0;
    for (const session of this.#sessions.values()) {
      if (intent !== undefined && (session.intents & intent) === 0) continue;
      const [shardId, shardCount] = session.shard;
      const owner = guildId === undefined ? 0 : shardForGuild(guildId, shardCount);
      if (owner !== shardId) continue;
      this.#send(session, t, d);
      delivered += 1;
    }
    return delivered;
  }

  /** Like dispatch, but the body is built per session (GUILD_CREATE depends on the session's intents). */
  dispatchPerSession(t: string, build: (intents: number) => unknown, guildId: string): void {
    for (const session of this.#sessions.values()) {
      if (shardForGuild(guildId, session.shard[1]) !== session.shard[0]) continue;
      this.#send(session, t, build(session.intents));
    }
  }

  /** The [shard_id, num_shards] of every session whose socket is connected, e.g. to wait for two shards. */
  get connectedShards(): [number, number][] {
    return [...this.#sessions.values()]
      .filter((session) => session.socket !== null)
      .map((session) => [...session.shard]);
  }

  get sessionCount(): number {
    return this.#sessions.size;
  }

  /** Sessions whose socket is open and past READY/RESUMED. */
  get connectedSessionCount(): number {
    return [...this.#sessions.values()].filter((session) => session.socket !== null).length;
  }

  /** op 7: the client closes and resumes on resume_gateway_url. */
  forceReconnect(): void {
    for (const socket of this.#sockets) socket.send(JSON.stringify({ op: Op.Reconnect, d: null }));
  }

  /** op 9: with resumable=false the sessions are forgotten, so the client must IDENTIFY again. */
  invalidateSession(resumable: boolean): void {
    for (const socket of this.#sockets) socket.send(JSON.stringify({ op: Op.InvalidSession, d: resumable }));
    if (!resumable) {
      for (const session of this.#sessions.values()) session.socket = null;
      this.#sessions.clear();
    }
  }

  /** Kills every socket without a close frame (code 1006 on the client): it reconnects and resumes. */
  dropConnection(): void {
    for (const socket of this.#sockets) socket.terminate();
  }

  /** Closes every socket with a code, e.g. 4000 (resume) or 4004 (auth failed, not recoverable). */
  closeConnections(code: number, reason = ''): void {
    for (const socket of this.#sockets) socket.close(code, reason);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(ws: WebSocket, url: URL): void {
    this.#sockets.add(ws);
    const state: { session: GatewaySession | null } = { session: null };
    ws.on('close', (code) => {
      this.#sockets.delete(ws);
      if (state.session?.socket !== ws) return;
      state.session.socket = null;
      // A client that closes with 1000/1001 ends its session for good, as on Discord (client.destroy()).
      if (code === 1000 || code === 1001) this.#sessions.delete(state.session.id);
      this.options.onSessionChange?.();
    });
    ws.on('error', () => ws.terminate());
    const version = url.searchParams.get('v');
    if (version !== '10' && version !== '9') return ws.close(4012, 'Invalid API version.');
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json')
      return ws.close(4002, 'Error while decoding payload.');
    if (url.searchParams.has('compress')) return ws.close(4002, 'Transport compression is not faked.');
    ws.send(JSON.stringify({ op: Op.Hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } }));
    ws.on('message', (raw) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        payload = JSON.parse(String(raw)) as { op?: unknown; d?: unknown };
      } catch {
        return ws.close(4002, 'Error while decoding payload.');
      }
      this.#onPayload(ws, state, payload);
    });
  }

  #onPayload(
    ws: WebSocket,
    state: { session: GatewaySession | null },
    payload: { op?: unknown; d?: unknown },
  ): void {
    const d = (payload.d ?? {}) as Record<string, unknown>;
    switch (payload.op) {
      case Op.Heartbeat:
        this.heartbeatsReceived += 1;
        return ws.send(JSON.stringify({ op: Op.HeartbeatAck }));
      case Op.Identify:
        if (state.session !== null) return ws.close(4005, 'Already authenticated.');
        state.session = this.#identify(ws, d);
        return;
      case Op.Resume:
        state.session = this.#resume(ws, d);
        return;
      case Op.PresenceUpdate:
      case Op.VoiceStateUpdate:
      case Op.RequestGuildMembers:
        if (state.session === null) return ws.close(4003, 'Not authenticated.');
        return;
      default:
        return ws.close(4001, 'Unknown opcode.');
    }
  }

  #identify(ws: WebSocket, d: Record<string, unknown>): GatewaySession | null {
    const intents = typeof d.intents === 'number' ? d.intents : Number.NaN;
    const handshake: (typeof this.handshakes)[number] = {
      op: 'identify',
      at: Date.now(),
      intents,
      ...(d.shard === undefined ? {} : { shard: d.shard }),
    };
    this.handshakes.push(handshake);
    const reject = (code: number, reason: string): null => {
      handshake.rejectedWith = code;
      ws.close(code, reason);
      return null;
    };
    if (d.token !== this.options.token()) return reject(4004, 'Authentication failed.');
    if (!Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0)
      return reject(4013, 'Invalid intent(s).');
    if ((intents & PRIVILEGED_INTENTS & ~this.options.privilegedIntents) !== 0)
      return reject(4014, 'Disallowed intent(s).');
    // Any shard count is accepted (GET /gateway/bot only recommends one), as long as the pair is valid.
    const shard = (d.shard === undefined ? [0, 1] : d.shard) as [number, number];
    if (
      !Array.isArray(shard) ||
      shard.length !== 2 ||
      !Number.isInteger(shard[0]) ||
      !Number.isInteger(shard[1]) ||
      shard[1] < 1 ||
      shard[0] < 0 ||
      shard[0] >= shard[1]
    ) {
      return reject(4010, 'Invalid shard.');
    }
    // Discord: "Clients also have a limit of concurrent Identify requests allowed per 5 seconds. If you hit
    // this limit, the Gateway will respond with an Opcode 9 Invalid Session."
    const rateLimitKey = shard[0] % this.options.maxConcurrency;
    const now = Date.now();
    const previous = this.#identifiedAt.get(rateLimitKey);
    if (previous !== undefined && now - previous < this.options.identifyIntervalMs) {
      handshake.rejectedWith = Op.InvalidSession;
      ws.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
      return null;
    }
    this.#identifiedAt.set(rateLimitKey, now);
    this.options.onSessionStart?.();
    const guilds = this.options.guilds().filter((guild) => shardForGuild(guild.id, shard[1]) === shard[0]);
    if (guilds.length > this.options.maxGuildsPerShard) {
      // "The session would have handled too many guilds - you are required to shard your connection."
      return reject(4011, 'Sharding required.');
    }
    const session: GatewaySession = {
      id: randomBytes(16).toString('hex'),
      shard,
      intents,
      seq: 0,
      buffer: [],
      socket: ws,
    };
    this.#sessions.set(session.id, session);
    this.#send(session, 'READY', {
      v: 10,
      user: { ...userJson(this.options.bot), verified: true, mfa_enabled: false, email: null },
      guilds: guilds.map((guild) => ({ id: guild.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.options.resumeUrl(),
      shard,
      application: { id: this.options.applicationId, flags: 0 },
      private_channels: [],
      presences: [],
      relationships: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      user_settings: {},
      _trace: ['["fake-discord",{}]'],
    });
    for (const guild of guilds) this.#send(session, 'GUILD_CREATE', this.guildCreateFor(guild, intents));
    this.options.onSessionChange?.();
    return session;
  }

  /** Without the GUILD_MEMBERS intent Discord sends only the bot's own member in GUILD_CREATE. */
  guildCreateFor(guild: FakeGuild, intents: number): Record<string, unknown> {
    const visible =
      (intents & Intent.GuildMembers) !== 0
        ? guild
        : { ...guild, members: guild.members.filter((member) => member.user.id === this.options.bot.id) };
    return { ...guildCreateJson(visible), member_count: guild.members.length };
  }

  #resume(ws: WebSocket, d: Record<string, unknown>): GatewaySession | null {
    const seq = typeof d.seq === 'number' ? d.seq : 0;
    const handshake: (typeof this.handshakes)[number] = { op: 'resume', at: Date.now(), seq, replayed: 0 };
    this.handshakes.push(handshake);
    if (d.token !== this.options.token()) {
      ws.close(4004, 'Authentication failed.');
      return null;
    }
    const session = this.#sessions.get(String(d.session_id));
    const oldest = session?.buffer[0]?.s ?? 1;
    if (session === undefined || seq > session.seq || seq + 1 < oldest) {
      handshake.rejectedWith = Op.InvalidSession;
      ws.send(JSON.stringify({ op: Op.InvalidSession, d: false }));
      return null;
    }
    if (session.socket !== null && session.socket !== ws) session.socket.terminate();
    session.socket = ws;
    for (const missed of session.buffer) {
      if (missed.s <= seq) continue;
      ws.send(JSON.stringify({ op: Op.Dispatch, ...missed }));
      handshake.replayed = (handshake.replayed ?? 0) + 1;
    }
    this.#send(session, 'RESUMED', null);
    this.options.onSessionChange?.();
    return session;
  }

  #send(session: GatewaySession, t: string, d: unknown): void {
    session.seq += 1;
    const dispatch: Dispatch = { s: session.seq, t, d };
    session.buffer.push(dispatch);
    if (session.buffer.length > REPLAY_BUFFER) session.buffer.shift();
    if (session.socket !== null && session.socket.readyState === session.socket.OPEN) {
      session.socket.send(JSON.stringify({ op: Op.Dispatch, ...dispatch }));
    }
  }
}
