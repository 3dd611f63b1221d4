import { findClips, type SortedClipCache } from './clipQuery.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import type { FakeClock } from './FakeClock.js';
import { badRequest } from './http.js';
import { getAllLimited, parseBoolean, parseFirst } from './queryParams.js';
import type { AccessTokenRecord } from './TokenStore.js';
import type { TwitchData } from './TwitchData.js';
import { toRfc3339, type FakeClip, type FakeStream, type FakeUser, type FakeVideo } from './types.js';

export interface HelixContext {
  params: URLSearchParams;
  clipCache: SortedClipCache;
  token: AccessTokenRecord;
  data: TwitchData;
  clock: FakeClock;
  maxClipResultsPerQuery: number;
}

export interface HelixReply {
  status: number;
  body: unknown;
}

type Handler = (ctx: HelixContext) => HelixReply;

function page<T>(items: T[], params: URLSearchParams, fallbackFirst = 20): { data: T[]; pagination: object } {
  const first = parseFirst(params, fallbackFirst);
  const after = params.get('after');
  const offset = after ? decodeCursor(after) : 0;
  const data = items.slice(offset, offset + first);
  const next = offset + data.length;
  return { data, pagination: data.length > 0 && next < items.length ? { cursor: encodeCursor(next) } : {} };
}

function userJson(user: FakeUser): object {
  return {
    id: user.id,
    login: user.login,
    display_name: user.displayName,
    type: '',
    broadcaster_type: user.broadcasterType,
    description: user.description,
    profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${user.id}-profile_image-300x300.png`,
    offline_image_url: '',
    view_count: 0,
    created_at: toRfc3339(user.createdAt),
  };
}

function clipJson(clip: FakeClip, data: TwitchData, now: number): object {
  const videoReady = clip.videoId !== '' && clip.videoIdAt <= now;
  return {
    id: clip.id,
    url: `https://clips.twitch.tv/${clip.id}`,
    embed_url: `https://clips.twitch.tv/embed?clip=${clip.id}`,
    broadcaster_id: clip.broadcasterId,
    broadcaster_name: data.displayNameOf(clip.broadcasterId),
    creator_id: clip.creatorId,
    creator_name: data.displayNameOf(clip.creatorId, clip.creatorName),
    video_id: videoReady ? clip.videoId : '',
    game_id: clip.gameId,
    language: clip.language,
    title: clip.title,
    view_count: clip.viewCount,
    created_at: toRfc3339(clip.createdAt),
    thumbnail_url: `https://static-cdn.jtvnw.net/twitch-clips-thumbnails-prod/${clip.id}/preview-480x272.jpg`,
    duration: clip.durationSeconds,
    vod_offset: videoReady ? clip.vodOffset : null,
    is_featured: clip.isFeatured,
  };
}

function streamJson(stream: FakeStream, data: TwitchData): object {
  const user = data.requireUser(stream.userId);
  return {
    id: stream.id,
    user_id: user.id,
    user_login: user.login,
    user_name: user.displayName,
    game_id: stream.gameId,
    game_name: data.games.get(stream.gameId)?.name ?? '',
    type: 'live',
    title: stream.title,
    tags: stream.tags,
    viewer_count: stream.viewerCount,
    started_at: toRfc3339(stream.startedAt),
    language: stream.language,
    thumbnail_url: `https://static-cdn.jtvnw.net/previews-ttv/live_user_${user.login}-{width}x{height}.jpg`,
    tag_ids: [],
    is_mature: stream.isMature,
  };
}

function videoJson(video: FakeVideo, data: TwitchData): object {
  const user = data.requireUser(video.userId);
  const h = Math.floor(video.durationSeconds / 3600);
  const m = Math.floor((video.durationSeconds % 3600) / 60);
  const s = video.durationSeconds % 60;
  return {
    id: video.id,
    stream_id: video.streamId,
    user_id: user.id,
    user_login: user.login,
    user_name: user.displayName,
    title: video.title,
    description: video.description,
    created_at: toRfc3339(video.createdAt),
    published_at: toRfc3339(video.createdAt),
    url: `https://www.twitch.tv/videos/${video.id}`,
    thumbnail_url: `https://static-cdn.jtvnw.net/cf_vods/${video.id}/thumb/thumb0-%{width}x%{height}.jpg`,
    viewable: 'public',
    view_count: video.viewCount,
    language: video.language,
    type: video.type,
    duration: `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`,
    muted_segments: null,
  };
}

const getUsers: Handler = ({ params, token, data }) => {
  const ids = params.getAll('id').filter(Boolean);
  const logins = params.getAll('login').filter(Boolean);
  if (ids.length + logins.length > 100) {
    throw badRequest('The sum of the "id" and "login" parameters must be less than or equal to 100');
  }
  if (ids.length + logins.length === 0) {
    if (token.userId === null) {
      throw badRequest('Must provide an ID, Login or OAuth Token');
    }
    const self = data.users.get(token.userId);
    return { status: 200, body: { data: self ? [userJson(self)] : [] } };
  }
  const found = new Map<string, FakeUser>();
  for (const id of ids) {
    const user = data.users.get(id);
    if (user) found.set(user.id, user);
  }
  for (const login of logins) {
    const user = data.findUserByLogin(login);
    if (user) found.set(user.id, user);
  }
  return { status: 200, body: { data: [...found.values()].map(userJson) } };
};

const getGames: Handler = ({ params, data }) => {
  const ids = params.getAll('id').filter(Boolean);
  const names = params.getAll('name').filter(Boolean);
  const igdbIds = params.getAll('igdb_id').filter(Boolean);
  const total = ids.length + names.length + igdbIds.length;
  if (total === 0) {
    throw badRequest('Missing required parameter "id", "name" or "igdb_id"');
  }
  if (total > 100) {
    throw badRequest(
      'The combined number of "id", "name" and "igdb_id" parameters must be less than or equal to 100',
    );
  }
  const result = [...data.games.values()].filter(
    (game) =>
      ids.includes(game.id) ||
      names.some((n) => n.toLowerCase() === game.name.toLowerCase()) ||
      (game.igdbId !== '' && igdbIds.includes(game.igdbId)),
  );
  return {
    status: 200,
    body: {
      data: result.map((g) => ({ id: g.id, name: g.name, box_art_url: g.boxArtUrl, igdb_id: g.igdbId })),
    },
  };
};

const getStreams: Handler = ({ params, data }) => {
  const userIds = getAllLimited(params, 'user_id');
  const logins = getAllLimited(params, 'user_login');
  const gameIds = getAllLimited(params, 'game_id');
  const languages = getAllLimited(params, 'language');
  const type = params.get('type') ?? 'all';
  if (!['all', 'live'].includes(type)) {
    throw badRequest('The parameter "type" was malformed: the value must be "all" or "live"');
  }
  const loginIds = new Set(logins.map((l) => data.findUserByLogin(l)?.id).filter((id): id is string => !!id));
  const wantUsers = userIds.length + logins.length > 0;
  const streams = [...data.streams.values()]
    .filter((s) => !wantUsers || userIds.includes(s.userId) || loginIds.has(s.userId))
    .filter((s) => gameIds.length === 0 || gameIds.includes(s.gameId))
    .filter((s) => languages.length === 0 || languages.includes(s.language))
    .sort((a, b) => b.viewerCount - a.viewerCount || a.userId.localeCompare(b.userId));
  const result = page(streams, params);
  return {
    status: 200,
    body: { data: result.data.map((s) => streamJson(s, data)), pagination: result.pagination },
  };
};

const searchChannels: Handler = ({ params, data }) => {
  const query = params.get('query')?.trim().toLowerCase();
  if (!query) {
    throw badRequest('Missing required parameter "query"');
  }
  const liveOnly = parseBoolean(params, 'live_only') ?? false;
  const matches = [...data.users.values()]
    .filter((u) => u.login.includes(query) || u.displayName.toLowerCase().includes(query))
    .filter((u) => !liveOnly || data.streams.has(u.id))
    .sort(
      (a, b) =>
        Number(b.login === query) - Number(a.login === query) ||
        Number(data.streams.has(b.id)) - Number(data.streams.has(a.id)) ||
        a.login.localeCompare(b.login),
    );
  const result = page(matches, params);
  return {
    status: 200,
    body: {
      data: result.data.map((u) => {
        const stream = data.streams.get(u.id);
        const gameId = stream?.gameId ?? u.gameId;
        return {
          broadcaster_language: u.language,
          broadcaster_login: u.login,
          display_name: u.displayName,
          game_id: gameId,
          game_name: data.games.get(gameId)?.name ?? '',
          id: u.id,
          is_live: stream !== undefined,
          tag_ids: [],
          tags: [],
          thumbnail_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${u.id}-profile_image-300x300.png`,
          title: stream?.title ?? u.title,
          started_at: stream ? toRfc3339(stream.startedAt) : '',
        };
      }),
      pagination: result.pagination,
    },
  };
};

const getVideos: Handler = ({ params, data }) => {
  const ids = getAllLimited(params, 'id');
  const userIds = params.getAll('user_id').filter(Boolean);
  if (params.getAll('game_id').some(Boolean)) {
    throw badRequest('The fake does not support "game_id" on Get Videos');
  }
  const kinds = [ids.length, userIds.length].filter((n) => n > 0).length;
  if (kinds !== 1) {
    throw badRequest('Exactly one of the parameters "id", "user_id" or "game_id" must be specified');
  }
  if (ids.length > 0) {
    const videos = ids.map((id) => data.videos.get(id)).filter((v): v is FakeVideo => v !== undefined);
    return { status: 200, body: { data: videos.map((v) => videoJson(v, data)), pagination: {} } };
  }
  const type = params.get('type') ?? 'all';
  const sort = params.get('sort') ?? 'time';
  const videos = [...data.videos.values()]
    .filter((v) => userIds.length === 0 || userIds.includes(v.userId))
    .filter((v) => type === 'all' || v.type === type)
    .sort((a, b) => (sort === 'views' ? b.viewCount - a.viewCount : b.createdAt - a.createdAt));
  const result = page(videos, params);
  return {
    status: 200,
    body: { data: result.data.map((v) => videoJson(v, data)), pagination: result.pagination },
  };
};

const getClips: Handler = ({ params, data, clock, maxClipResultsPerQuery, clipCache }) => {
  const now = clock.now();
  const result = findClips({
    params,
    now,
    cache: { store: clipCache, version: data.clipsVersion },
    maxResultsPerQuery: maxClipResultsPerQuery,
    source: {
      byId: (id) => data.clips.get(id),
      ofBroadcaster: (id) => data.clipsOfBroadcaster(id),
      ofGame: (id) => data.clipsOfGame(id),
    },
  });
  return {
    status: 200,
    body: {
      data: result.clips.map((c) => clipJson(c, data, now)),
      pagination: result.cursor ? { cursor: result.cursor } : {},
    },
  };
};

/** GET handlers by endpoint name (the Helix path without its prefix). */
export const helixGetHandlers: Record<string, Handler> = {
  users: getUsers,
  games: getGames,
  streams: getStreams,
  'search/channels': searchChannels,
  videos: getVideos,
  clips: getClips,
};
