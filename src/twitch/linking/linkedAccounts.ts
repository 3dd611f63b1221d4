import type { SqlExecutor } from '../../db/Database.js';

/** A linked Twitch account with its refresh token still encrypted (decrypt only where it is used). */
export interface LinkedTwitchAccount {
  twitchUserId: string;
  login: string;
  encryptedRefreshToken: string;
  scopes: string[];
  linkedByDiscordUserId: string;
  /** When this link was made: later writes of a refreshed token must match it (a re-link wins). */
  linkedAt: Date;
}

/** Stores (or replaces, on re-link) an account; returns the row's new `linkedAt`. */
export async function saveLinkedAccount(
  sql: SqlExecutor,
  account: Omit<LinkedTwitchAccount, 'linkedAt'>,
  now: Date,
): Promise<Date> {
  await sql.query(
    `INSERT INTO twitch_accounts (twitch_user_id, login, encrypted_refresh_token, scopes, linked_by_discord_user_id,
                                  linked_at, revoked_at)
     VALUES ($1, $2, $3, $4::text[], $5, $6::timestamptz, NULL)
     ON CONFLICT (twitch_user_id) DO UPDATE SET
       login = EXCLUDED.login, encrypted_refresh_token = EXCLUDED.encrypted_refresh_token,
       scopes = EXCLUDED.scopes, linked_by_discord_user_id = EXCLUDED.linked_by_discord_user_id,
       linked_at = EXCLUDED.linked_at, revoked_at = NULL`,
    [
      account.twitchUserId,
      account.login,
      account.encryptedRefreshToken,
      account.scopes,
      account.linkedByDiscordUserId,
      now,
    ],
  );
  return now;
}

export async function listLinkedAccounts(sql: SqlExecutor): Promise<LinkedTwitchAccount[]> {
  const rows = await sql.query<{
    twitch_user_id: string;
    login: string;
    encrypted_refresh_token: string;
    scopes: string[];
    linked_by_discord_user_id: string;
    linked_at: Date;
  }>(
    `SELECT twitch_user_id, login, encrypted_refresh_token, scopes, linked_by_discord_user_id, linked_at
       FROM twitch_accounts
      WHERE revoked_at IS NULL AND encrypted_refresh_token IS NOT NULL
      ORDER BY linked_at`,
  );
  return rows.map((row) => ({
    twitchUserId: row.twitch_user_id,
    login: row.login,
    encryptedRefreshToken: row.encrypted_refresh_token,
    scopes: row.scopes,
    linkedByDiscordUserId: row.linked_by_discord_user_id,
    linkedAt: new Date(row.linked_at),
  }));
}

/**
 * Stores a refresh token Twitch rotated, unless the account was re-linked (or revoked) since `linkedAt`:
 * a refresh that started with the old link's token must never overwrite the new link's token.
 */
export async function updateRefreshToken(
  sql: SqlExecutor,
  account: { twitchUserId: string; linkedAt: Date },
  encrypted: string,
): Promise<boolean> {
  const rows = await sql.query<{ twitch_user_id: string }>(
    `UPDATE twitch_accounts SET encrypted_refresh_token = $3
      WHERE twitch_user_id = $1 AND linked_at = $2::timestamptz AND revoked_at IS NULL
      RETURNING twitch_user_id`,
    [account.twitchUserId, account.linkedAt, encrypted],
  );
  return rows.length > 0;
}

/** Replaces one stored ciphertext by another only if it is still the one read (key rotation). */
export async function replaceEncryptedToken(
  sql: SqlExecutor,
  twitchUserId: string,
  previous: string,
  next: string,
): Promise<boolean> {
  const rows = await sql.query<{ twitch_user_id: string }>(
    `UPDATE twitch_accounts SET encrypted_refresh_token = $3
      WHERE twitch_user_id = $1 AND encrypted_refresh_token = $2
      RETURNING twitch_user_id`,
    [twitchUserId, previous, next],
  );
  return rows.length > 0;
}

/**
 * Twitch rejected the refresh token or the user revoked access: stop using the account until relinked, and
 * wipe the token (a revoked token is useless to us and worth nothing kept). Only the link that was revoked
 * is affected: when `linkedAt` is given and the account was re-linked since, nothing changes.
 */
export async function markAccountRevoked(
  sql: SqlExecutor,
  account: { twitchUserId: string; linkedAt?: Date },
  now: Date,
): Promise<boolean> {
  const rows = await sql.query<{ twitch_user_id: string }>(
    `UPDATE twitch_accounts SET revoked_at = $2::timestamptz, encrypted_refresh_token = NULL
      WHERE twitch_user_id = $1 AND revoked_at IS NULL AND ($3::timestamptz IS NULL OR linked_at = $3::timestamptz)
      RETURNING twitch_user_id`,
    [account.twitchUserId, now, account.linkedAt ?? null],
  );
  return rows.length > 0;
}
