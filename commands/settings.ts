import {
  ApplicationIntegrationType,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  escapeMarkdown,
  roleMention,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { MAX_AUTOCOMPLETE_RESULTS } from '../src/clips/search/autocomplete.js';
import type { Command } from '../src/discord/Command.js';
import { requireGuildManager } from '../src/discord/requireGuildManager.js';
import type { GuildSettings, GuildSettingsChanges } from '../src/guilds/guildSettings.js';
import { searchTimeZones } from '../src/guilds/timeZones.js';
import { UserError } from '../src/shared/errors.js';

// ---- Texts (English; everything a member reads) -----------------------------------------------------------

const TEXT = {
  command: 'Show or change how the bot behaves in this server',
  optionManagerRole: 'Members with this role may manage subscriptions and settings (besides Manage Server)',
  optionRemoveManagerRole: 'Remove the manager role (only Manage Server can manage then)',
  optionTimezone: 'Time zone of daily and weekly digests, e.g. Europe/Berlin',
  optionClipChanges: 'When a clip is renamed or deleted on Twitch: edit or delete its post, or leave it',
  optionGroupMoments: 'Post clips of the same moment once ("also clipped by …")',
  title: (guild: string) => `Settings of ${guild}`,
  titleFallback: 'Settings',
  updated: 'Settings updated.',
  managerRole: 'Manager role',
  noManagerRole: 'none: only members with Manage Server',
  timezone: 'Time zone (digests)',
  clipChanges: 'Renamed or deleted clips',
  clipChangesEdit: 'edit or delete the post',
  clipChangesIgnore: 'leave the post as it is',
  groupMoments: 'Moment grouping',
  on: 'on',
  off: 'off',
  footer: 'Change with /settings and an option, e.g. /settings timezone:Europe/Berlin',
  bothManagerOptions: 'Set a manager role or remove it, not both at once.',
} as const;

const CLIP_CHANGES = ['edit', 'ignore'] as const;
const ON_OFF = ['on', 'off'] as const;

// ---- Registration -----------------------------------------------------------------------------------------

const data = new SlashCommandBuilder()
  .setName('settings')
  .setDescription(TEXT.command)
  // Hidden from members without Manage Server by default; the bot still checks on every invocation.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addRoleOption((o) => o.setName('manager_role').setDescription(TEXT.optionManagerRole))
  .addBooleanOption((o) => o.setName('remove_manager_role').setDescription(TEXT.optionRemoveManagerRole))
  .addStringOption((o) =>
    o.setName('timezone').setDescription(TEXT.optionTimezone).setAutocomplete(true).setMaxLength(64),
  )
  .addStringOption((o) =>
    o
      .setName('clip_changes')
      .setDescription(TEXT.optionClipChanges)
      .addChoices(...CLIP_CHANGES.map((value) => ({ name: value, value }))),
  )
  .addStringOption((o) =>
    o
      .setName('group_moments')
      .setDescription(TEXT.optionGroupMoments)
      .addChoices(...ON_OFF.map((value) => ({ name: value, value }))),
  )
  .toJSON();

// ---- Handlers ---------------------------------------------------------------------------------------------

export const settings = {
  data,
  guildOnly: true,

  async execute(interaction, deps) {
    // Before anything else: a refusal is an ephemeral reply that changes nothing.
    const manager = await requireGuildManager(interaction, deps);
    const changes = parseSettingsChanges(interaction);
    const changed = Object.keys(changes).length > 0;
    const current = changed
      ? await deps.guilds.updateSettings({ guild: manager.guild, changes })
      : manager.settings;
    await interaction.reply({
      ...(changed ? { content: TEXT.updated } : {}),
      embeds: [settingsEmbed(current, interaction.guild?.name)],
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
    });
  },

  autocomplete: {
    timezone: async (typed) =>
      searchTimeZones(typed, MAX_AUTOCOMPLETE_RESULTS).map((zone) => ({ name: zone, value: zone })),
  },
} satisfies Command;

// ---- Parsing ----------------------------------------------------------------------------------------------

/** The options given, as changes (none given: show the settings). Values are validated by the service. */
export function parseSettingsChanges(interaction: ChatInputCommandInteraction): GuildSettingsChanges {
  const options = interaction.options;
  const changes: GuildSettingsChanges = {};
  const role = options.getRole('manager_role');
  const removeRole = options.getBoolean('remove_manager_role') === true;
  if (role && removeRole) throw new UserError('settings.bothManagerOptions', TEXT.bothManagerOptions);
  if (role) changes.managerRoleId = role.id;
  if (removeRole) changes.managerRoleId = null;
  const timezone = options.getString('timezone');
  if (timezone !== null) changes.timezone = timezone;
  const clipChanges = options.getString('clip_changes');
  if (clipChanges !== null) changes.syncClipChanges = clipChanges === 'edit';
  const groupMoments = options.getString('group_moments');
  if (groupMoments !== null) changes.groupMoments = groupMoments === 'on';
  return changes;
}

// ---- Rendering --------------------------------------------------------------------------------------------

export function settingsEmbed(current: GuildSettings, guildName: string | undefined): EmbedBuilder {
  return new EmbedBuilder()
    .setTitle(guildName ? TEXT.title(escapeMarkdown(guildName)).slice(0, 256) : TEXT.titleFallback)
    .addFields(
      {
        name: TEXT.managerRole,
        value: current.managerRoleId ? roleMention(current.managerRoleId) : TEXT.noManagerRole,
        inline: true,
      },
      { name: TEXT.timezone, value: escapeMarkdown(current.timezone), inline: true },
      {
        name: TEXT.clipChanges,
        value: current.syncClipChanges ? TEXT.clipChangesEdit : TEXT.clipChangesIgnore,
        inline: true,
      },
      { name: TEXT.groupMoments, value: current.groupMoments ? TEXT.on : TEXT.off, inline: true },
    )
    .setFooter({ text: TEXT.footer });
}
