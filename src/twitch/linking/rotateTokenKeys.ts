import type { SqlExecutor } from '../../db/Database.js';
import type { Logger } from '../../observability/logger.js';
import { replaceEncryptedToken } from './linkedAccounts.js';
import { decryptToken, encryptToken, isSealedWithCurrentKey, type TokenKeyring } from './tokenCipher.js';

export interface TokenRotationResult {
  /** Re-encrypted with the current key (and bound to their account). */
  rotated: number;
  alreadyCurrent: number;
  /** Twitch user ids whose token no configured key opens: re-link them, or add the missing old key. */
  undecryptable: string[];
  /** Changed by the bot (a refresh or a re-link) between our read and write: already current, left alone. */
  changedMeanwhile: number;
}

const PAGE_SIZE = 500;

/**
 * Re-encrypts every stored refresh token with the current key, in the current format (key id, the account as
 * associated data), so old keys can be dropped. Safe while the bot runs: each row is rewritten only if it still
 * holds the ciphertext that was read. Idempotent; reads in pages by primary key.
 */
export async function rotateTokenKeys(options: {
  sql: SqlExecutor;
  keyring: TokenKeyring;
  logger: Logger;
}): Promise<TokenRotationResult> {
  const result: TokenRotationResult = {
    rotated: 0,
    alreadyCurrent: 0,
    undecryptable: [],
    changedMeanwhile: 0,
  };
  let after = '';
  for (;;) {
    const rows = await options.sql.query<{ twitch_user_id: string; encrypted_refresh_token: string }>(
      `SELECT twitch_user_id, encrypted_refresh_token FROM twitch_accounts
        WHERE encrypted_refresh_token IS NOT NULL AND twitch_user_id > $1
        ORDER BY twitch_user_id LIMIT ${PAGE_SIZE}`,
      [after],
    );
    for (const row of rows) {
      const stored = row.encrypted_refresh_token;
      if (isSealedWithCurrentKey(stored, options.keyring)) {
        result.alreadyCurrent++;
        continue;
      }
      let plaintext: string;
      try {
        plaintext = decryptToken(stored, options.keyring, row.twitch_user_id);
      } catch {
        result.undecryptable.push(row.twitch_user_id);
        continue;
      }
      const next = encryptToken(plaintext, options.keyring, row.twitch_user_id);
      if (await replaceEncryptedToken(options.sql, row.twitch_user_id, stored, next)) result.rotated++;
      else result.changedMeanwhile++;
    }
    if (rows.length < PAGE_SIZE) break;
    after = rows[rows.length - 1]!.twitch_user_id;
  }
  options.logger.info(
    { ...result, undecryptable: result.undecryptable.length, keyId: options.keyring.current.id },
    'token keys rotated',
  );
  if (result.undecryptable.length > 0) {
    options.logger.warn(
      { twitchUserIds: result.undecryptable },
      'some linked accounts cannot be decrypted with any configured key; they must re-link',
    );
  }
  return result;
}
