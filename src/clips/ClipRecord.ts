/**
 * A clip as the rest of the bot sees it, independent of Twitch's snake_case wire format (mapped in
 * src/twitch/) and of Prisma's generated types (so pure logic and tests need no database).
 */
export interface ClipRecord {
  /** Twitch clip id (slug). */
  id: string;
  broadcasterId: string;
  creatorId: string;
  creatorName: string;
  videoId: string | null;
  gameId: string | null;
  language: string;
  title: string;
  viewCount: number;
  /** When the clip was made on Twitch. */
  createdAt: Date;
  thumbnailUrl: string;
  url: string;
  embedUrl: string;
  durationSec: number;
  vodOffset: number | null;
  isFeatured: boolean;
}
