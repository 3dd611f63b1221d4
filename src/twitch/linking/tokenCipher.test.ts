import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTokenKeyring,
  decryptToken,
  deriveSigningKey,
  encryptToken,
  isSealedWithCurrentKey,
  signPayload,
  tokenKeyId,
  verifySignedPayload,
} from './tokenCipher.js';

const key = randomBytes(32);
const keyring = createTokenKeyring(key);
const USER = '12826';

/** What the first release wrote: base64(iv | tag | data), no key id, no associated data. */
function legacyEncrypt(plaintext: string, legacyKey: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', legacyKey, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

describe('token cipher', () => {
  it('round-trips a refresh token, names its key and never repeats a ciphertext', () => {
    const a = encryptToken('refresh-token-value', keyring, USER);
    const b = encryptToken('refresh-token-value', keyring, USER);
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-value');
    expect(a.startsWith(`v1.${tokenKeyId(key)}.`)).toBe(true);
    expect(decryptToken(a, keyring, USER)).toBe('refresh-token-value');
    expect(isSealedWithCurrentKey(a, keyring)).toBe(true);
  });

  it('binds a ciphertext to its account: copied onto another account it does not decrypt', () => {
    const sealed = encryptToken('secret', keyring, USER);
    expect(() => decryptToken(sealed, keyring, '99999')).toThrow(/could not be decrypted/);
  });

  it('decrypts with an old key after rotation and refuses a key that is no longer configured', () => {
    const oldKey = randomBytes(32);
    const sealedOld = encryptToken('secret', createTokenKeyring(oldKey), USER);
    const rotated = createTokenKeyring(key, [oldKey]);
    expect(decryptToken(sealedOld, rotated, USER)).toBe('secret');
    expect(isSealedWithCurrentKey(sealedOld, rotated)).toBe(false);
    expect(() => decryptToken(sealedOld, keyring, USER)).toThrow(/not configured/);
  });

  it('still decrypts legacy values (no key id, no associated data) with the current or an old key', () => {
    const oldKey = randomBytes(32);
    const rotated = createTokenKeyring(key, [oldKey]);
    expect(decryptToken(legacyEncrypt('from-current', key), rotated, USER)).toBe('from-current');
    expect(decryptToken(legacyEncrypt('from-old', oldKey), rotated, USER)).toBe('from-old');
    expect(isSealedWithCurrentKey(legacyEncrypt('x', key), rotated)).toBe(false);
    expect(() => decryptToken(legacyEncrypt('x', randomBytes(32)), rotated, USER)).toThrow(/wrong key/);
  });

  it('rejects a tampered ciphertext without leaking it', () => {
    const sealed = encryptToken('secret', keyring, USER);
    const [format, id, body] = sealed.split('.');
    const raw = Buffer.from(body!, 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    const tampered = `${format}.${id}.${raw.toString('base64url')}`;
    expect(() => decryptToken(tampered, keyring, USER)).toThrow(/could not be decrypted/);
    try {
      decryptToken(tampered, keyring, USER);
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(body);
    }
    expect(() => decryptToken('AAAA', keyring, USER)).toThrow(/truncated/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => createTokenKeyring(randomBytes(16))).toThrow(/32 bytes/);
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
