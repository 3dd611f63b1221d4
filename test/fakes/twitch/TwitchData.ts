import type { FakeClock } from './FakeClock.js';
import {
  toMillis,
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
} from './types.js';

const ADJECTIVES = [
  'Awkward',
  'Helpless',
  'Brave',
  'Sleepy',
  'Shiny',
  'Tiny',
  'Lucky',
  'Fierce',
  'Quiet',
  'Odd',
];
const NOUNS = [
  'Salamander',
  'Otter',
  'Badger',
  'Falcon',
  'Walrus',
  'Panda',
  'Moose',
  'Lemur',
  'Gecko',
  'Yak',
];
const EMOTES = [
  'SwiftRage',
  'Kappa',
  'PogChamp',
  'LUL',
  'BibleThump',
  'Kreygasm',
  'ResidentSleeper',
  'PJSalt',
];

/** The fake's world: users, games, clips, videos and live streams, with indexes the Helix handlers need. */
export class TwitchData {
  readonly users = new Map<string, FakeUser>();
  readonly games = new Map<string, FakeGame>();
  readonly clips = new Map<string, FakeClip>();
  readonly videos = new Map<string, FakeVideo>();
  readonly streams = new Map<string, FakeStream>();
  private readonly clipsByBroadcaster = new Map<string, Map<string, FakeClip>>();
  private readonly clipsByGame = new Map<string, Map<string, FakeClip>>();
  private nextUserId = 100_000_001;
  private nextGameId = 500_001;
  private nextVideoId = 2_000_000_001;
  private nextStreamId = 40_000_000_001;
  private clipCounter = 0;
  private clipVersion = 0;

  /** Changes whenever a clip is added, deleted or gains views (Get Clips caches sorted results per version). */
  get clipsVersion(): number {
    return this.clipVersion;
  }

  constructor(
    private readonly clock: FakeClock,
    private readonly defaultVisibilityDelayMs: number,
  ) {}

  addBroadcaster(input: AddBroadcasterInput): FakeUser {
    const id = input.id ?? String(this.nextUserId++);
    const login = input.login.toLowerCase();
    if (this.users.has(id)) {
      throw new Error(`fake twitch: user id ${id} already exists`);
    }
    if (this.findUserByLogin(login)) {
      throw new Error(`fake twitch: login ${login} already exists`);
    }
    const user: FakeUser = {
      id,
      login,
      displayName: input.displayName ?? input.login,
      broadcasterType: input.broadcasterType ?? '',
      description: input.description ?? '',
      createdAt:
        input.createdAt === undefined ? Date.parse('2016-01-01T00:00:00Z') : toMillis(input.createdAt),
      language: input.language ?? 'en',
      title: input.title ?? '',
      gameId: input.gameId ?? '',
    };
    this.users.set(id, user);
    return user;
  }

  findUserByLogin(login: string): FakeUser | undefined {
    const wanted = login.toLowerCase();
    for (const user of this.users.values()) {
      if (user.login === wanted) {
        return user;
      }
    }
    return undefined;
  }

  requireUser(id: string): FakeUser {
    const user = this.users.get(id);
    if (!user) {
      throw new Error(`fake twitch: unknown user ${id}`);
    }
    return user;
  }

  renameBroadcaster(id: string, change: { login?: string; displayName?: string }): FakeUser {
    const user = this.requireUser(id);
    if (change.login !== undefined) {
      const other = this.findUserByLogin(change.login);
      if (other && other.id !== id) {
        throw new Error(`fake twitch: login ${change.login} already taken`);
      }
      user.login = change.login.toLowerCase();
    }
    user.displayName = change.displayName ?? change.login ?? user.displayName;
    return user;
  }

  addGame(input: AddGameInput): FakeGame {
    const id = input.id ?? String(this.nextGameId++);
    const game: FakeGame = {
      id,
      name: input.name,
      boxArtUrl: input.boxArtUrl ?? `https://static-cdn.jtvnw.net/ttv-boxart/${id}-{width}x{height}.jpg`,
      igdbId: input.igdbId ?? '',
    };
    this.games.set(id, game);
    return game;
  }

  addClip(input: AddClipInput): FakeClip {
    this.requireUser(input.broadcasterId);
    const id = input.id ?? this.nextClipId();
    if (this.clips.has(id)) {
      throw new Error(`fake twitch: clip ${id} already exists`);
    }
    const createdAt = input.createdAt === undefined ? this.clock.now() : toMillis(input.createdAt);
    const visibleAfterMs = input.visibleAfterMs ?? this.defaultVisibilityDelayMs;
    const creator = input.creatorId === undefined ? undefined : this.users.get(input.creatorId);
    const clip: FakeClip = {
      id,
      broadcasterId: input.broadcasterId,
      creatorId: input.creatorId ?? '',
      creatorName: input.creatorName ?? creator?.displayName ?? '',
      gameId: input.gameId ?? this.users.get(input.broadcasterId)?.gameId ?? '',
      language: input.language ?? this.users.get(input.broadcasterId)?.language ?? 'en',
      title: input.title ?? `Clip ${id}`,
      viewCount: input.viewCount ?? 0,
      createdAt,
      durationSeconds: input.durationSeconds ?? 30,
      isFeatured: input.isFeatured ?? false,
      videoId: input.videoId ?? '',
      vodOffset: input.vodOffset ?? null,
      visibleAt: createdAt + visibleAfterMs,
      videoIdAt: createdAt + (input.videoIdAfterMs ?? visibleAfterMs),
    };
    this.clips.set(id, clip);
    this.clipVersion++;
    indexAdd(this.clipsByBroadcaster, clip.broadcasterId, clip);
    if (clip.gameId) {
      indexAdd(this.clipsByGame, clip.gameId, clip);
    }
    return clip;
  }

  deleteClip(id: string): boolean {
    const clip = this.clips.get(id);
    if (!clip) {
      return false;
    }
    this.clips.delete(id);
    this.clipVersion++;
    this.clipsByBroadcaster.get(clip.broadcasterId)?.delete(id);
    this.clipsByGame.get(clip.gameId)?.delete(id);
    return true;
  }

  addViews(id: string, views: number): FakeClip {
    const clip = this.clips.get(id);
    if (!clip) {
      throw new Error(`fake twitch: unknown clip ${id}`);
    }
    clip.viewCount += views;
    this.clipVersion++;
    return clip;
  }

  clipsOfBroadcaster(broadcasterId: string): Iterable<FakeClip> {
    return this.clipsByBroadcaster.get(broadcasterId)?.values() ?? [];
  }

  clipsOfGame(gameId: string): Iterable<FakeClip> {
    return this.clipsByGame.get(gameId)?.values() ?? [];
  }

  addVideo(input: AddVideoInput): FakeVideo {
    this.requireUser(input.userId);
    const id = input.id ?? String(this.nextVideoId++);
    const video: FakeVideo = {
      id,
      userId: input.userId,
      title: input.title ?? `Video ${id}`,
      description: input.description ?? '',
      createdAt: input.createdAt === undefined ? this.clock.now() : toMillis(input.createdAt),
      durationSeconds: input.durationSeconds ?? 3600,
      viewCount: input.viewCount ?? 0,
      language: input.language ?? 'en',
      type: input.type ?? 'archive',
      streamId: null,
    };
    this.videos.set(id, video);
    return video;
  }

  /** Starts (or updates) a live stream; returns it and whether it was a new stream (offline → online). */
  startStream(userId: string, input: GoLiveInput): { stream: FakeStream; started: boolean } {
    const user = this.requireUser(userId);
    const existing = this.streams.get(userId);
    const stream: FakeStream = {
      id: existing?.id ?? String(this.nextStreamId++),
      userId,
      gameId: input.gameId ?? existing?.gameId ?? user.gameId,
      title: input.title ?? existing?.title ?? user.title,
      viewerCount: input.viewerCount ?? existing?.viewerCount ?? 0,
      startedAt:
        input.startedAt === undefined ? (existing?.startedAt ?? this.clock.now()) : toMillis(input.startedAt),
      language: input.language ?? user.language,
      isMature: false,
      tags: [],
    };
    this.streams.set(userId, stream);
    return { stream, started: existing === undefined };
  }

  stopStream(userId: string): FakeStream | undefined {
    const stream = this.streams.get(userId);
    this.streams.delete(userId);
    return stream;
  }

  displayNameOf(userId: string, fallback = ''): string {
    return this.users.get(userId)?.displayName ?? fallback;
  }

  private nextClipId(): string {
    const n = this.clipCounter++;
    const pick = <T>(list: readonly T[], k: number): T => list[k % list.length]!;
    return (
      pick(ADJECTIVES, n) +
      pick(ADJECTIVES, Math.floor(n / 10) + 3) +
      pick(NOUNS, Math.floor(n / 7)) +
      pick(EMOTES, Math.floor(n / 3)) +
      '-' +
      n.toString(36).padStart(6, '0')
    );
  }
}

function indexAdd(index: Map<string, Map<string, FakeClip>>, key: string, clip: FakeClip): void {
  let bucket = index.get(key);
  if (!bucket) {
    bucket = new Map();
    index.set(key, bucket);
  }
  bucket.set(clip.id, clip);
}
