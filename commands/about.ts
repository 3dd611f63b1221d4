import { EmbedBuilder, MessageFlags, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/Command.js';

/** Explains the bot and shows how much it has indexed, so a new server knows what it can search. */
export const about = {
  data: new SlashCommandBuilder()
    .setName('about')
    .setDescription('What TwitchClipSearch does and how many clips it has indexed')
    .toJSON(),

  async execute(interaction, { db }) {
    const [clips, channels] = await Promise.all([
      db.prisma.clip.count({ where: { deletedAt: null } }),
      db.prisma.trackedChannel.count(),
    ]);
    const embed = new EmbedBuilder()
      .setTitle('TwitchClipSearch')
      .setDescription(
        'Search Twitch clips by the words in their title, by channel, game, clipper, period and views — ' +
          'something Twitch itself cannot do — and get new clips of the channels you follow posted here.',
      )
      .addFields(
        { name: 'Clips indexed', value: clips.toLocaleString('en-US'), inline: true },
        { name: 'Channels tracked', value: channels.toLocaleString('en-US'), inline: true },
      );
    await interaction.reply({ embeds: [embed], flags: MessageFlags.Ephemeral });
  },
} satisfies Command;
