import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../shared/errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT = 'v1';

/** One AES-256 key with its id (derived from the key itself, so operators never have to name keys). */
export interface TokenKey {
  readonly id: string;
  readonly key: Buffer;
}

/**
 * The keys that protect stored tokens: `current` encrypts, every key (current first) may decrypt. Rotation:
 * set a new TOKEN_ENCRYPTION_KEY, move the old one to TOKEN_ENCRYPTION_OLD_KEYS, run `npm run tokens:rotate`,
 * then drop the old key.
 */
export interface TokenKeyring {
  readonly current: TokenKey;
  readonly all: readonly TokenKey[];
}

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new AppError('crypto.badKey', 'TOKEN_ENCRYPTION_KEY must be 32 bytes');
}

/** A short public fingerprint of a key (HMAC of a constant): identifies the key without revealing it. */
export function tokenKeyId(key: Buffer): string {
  assertKey(key);
  return createHmac('sha256', key).update('tcs:token-key-id').digest('base64url').slice(0, 8);
}

export function createTokenKeyring(current: Buffer, previous: readonly Buffer[] = []): TokenKeyring {
  const keys = [current, ...previous].map((key) => ({ id: tokenKeyId(key), key }));
  const all = keys.filter((key, index) => keys.findIndex((other) => other.id === key.id) === index);
  return { current: all[0]!, all };
}

/**
 * Encrypts a refresh token with AES-256-GCM under the current key: `v1.<key id>.<base64url(iv | tag | data)>`
 * with a fresh 96-bit IV. The Twitch user id is the associated data, so a ciphertext copied onto another
 * account's row does not decrypt there.
 */
export function encryptToken(plaintext: string, keyring: TokenKeyring, twitchUserId: string): string {
  const { id, key } = keyring.current;
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(twitchUserId, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${FORMAT}.${id}.${Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64url')}`;
}

/** Whether a stored value is already sealed by the current key in the current format (nothing to rotate). */
export function isSealedWithCurrentKey(stored: string, keyring: TokenKeyring): boolean {
  return stored.startsWith(`${FORMAT}.${keyring.current.id}.`);
}

function open(raw: Buffer, key: Buffer, aad: Buffer | null): string {
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  if (aad) decipher.setAAD(aad);
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
    'utf8',
  );
}

function decryptFailed(reason: string): AppError {
  // Never include the ciphertext or key material in the error.
  return new AppError('crypto.decryptFailed', `stored token could not be decrypted (${reason})`);
}

/**
 * Reverses {@link encryptToken} with whichever configured key sealed the value. Values written before key ids
 * existed (base64 without a prefix, no associated data) are tried with every key, so they keep working until
 * `npm run tokens:rotate` rewrites them. Fails with crypto.decryptFailed on an unknown key, a wrong account, or
 * tampering.
 */
export function decryptToken(stored: string, keyring: TokenKeyring, twitchUserId: string): string {
  const parts = stored.split('.');
  if (parts.length === 3 && parts[0] === FORMAT) {
    const key = keyring.all.find((candidate) => candidate.id === parts[1]);
    if (!key) throw decryptFailed('sealed by a key that is not configured');
    const raw = Buffer.from(parts[2]!, 'base64url');
    if (raw.length < IV_BYTES + TAG_BYTES) throw decryptFailed('truncated');
    try {
      return open(raw, key.key, Buffer.from(twitchUserId, 'utf8'));
    } catch {
      throw decryptFailed('tampered, or stored on another account');
    }
  }
  const raw = Buffer.from(stored, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES) throw decryptFailed('truncated');
  for (const { key } of keyring.all) {
    try {
      return open(raw, key, null);
    } catch {
      // Try the next key: a legacy value does not say which key sealed it.
    }
  }
  throw decryptFailed('wrong key or tampered');
}

/** A separate key for signing (HMAC) derived from the encryption key, so one secret never serves two uses. */
export function deriveSigningKey(key: Buffer, purpose: string): Buffer {
  assertKey(key);
  return createHmac('sha256', key).update(`tcs:${purpose}`).digest();
}

/** `payload.signature` with both parts base64url; the payload is JSON. */
export function signPayload(payload: object, signingKey: Buffer): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const signature = createHmac('sha256', signingKey).update(body).digest('base64url');
  return `${body}.${signature}`;
}

/** Returns the payload when the signature is valid, else null (constant-time comparison). */
export function verifySignedPayload(token: string, signingKey: Buffer): unknown {
  const [body, signature, extra] = token.split('.');
  if (body === undefined || signature === undefined || extra !== undefined) return null;
  const expected = createHmac('sha256', signingKey).update(body).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
  } catch {
    return null;
  }
}
