import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptToken,
  deriveSigningKey,
  encryptToken,
  signPayload,
  verifySignedPayload,
} from './tokenCipher.js';

const key = randomBytes(32);

describe('token cipher', () => {
  it('round-trips a refresh token and never repeats a ciphertext', () => {
    const a = encryptToken('refresh-token-value', key);
    const b = encryptToken('refresh-token-value', key);
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-value');
    expect(decryptToken(a, key)).toBe('refresh-token-value');
  });

  it('rejects a wrong key or a tampered ciphertext without leaking it', () => {
    const sealed = encryptToken('secret', key);
    expect(() => decryptToken(sealed, randomBytes(32))).toThrow(/could not be decrypted/);
    const raw = Buffer.from(sealed, 'base64');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    expect(() => decryptToken(raw.toString('base64'), key)).toThrow(/could not be decrypted/);
    expect(() => decryptToken('AAAA', key)).toThrow(/truncated/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => encryptToken('x', randomBytes(16))).toThrow(/32 bytes/);
  });

  it('verifies signed payloads and rejects any change', () => {
    const signing = deriveSigningKey(key, 'oauth-state');
    const token = signPayload({ d: '123', e: 1 }, signing);
    expect(verifySignedPayload(token, signing)).toEqual({ d: '123', e: 1 });
    expect(verifySignedPayload(token + 'x', signing)).toBeNull();
    expect(verifySignedPayload(token, deriveSigningKey(key, 'other'))).toBeNull();
    expect(verifySignedPayload('nonsense', signing)).toBeNull();
  });
});
