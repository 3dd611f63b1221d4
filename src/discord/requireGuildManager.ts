import { roleMention, type AutocompleteInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { canManageGuild } from '../guilds/canManageGuild.js';
import type { GuildSettings } from '../guilds/guildSettings.js';
import { UserError } from '../shared/errors.js';
import type { CommandDeps } from './Command.js';
import { texts } from './texts.js';

const TEXT = {
  notManager:
    'Only members with the Manage Server permission can manage clip subscriptions and settings here.',
  notManagerWithRole: (role: string) =>
    `Only members with the Manage Server permission or the ${role} role can manage clip subscriptions and settings here.`,
};

export interface ManagerContext {
  guild: { id: string; name: string };
  settings: GuildSettings;
}

/**
 * Refuses (UserError, answered ephemerally before anything else happens) unless the interaction comes from
 * a guild member who may manage it: Manage Guild or the guild's manager role, read from the interaction's
 * own member data on every invocation. default_member_permissions only hides the command by default; a
 * guild can open it to everyone in its integration settings.
 */
export async function requireGuildManager(
  interaction: ChatInputCommandInteraction | AutocompleteInteraction,
  deps: Pick<CommandDeps, 'guilds'>,
): Promise<ManagerContext> {
  if (!interaction.inGuild()) throw new UserError('guild.only', texts(interaction.locale).errors.guildOnly);
  const settings = await deps.guilds.getSettings({ guildId: interaction.guildId });
  const allowed = canManageGuild({
    memberPermissions: interaction.memberPermissions?.bitfield ?? null,
    memberRoleIds: memberRoleIds(interaction),
    managerRoleId: settings.managerRoleId,
  });
  if (!allowed) {
    throw new UserError(
      'guild.notManager',
      settings.managerRoleId ? TEXT.notManagerWithRole(roleMention(settings.managerRoleId)) : TEXT.notManager,
    );
  }
  return { guild: { id: interaction.guildId, name: interaction.guild?.name ?? '' }, settings };
}

/** The member's role ids, from a cached GuildMember or the raw interaction member. */
function memberRoleIds(interaction: ChatInputCommandInteraction | AutocompleteInteraction): string[] {
  const member = interaction.member;
  if (member === null) return [];
  return Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
}
