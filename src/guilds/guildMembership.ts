import type { SqlExecutor } from '../db/Database.js';

export interface GatewayGuild {
  id: string;
  name: string;
  /** Discord's system channel, where the bot tells admins about problems; null when the guild has none. */
  systemChannelId: string | null;
}

/**
 * Records that the bot is in a guild (GUILD_CREATE at start-up or on join, GUILD_UPDATE): stores its name
 * and system channel, and clears left_at when the bot was added back (joined_at then restarts too).
 */
export async function recordGuildPresent(options: {
  sql: SqlExecutor;
  guild: GatewayGuild;
  now: Date;
}): Promise<{ rejoined: boolean; created: boolean }> {
  const { guild } = options;
  const [row] = await options.sql.query<{ created: boolean; rejoined: boolean }>(
    `WITH previous AS (SELECT left_at FROM guilds WHERE id = $1)
     INSERT INTO guilds (id, name, system_channel_id, joined_at)
     VALUES ($1, $2, $3, $4::timestamptz)
     ON CONFLICT (id) DO UPDATE
        SET name = EXCLUDED.name,
            system_channel_id = EXCLUDED.system_channel_id,
            joined_at = CASE WHEN guilds.left_at IS NULL THEN guilds.joined_at ELSE EXCLUDED.joined_at END,
            left_at = NULL
     RETURNING (SELECT count(*) = 0 FROM previous) AS created,
               COALESCE((SELECT left_at IS NOT NULL FROM previous), false) AS rejoined`,
    [guild.id, guild.name.slice(0, 100), guild.systemChannelId, options.now],
  );
  return { created: row?.created === true, rejoined: row?.rejoined === true };
}

/**
 * Records that the bot was removed from a guild (GUILD_DELETE without `unavailable`; an outage is not a
 * removal). Subscriptions and settings are kept, so adding the bot back restores them.
 */
export async function recordGuildLeft(options: {
  sql: SqlExecutor;
  guildId: string;
  now: Date;
}): Promise<boolean> {
  const rows = await options.sql.query(
    `UPDATE guilds SET left_at = $2::timestamptz WHERE id = $1 AND left_at IS NULL RETURNING id`,
    [options.guildId, options.now],
  );
  return rows.length === 1;
}
