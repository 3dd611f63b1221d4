import { EmbedBuilder, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command, SlashHandler } from '../src/discord/Command.js';
import { channelOption, completeChannel, registerContexts } from '../src/discord/commandOptions.js';
import { escapeText } from '../src/discord/escape.js';
import { answer } from '../src/discord/respond.js';
import { texts } from '../src/discord/texts.js';
import { createTwitchLinkUrl } from '../src/twitch/linking/linkUrl.js';
import { UserError } from '../src/shared/errors.js';

const data = registerContexts(new SlashCommandBuilder())
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
  .toJSON();

const link: SlashHandler = async (interaction, deps) => {
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
  await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
};

const status: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const input = channelOption(interaction, deps, true)!;
  await answer(
    interaction,
    async () => {
      const channel = await deps.channels.resolve(input);
      const sync = await deps.channels.status(channel.id);
      const name = escapeText(channel.name, 50);
      return { content: sync ? t.twitch.status(name, sync.summary, sync.isLive) : t.twitch.notIndexed(name) };
    },
    { ephemeral: true },
  );
};

export const twitch = {
  data,
  subcommands: { link, status },
  autocomplete: { channel: completeChannel },
} satisfies Command;
