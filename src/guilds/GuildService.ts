import type { SqlExecutor } from '../db/Database.js';
import { recordGuildLeft, recordGuildPresent, type GatewayGuild } from './guildMembership.js';
import {
  getGuildSettings,
  updateGuildSettings,
  type GuildSettings,
  type GuildSettingsChanges,
} from './guildSettings.js';

/** Guild settings and membership bound to the database, for commands and the gateway (built in src/main.ts). */
export interface GuildService {
  getSettings(input: { guildId: string }): Promise<GuildSettings>;
  updateSettings(input: {
    guild: { id: string; name: string };
    changes: GuildSettingsChanges;
  }): Promise<GuildSettings>;
  recordPresent(guild: GatewayGuild): Promise<{ created: boolean; rejoined: boolean }>;
  recordLeft(guildId: string): Promise<boolean>;
}

export function createGuildService(deps: { sql: SqlExecutor; clock?: () => Date }): GuildService {
  const { sql } = deps;
  const clock = deps.clock ?? (() => new Date());
  return {
    getSettings: (input) => getGuildSettings({ ...input, sql }),
    updateSettings: (input) => updateGuildSettings({ ...input, sql }),
    recordPresent: (guild) => recordGuildPresent({ sql, guild, now: clock() }),
    recordLeft: (guildId) => recordGuildLeft({ sql, guildId, now: clock() }),
  };
}
