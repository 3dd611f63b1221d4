import type { ClipRecord } from '../clips/ClipRecord.js';
import type { HelixPriority } from './helixLimiter.js';

/** A Twitch user as the bot sees it (Get Users), camelCase and free of twurple types. */
export interface TwitchUser {
  id: string;
  login: string;
  displayName: string;
  profileImageUrl: string | null;
  /** "partner", "affiliate" or "". */
  broadcasterType: string;
  createdAt: Date;
}

export interface TwitchGame {
  id: string;
  name: string;
  boxArtUrl: string | null;
}

export interface TwitchStream {
  userId: string;
  userLogin: string;
  userDisplayName: string;
  gameId: string | null;
  title: string;
  viewerCount: number;
  startedAt: Date;
}

export interface TwitchChannelSearchResult {
  id: string;
  login: string;
  displayName: string;
  isLive: boolean;
  gameId: string | null;
  thumbnailUrl: string | null;
}

export interface ClipPage {
  clips: ClipRecord[];
  /** Helix cursor for the next page, null on the last page. */
  cursor: string | null;
}

/** Get Clips by id: what Twitch still has, and what it answered but we could not read. */
export interface ClipLookup {
  clips: ClipRecord[];
  /** Ids of returned clips that were malformed (they exist, so they are not deleted). */
  unreadableIds: string[];
  /** Malformed items without a readable id: any requested clip might be among them. */
  unidentified: number;
}

export interface ClipWindowQuery {
  broadcasterId: string;
  startedAt: Date;
  endedAt: Date;
  after?: string | null;
  /** 1–100; defaults to 100 (never Twitch's default of 20, which hides low-view clips). */
  first?: number;
  priority: HelixPriority;
  /** Aborting gives up the call (dropped if it still waits in the limiter). */
  signal?: AbortSignal;
}

export interface TwitchHealth {
  up: boolean;
  detail?: string;
}

/**
 * Everything the bot asks of Twitch. The twurple-backed implementation is the only place twurple is used;
 * "not found" is `null` or a missing entry, failures are AppErrors with `twitch.*` codes.
 */
export interface TwitchAdapter {
  // `signal`: the caller gave up (autocomplete timeout, shutdown); a call still queued in the limiter is
  // dropped without a request and the promise rejects with twitch.aborted.
  getUsersByIds(
    ids: readonly string[],
    priority?: HelixPriority,
    signal?: AbortSignal,
  ): Promise<TwitchUser[]>;
  getUsersByLogins(
    logins: readonly string[],
    priority?: HelixPriority,
    signal?: AbortSignal,
  ): Promise<TwitchUser[]>;
  getUserByLogin(login: string, priority?: HelixPriority, signal?: AbortSignal): Promise<TwitchUser | null>;
  getGamesByIds(
    ids: readonly string[],
    priority?: HelixPriority,
    signal?: AbortSignal,
  ): Promise<TwitchGame[]>;
  /** Live streams among `userIds` (offline users are simply absent). */
  getStreams(
    userIds: readonly string[],
    priority?: HelixPriority,
    signal?: AbortSignal,
  ): Promise<TwitchStream[]>;
  /** One page of a broadcaster's clips created in [startedAt, endedAt). */
  getClipsPage(query: ClipWindowQuery): Promise<ClipPage>;
  /** Clips that still exist among `ids` (deleted ones are absent), and the ones Twitch sent unreadable. */
  getClipsByIds(ids: readonly string[], priority?: HelixPriority, signal?: AbortSignal): Promise<ClipLookup>;
  /** Twitch's channel search (interactive priority, results cached briefly). */
  searchChannels(query: string, limit?: number, signal?: AbortSignal): Promise<TwitchChannelSearchResult[]>;
  health(): TwitchHealth;
  stop(): Promise<void>;
}
