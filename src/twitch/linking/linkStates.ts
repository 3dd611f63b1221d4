import { createHash } from 'node:crypto';
import type { SqlExecutor } from '../../db/Database.js';

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/**
 * Records a linking flow in progress. Only hashes are stored: a database reader learns no state or cookie.
 * Expired flows are removed on the way (by the expires_at index), so abandoned flows do not pile up.
 */
export async function saveLinkState(
  sql: SqlExecutor,
  flow: { state: string; browserNonce: string; discordUserId: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await sql.query(`DELETE FROM twitch_link_states WHERE expires_at < $1::timestamptz`, [now]);
  await sql.query(
    `INSERT INTO twitch_link_states (state_hash, browser_hash, discord_user_id, expires_at)
     VALUES ($1, $2, $3, $4::timestamptz)`,
    [sha256(flow.state), sha256(flow.browserNonce), flow.discordUserId, flow.expiresAt],
  );
}

/**
 * Consumes a flow: succeeds once, only for the browser that started it (its cookie nonce), before expiry.
 * One DELETE … RETURNING, so two concurrent callbacks with the same state cannot both win. A state presented
 * without the right cookie is left in place: whoever intercepted it cannot burn the owner's flow.
 */
export async function consumeLinkState(
  sql: SqlExecutor,
  flow: { state: string; browserNonce: string },
  now: Date,
): Promise<{ discordUserId: string } | null> {
  const rows = await sql.query<{ discord_user_id: string }>(
    `DELETE FROM twitch_link_states
      WHERE state_hash = $1 AND browser_hash = $2 AND expires_at > $3::timestamptz
      RETURNING discord_user_id`,
    [sha256(flow.state), sha256(flow.browserNonce), now],
  );
  return rows[0] ? { discordUserId: rows[0].discord_user_id } : null;
}
