import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../shared/errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

function assertKey(key: Buffer): void {
  if (key.length !== 32) throw new AppError('crypto.badKey', 'TOKEN_ENCRYPTION_KEY must be 32 bytes');
}

/**
 * Encrypts a secret (an OAuth refresh token) with AES-256-GCM under TOKEN_ENCRYPTION_KEY. Output:
 * base64(iv | tag | ciphertext) with a fresh 96-bit IV per call, as stored in twitch_accounts.
 */
export function encryptToken(plaintext: string, key: Buffer): string {
  assertKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

/** Reverses {@link encryptToken}; a wrong key or a tampered value fails with crypto.decryptFailed. */
export function decryptToken(encoded: string, key: Buffer): string {
  assertKey(key);
  const raw = Buffer.from(encoded, 'base64');
  if (raw.length < IV_BYTES + TAG_BYTES)
    throw new AppError('crypto.decryptFailed', 'stored token is truncated');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch (error) {
    // Never include the ciphertext or key material in the error.
    throw new AppError(
      'crypto.decryptFailed',
      'stored token could not be decrypted (wrong key or tampered)',
      {
        cause: error instanceof Error ? new Error(error.name) : undefined,
      },
    );
  }
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
