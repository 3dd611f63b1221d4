// Key rotation of stored Twitch refresh tokens on a real database: legacy rows (no key id, no associated data),
// rows sealed by an old key, and rows no configured key opens; and what /readyz reports about the latter.
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateReadiness } from '../../../src/http/readiness.js';
import { createTwitchLinking } from '../../../src/twitch/linking/createTwitchLinking.js';
import { rotateTokenKeys } from '../../../src/twitch/linking/rotateTokenKeys.js';
import {
  createTokenKeyring,
  decryptToken,
  encryptToken,
  isSealedWithCurrentKey,
} from '../../../src/twitch/linking/tokenCipher.js';
import { testLogger } from '../../support/databases.js';
import { startSyncHarness, type SyncHarness } from '../sync/syncHarness.js';

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
let h: SyncHarness;

/** What the first release wrote: base64(iv | tag | data), no key id, no associated data. */
function legacyEncrypt(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

async function insertAccount(twitchUserId: string, encrypted: string): Promise<void> {
  await h.db.sql.query(
    `INSERT INTO twitch_accounts (twitch_user_id, login, encrypted_refresh_token, scopes, linked_by_discord_user_id)
     VALUES ($1, $2, $3, '{}', '123456789012345678')`,
    [twitchUserId, `user${twitchUserId}`, encrypted],
  );
}

async function storedTokens(): Promise<Map<string, string>> {
  const rows = await h.db.sql.query<{ twitch_user_id: string; encrypted_refresh_token: string }>(
    `SELECT twitch_user_id, encrypted_refresh_token FROM twitch_accounts ORDER BY twitch_user_id`,
  );
  return new Map(rows.map((row) => [row.twitch_user_id, row.encrypted_refresh_token]));
}

beforeAll(async () => {
  h = await startSyncHarness();
  await insertAccount('1001', legacyEncrypt('legacy-token', oldKey));
  await insertAccount('1002', encryptToken('old-key-token', createTokenKeyring(oldKey), '1002'));
  await insertAccount('1003', encryptToken('current-token', createTokenKeyring(newKey), '1003'));
  await insertAccount('1004', legacyEncrypt('lost-token', randomBytes(32)));
});

afterAll(async () => {
  await h?.close();
});

describe('token key rotation', () => {
  it('reports accounts no configured key opens on /readyz, as an optional check with a generic detail', async () => {
    const linking = await createTwitchLinking({
      clientId: h.fake.clientId,
      clientSecret: h.fake.clientSecret,
      publicUrl: 'https://bot.example',
      tokenEncryptionKey: newKey,
      tokenEncryptionOldKeys: [oldKey],
      mockApiPort: h.fake.port,
      sql: h.db.sql,
      registry: h.registry,
      logger: testLogger(),
      onLiveChange: async () => undefined,
    });
    try {
      await linking!.eventSub.start();
      // Legacy and old-key rows still work before any rotation: three of four accounts are in use.
      expect(linking!.eventSub.subscribedBroadcasters().sort()).toEqual(['1001', '1002', '1003']);
      const report = await evaluateReadiness({ twitchTokens: linking!.tokensReadiness });
      expect(report.status).toBe('ready');
      expect(report.checks.twitchTokens).toEqual({
        status: 'down',
        required: false,
        detail: '1 linked account(s) cannot be decrypted: check TOKEN_ENCRYPTION_KEY',
      });
    } finally {
      await linking?.eventSub.stop();
    }
  });

  it('re-encrypts every token with the current key, bound to its account, and is idempotent', async () => {
    const keyring = createTokenKeyring(newKey, [oldKey]);
    const first = await rotateTokenKeys({ sql: h.db.sql, keyring, logger: testLogger() });
    expect(first).toEqual({ rotated: 2, alreadyCurrent: 1, undecryptable: ['1004'], changedMeanwhile: 0 });

    // The old key can go now: every readable token opens with the new key alone.
    const newOnly = createTokenKeyring(newKey);
    const tokens = await storedTokens();
    expect(decryptToken(tokens.get('1001')!, newOnly, '1001')).toBe('legacy-token');
    expect(decryptToken(tokens.get('1002')!, newOnly, '1002')).toBe('old-key-token');
    expect(decryptToken(tokens.get('1003')!, newOnly, '1003')).toBe('current-token');
    for (const id of ['1001', '1002', '1003'])
      expect(isSealedWithCurrentKey(tokens.get(id)!, newOnly)).toBe(true);

    const second = await rotateTokenKeys({ sql: h.db.sql, keyring, logger: testLogger() });
    expect(second).toEqual({ rotated: 0, alreadyCurrent: 3, undecryptable: ['1004'], changedMeanwhile: 0 });
    expect(await storedTokens()).toEqual(tokens);
  });
});
