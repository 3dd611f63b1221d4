// Helix items checked at the edge. twurple's data classes are thin getters over the raw JSON and trust it:
// a null login becomes a TypeError, a null created_at the year 1970, a float view count a failed insert. Each
// item is read from its raw data with a zod schema: the fields the bot cannot do without must be valid (the
// item is skipped otherwise), the rest fall back to an "unknown" value.
import { getRawData } from '@twurple/common';
import { z } from 'zod';
import type { ClipRecord } from '../clips/ClipRecord.js';
import type { TwitchChannelSearchResult, TwitchGame, TwitchStream, TwitchUser } from './twitchTypes.js';

const PG_INT_MAX = 2_147_483_647;

/** PostgreSQL text cannot hold NUL characters: one in a title would fail the whole batch's insert. */
const text = z.string().transform((value) => value.replaceAll('\u0000', ''));
/** A field the bot needs: a non-empty string (after removing NULs). */
const required = text.pipe(z.string().min(1));
const optionalText = text.catch('');
const nullableText = text
  .transform((value) => (value === '' ? null : value))
  .nullable()
  .catch(null);
const instant = z
  .string()
  .transform((value) => new Date(value))
  .refine((date) => !Number.isNaN(date.getTime()));

const clipSchema = z.object({
  id: required,
  broadcaster_id: required,
  created_at: instant,
  creator_id: optionalText,
  creator_name: optionalText,
  video_id: nullableText,
  game_id: nullableText,
  language: optionalText,
  title: optionalText,
  view_count: z.number().int().min(0).max(PG_INT_MAX).catch(0),
  thumbnail_url: optionalText,
  url: optionalText,
  embed_url: optionalText,
  duration: z.number().finite().min(0).catch(0),
  vod_offset: z.number().int().min(0).max(PG_INT_MAX).nullable().catch(null),
  is_featured: z.boolean().catch(false),
});

const userSchema = z.object({
  id: required,
  login: required,
  display_name: optionalText,
  profile_image_url: nullableText,
  broadcaster_type: optionalText,
  // Unknown creation date: the epoch, so a backfill starts at the clips epoch instead of failing.
  created_at: instant.catch(new Date(0)),
});

const streamSchema = z.object({
  user_id: required,
  // An unreadable login keeps the live state; the broadcaster row is just not refreshed from it.
  user_login: optionalText,
  user_name: optionalText,
  game_id: nullableText,
  title: optionalText,
  viewer_count: z.number().int().min(0).catch(0),
  started_at: instant.nullable().catch(null),
});

const gameSchema = z.object({ id: required, name: required, box_art_url: nullableText });

const channelSchema = z.object({
  id: required,
  broadcaster_login: required,
  display_name: optionalText,
  is_live: z.boolean().catch(false),
  game_id: nullableText,
  thumbnail_url: nullableText,
});

/** The raw JSON item behind a twurple data object (a malformed item may be anything, even null). */
function raw(item: unknown): unknown {
  try {
    return getRawData(item as never);
  } catch {
    return undefined;
  }
}

/** The item's id when it has a readable one (to tell which requested clip could not be read). */
export function rawId(item: unknown): string | null {
  const data = raw(item);
  if (typeof data !== 'object' || data === null) return null;
  const id = (data as { id?: unknown }).id;
  return typeof id === 'string' && id !== '' ? id : null;
}

export function readClip(item: unknown): ClipRecord | null {
  const parsed = clipSchema.safeParse(raw(item));
  if (!parsed.success) return null;
  const clip = parsed.data;
  return {
    id: clip.id,
    broadcasterId: clip.broadcaster_id,
    creatorId: clip.creator_id,
    creatorName: clip.creator_name,
    videoId: clip.video_id,
    gameId: clip.game_id,
    language: clip.language,
    title: clip.title,
    viewCount: clip.view_count,
    createdAt: clip.created_at,
    thumbnailUrl: clip.thumbnail_url,
    url: clip.url,
    embedUrl: clip.embed_url,
    durationSec: clip.duration,
    vodOffset: clip.vod_offset,
    isFeatured: clip.is_featured,
  };
}

export function readUser(item: unknown): TwitchUser | null {
  const parsed = userSchema.safeParse(raw(item));
  if (!parsed.success) return null;
  const user = parsed.data;
  return {
    id: user.id,
    login: user.login,
    displayName: user.display_name || user.login,
    profileImageUrl: user.profile_image_url,
    broadcasterType: user.broadcaster_type,
    createdAt: user.created_at,
  };
}

/** `loginReadable` is false when the stream had to be kept with an empty login. */
export function readStream(
  item: unknown,
  fetchedAt: Date,
): { stream: TwitchStream; loginReadable: boolean } | null {
  const parsed = streamSchema.safeParse(raw(item));
  if (!parsed.success) return null;
  const stream = parsed.data;
  return {
    stream: {
      userId: stream.user_id,
      userLogin: stream.user_login,
      userDisplayName: stream.user_name || stream.user_login,
      gameId: stream.game_id,
      title: stream.title,
      viewerCount: stream.viewer_count,
      startedAt: stream.started_at ?? fetchedAt,
    },
    loginReadable: stream.user_login !== '',
  };
}

export function readGame(item: unknown): TwitchGame | null {
  const parsed = gameSchema.safeParse(raw(item));
  if (!parsed.success) return null;
  return { id: parsed.data.id, name: parsed.data.name, boxArtUrl: parsed.data.box_art_url };
}

export function readChannel(item: unknown): TwitchChannelSearchResult | null {
  const parsed = channelSchema.safeParse(raw(item));
  if (!parsed.success) return null;
  const channel = parsed.data;
  return {
    id: channel.id,
    login: channel.broadcaster_login,
    displayName: channel.display_name || channel.broadcaster_login,
    isLive: channel.is_live,
    gameId: channel.game_id,
    thumbnailUrl: channel.thumbnail_url,
  };
}

/**
 * A Helix cursor: a non-empty string, anything else means "no more pages". One with a NUL character could
 * not be saved as a backfill position (PostgreSQL text), so it ends the paging too.
 */
export function readCursor(cursor: unknown): string | null {
  return typeof cursor === 'string' && cursor !== '' && !cursor.includes('\u0000') ? cursor : null;
}
