// The fake Discord server: REST under /api/v{9,10} and the gateway WebSocket on one loopback port.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { DiscordHttpError } from './DiscordHttpError.js';
import { DiscordState, type FakeWebhook } from './DiscordState.js';
import { FakeGateway } from './FakeGateway.js';
import {
  Permission,
  type AddGuildOptions,
  type FakeChannel,
  type FakeGuild,
  type FakeRole,
  type FakeUser,
} from './fixtures.js';
import { InteractionDispatcher } from './InteractionDispatcher.js';
import { RateLimiter, type RateLimitRule } from './RateLimiter.js';
import {
  compileMatcher,
  compileRoutePattern,
  type LoggedRequest,
  type RequestMatcher,
  type RoutePattern,
  type UploadedFile,
} from './RequestLog.js';
import { buildRoutes, matchRoute, type BucketName, type RouteDefinition } from './restRoutes.js';
import { SnowflakeGenerator } from './snowflake.js';

type Json = Record<string, unknown>;

export interface FakeDiscordOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** The bot token accepted as `Authorization: Bot <token>` and in IDENTIFY. */
  token?: string;
  botUsername?: string;
  /** Defaults to the bot user's id, as for every real bot. */
  applicationId?: string;
  /** HELLO's heartbeat_interval; keep it small in tests so zombie detection is exercised. */
  heartbeatIntervalMs?: number;
  /** Recommended in GET /gateway/bot (`shards: 'auto'` uses it); any valid [id, count] is accepted. */
  shardCount?: number;
  /** Most guilds one gateway session may hold; IDENTIFY beyond it closes with 4011 (Discord: 2,500). */
  maxGuildsPerShard?: number;
  /** session_start_limit.max_concurrency: IDENTIFYs allowed per 5 s, one per `shard_id % max_concurrency`. */
  maxConcurrency?: number;
  /** How long an IDENTIFY holds its rate-limit key (Discord: 5 s). */
  identifyIntervalMs?: number;
  /** session_start_limit.total: IDENTIFYs allowed per 24 h (Discord: 1,000 for most bots). */
  sessionStartLimit?: number;
  /** Bitfield of privileged intents granted (GUILD_MEMBERS 1<<1, GUILD_PRESENCES 1<<8, MESSAGE_CONTENT 1<<15). */
  privilegedIntents?: number;
  rateLimits?: Partial<Record<BucketName | 'global', RateLimitRule>>;
  /**
   * Clock of the rate-limit windows (default `Date.now`). Tests of the limits themselves pass a clock they
   * advance, so how fast a loaded machine sends cannot decide which window a request falls in.
   */
  rateLimitClock?: () => number;
  /** How long the bot has to send the first callback (Discord: 3 s). */
  interactionAckWindowMs?: number;
  /** How long webhook calls with the interaction token work (Discord: 15 min). */
  interactionTokenTtlMs?: number;
  /** How long a nonce with enforce_nonce deduplicates (Discord: "a few minutes"). */
  nonceWindowMs?: number;
  /** Default timeout of the wait helpers. */
  waitTimeoutMs?: number;
  /** Create the default guild, channels, roles and users (default true). */
  defaultFixtures?: boolean;
}

export interface FaultOptions {
  /** HTTP status to answer with (e.g. 500, 502, 429). Omit with `delayMs` to only delay a normal answer. */
  status?: number;
  /** How many matching requests the fault applies to (default 1). */
  count?: number;
  delayMs?: number;
  /** Reset the TCP connection instead of answering (the client sees ECONNRESET). */
  dropConnection?: boolean;
  /** For status 429: Retry-After in ms (default 100) and whether it is the global limit. */
  retryAfterMs?: number;
  global?: boolean;
  body?: Json;
  /**
   * Handle the request normally first (the message is created, the nonce remembered), then answer with
   * `status` or drop the connection instead of the real answer: Discord's "500 after the write" and a
   * lost response. With `delayMs` the delay comes after the handling; with `delayMs` alone the real answer
   * is sent late (a client timing out after the write).
   */
  afterProcessing?: boolean;
}

interface Fault extends FaultOptions {
  matches: (method: string, path: string) => boolean;
  remaining: number;
}

export interface DefaultFixtures {
  guild: FakeGuild;
  general: FakeChannel;
  clips: FakeChannel;
  moderatorRole: FakeRole;
  owner: FakeUser;
  moderator: FakeUser;
  member: FakeUser;
}

const DEFAULT_RATE_LIMITS: Record<BucketName | 'global', RateLimitRule> = {
  global: { limit: 50, windowMs: 1000 },
  default: { limit: 50, windowMs: 1000 },
  channelMessages: { limit: 5, windowMs: 5000 },
  webhooks: { limit: 5, windowMs: 2000 },
  interactionCallback: { limit: 50, windowMs: 1000 },
};

export class FakeDiscord {
  readonly requests: LoggedRequest[] = [];
  readonly bot: FakeUser;
  readonly applicationId: string;
  readonly gateway: FakeGateway;
  readonly state: DiscordState;
  readonly interact: InteractionDispatcher;
  #fixtures: DefaultFixtures | undefined;
  #token: string;
  #port = 0;
  readonly #ids = new SnowflakeGenerator();
  readonly #server: Server;
  readonly #faults: Fault[] = [];
  readonly #rateLimits: Record<BucketName | 'global', RateLimitRule>;
  readonly #limiter: RateLimiter;
  readonly #routes: RouteDefinition[];
  readonly #waitTimeoutMs: number;
  readonly #shardCount: number;
  readonly #sessionStarts: number[] = [];

  constructor(private readonly options: FakeDiscordOptions = {}) {
    this.bot = { id: this.#ids.next(), username: options.botUsername ?? 'ClipBot', bot: true };
    this.applicationId = options.applicationId ?? this.bot.id;
    this.#token =
      options.token ??
      `${Buffer.from(this.bot.id).toString('base64url')}.fake.${randomBytes(20).toString('base64url')}`;
    this.#rateLimits = { ...DEFAULT_RATE_LIMITS, ...options.rateLimits };
    this.#limiter = new RateLimiter(this.#rateLimits.global, options.rateLimitClock);
    this.#waitTimeoutMs = options.waitTimeoutMs ?? 5000;
    this.#shardCount = options.shardCount ?? 1;
    this.gateway = new FakeGateway({
      // The state is built after the gateway (it needs it); by the time a client connects it exists.
      onSessionChange: () => this.state?.changed(),
      token: () => this.#token,
      bot: this.bot,
      applicationId: this.applicationId,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
      privilegedIntents: options.privilegedIntents ?? 0,
      resumeUrl: () => this.resumeGatewayUrl,
      guilds: () => this.state.guilds,
      maxGuildsPerShard: options.maxGuildsPerShard ?? 2500,
      maxConcurrency: options.maxConcurrency ?? 1,
      identifyIntervalMs: options.identifyIntervalMs ?? 5000,
      onSessionStart: () => this.#sessionStarts.push(Date.now()),
    });
    this.state = new DiscordState(this.#ids, this.bot, this.applicationId, this.gateway);
    this.#routes = buildRoutes(this.state, {
      gatewayUrl: () => this.gatewayUrl,
      shardCount: () => this.#shardCount,
      sessionStartLimit: () => this.sessionStartLimit,
      interactionAckWindowMs: options.interactionAckWindowMs ?? 3000,
      interactionTokenTtlMs: options.interactionTokenTtlMs ?? 15 * 60_000,
      nonceWindowMs: options.nonceWindowMs ?? 5 * 60_000,
    });
    this.#server = createServer((request, response) => void this.#handle(request, response));
    this.#server.on('upgrade', (request: IncomingMessage, socket, head: Buffer) => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      if (path === '/gateway' || path === '/gateway-resume')
        this.gateway.handleUpgrade(request, socket, head);
      else socket.destroy();
    });
    this.interact = new InteractionDispatcher({
      state: this.state,
      gateway: this.gateway,
      ids: this.#ids,
      waitTimeoutMs: this.#waitTimeoutMs,
      defaults: () => ({ guild: this.#fixtures?.guild, user: this.#fixtures?.member }),
    });
    if (options.defaultFixtures !== false) this.#fixtures = this.#createDefaultFixtures();
  }

  /** Default guild "Clip Fans" (#general, #clips), a Moderator role with Manage Guild, and three users. */
  get fixtures(): DefaultFixtures {
    if (this.#fixtures === undefined) throw new Error('fake discord was started with defaultFixtures: false');
    return this.#fixtures;
  }

  get token(): string {
    return this.#token;
  }

  /** Rotates the accepted token; requests with the old one get 401 and IDENTIFY closes with 4004. */
  setToken(token: string): void {
    this.#token = token;
  }

  /** GET /gateway/bot's session_start_limit: every IDENTIFY of the last 24 h counts against `total`. */
  get sessionStartLimit(): {
    total: number;
    remaining: number;
    reset_after: number;
    max_concurrency: number;
  } {
    const day = 86_400_000;
    const now = Date.now();
    const recent = this.#sessionStarts.filter((at) => now - at < day);
    const total = this.options.sessionStartLimit ?? 1000;
    return {
      total,
      remaining: Math.max(0, total - recent.length),
      reset_after: recent.length === 0 ? day : day - (now - recent[0]!),
      max_concurrency: this.options.maxConcurrency ?? 1,
    };
  }

  get port(): number {
    return this.#port;
  }

  /** `http://127.0.0.1:P/api`: pass as `rest.api` with `version: '10'`. */
  get restUrl(): string {
    return `http://127.0.0.1:${this.#port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }

  get resumeGatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway-resume`;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  // ---- fixtures -------------------------------------------------------------------------------------------

  addUser(user: { id?: string; username: string }): FakeUser {
    return this.state.addUser(user);
  }

  /** Adds a guild the bot is in; connected sessions receive GUILD_CREATE. */
  addGuild(options: AddGuildOptions = {}): FakeGuild {
    return this.state.addGuild(options);
  }

  /** An unused guild id that shard `shardId` of `shardCount` owns: pass it as `addGuild({ id })`. */
  guildIdOnShard(shardId: number, shardCount: number): string {
    return this.#ids.nextOnShard(shardId, shardCount);
  }

  removeGuild(guildId: string): void {
    this.state.removeGuild(guildId);
  }

  /**
   * A channel; a thread (type 10–12) names its channel in `parentId`. A forum (15) or media (16) channel may
   * have `availableTags` and `requireTag` (the REQUIRE_TAG flag: a post without a tag is refused, 40067).
   */
  addChannel(guildId: string, channel: Parameters<DiscordState['addChannel']>[1]): FakeChannel {
    return this.state.addChannel(guildId, channel);
  }

  removeChannel(channelId: string): void {
    this.state.removeChannel(channelId);
  }

  /** Simulates lost permissions: 'missing-access' → 403/50001 on every call, 'missing-permissions' → 403/50013 on writes. */
  setChannelAccess(channelId: string, access: FakeChannel['access']): void {
    const channel = this.state.guilds
      .flatMap((guild) => guild.channels)
      .find((candidate) => candidate.id === channelId);
    if (channel === undefined) throw new Error(`fake discord: unknown channel ${channelId}`);
    channel.access = access;
  }

  /** Grants or takes away the bot's Manage Webhooks in a channel (without it: 403/50013 on webhook management). */
  setWebhookPermission(channelId: string, allowed: boolean): void {
    const channel = this.state.channel(channelId).channel;
    if (channel === undefined) throw new Error(`fake discord: unknown guild channel ${channelId}`);
    channel.manageWebhooks = allowed;
  }

  /** Webhooks of a channel (as Get Channel Webhooks would list them, tokens included). */
  webhooksIn(channelId: string): FakeWebhook[] {
    return [...this.state.webhooks.values()].filter((webhook) => webhook.channelId === channelId);
  }

  /** Deletes a webhook as a member would in the server's settings: its calls then answer 404/10015. */
  deleteWebhook(webhookId: string): void {
    this.state.deleteWebhook(webhookId);
  }

  /** Gives a webhook a new token: calls with the old one answer 401/50027. */
  rotateWebhookToken(webhookId: string): void {
    this.state.rotateWebhookToken(webhookId);
  }

  /** The `avatar_url` a webhook post was made with (Discord shows it as the author's avatar). */
  messageAvatarUrl(messageId: string): string | undefined {
    return this.state.message(messageId)?.avatarUrl;
  }

  // ---- observation ----------------------------------------------------------------------------------------

  findRequests(matcher: RequestMatcher): LoggedRequest[] {
    const test = compileMatcher(matcher);
    return this.requests.filter(test);
  }

  /** Resolves with the first logged request (past or future) that matches. */
  waitForRequest(matcher: RequestMatcher, timeoutMs = this.#waitTimeoutMs): Promise<LoggedRequest> {
    const test = compileMatcher(matcher);
    const description =
      typeof matcher === 'function'
        ? 'a matching request'
        : `request ${JSON.stringify(matcher, (_key, value: unknown) => (value instanceof RegExp ? String(value) : value))}`;
    return this.state.waitUntil(() => this.requests.find(test), timeoutMs, description);
  }

  /**
   * 401, 403 and 429 answers so far: Discord bans a bot's IP temporarily after 10,000 of them in 10 minutes,
   * so a test can assert the bot does not hammer a channel it lost access to.
   */
  get invalidRequestCount(): number {
    return this.requests.filter((request) => [401, 403, 429].includes(request.status)).length;
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Messages currently in a channel (oldest first), including interaction replies and webhook posts. */
  messagesIn(channelId: string): Json[] {
    return this.state.channelMessages(channelId);
  }

  waitForMessage(
    channelId: string,
    predicate: (message: Json) => boolean = () => true,
    timeoutMs = this.#waitTimeoutMs,
  ): Promise<Json> {
    return this.state.waitUntil(
      () => this.messagesIn(channelId).find(predicate),
      timeoutMs,
      `message in channel ${channelId}`,
    );
  }

  /** Registered commands: global, or of one guild. */
  commands(guildId?: string): Json[] {
    const store = guildId === undefined ? this.state.globalCommands : this.state.guildCommands.get(guildId);
    return [...(store?.values() ?? [])];
  }

  /** Resolves once a gateway session is connected (after READY or RESUMED). */
  waitForGatewaySession(timeoutMs = this.#waitTimeoutMs): Promise<true> {
    return this.state.waitUntil(
      () => (this.gateway.connectedSessionCount > 0 ? true : undefined),
      timeoutMs,
      'a gateway session',
    );
  }

  // ---- fault injection ------------------------------------------------------------------------------------

  /**
   * The next `count` requests matching `route` (e.g. `'POST /channels/:id/messages'`) fail as described.
   * Faults apply before auth and rate limits, in the order they were added.
   */
  failNext(route: RoutePattern, fault: FaultOptions): void {
    this.#faults.push({ ...fault, matches: compileRoutePattern(route), remaining: fault.count ?? 1 });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  // ---- gateway control ------------------------------------------------------------------------------------

  forceReconnect(): void {
    this.gateway.forceReconnect();
  }

  invalidateSession(resumable: boolean): void {
    this.gateway.invalidateSession(resumable);
  }

  dropConnection(): void {
    this.gateway.dropConnection();
  }

  /** Sends any dispatch event; `guildId` routes it to the owning shard. */
  dispatch(event: string, data: unknown, guildId?: string): void {
    this.gateway.dispatch(event, data, guildId);
    this.state.changed();
  }

  // ---- internals ------------------------------------------------------------------------------------------

  #createDefaultFixtures(): DefaultFixtures {
    const owner = this.addUser({ username: 'guild-owner' });
    const moderator = this.addUser({ username: 'moderator' });
    const member = this.addUser({ username: 'regular-member' });
    const guild = this.addGuild({
      name: 'Clip Fans',
      ownerId: owner.id,
      channels: [{ name: 'general' }, { name: 'clips' }],
      roles: [{ name: 'Moderator', permissions: Permission.ManageGuild }],
      members: [{ user: owner }, { user: moderator, roles: ['Moderator'] }, { user: member }],
    });
    return {
      guild,
      general: guild.channels[0]!,
      clips: guild.channels[1]!,
      moderatorRole: guild.roles.find((role) => role.name === 'Moderator')!,
      owner,
      moderator,
      member,
    };
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = (request.method ?? 'GET').toUpperCase();
    const versionMatch = /^\/api\/v(\d+)(\/.*)$/.exec(url.pathname);
    // Logged and routed decoded: discord.js sends `@original` as `%40original`.
    const path = safeDecode(versionMatch?.[2] ?? url.pathname);
    const headers = Object.fromEntries(
      Object.entries(request.headers)
        .filter(([name]) => name !== 'authorization')
        .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : String(value)]),
    );
    const authenticated = request.headers.authorization === `Bot ${this.#token}`;
    const entry: LoggedRequest = {
      method,
      path,
      apiVersion: Number(versionMatch?.[1] ?? 0),
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      files: [],
      headers,
      authenticated,
      status: 0,
      responseBody: undefined,
      at: Date.now(),
    };
    const send = (status: number, body: unknown, extraHeaders: Record<string, string> = {}): void => {
      entry.status = status;
      // A snapshot: stored messages keep changing after this answer.
      entry.responseBody = body === undefined ? undefined : structuredClone(body);
      this.requests.push(entry);
      response.writeHead(status, {
        ...extraHeaders,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      });
      response.end(body === undefined ? undefined : JSON.stringify(body));
      this.state.changed();
    };
    try {
      const parsed = await readBody(request);
      entry.body = parsed.body;
      entry.files = parsed.files;
      if (versionMatch === null || !['9', '10'].includes(versionMatch[1]!))
        return send(404, { message: '404: Not Found', code: 0 });
      if (parsed.invalidJson)
        return send(400, { code: 50109, message: 'The request body contains invalid JSON.' });
      const fault = this.#takeFault(method, path, 'before');
      if (fault !== undefined) {
        if (fault.delayMs !== undefined) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
        if (fault.dropConnection === true) {
          this.requests.push(entry);
          this.state.changed();
          request.socket.resetAndDestroy();
          return;
        }
        if (fault.status === 429) {
          const seconds = (fault.retryAfterMs ?? 100) / 1000;
          return send(
            429,
            fault.body ?? {
              message: 'You are being rate limited.',
              retry_after: seconds,
              global: fault.global === true,
            },
            {
              'Retry-After': seconds.toFixed(3),
              'X-RateLimit-Scope': fault.global === true ? 'global' : 'user',
              ...(fault.global === true
                ? { 'X-RateLimit-Global': 'true' }
                : {
                    'X-RateLimit-Limit': '1',
                    'X-RateLimit-Remaining': '0',
                    'X-RateLimit-Reset-After': seconds.toFixed(3),
                  }),
            },
          );
        }
        if (fault.status !== undefined) {
          return send(fault.status, fault.body ?? { message: `${fault.status}: injected fault`, code: 0 });
        }
      }
      const found = matchRoute(this.#routes, method, path);
      if (found === undefined) return send(404, { message: '404: Not Found', code: 0 });
      const { route, params } = found;
      if (route.auth === 'bot' && !authenticated) return send(401, { message: '401: Unauthorized', code: 0 });
      const decision = this.#limiter.take({
        template: `${method} ${route.template}`,
        major: route.major(params),
        rule: this.#rateLimits[route.bucket],
        globalKey: route.auth === 'bot' ? this.#token : null,
      });
      if (decision.exceeded !== undefined) {
        const seconds = decision.exceeded.retryAfterMs / 1000;
        return send(
          429,
          {
            message: 'You are being rate limited.',
            retry_after: Number(seconds.toFixed(3)),
            global: decision.exceeded.global,
          },
          { ...decision.headers, 'Retry-After': seconds.toFixed(3) },
        );
      }
      try {
        const body = (
          typeof parsed.body === 'object' && parsed.body !== null && !Array.isArray(parsed.body)
            ? parsed.body
            : {}
        ) as Json;
        const result = route.handle({
          params,
          query: url.searchParams,
          body,
          rawBody: parsed.body,
          now: Date.now(),
        });
        const lateFault = this.#takeFault(method, path, 'after');
        if (lateFault !== undefined) {
          if (lateFault.delayMs !== undefined)
            await new Promise((resolve) => setTimeout(resolve, lateFault.delayMs));
          if (lateFault.dropConnection === true) {
            entry.status = 0;
            this.requests.push(entry);
            this.state.changed();
            request.socket.resetAndDestroy();
            return;
          }
          // Only a delay: the real answer, late (a client with a shorter timeout has given up by then).
          if (lateFault.status === undefined && lateFault.delayMs !== undefined) {
            return send(result.status, result.body, decision.headers);
          }
          return send(
            lateFault.status ?? 500,
            lateFault.body ?? { message: 'injected fault after processing', code: 0 },
          );
        }
        return send(result.status, result.body, decision.headers);
      } catch (error) {
        if (error instanceof DiscordHttpError) return send(error.status, error.body, decision.headers);
        throw error;
      }
    } catch (error) {
      if (error instanceof DiscordHttpError) return send(error.status, error.body);
      console.error('fake discord: handler crashed', error);
      return send(500, { message: '500: Internal Server Error', code: 0 });
    }
  }

  /**
   * Spends the next fault of a request, in the order faults were added, if it belongs to this stage. An
   * `afterProcessing` fault waits for the 'after' stage, which only a request that was processed reaches: a
   * request refused first (401, 429, an error code) leaves it to the next, since Discord cannot fail after a
   * write that never happened.
   */
  #takeFault(method: string, path: string, stage: 'before' | 'after'): Fault | undefined {
    const fault = this.#faults.find(
      (candidate) => candidate.remaining > 0 && candidate.matches(method, path),
    );
    if (fault === undefined || (fault.afterProcessing === true) !== (stage === 'after')) return undefined;
    fault.remaining -= 1;
    if (fault.remaining === 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    return fault;
  }
}

async function readBody(
  request: IncomingMessage,
): Promise<{ body: unknown; files: UploadedFile[]; invalidJson: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  if (raw.length === 0) return { body: undefined, files: [], invalidJson: false };
  const contentType = request.headers['content-type'] ?? '';
  if (contentType.startsWith('multipart/form-data')) {
    // discord.js sends files as multipart with the JSON in `payload_json`.
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    const files: UploadedFile[] = [];
    let body: unknown;
    for (const [name, value] of form.entries()) {
      if (name === 'payload_json') body = JSON.parse(String(value));
      else if (typeof value !== 'string')
        files.push({ name: value.name, size: value.size, data: Buffer.from(await value.arrayBuffer()) });
    }
    return { body, files, invalidJson: false };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')), files: [], invalidJson: false };
  } catch {
    return { body: raw.toString('utf8'), files: [], invalidJson: true };
  }
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
