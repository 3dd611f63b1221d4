import { EmbedBuilder, MessageFlags, SlashCommandBuilder } from 'discord.js';
import { autocompleteChannels } from '../src/clips/search/autocomplete.js';
import type { Command } from '../src/discord/Command.js';
import { resolveTwitchChannel } from '../src/discord/resolveTwitchChannel.js';
import { createTwitchLinkUrl } from '../src/twitch/linking/linkUrl.js';
import { UserError } from '../src/shared/errors.js';

export const twitch = {
  data: new SlashCommandBuilder()
    .setName('twitch')
    .setDescription('Link your Twitch channel, or see how far a channel is indexed')
    .addSubcommand((sub) =>
      sub.setName('link').setDescription('Get a link that connects your Twitch channel to this bot'),
    )
    .addSubcommand((sub) =>
      sub
        .setName('status')
        .setDescription('How many clips of a channel are indexed, and how far back')
        .addStringOption((option) =>
          option.setName('channel').setDescription('Twitch channel').setAutocomplete(true).setRequired(true),
        ),
    )
    .toJSON(),

  async execute(interaction, deps) {
    if (interaction.options.getSubcommand() === 'link') {
      if (!deps.twitchLinking) {
        throw new UserError(
          'twitch.linkingDisabled',
          'Linking Twitch accounts is not enabled on this bot. Its operator can enable it by setting ' +
            'PUBLIC_URL and TOKEN_ENCRYPTION_KEY.',
        );
      }
      const url = createTwitchLinkUrl({
        ...deps.twitchLinking,
        discordUserId: interaction.user.id,
        now: new Date(),
      });
      const embed = new EmbedBuilder()
        .setTitle('Link your Twitch channel')
        .setURL(url)
        .setDescription(
          `[Open this link](${url}) within 30 minutes and approve on Twitch. Linking needs no permissions ` +
            'beyond knowing who you are. It lets the bot hear the moment you go live (instead of checking ' +
            'every few minutes), so clips made on your stream are found and posted faster. ' +
            'You can unlink at any time in Twitch → Settings → Connections.',
        );
      // Ephemeral: the link is bound to this Discord user and must not be shared.
      await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
      return;
    }

    const channel = await resolveTwitchChannel(deps, interaction.options.getString('channel', true));
    const status = await deps.sync.getChannelSyncStatus(channel.id);
    const content = status
      ? `**${channel.name}**: ${status.summary}${status.isLive ? ' (live now)' : ''}.`
      : `**${channel.name}** is not indexed yet. Search it with /search channel:${channel.name} to start.`;
    await interaction.reply({ content, flags: MessageFlags.Ephemeral });
  },

  async autocomplete(interaction, deps) {
    const focused = interaction.options.getFocused(true);
    const choices = await autocompleteChannels({ ...deps, directory: deps.twitch }, { query: focused.value });
    await interaction.respond(choices.map(({ name, value }) => ({ name, value })));
  },
} satisfies Command;
