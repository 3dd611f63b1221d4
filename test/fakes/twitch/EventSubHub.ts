import { randomUUID } from 'node:crypto';
import type { WebSocket } from 'ws';
import { decodeCursor, encodeCursor } from './cursor.js';
import { HelixError, badRequest } from './http.js';
import type { HelixReply } from './helixHandlers.js';
import type { AccessTokenRecord, TokenStore } from './TokenStore.js';

export interface EventSubOptions {
  /** Sent in session_welcome; the fake sends a keepalive after 80 % of it without other traffic. */
  keepaliveTimeoutSeconds: number;
  /** A session with no subscription this long after its welcome is closed with 4003 (Twitch: 10 s). */
  unusedTimeoutMs: number;
  /** After session_reconnect the old connection is closed with 4004 this long later (Twitch: 30 s). */
  reconnectGraceMs: number;
  maxTotalCost: number;
  maxSubscriptionsPerSession: number;
  maxSessionsPerUser: number;
}

export type SubscriptionStatus =
  | 'enabled'
  | 'authorization_revoked'
  | 'user_removed'
  | 'version_removed'
  | 'websocket_disconnected'
  | 'websocket_failed_ping_pong'
  | 'websocket_received_inbound_traffic'
  | 'websocket_connection_unused'
  | 'websocket_internal_error'
  | 'websocket_network_timeout'
  | 'websocket_network_error';

export interface FakeSubscription {
  id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  status: SubscriptionStatus;
  cost: number;
  createdAt: number;
  sessionId: string;
  clientId: string;
  userId: string;
}

export interface FakeSession {
  id: string;
  connectedAt: number;
  disconnectedAt: number | null;
  /** `${clientId}:${userId}` of the first subscription; null while unused. */
  ownerKey: string | null;
  socket: WebSocket;
  /** The connection being replaced during a reconnect. */
  previousSocket: WebSocket | null;
  closed: boolean;
  keepaliveTimer: NodeJS.Timeout | null;
  unusedTimer: NodeJS.Timeout | null;
  graceTimer: NodeJS.Timeout | null;
}

// Close codes from Twitch's EventSub WebSocket reference.
const CLOSE_INBOUND_TRAFFIC = 4001;
const CLOSE_UNUSED = 4003;
const CLOSE_RECONNECT_GRACE = 4004;
const CLOSE_INVALID_RECONNECT = 4007;

function timestamp(): string {
  return new Date().toISOString();
}

/** EventSub over WebSocket: sessions on /ws, the eventsub/subscriptions endpoint, and notification delivery. */
export class EventSubHub {
  readonly sessions = new Map<string, FakeSession>();
  readonly subscriptions = new Map<string, FakeSubscription>();
  private readonly pendingReconnects = new Map<string, string>();
  private readonly sentMessageIds: string[] = [];

  constructor(
    private readonly options: EventSubOptions,
    private readonly tokens: TokenStore,
    private readonly wsBaseUrl: () => string,
  ) {}

  // ---- WebSocket side -------------------------------------------------------------------------

  handleConnection(socket: WebSocket, url: URL): void {
    socket.on('error', () => undefined);
    const reconnectToken = url.searchParams.get('reconnect');
    if (reconnectToken !== null) {
      this.attachReconnect(socket, reconnectToken);
      return;
    }
    const session: FakeSession = {
      id: randomUUID(),
      connectedAt: Date.now(),
      disconnectedAt: null,
      ownerKey: null,
      socket,
      previousSocket: null,
      closed: false,
      keepaliveTimer: null,
      unusedTimer: null,
      graceTimer: null,
    };
    this.sessions.set(session.id, session);
    this.wireSocket(session, socket);
    this.sendWelcome(session);
    session.unusedTimer = setTimeout(() => {
      if (!this.hasEnabledSubscriptions(session.id)) {
        this.closeSession(session, CLOSE_UNUSED, 'Connection unused', 'websocket_connection_unused');
      }
    }, this.options.unusedTimeoutMs);
  }

  /** Sends session_reconnect to a live session (or all); the client has reconnectGraceMs to move. */
  requestReconnect(sessionId?: string): number {
    let count = 0;
    for (const session of this.liveSessions(sessionId)) {
      const token = randomUUID();
      this.pendingReconnects.set(token, session.id);
      this.send(session, 'session_reconnect', {
        session: {
          id: session.id,
          status: 'reconnecting',
          keepalive_timeout_seconds: null,
          reconnect_url: `${this.wsBaseUrl()}?reconnect=${token}`,
          connected_at: new Date(session.connectedAt).toISOString(),
          recovery_url: null,
        },
      });
      session.graceTimer = setTimeout(() => {
        if (this.pendingReconnects.delete(token)) {
          this.closeSession(
            session,
            CLOSE_RECONNECT_GRACE,
            'Client reconnect grace time expired',
            'websocket_disconnected',
          );
        }
      }, this.options.reconnectGraceMs);
      count++;
    }
    return count;
  }

  /** Closes a session's connection from the server side, e.g. to simulate a network failure. */
  dropSession(sessionId: string, code = 4000, reason = 'Internal server error'): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.closed) return false;
    this.closeSession(session, code, reason, 'websocket_internal_error');
    return true;
  }

  /** Delivers a notification to every enabled subscription of `type` whose condition matches. */
  notify(type: string, matches: (condition: Record<string, string>) => boolean, event: object): number {
    let delivered = 0;
    for (const sub of this.subscriptions.values()) {
      if (sub.type !== type || sub.status !== 'enabled' || !matches(sub.condition)) continue;
      const session = this.sessions.get(sub.sessionId);
      if (!session || session.closed) continue;
      this.send(session, 'notification', { subscription: this.subscriptionJson(sub), event }, sub);
      delivered++;
    }
    return delivered;
  }

  /** Revokes one subscription with a revocation message (Twitch: authorization_revoked, user_removed, ...). */
  revokeSubscription(id: string, status: SubscriptionStatus = 'authorization_revoked'): boolean {
    const sub = this.subscriptions.get(id);
    if (!sub || sub.status !== 'enabled') return false;
    sub.status = status;
    const session = this.sessions.get(sub.sessionId);
    if (session && !session.closed) {
      this.send(session, 'revocation', { subscription: this.subscriptionJson(sub) }, sub);
    }
    return true;
  }

  /** Revokes every enabled subscription created with this user's tokens (the user disconnected the app). */
  revokeUser(userId: string): number {
    let count = 0;
    for (const sub of this.subscriptions.values()) {
      if (sub.userId === userId && this.revokeSubscription(sub.id, 'authorization_revoked')) count++;
    }
    return count;
  }

  /** Message ids sent so far (notifications and revocations), for uniqueness checks. */
  messageIds(): readonly string[] {
    return this.sentMessageIds;
  }

  close(): void {
    for (const session of this.sessions.values()) {
      this.clearTimers(session);
      session.socket.terminate();
      session.previousSocket?.terminate();
      session.closed = true;
    }
  }

  // ---- Helix side (eventsub/subscriptions) ----------------------------------------------------

  handleHelix(
    method: string,
    params: URLSearchParams,
    rawBody: string,
    token: AccessTokenRecord,
  ): HelixReply {
    switch (method) {
      case 'POST':
        return this.createSubscription(rawBody, token);
      case 'GET':
        return this.listSubscriptions(params, token);
      case 'DELETE':
        return this.deleteSubscription(params, token);
      default:
        throw new HelixError(405, `Method ${method} not allowed`);
    }
  }

  private createSubscription(rawBody: string, token: AccessTokenRecord): HelixReply {
    let body: {
      type?: unknown;
      version?: unknown;
      condition?: unknown;
      transport?: { method?: unknown; session_id?: unknown };
    };
    try {
      body = JSON.parse(rawBody) as typeof body;
    } catch {
      throw badRequest('The request body is not valid JSON');
    }
    const { type, version, condition, transport } = body;
    if (typeof type !== 'string' || typeof version !== 'string') {
      throw badRequest('Missing required fields "type" and "version"');
    }
    if (!condition || typeof condition !== 'object') {
      throw badRequest('Missing required field "condition"');
    }
    if (!transport || transport.method !== 'websocket') {
      throw badRequest('The fake supports only the websocket transport');
    }
    if (token.userId === null) {
      throw badRequest(
        'invalid transport and auth combination: the websocket transport needs a user access token',
      );
    }
    const session =
      typeof transport.session_id === 'string' ? this.sessions.get(transport.session_id) : undefined;
    if (!session || session.closed) {
      throw badRequest('websocket transport session does not exist or has already disconnected');
    }
    const ownerKey = `${token.clientId}:${token.userId}`;
    if (session.ownerKey !== null && session.ownerKey !== ownerKey) {
      throw badRequest('websocket transport session belongs to a different user');
    }
    if (session.ownerKey === null) {
      const owned = [...this.sessions.values()].filter((s) => !s.closed && s.ownerKey === ownerKey).length;
      if (owned >= this.options.maxSessionsPerUser) {
        throw new HelixError(429, 'number of websocket transports limit exceeded');
      }
    }
    const stringCondition = Object.fromEntries(Object.entries(condition).map(([k, v]) => [k, String(v)]));
    const onSession = [...this.subscriptions.values()].filter(
      (s) => s.sessionId === session.id && s.status === 'enabled',
    );
    if (
      onSession.some(
        (s) => s.type === type && s.version === version && sameCondition(s.condition, stringCondition),
      )
    ) {
      throw new HelixError(409, 'subscription already exists');
    }
    if (onSession.length >= this.options.maxSubscriptionsPerSession) {
      throw new HelixError(429, 'maximum subscriptions per websocket transport exceeded');
    }
    const cost = this.costOf(stringCondition);
    if (this.totalCost(token.clientId, token.userId) + cost > this.options.maxTotalCost) {
      throw new HelixError(429, 'subscription limit exceeded: total cost would exceed max_total_cost');
    }
    const sub: FakeSubscription = {
      id: randomUUID(),
      type,
      version,
      condition: stringCondition,
      status: 'enabled',
      cost,
      createdAt: Date.now(),
      sessionId: session.id,
      clientId: token.clientId,
      userId: token.userId,
    };
    this.subscriptions.set(sub.id, sub);
    session.ownerKey = ownerKey;
    const mine = this.visibleTo(token);
    return {
      status: 202,
      body: {
        data: [this.subscriptionJson(sub)],
        total: mine.length,
        total_cost: this.totalCost(token.clientId, token.userId),
        max_total_cost: this.options.maxTotalCost,
      },
    };
  }

  private listSubscriptions(params: URLSearchParams, token: AccessTokenRecord): HelixReply {
    const status = params.get('status');
    const type = params.get('type');
    const userId = params.get('user_id');
    const subscriptionId = params.get('subscription_id');
    const all = this.visibleTo(token);
    const filtered = all
      .filter((s) => status === null || s.status === status)
      .filter((s) => type === null || s.type === type)
      .filter((s) => userId === null || Object.values(s.condition).includes(userId))
      .filter((s) => subscriptionId === null || s.id === subscriptionId);
    const after = params.get('after');
    const offset = after ? decodeCursor(after) : 0;
    const data = filtered.slice(offset, offset + 100);
    const next = offset + data.length;
    return {
      status: 200,
      body: {
        data: data.map((s) => this.subscriptionJson(s)),
        total: all.length,
        total_cost:
          token.userId === null
            ? this.totalCost(token.clientId, null)
            : this.totalCost(token.clientId, token.userId),
        max_total_cost: this.options.maxTotalCost,
        pagination: next < filtered.length ? { cursor: encodeCursor(next) } : {},
      },
    };
  }

  private deleteSubscription(params: URLSearchParams, token: AccessTokenRecord): HelixReply {
    const id = params.get('id');
    if (!id) {
      throw badRequest('Missing required parameter "id"');
    }
    const sub = this.subscriptions.get(id);
    if (!sub || !this.visibleTo(token).includes(sub)) {
      throw new HelixError(404, 'subscription not found');
    }
    this.subscriptions.delete(id);
    return { status: 204, body: undefined };
  }

  // ---- internals ------------------------------------------------------------------------------

  /** User tokens see their own subscriptions; the app token sees all of its client's, oldest first. */
  private visibleTo(token: AccessTokenRecord): FakeSubscription[] {
    return [...this.subscriptions.values()].filter(
      (s) => s.clientId === token.clientId && (token.userId === null || s.userId === token.userId),
    );
  }

  /** Twitch: a subscription costs 0 when the user in its condition authorised the app, else 1. */
  private costOf(condition: Record<string, string>): number {
    const userIds = Object.entries(condition)
      .filter(([key]) => key.endsWith('user_id'))
      .map(([, value]) => value);
    return userIds.some((id) => this.tokens.hasAuthorised(id)) ? 0 : 1;
  }

  private totalCost(clientId: string, userId: string | null): number {
    let total = 0;
    for (const sub of this.subscriptions.values()) {
      if (
        sub.clientId === clientId &&
        (userId === null || sub.userId === userId) &&
        sub.status === 'enabled'
      ) {
        total += sub.cost;
      }
    }
    return total;
  }

  private hasEnabledSubscriptions(sessionId: string): boolean {
    for (const sub of this.subscriptions.values()) {
      if (sub.sessionId === sessionId && sub.status === 'enabled') return true;
    }
    return false;
  }

  private *liveSessions(sessionId?: string): Generator<FakeSession> {
    for (const session of this.sessions.values()) {
      if (!session.closed && (sessionId === undefined || session.id === sessionId)) yield session;
    }
  }

  private attachReconnect(socket: WebSocket, token: string): void {
    const sessionId = this.pendingReconnects.get(token);
    const session = sessionId === undefined ? undefined : this.sessions.get(sessionId);
    if (!session || session.closed) {
      socket.close(CLOSE_INVALID_RECONNECT, 'Invalid reconnect');
      return;
    }
    this.pendingReconnects.delete(token);
    if (session.graceTimer) clearTimeout(session.graceTimer);
    const previous = session.socket;
    session.previousSocket = previous;
    session.socket = socket;
    this.wireSocket(session, socket);
    this.sendWelcome(session);
    // The client closes the old connection itself once welcomed; if it does not, Twitch closes it.
    session.graceTimer = setTimeout(() => {
      if (session.previousSocket === previous) {
        session.previousSocket = null;
        previous.close(CLOSE_RECONNECT_GRACE, 'Client reconnect grace time expired');
      }
    }, this.options.reconnectGraceMs);
  }

  private wireSocket(session: FakeSession, socket: WebSocket): void {
    socket.on('message', () => {
      // Twitch does not accept inbound traffic on EventSub sockets.
      if (session.socket === socket) {
        this.closeSession(
          session,
          CLOSE_INBOUND_TRAFFIC,
          'Client sent inbound traffic',
          'websocket_received_inbound_traffic',
        );
      }
    });
    socket.on('close', () => {
      if (session.previousSocket === socket) {
        session.previousSocket = null;
        return;
      }
      if (session.socket === socket && !session.closed) {
        this.markClosed(session, 'websocket_disconnected');
      }
    });
  }

  private sendWelcome(session: FakeSession): void {
    this.send(session, 'session_welcome', {
      session: {
        id: session.id,
        status: 'connected',
        connected_at: new Date(session.connectedAt).toISOString(),
        keepalive_timeout_seconds: this.options.keepaliveTimeoutSeconds,
        reconnect_url: null,
        recovery_url: null,
      },
    });
  }

  private send(session: FakeSession, messageType: string, payload: object, sub?: FakeSubscription): void {
    const messageId = randomUUID();
    const metadata: Record<string, string> = {
      message_id: messageId,
      message_type: messageType,
      message_timestamp: timestamp(),
    };
    if (sub) {
      metadata.subscription_type = sub.type;
      metadata.subscription_version = sub.version;
      this.sentMessageIds.push(messageId);
    }
    if (session.socket.readyState === session.socket.OPEN) {
      session.socket.send(JSON.stringify({ metadata, payload }));
    }
    this.scheduleKeepalive(session);
  }

  private scheduleKeepalive(session: FakeSession): void {
    if (session.keepaliveTimer) clearTimeout(session.keepaliveTimer);
    if (session.closed) return;
    session.keepaliveTimer = setTimeout(() => {
      session.keepaliveTimer = null;
      if (!session.closed) this.send(session, 'session_keepalive', {});
    }, this.options.keepaliveTimeoutSeconds * 800);
  }

  private closeSession(session: FakeSession, code: number, reason: string, status: SubscriptionStatus): void {
    if (session.closed) return;
    this.markClosed(session, status);
    session.socket.close(code, reason);
    session.previousSocket?.close(code, reason);
  }

  private markClosed(session: FakeSession, status: SubscriptionStatus): void {
    session.closed = true;
    session.disconnectedAt = Date.now();
    this.clearTimers(session);
    for (const sub of this.subscriptions.values()) {
      if (sub.sessionId === session.id && sub.status === 'enabled') sub.status = status;
    }
  }

  private clearTimers(session: FakeSession): void {
    for (const timer of [session.keepaliveTimer, session.unusedTimer, session.graceTimer]) {
      if (timer) clearTimeout(timer);
    }
    session.keepaliveTimer = session.unusedTimer = session.graceTimer = null;
  }

  private subscriptionJson(sub: FakeSubscription): object {
    const session = this.sessions.get(sub.sessionId);
    return {
      id: sub.id,
      status: sub.status,
      type: sub.type,
      version: sub.version,
      condition: sub.condition,
      created_at: new Date(sub.createdAt).toISOString(),
      cost: sub.cost,
      transport: {
        method: 'websocket',
        session_id: sub.sessionId,
        connected_at: new Date(session?.connectedAt ?? sub.createdAt).toISOString(),
        ...(session?.disconnectedAt
          ? { disconnected_at: new Date(session.disconnectedAt).toISOString() }
          : {}),
      },
    };
  }
}

function sameCondition(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] === b[k]);
}
