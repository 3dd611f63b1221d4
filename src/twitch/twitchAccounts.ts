import type { SqlExecutor } from '../db/Database.js';

/** A linked Twitch account with its refresh token still encrypted (decrypt only where it is used). */
export interface LinkedTwitchAccount {
  twitchUserId: string;
  login: string;
  encryptedRefreshToken: string;
  scopes: string[];
  linkedByDiscordUserId: string;
}

export async function saveLinkedAccount(
  sql: SqlExecutor,
  account: LinkedTwitchAccount,
  now: Date,
): Promise<void> {
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
}

export async function listLinkedAccounts(sql: SqlExecutor): Promise<LinkedTwitchAccount[]> {
  const rows = await sql.query<{
    twitch_user_id: string;
    login: string;
    encrypted_refresh_token: string;
    scopes: string[];
    linked_by_discord_user_id: string;
  }>(
    `SELECT twitch_user_id, login, encrypted_refresh_token, scopes, linked_by_discord_user_id
       FROM twitch_accounts WHERE revoked_at IS NULL ORDER BY linked_at`,
  );
  return rows.map((row) => ({
    twitchUserId: row.twitch_user_id,
    login: row.login,
    encryptedRefreshToken: row.encrypted_refresh_token,
    scopes: row.scopes,
    linkedByDiscordUserId: row.linked_by_discord_user_id,
  }));
}

export async function updateRefreshToken(
  sql: SqlExecutor,
  twitchUserId: string,
  encrypted: string,
): Promise<void> {
  await sql.query(`UPDATE twitch_accounts SET encrypted_refresh_token = $2 WHERE twitch_user_id = $1`, [
    twitchUserId,
    encrypted,
  ]);
}

/** Twitch rejected the refresh token or the user revoked access: stop using the account until relinked. */
export async function markAccountRevoked(sql: SqlExecutor, twitchUserId: string, now: Date): Promise<void> {
  await sql.query(
    `UPDATE twitch_accounts SET revoked_at = $2::timestamptz WHERE twitch_user_id = $1 AND revoked_at IS NULL`,
    [twitchUserId, now],
  );
}
