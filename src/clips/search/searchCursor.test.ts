import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/errors.js';
import {
  decodeSearchCursor,
  deriveCursorSecret,
  encodeSearchCursor,
  queryFingerprint,
  type SearchCursor,
} from './searchCursor.js';

const cursor: SearchCursor = {
  key: '0.731234',
  id: 'ClipA',
  nowMs: 1_700_000_000_000,
  mode: 'exact',
  total: 42,
  totalIsExact: true,
};
const fingerprint = queryFingerprint({ text: 'clutch', sort: 'relevance' });

describe('search cursor', () => {
  it('round-trips through an opaque string', () => {
    const token = encodeSearchCursor(cursor, fingerprint);
    expect(token).not.toContain('ClipA');
    expect(decodeSearchCursor(token, fingerprint)).toEqual(cursor);
  });

  it('rejects a cursor replayed with another query', () => {
    const token = encodeSearchCursor(cursor, fingerprint);
    expect(() => decodeSearchCursor(token, queryFingerprint({ text: 'clutch', sort: 'views' }))).toThrow(
      UserError,
    );
  });

  it('rejects edited payloads, signatures and junk', () => {
    const token = encodeSearchCursor(cursor, fingerprint);
    const [payload, mac] = token.split('.') as [string, string];
    const edited = Buffer.from(JSON.stringify({ ...cursor, v: 1, id: 'ClipB' })).toString('base64url');
    for (const bad of [
      `${edited}.${mac}`,
      `${payload}.${mac.slice(1)}x`,
      `${payload}.`,
      'junk',
      '',
      `${token}.extra`,
    ]) {
      expect(() => decodeSearchCursor(bad, fingerprint)).toThrow(
        expect.objectContaining({ identifier: 'search.invalidCursor' }),
      );
    }
  });

  it('depends on the secret', () => {
    const token = encodeSearchCursor(cursor, fingerprint, 'secret-a');
    expect(() => decodeSearchCursor(token, fingerprint, 'secret-b')).toThrow(UserError);
    expect(decodeSearchCursor(token, fingerprint, 'secret-a')).toEqual(cursor);
  });

  it('has no key in the source: a cursor signed with the formerly built-in key is refused', () => {
    const payload = Buffer.from(JSON.stringify({ v: 1, ...cursor })).toString('base64url');
    const forged = createHmac('sha256', 'twitch-clip-search/cursor/v1')
      .update(`${payload}\n${fingerprint}`)
      .digest('base64url')
      .slice(0, 22);
    expect(() => decodeSearchCursor(`${payload}.${forged}`, fingerprint)).toThrow(UserError);
  });

  it('derives one key per configured secret, not the secret itself', () => {
    const key = deriveCursorSecret('discord-bot-token-a');
    expect(deriveCursorSecret('discord-bot-token-a')).toBe(key);
    expect(deriveCursorSecret('discord-bot-token-b')).not.toBe(key);
    expect(key).not.toContain('discord-bot-token-a');
    const token = encodeSearchCursor(cursor, fingerprint, key);
    expect(decodeSearchCursor(token, fingerprint, deriveCursorSecret('discord-bot-token-a'))).toEqual(cursor);
  });
});
