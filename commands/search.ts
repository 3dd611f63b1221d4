import { SlashCommandBuilder } from 'discord.js';
import { autocompleteChannels, autocompleteGames } from '../src/clips/search/autocomplete.js';
import {
  SEARCH_PERIODS,
  SEARCH_SORTS,
  type ClipSearchPeriod,
  type ClipSearchSort,
} from '../src/clips/search/ClipSearchQuery.js';
import { findClips } from '../src/clips/search/findClips.js';
import type { Command } from '../src/discord/Command.js';
import { clipResultsEmbed } from '../src/discord/clipResultsEmbed.js';
import { resolveTwitchChannel } from '../src/discord/resolveTwitchChannel.js';
import { UserError } from '../src/shared/errors.js';

const TWITCH_ID = /^\d{1,20}$/;

export const search = {
  data: new SlashCommandBuilder()
    .setName('search')
    .setDescription('Search Twitch clips by words in the title, channel, game, period and views')
    .addStringOption((option) =>
      option
        .setName('text')
        .setDescription('Words in the title; "an exact phrase"; -word to exclude; or a clip link')
        .setMaxLength(200),
    )
    .addStringOption((option) =>
      option.setName('channel').setDescription('Twitch channel').setAutocomplete(true).setMaxLength(100),
    )
    .addStringOption((option) =>
      option.setName('game').setDescription('Game or category').setAutocomplete(true).setMaxLength(100),
    )
    .addStringOption((option) =>
      option
        .setName('period')
        .setDescription('Only clips made in the last …')
        .addChoices(...SEARCH_PERIODS.map((period) => ({ name: period, value: period }))),
    )
    .addStringOption((option) =>
      option
        .setName('sort')
        .setDescription('Order of the results (default: relevance with text, views without)')
        .addChoices(...SEARCH_SORTS.map((sort) => ({ name: sort, value: sort }))),
    )
    .addIntegerOption((option) =>
      option.setName('min_views').setDescription('Only clips with at least this many views').setMinValue(0),
    )
    .toJSON(),

  async execute(interaction, deps) {
    // Resolving a typed channel may call Twitch: acknowledge first, Discord allows only 3 s.
    await interaction.deferReply();
    const text = interaction.options.getString('text') ?? undefined;
    const channelInput = interaction.options.getString('channel');
    const gameInput = interaction.options.getString('game');
    const channel = channelInput ? await resolveTwitchChannel(deps, channelInput) : undefined;
    // Searching a channel is what makes us index it: the first search starts its backfill, and every later
    // one keeps it tracked (idle channels stop being polled). For a channel we already know, a failure to
    // track it (Twitch down, account suspended) must not stop the search of its stored clips.
    if (channel?.user) {
      await deps.sync.trackChannel({ broadcasterId: channel.id, reason: 'search', user: channel.user });
    } else if (channel) {
      await deps.sync
        .trackChannel({ broadcasterId: channel.id, reason: 'search' })
        .catch((error: unknown) =>
          deps.logger.warn({ err: error }, 'could not keep the searched channel tracked'),
        );
    }
    if (gameInput && !TWITCH_ID.test(gameInput.trim())) {
      throw new UserError('search.invalidGame', 'Pick the game from the list that appears while you type.');
    }
    const page = await findClips(deps, {
      text,
      channelIds: channel ? [channel.id] : undefined,
      gameId: gameInput?.trim() || undefined,
      period: (interaction.options.getString('period') ?? undefined) as ClipSearchPeriod | undefined,
      sort: (interaction.options.getString('sort') ?? undefined) as ClipSearchSort | undefined,
      minViews: interaction.options.getInteger('min_views') ?? undefined,
    });
    const broadcasterIds = [...new Set(page.clips.map((clip) => clip.broadcasterId))];
    const broadcasters = await deps.db.prisma.broadcaster.findMany({ where: { id: { in: broadcasterIds } } });
    const names = new Map(broadcasters.map((b) => [b.id, b.displayName]));
    const heading = text ? `Clips matching “${text}”` : channel ? `Clips of ${channel.name}` : 'Clips';
    const embeds = [clipResultsEmbed(page, heading, names)];
    if (channel && page.clips.length === 0) {
      const status = await deps.sync.getChannelSyncStatus(channel.id);
      if (status) embeds[0]!.addFields({ name: 'Indexing', value: status.summary.slice(0, 1024) });
    }
    await interaction.editReply({ embeds });
  },

  async autocomplete(interaction, deps) {
    const focused = interaction.options.getFocused(true);
    if (focused.name === 'channel') {
      const choices = await autocompleteChannels(
        { ...deps, directory: deps.twitch },
        { query: focused.value },
      );
      await interaction.respond(choices.map(({ name, value }) => ({ name, value })));
    } else if (focused.name === 'game') {
      const choices = await autocompleteGames(deps, { query: focused.value });
      await interaction.respond(choices.map(({ name, value }) => ({ name, value })));
    } else {
      await interaction.respond([]);
    }
  },
} satisfies Command;
