import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { generateClipInputs, type GenerateClipsInput } from './clipGenerator.js';
import { SortedClipCache } from './clipQuery.js';
import {
  EventSubHub,
  type EventSubOptions,
  type FakeSession,
  type FakeSubscription,
  type SubscriptionStatus,
} from './EventSubHub.js';
import { FakeClock } from './FakeClock.js';
import { FaultInjector, type FaultSpec } from './FaultInjector.js';
import { helixGetHandlers, type HelixReply } from './helixHandlers.js';
import { HelixError, readBody, sendJson, sleep, statusText } from './http.js';
import { RequestLog, type RequestLogEntry } from './RequestLog.js';
import { TokenBucket, type RateLimitOptions, type RateLimitState } from './TokenBucket.js';
import { TokenStore, type AccessTokenRecord, type IssuedUserToken } from './TokenStore.js';
import { TwitchData } from './TwitchData.js';
import {
  type AddBroadcasterInput,
  type AddClipInput,
  type AddGameInput,
  type AddVideoInput,
  type FakeClip,
  type FakeGame,
  type FakeStream,
  type FakeUser,
  type FakeVideo,
  type GoLiveInput,
  type Instant,
} from './types.js';

export interface FakeTwitchOptions {
  /** Port to listen on (127.0.0.1 and, when available, ::1). Default: a free port. */
  port?: number;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of app access tokens (Twitch: about 60 days). */
  appTokenTtlSeconds?: number;
  /** Lifetime of user access tokens (Twitch: about 4 hours). */
  userTokenTtlSeconds?: number;
  /** Helix token bucket per app client / per client+user (Twitch: 800 points per minute). */
  rateLimit?: Partial<RateLimitOptions>;
  /** Default delay between a clip's created_at and its appearance in Get Clips. */
  clipVisibilityDelayMs?: number;
  /** Results one Get Clips query window can reach before the cursor stops (Twitch: about 1,000). */
  maxClipResultsPerQuery?: number;
  eventSub?: Partial<EventSubOptions>;
  /** Freeze the fake clock at this instant from the start (default: real time). */
  now?: Instant;
}

const HELIX_PREFIXES = ['/mock/', '/helix/'];

/** An in-process Twitch (Helix, OAuth, EventSub WebSocket) for twurple pointed at it by TWURPLE_MOCK_API_PORT. */
export class FakeTwitch {
  readonly clock = new FakeClock();
  readonly clientId: string;
  readonly clientSecret: string;
  readonly data: TwitchData;
  readonly tokens: TokenStore;
  readonly faults = new FaultInjector();
  readonly log = new RequestLog();
  readonly eventSub: EventSubHub;
  private readonly rateLimit: RateLimitOptions;
  private readonly maxClipResultsPerQuery: number;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly clipCache = new SortedClipCache();
  private readonly servers: Server[] = [];
  private readonly wss = new WebSocketServer({ noServer: true });
  private listeningPort = 0;
  private authorizingUserId: string | null = null;

  constructor(options: FakeTwitchOptions = {}) {
    this.clientId = options.clientId ?? 'fakeclientid0000000000000000000';
    this.clientSecret = options.clientSecret ?? 'fakeclientsecret00000000000000';
    if (options.now !== undefined) this.clock.set(options.now);
    this.data = new TwitchData(this.clock, options.clipVisibilityDelayMs ?? 15_000);
    this.tokens = new TokenStore({
      clientId: this.clientId,
      appTokenTtlSeconds: options.appTokenTtlSeconds ?? 5_000_000,
      userTokenTtlSeconds: options.userTokenTtlSeconds ?? 14_400,
    });
    this.rateLimit = { points: 800, windowMs: 60_000, ...options.rateLimit };
    this.maxClipResultsPerQuery = options.maxClipResultsPerQuery ?? 1000;
    this.eventSub = new EventSubHub(
      {
        keepaliveTimeoutSeconds: 10,
        unusedTimeoutMs: 10_000,
        reconnectGraceMs: 30_000,
        maxTotalCost: 10,
        maxSubscriptionsPerSession: 300,
        maxSessionsPerUser: 3,
        ...options.eventSub,
      },
      this.tokens,
      () => `ws://127.0.0.1:${this.listeningPort}/ws`,
    );
  }

  get port(): number {
    return this.listeningPort;
  }

  /** Base URL for raw HTTP checks; Helix lives under /mock/ (and /helix/), OAuth under /auth/. */
  get url(): string {
    return `http://127.0.0.1:${this.listeningPort}`;
  }

  /** The environment twurple needs: TWURPLE_MOCK_API_PORT. */
  env(): Record<string, string> {
    return { TWURPLE_MOCK_API_PORT: String(this.listeningPort) };
  }

  async listen(port = 0): Promise<void> {
    // twurple calls http://localhost:P (IPv4 or IPv6 depending on resolution) and ws://127.0.0.1:P, so the fake
    // binds the same port on both loopbacks. A random IPv4 port may be taken on ::1: then try another.
    for (let attempt = 0; attempt < 10; attempt++) {
      const v4 = this.createHttpServer();
      await listenOn(v4, port, '127.0.0.1');
      const chosen = (v4.address() as AddressInfo).port;
      const v6 = this.createHttpServer();
      try {
        await listenOn(v6, chosen, '::1');
        this.servers.push(v4, v6);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EADDRINUSE' && port === 0) {
          await closeServer(v4);
          continue;
        }
        if (code !== 'EADDRNOTAVAIL' && code !== 'EAFNOSUPPORT' && code !== 'EADDRINUSE') {
          await closeServer(v4);
          throw error;
        }
        this.servers.push(v4); // no IPv6 loopback here: IPv4 alone serves "localhost"
      }
      this.listeningPort = chosen;
      return;
    }
    throw new Error('fake twitch: could not find a port free on both 127.0.0.1 and ::1');
  }

  async close(): Promise<void> {
    this.eventSub.close();
    this.wss.close();
    await Promise.all(this.servers.map((s) => closeServer(s)));
    this.servers.length = 0;
  }

  // ---- control API: world state -----------------------------------------------------------------

  addBroadcaster(input: AddBroadcasterInput): FakeUser {
    return this.data.addBroadcaster(input);
  }

  addGame(input: AddGameInput): FakeGame {
    return this.data.addGame(input);
  }

  /** Returns the stored clip read-only: change it through addViews/deleteClip so caches stay correct. */
  addClip(input: AddClipInput): Readonly<FakeClip> {
    return this.data.addClip(input);
  }

  addClips(inputs: AddClipInput[]): Readonly<FakeClip>[] {
    return inputs.map((input) => this.data.addClip(input));
  }

  /** Bulk seeding with deterministic pseudo-random titles, times and long-tailed view counts. */
  generateClips(input: GenerateClipsInput): Readonly<FakeClip>[] {
    return this.addClips(generateClipInputs(input));
  }

  addVideo(input: AddVideoInput): FakeVideo {
    return this.data.addVideo(input);
  }

  deleteClip(id: string): boolean {
    return this.data.deleteClip(id);
  }

  addViews(clipId: string, views: number): Readonly<FakeClip> {
    return this.data.addViews(clipId, views);
  }

  /** Changes login and/or display name; sends user.update to matching subscriptions. */
  renameBroadcaster(id: string, change: { login?: string; displayName?: string }): FakeUser {
    const user = this.data.renameBroadcaster(id, change);
    this.eventSub.notify('user.update', (c) => c.user_id === id, {
      user_id: user.id,
      user_login: user.login,
      user_name: user.displayName,
      description: user.description,
    });
    return user;
  }

  /** Changes channel title/game/language; sends channel.update to matching subscriptions. */
  updateChannel(id: string, change: { title?: string; gameId?: string; language?: string }): FakeUser {
    const user = this.data.requireUser(id);
    Object.assign(user, Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)));
    this.eventSub.notify('channel.update', (c) => c.broadcaster_user_id === id, {
      broadcaster_user_id: user.id,
      broadcaster_user_login: user.login,
      broadcaster_user_name: user.displayName,
      title: user.title,
      language: user.language,
      category_id: user.gameId,
      category_name: this.data.games.get(user.gameId)?.name ?? '',
      content_classification_labels: [],
    });
    return user;
  }

  /** Starts a stream (Get Streams shows it) and sends stream.online if the channel was offline. */
  goLive(broadcasterId: string, input: GoLiveInput = {}): { stream: FakeStream; delivered: number } {
    const { stream, started } = this.data.startStream(broadcasterId, input);
    if (!started) return { stream, delivered: 0 };
    const user = this.data.requireUser(broadcasterId);
    const delivered = this.eventSub.notify('stream.online', (c) => c.broadcaster_user_id === broadcasterId, {
      id: stream.id,
      broadcaster_user_id: user.id,
      broadcaster_user_login: user.login,
      broadcaster_user_name: user.displayName,
      type: 'live',
      started_at: new Date(stream.startedAt).toISOString(),
    });
    return { stream, delivered };
  }

  /** Ends the stream and sends stream.offline if the channel was live. */
  goOffline(broadcasterId: string): { delivered: number } {
    if (!this.data.stopStream(broadcasterId)) return { delivered: 0 };
    const user = this.data.requireUser(broadcasterId);
    const delivered = this.eventSub.notify('stream.offline', (c) => c.broadcaster_user_id === broadcasterId, {
      broadcaster_user_id: user.id,
      broadcaster_user_login: user.login,
      broadcaster_user_name: user.displayName,
    });
    return { delivered };
  }

  // ---- control API: tokens ---------------------------------------------------------------------

  /** A user token as twurple's RefreshingAuthProvider wants it (addUser / addUserForToken). */
  issueUserToken(input: { userId: string; scopes?: string[]; expiresInSeconds?: number }): IssuedUserToken {
    this.data.requireUser(input.userId);
    return this.tokens.issueUserToken(input.userId, input.scopes ?? [], input.expiresInSeconds);
  }

  /** An app access token for raw HTTP tests (twurple gets its own via client_credentials). */
  issueAppToken(expiresInSeconds?: number): string {
    return this.tokens.issueAppToken(expiresInSeconds).token;
  }

  /** A single-use code for the authorization_code grant (what Twitch's redirect would carry). */
  issueAuthorizationCode(input: { userId: string; scopes?: string[]; redirectUri?: string }): string {
    this.data.requireUser(input.userId);
    return this.tokens.issueAuthorizationCode(input.userId, input.scopes ?? [], input.redirectUri ?? null);
  }

  /** Every current access token answers 401 from now on; refresh tokens keep working. */
  expireAllTokens(): number {
    return this.tokens.expireAll();
  }

  expireToken(accessToken: string): boolean {
    return this.tokens.expireToken(accessToken);
  }

  /** Who approves GET /auth/authorize when the request names nobody (null: such requests fail). */
  setAuthorizingUser(userId: string | null): void {
    if (userId !== null) this.data.requireUser(userId);
    this.authorizingUserId = userId;
  }

  /** The user disconnects the app: tokens and refresh tokens die, their subscriptions are revoked. */
  revokeUserAuthorization(userId: string): number {
    this.tokens.revokeUser(userId);
    return this.eventSub.revokeUser(userId);
  }

  // ---- control API: EventSub -----------------------------------------------------------------

  eventSubSessions(): FakeSession[] {
    return [...this.eventSub.sessions.values()].filter((s) => !s.closed);
  }

  eventSubSubscriptions(): FakeSubscription[] {
    return [...this.eventSub.subscriptions.values()];
  }

  requestReconnect(sessionId?: string): number {
    return this.eventSub.requestReconnect(sessionId);
  }

  revokeSubscription(id: string, status?: SubscriptionStatus): boolean {
    return this.eventSub.revokeSubscription(id, status);
  }

  dropSession(sessionId: string, code?: number, reason?: string): boolean {
    return this.eventSub.dropSession(sessionId, code, reason);
  }

  // ---- control API: faults and observation ---------------------------------------------------

  /** The next `times` calls to `endpoint` ('clips', 'auth/token', '*', ...) fail as described. */
  injectFault(endpoint: string, fault: FaultSpec, times = 1): void {
    this.faults.inject(endpoint, fault, times);
  }

  callCount(endpoint?: string): number {
    return this.log.callCount(endpoint);
  }

  requests(endpoint?: string): RequestLogEntry[] {
    return this.log.list(endpoint);
  }

  resetCounters(): void {
    this.log.reset();
  }

  /** Current bucket of the app token (or of a user's tokens). */
  rateLimitState(userId: string | null = null): RateLimitState {
    return this.bucketFor(userId).peek();
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private createHttpServer(): Server {
    const server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          sendJson(res, 500, { error: 'Internal Server Error', status: 500, message: String(error) });
        } else {
          res.destroy();
        }
      });
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      if (url.pathname !== '/ws') {
        socket.destroy();
        return;
      }
      this.log.count('ws');
      this.wss.handleUpgrade(req, socket, head, (ws) => this.eventSub.handleConnection(ws, url));
    });
    return server;
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    if (path.startsWith('/auth/')) {
      await this.serve('auth', path.slice('/auth/'.length), req, res, url);
      return;
    }
    if (path === '/eventsub/subscriptions') {
      await this.serve('helix', 'eventsub/subscriptions', req, res, url);
      return;
    }
    const prefix = HELIX_PREFIXES.find((p) => path.startsWith(p));
    if (prefix) {
      await this.serve('helix', path.slice(prefix.length).replace(/\/$/, ''), req, res, url);
      return;
    }
    sendJson(res, 404, { error: 'Not Found', status: 404, message: `no route for ${path}` });
  }

  private async serve(
    kind: 'auth' | 'helix',
    name: string,
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
  ): Promise<void> {
    const endpoint = kind === 'auth' ? `auth/${name}` : name;
    const method = req.method ?? 'GET';
    const rawBody = await readBody(req);
    const params = new URLSearchParams(url.searchParams);
    if (
      kind === 'auth' &&
      (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
    ) {
      for (const [k, v] of new URLSearchParams(rawBody)) params.append(k, v);
    }
    this.log.count(endpoint);
    // Logged at arrival: a request held by a latency fault belongs to the moment (and test) that sent it.
    const arrivedAt = Date.now();
    const record = (status: number, userId: string | null | undefined, fault?: string): void =>
      this.log.record({
        at: arrivedAt,
        method,
        endpoint,
        query: params,
        status,
        userId,
        ...(fault ? { fault } : {}),
      });

    // A request's faults are taken on arrival (one latency, then at most one other fault), so a request still
    // held by a latency fault cannot take a fault injected later for another request.
    let fault = this.faults.take(endpoint);
    const delayMs = fault?.kind === 'latency' ? fault.ms : 0;
    if (fault?.kind === 'latency') fault = this.faults.take(endpoint, 'latency');
    if (delayMs > 0) {
      await sleep(delayMs);
      // The client gave up (timeout, abort) while the request was held: nothing is processed or answered.
      if (req.socket.destroyed) {
        record(0, undefined, 'abandoned');
        return;
      }
    }
    if (fault) {
      this.replyWithFault(fault, kind, req, res);
      record(fault.kind === 'disconnect' ? 0 : res.statusCode, undefined, fault.kind);
      return;
    }

    if (kind === 'auth') {
      if (name === 'authorize') {
        const location = this.authorize(params);
        if (typeof location === 'string') {
          res.writeHead(302, { Location: location });
          res.end();
          record(302, undefined);
        } else {
          sendJson(res, location.status, location.body);
          record(location.status, undefined);
        }
        return;
      }
      const reply = this.handleAuth(name, method, params, req);
      sendJson(res, reply.status, reply.body);
      record(reply.status, undefined);
      return;
    }

    const auth = this.authenticate(req);
    if ('error' in auth) {
      const bucket = this.bucket(`anon:${String(req.headers['client-id'] ?? '')}`).take().state;
      sendJson(res, 401, auth.error.toBody(), rateLimitHeaders(bucket));
      record(401, undefined);
      return;
    }
    const { token } = auth;
    const { allowed, state } = this.bucketFor(token.userId).take();
    if (!allowed) {
      sendJson(res, 429, new HelixError(429, 'Too Many Requests').toBody(), rateLimitHeaders(state));
      record(429, token.userId);
      return;
    }
    let reply: HelixReply;
    try {
      reply = this.handleHelix(endpoint, method, params, rawBody, token);
    } catch (error) {
      if (!(error instanceof HelixError)) throw error;
      reply = { status: error.status, body: error.toBody() };
    }
    sendJson(res, reply.status, reply.body, rateLimitHeaders(state));
    record(reply.status, token.userId);
  }

  private handleHelix(
    endpoint: string,
    method: string,
    params: URLSearchParams,
    rawBody: string,
    token: AccessTokenRecord,
  ): HelixReply {
    if (endpoint === 'eventsub/subscriptions') {
      return this.eventSub.handleHelix(method, params, rawBody, token);
    }
    const handler = helixGetHandlers[endpoint];
    if (!handler) {
      throw new HelixError(404, `The fake does not implement ${endpoint}`);
    }
    if (method !== 'GET') {
      throw new HelixError(405, `Method ${method} not allowed on ${endpoint}`);
    }
    return handler({
      params,
      token,
      data: this.data,
      clock: this.clock,
      maxClipResultsPerQuery: this.maxClipResultsPerQuery,
      clipCache: this.clipCache,
    });
  }

  private authenticate(req: IncomingMessage): { token: AccessTokenRecord } | { error: HelixError } {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return { error: new HelixError(401, 'OAuth token is missing') };
    }
    const clientId = req.headers['client-id'];
    if (!clientId) {
      return { error: new HelixError(401, 'Client-Id header required') };
    }
    const lookup = this.tokens.lookup(match[1]!);
    if (lookup.status !== 'valid') {
      return { error: new HelixError(401, 'Invalid OAuth token') };
    }
    if (lookup.record.clientId !== clientId) {
      return { error: new HelixError(401, 'Client ID and OAuth token do not match') };
    }
    return { token: lookup.record };
  }

  /**
   * GET /auth/authorize: the consent page, approved at once. Fake-only parameters pick who approves: `user_id` or
   * `login` (else the user set with setAuthorizingUser); `deny=true` simulates the user clicking "Cancel".
   * Returns the redirect Location, or an error reply.
   */
  private authorize(params: URLSearchParams): string | HelixReply {
    const fail = (status: number, message: string): HelixReply => ({ status, body: { status, message } });
    if (params.get('client_id') !== this.clientId) return fail(400, 'invalid client');
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) return fail(400, 'missing redirect_uri');
    if (params.get('response_type') !== 'code') return fail(400, 'unsupported response_type');
    let target: URL;
    try {
      target = new URL(redirectUri);
    } catch {
      return fail(400, 'invalid redirect_uri');
    }
    const state = params.get('state');
    if (state !== null) target.searchParams.set('state', state);
    if (params.get('deny') === 'true') {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user denied you access');
      return target.toString();
    }
    const login = params.get('login');
    const userId =
      params.get('user_id') ?? (login ? this.data.findUserByLogin(login)?.id : this.authorizingUserId);
    if (!userId || !this.data.users.has(userId)) return fail(400, 'fake twitch: no user to authorize as');
    const scopes = (params.get('scope') ?? '').split(/[ +]/).filter(Boolean);
    target.searchParams.set('code', this.tokens.issueAuthorizationCode(userId, scopes, redirectUri));
    target.searchParams.set('scope', scopes.join(' '));
    return target.toString();
  }

  private handleAuth(
    name: string,
    method: string,
    params: URLSearchParams,
    req: IncomingMessage,
  ): HelixReply {
    const fail = (status: number, message: string): HelixReply => ({ status, body: { status, message } });
    if (name === 'validate') {
      if (method !== 'GET') return fail(405, 'method not allowed');
      const match = /^(?:OAuth|Bearer)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (!match) return fail(401, 'missing authorization token');
      const lookup = this.tokens.lookup(match[1]!);
      if (lookup.status !== 'valid') return fail(401, 'invalid access token');
      const { record } = lookup;
      const expiresIn = Math.max(0, Math.floor((record.expiresAt - Date.now()) / 1000));
      const user = record.userId === null ? undefined : this.data.users.get(record.userId);
      return {
        status: 200,
        body:
          record.userId === null
            ? { client_id: record.clientId, scopes: [], expires_in: expiresIn }
            : {
                client_id: record.clientId,
                login: user?.login ?? '',
                scopes: record.scopes,
                user_id: record.userId,
                expires_in: expiresIn,
              },
      };
    }
    if (method !== 'POST') return fail(405, 'method not allowed');
    const clientId = params.get('client_id');
    if (!clientId) return fail(400, 'missing client id');
    if (clientId !== this.clientId) return fail(400, 'invalid client');
    if (name === 'revoke') {
      const token = params.get('token') ?? '';
      return this.tokens.revokeAccessToken(token)
        ? { status: 200, body: undefined }
        : fail(400, 'Invalid token');
    }
    if (name !== 'token') return fail(404, 'not found');
    if (params.get('client_secret') !== this.clientSecret) return fail(403, 'invalid client secret');
    const grant = params.get('grant_type');
    if (grant === 'client_credentials') {
      const token = this.tokens.issueAppToken();
      const expiresIn = Math.floor((token.expiresAt - Date.now()) / 1000);
      return {
        status: 200,
        body: { access_token: token.token, expires_in: expiresIn, token_type: 'bearer' },
      };
    }
    let issued: IssuedUserToken | string | null;
    if (grant === 'refresh_token') {
      issued = this.tokens.refresh(params.get('refresh_token') ?? '') ?? 'Invalid refresh token';
    } else if (grant === 'authorization_code') {
      issued = this.tokens.exchangeCode(params.get('code') ?? '', params.get('redirect_uri'));
    } else {
      return fail(400, 'unsupported grant type');
    }
    if (typeof issued === 'string') return fail(400, issued);
    return {
      status: 200,
      body: {
        access_token: issued.accessToken,
        refresh_token: issued.refreshToken,
        expires_in: issued.expiresIn,
        scope: issued.scope,
        token_type: 'bearer',
      },
    };
  }

  private replyWithFault(
    fault: FaultSpec,
    kind: 'auth' | 'helix',
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const headers = kind === 'helix' ? rateLimitHeaders(this.peekBucketOf(req)) : {};
    switch (fault.kind) {
      case 'disconnect':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' });
        res.end('{"data":[{"id":');
        return;
      case 'empty':
        sendJson(res, 200, { data: [], pagination: {} }, headers);
        return;
      case 'body':
        sendJson(res, fault.status ?? 200, fault.body, headers);
        return;
      case 'rateLimited': {
        const reset = Math.ceil((Date.now() + (fault.resetAfterMs ?? 1000)) / 1000);
        sendJson(res, 429, new HelixError(429, 'Too Many Requests').toBody(), {
          ...headers,
          'Ratelimit-Remaining': '0',
          'Ratelimit-Reset': String(reset),
        });
        return;
      }
      case 'status': {
        const message = fault.message ?? statusText(fault.status);
        const body =
          kind === 'helix'
            ? new HelixError(fault.status, message).toBody()
            : { status: fault.status, message };
        sendJson(res, fault.status, body, headers);
        return;
      }
      case 'latency':
        return; // handled before
    }
  }

  private peekBucketOf(req: IncomingMessage): RateLimitState {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const lookup = match ? this.tokens.lookup(match[1]!) : { status: 'unknown' as const };
    return this.bucketFor(lookup.status === 'unknown' ? null : lookup.record.userId).peek();
  }

  /** Twitch keeps one bucket per client for app tokens and one per client+user for user tokens. */
  private bucketFor(userId: string | null): TokenBucket {
    return this.bucket(userId === null ? `app:${this.clientId}` : `user:${this.clientId}:${userId}`);
  }

  private bucket(key: string): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.rateLimit);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}

function rateLimitHeaders(state: RateLimitState): Record<string, string> {
  return {
    'Ratelimit-Limit': String(state.limit),
    'Ratelimit-Remaining': String(state.remaining),
    'Ratelimit-Reset': String(state.resetEpochSeconds),
  };
}

function listenOn(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
