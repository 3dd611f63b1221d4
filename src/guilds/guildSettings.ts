import type { SqlExecutor } from '../db/Database.js';
import { UserError } from '../shared/errors.js';
import { isSnowflake } from '../shared/snowflake.js';
import { normaliseTimeZone } from './timeZones.js';

/** What `/settings` shows and changes. */
export interface GuildSettings {
  guildId: string;
  /** Members with this role may manage subscriptions and settings, besides those with Manage Guild. */
  managerRoleId: string | null;
  /** IANA zone of daily and weekly digests. */
  timezone: string;
  /** Edit or delete a clip's post when the clip is renamed or deleted on Twitch. */
  syncClipChanges: boolean;
  /** One post per moment ("also clipped by …") instead of one per clip. */
  groupMoments: boolean;
}

export interface GuildSettingsChanges {
  /** A role id, or null to remove the manager role. */
  managerRoleId?: string | null;
  timezone?: string;
  syncClipChanges?: boolean;
  groupMoments?: boolean;
}

interface SettingsRow {
  id: string;
  manager_role_id: string | null;
  timezone: string;
  sync_clip_changes: boolean;
  group_moments: boolean;
}

const toSettings = (row: SettingsRow): GuildSettings => ({
  guildId: row.id,
  managerRoleId: row.manager_role_id,
  timezone: row.timezone,
  syncClipChanges: row.sync_clip_changes,
  groupMoments: row.group_moments,
});

/** The guild's settings; the defaults when the guild has no row yet (its GUILD_CREATE not processed). */
export async function getGuildSettings(options: {
  sql: SqlExecutor;
  guildId: string;
}): Promise<GuildSettings> {
  const [row] = await options.sql.query<SettingsRow>(
    `SELECT id, manager_role_id, timezone, sync_clip_changes, group_moments FROM guilds WHERE id = $1`,
    [options.guildId],
  );
  return row
    ? toSettings(row)
    : {
        guildId: options.guildId,
        managerRoleId: null,
        timezone: 'UTC',
        syncClipChanges: true,
        groupMoments: true,
      };
}

/**
 * Validates and applies the given changes (absent fields stay as they are) and returns the new settings.
 * The time zone is stored in its canonical IANA spelling. @everyone cannot be the manager role: that would
 * let every member manage subscriptions, which a guild can already allow in its integration settings.
 */
export async function updateGuildSettings(options: {
  sql: SqlExecutor;
  guild: { id: string; name: string };
  changes: GuildSettingsChanges;
}): Promise<GuildSettings> {
  const { changes, guild } = options;
  if (changes.managerRoleId != null) {
    if (!isSnowflake(changes.managerRoleId)) {
      throw new UserError('settings.invalidRole', 'Pick the manager role from the list.');
    }
    if (changes.managerRoleId === guild.id) {
      throw new UserError(
        'settings.everyoneRole',
        '@everyone cannot be the manager role. To let everyone manage subscriptions, allow the command for ' +
          'everyone in Server Settings → Integrations instead.',
      );
    }
  }
  const timezone = changes.timezone === undefined ? null : normaliseTimeZone(changes.timezone);
  // A guild without a row yet (its GUILD_CREATE not processed) gets one with the column defaults for the
  // settings not being changed.
  const [row] = await options.sql.query<SettingsRow>(
    `INSERT INTO guilds (id, name, manager_role_id, timezone, sync_clip_changes, group_moments)
     VALUES ($1, $2, $4::text, COALESCE($5::text, 'UTC'), COALESCE($6::boolean, true), COALESCE($7::boolean, true))
     ON CONFLICT (id) DO UPDATE SET
       manager_role_id = CASE WHEN $3::boolean THEN EXCLUDED.manager_role_id ELSE guilds.manager_role_id END,
       timezone = COALESCE($5::text, guilds.timezone),
       sync_clip_changes = COALESCE($6::boolean, guilds.sync_clip_changes),
       group_moments = COALESCE($7::boolean, guilds.group_moments)
     RETURNING id, manager_role_id, timezone, sync_clip_changes, group_moments`,
    [
      guild.id,
      guild.name.slice(0, 100),
      changes.managerRoleId !== undefined,
      changes.managerRoleId ?? null,
      timezone,
      changes.syncClipChanges ?? null,
      changes.groupMoments ?? null,
    ],
  );
  if (row === undefined) throw new Error('guild settings upsert returned no row');
  return toSettings(row);
}
