import { EmbedBuilder, SlashCommandBuilder } from 'discord.js';
import type { Command } from '../src/discord/Command.js';
import { registerContexts } from '../src/discord/commandOptions.js';
import { COOLDOWNS } from '../src/discord/cooldowns.js';
import { answer } from '../src/discord/respond.js';
import { NEW_CHANNELS_PER_DAY } from '../src/channels/indexingQuota.js';

const COMMANDS = [
  [
    '/clips search text',
    'Search clip titles: words, "exact phrases", -exclusions or a clip link; filter by channel, game, clipper, period, views; sort.',
  ],
  ['/clips top', 'Most viewed clips of a channel or a game, of the day, week, month, year or all time.'],
  ['/clips recent channel', 'Newest clips of a channel.'],
  ['/clips random channel', 'A random clip of a channel (optionally recent or popular).'],
  ['/clips info clip', 'Everything about one clip.'],
  [
    '/clips stats channel',
    'A chart of a channel’s clips and views, with its top clippers and most-clipped games.',
  ],
  [
    '/favorites add | list | remove',
    'Your saved clips, the same in every server and in DMs. ⭐ on results saves too.',
  ],
  ['/twitch status channel', 'How far a channel is indexed.'],
  ['/twitch link', 'Broadcasters: connect your Twitch channel so your new clips are found faster.'],
  ['/help', 'This message.'],
] as const;

/** What the bot does, every command, how admins set it up, and how much is indexed (counted at most every 5 minutes). */
export const help = {
  data: registerContexts(new SlashCommandBuilder())
    .setName('help')
    .setDescription('What TwitchClipSearch does, its commands, and how to set it up')
    .toJSON(),

  async execute(interaction, deps) {
    await answer(
      interaction,
      async () => {
        const counts = await deps.clips.counts();
        const embed = new EmbedBuilder()
          .setTitle('TwitchClipSearch')
          .setDescription(
            'Search Twitch clips by the words in their title, by channel, game, clipper, period and views — ' +
              'something Twitch itself cannot do — and get new clips of the channels you follow posted here.\n\n' +
              COMMANDS.map(([name, what]) => `**${name}** — ${what}`).join('\n'),
          )
          .addFields(
            {
              name: 'For server admins',
              value:
                'Post every new clip of a Twitch channel in a Discord channel with **/subscriptions add** ' +
                '(needs Manage Server); check how posts look with **/subscriptions test**, and list, pause, resume or ' +
                'remove them with **/subscriptions list**, **pause**, **resume** and **remove**. Server-wide options are in **/settings**. Searching a channel the bot does not know ' +
                `yet starts indexing its history; each server can start ${NEW_CHANNELS_PER_DAY} a day.`,
            },
            {
              name: 'Limits',
              value:
                `${COOLDOWNS.search.uses} searches per ${COOLDOWNS.search.windowSeconds} s and ` +
                `${COOLDOWNS.browse.uses} other clip commands per ${COOLDOWNS.browse.windowSeconds} s per member.`,
            },
            { name: 'Clips indexed', value: counts.clips.toLocaleString('en-US'), inline: true },
            { name: 'Channels tracked', value: counts.channels.toLocaleString('en-US'), inline: true },
          );
        return { embeds: [embed] };
      },
      { ephemeral: true },
    );
  },
} satisfies Command;
