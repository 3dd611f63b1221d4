export type BroadcasterType = 'partner' | 'affiliate' | '';

/** A Twitch user/channel as the fake stores it. */
export interface FakeUser {
  id: string;
  login: string;
  displayName: string;
  broadcasterType: BroadcasterType;
  description: string;
  createdAt: number;
  /** Channel settings used by Search Channels and Get Streams. */
  language: string;
  title: string;
  gameId: string;
}

export interface FakeGame {
  id: string;
  name: string;
  boxArtUrl: string;
  igdbId: string;
}

export interface FakeClip {
  id: string;
  broadcasterId: string;
  creatorId: string;
  /** Used when the creator is not a user known to the fake. */
  creatorName: string;
  gameId: string;
  language: string;
  title: string;
  viewCount: number;
  createdAt: number;
  durationSeconds: number;
  isFeatured: boolean;
  /** '' until `videoIdAt` (video_id fills in late on Twitch). */
  videoId: string;
  vodOffset: number | null;
  /** Get Clips shows the clip from this instant on (fake clock). */
  visibleAt: number;
  videoIdAt: number;
}

export interface FakeVideo {
  id: string;
  userId: string;
  title: string;
  description: string;
  createdAt: number;
  durationSeconds: number;
  viewCount: number;
  language: string;
  type: 'upload' | 'archive' | 'highlight';
  streamId: string | null;
}

export interface FakeStream {
  id: string;
  userId: string;
  gameId: string;
  title: string;
  viewerCount: number;
  startedAt: number;
  language: string;
  isMature: boolean;
  tags: string[];
}

export type Instant = Date | string | number;

export interface AddBroadcasterInput {
  id?: string;
  login: string;
  displayName?: string;
  broadcasterType?: BroadcasterType;
  description?: string;
  createdAt?: Instant;
  language?: string;
  title?: string;
  gameId?: string;
}

export interface AddGameInput {
  id?: string;
  name: string;
  boxArtUrl?: string;
  igdbId?: string;
}

export interface AddClipInput {
  id?: string;
  broadcasterId: string;
  title?: string;
  viewCount?: number;
  /** Defaults to the fake clock's now. */
  createdAt?: Instant;
  gameId?: string;
  creatorId?: string;
  creatorName?: string;
  language?: string;
  durationSeconds?: number;
  videoId?: string;
  vodOffset?: number | null;
  isFeatured?: boolean;
  /** Delay after created_at before Get Clips returns the clip; defaults to the fake's clipVisibilityDelayMs. */
  visibleAfterMs?: number;
  /** Delay after created_at before video_id is filled in; defaults to visibleAfterMs. */
  videoIdAfterMs?: number;
}

export interface AddVideoInput {
  id?: string;
  userId: string;
  title?: string;
  description?: string;
  createdAt?: Instant;
  durationSeconds?: number;
  viewCount?: number;
  language?: string;
  type?: 'upload' | 'archive' | 'highlight';
}

export interface GoLiveInput {
  title?: string;
  gameId?: string;
  viewerCount?: number;
  language?: string;
  startedAt?: Instant;
}

export function toMillis(instant: Instant): number {
  const ms =
    instant instanceof Date ? instant.getTime() : typeof instant === 'string' ? Date.parse(instant) : instant;
  if (!Number.isFinite(ms)) {
    throw new Error(`invalid instant: ${String(instant)}`);
  }
  return ms;
}

/** RFC3339 without milliseconds, the way Helix prints timestamps. */
export function toRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
