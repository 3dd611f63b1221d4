import { deriveSigningKey, signPayload, verifySignedPayload } from './tokenCipher.js';

/** How long the URL that `/twitch link` hands out stays valid. */
export const LINK_TTL_MS = 30 * 60_000;

interface SignedLink {
  /** Discord user id of the broadcaster who asked for the link. */
  d: string;
  /** Expiry, epoch ms. */
  e: number;
  /** Purpose tag, so no other signed value of ours can be replayed as a link. */
  p: 'link';
}

/** The HMAC key of link URLs, derived from TOKEN_ENCRYPTION_KEY (never the encryption key itself). */
export function linkSigningKey(tokenEncryptionKey: Buffer): Buffer {
  return deriveSigningKey(tokenEncryptionKey, 'oauth');
}

/**
 * The link a slash command hands to a broadcaster: valid for 30 minutes, bound to their Discord user id,
 * signed with a key derived from TOKEN_ENCRYPTION_KEY (so it cannot be forged or re-targeted). It is a
 * credential for that time: it goes out ephemerally and the log scrubber removes `?link=` values.
 */
export function createTwitchLinkUrl(options: {
  publicUrl: string;
  tokenEncryptionKey: Buffer;
  discordUserId: string;
  now: Date;
}): string {
  const link = signPayload(
    { d: options.discordUserId, e: options.now.getTime() + LINK_TTL_MS, p: 'link' } satisfies SignedLink,
    linkSigningKey(options.tokenEncryptionKey),
  );
  return `${options.publicUrl}/auth/twitch/start?link=${encodeURIComponent(link)}`;
}

/** The Discord user id a link was made for, or null when it is forged, for another purpose, or expired. */
export function readTwitchLink(token: unknown, signingKey: Buffer, now: number): string | null {
  if (typeof token !== 'string' || token.length > 2_000) return null;
  const payload = verifySignedPayload(token, signingKey) as Partial<SignedLink> | null;
  if (payload === null || typeof payload !== 'object') return null;
  if (payload.p !== 'link' || typeof payload.d !== 'string' || typeof payload.e !== 'number') return null;
  return payload.e < now ? null : payload.d;
}
