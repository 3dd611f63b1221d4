import { MAX_SEARCH_TEXT_LENGTH } from '../../src/clips/search/parseSearchText.js';
import type { SlashHandler } from '../../src/discord/Command.js';
import type { Subcommand } from '../../src/discord/defineCommand.js';
import { startClipList } from '../../src/discord/clipList.js';
import {
  channelOption,
  clipperOption,
  completeChannel,
  completeClipper,
  completeGame,
  gameOption,
  indexingScope,
  periodOption,
  SORT_CHOICES,
  sortOption,
  addChannelOption,
  addMinViewsOption,
  addPeriodOption,
} from '../../src/discord/commandOptions.js';
import { answer } from '../../src/discord/respond.js';
import { texts } from '../../src/discord/texts.js';
import { addIndexingNote } from './shared.js';

const searchHandler: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  // Everything the member typed is checked before the cooldown is charged or anything is deferred.
  const text = interaction.options.getString('text', true);
  const channelInput = channelOption(interaction, deps);
  const gameId = gameOption(interaction);
  const creatorId = clipperOption(interaction);
  const period = periodOption(interaction);
  const sort = sortOption(interaction);
  const minViews = interaction.options.getInteger('min_views') ?? undefined;
  await deps.cooldowns.take('search', interaction.user.id);
  await answer(interaction, async () => {
    const { channel, indexing } = channelInput
      ? await deps.channels.resolveAndIndex(channelInput, indexingScope(interaction))
      : { channel: undefined, indexing: undefined };
    const list = await startClipList(deps, {
      ownerId: interaction.user.id,
      command: 'clips',
      heading: channel ? `${t.headings.search(text)} · ${channel.name}` : t.headings.search(text),
      source: {
        kind: 'search',
        query: {
          text,
          ...(channel ? { channelIds: [channel.id] } : {}),
          ...(gameId ? { gameId } : {}),
          ...(creatorId ? { creatorId } : {}),
          ...(period ? { period } : {}),
          ...(sort ? { sort } : {}),
          ...(minViews !== undefined ? { minViews } : {}),
        },
      },
      locale: interaction.locale,
    });
    if (channel && list.view.clips.length === 0)
      await addIndexingNote(list.embed, channel, indexing, deps, t);
    return { embeds: [list.embed], components: list.components };
  });
};

/** /clips search: clip titles by words, with channel, game, clipper, period, views and sort. */
export const search = {
  data: (sub) =>
    sub
      .setName('search')
      .setDescription('Search clip titles, with optional filters')
      .addStringOption((o) =>
        o
          .setName('text')
          .setDescription('Words in the title; "exact phrase"; -word to exclude; or a clip link')
          .setRequired(true)
          .setMaxLength(MAX_SEARCH_TEXT_LENGTH),
      )
      .addStringOption((o) => addChannelOption(o))
      .addStringOption((o) =>
        o
          .setName('game')
          .setDescription('Game or category the clip was made in')
          .setAutocomplete(true)
          .setMaxLength(100),
      )
      .addStringOption((o) =>
        o.setName('clipper').setDescription('Who made the clip').setAutocomplete(true).setMaxLength(100),
      )
      .addStringOption((o) => addPeriodOption(o, 'Only clips made in this period'))
      .addStringOption((o) =>
        o
          .setName('sort')
          .setDescription('Order of the results (default: best match)')
          .addChoices(...SORT_CHOICES),
      )
      .addIntegerOption(addMinViewsOption),
  execute: searchHandler,
  autocomplete: { channel: completeChannel, game: completeGame, clipper: completeClipper },
} satisfies Subcommand;
