import { SlashCommandBuilder, type EmbedBuilder } from 'discord.js';
import type { ResolvedChannel } from '../src/channels/resolveTwitchChannel.js';
import { MAX_SEARCH_TEXT_LENGTH } from '../src/clips/search/parseSearchText.js';
import type { Command, CommandDeps, ComponentHandler, SlashHandler } from '../src/discord/Command.js';
import { clipCardMessage } from '../src/discord/clipCard.js';
import { startClipList, turnClipListPage } from '../src/discord/clipList.js';
import {
  channelOption,
  clipperOption,
  completeChannel,
  completeClipper,
  completeGame,
  gameOption,
  indexingScope,
  PERIOD_CHOICES,
  periodOption,
  registerContexts,
  SORT_CHOICES,
  sortOption,
} from '../src/discord/commandOptions.js';
import { escapeText } from '../src/discord/escape.js';
import { answer } from '../src/discord/respond.js';
import { texts, type Texts } from '../src/discord/texts.js';
import { UserError } from '../src/shared/errors.js';

const channelDescription = 'Twitch channel: pick from the list or type its name';

const data = registerContexts(new SlashCommandBuilder())
  .setName('clips')
  .setDescription('Find Twitch clips: search titles, top, newest, random, or one clip')
  .addSubcommand((sub) =>
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
      .addStringOption((o) =>
        o.setName('channel').setDescription(channelDescription).setAutocomplete(true).setMaxLength(100),
      )
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
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Only clips made in this period')
          .addChoices(...PERIOD_CHOICES),
      )
      .addStringOption((o) =>
        o
          .setName('sort')
          .setDescription('Order of the results (default: best match)')
          .addChoices(...SORT_CHOICES),
      )
      .addIntegerOption((o) =>
        o
          .setName('min_views')
          .setDescription('Only clips with at least this many views')
          .setMinValue(0)
          .setMaxValue(2_000_000_000),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('top')
      .setDescription('Most viewed clips of a channel or a game')
      .addStringOption((o) =>
        o.setName('channel').setDescription(channelDescription).setAutocomplete(true).setMaxLength(100),
      )
      .addStringOption((o) =>
        o.setName('game').setDescription('Game or category').setAutocomplete(true).setMaxLength(100),
      )
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Made in this period (default: all time)')
          .addChoices(...PERIOD_CHOICES),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('recent')
      .setDescription('Newest clips of a channel')
      .addStringOption((o) =>
        o
          .setName('channel')
          .setDescription(channelDescription)
          .setAutocomplete(true)
          .setRequired(true)
          .setMaxLength(100),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('random')
      .setDescription('A random clip of a channel')
      .addStringOption((o) =>
        o
          .setName('channel')
          .setDescription(channelDescription)
          .setAutocomplete(true)
          .setRequired(true)
          .setMaxLength(100),
      )
      .addStringOption((o) =>
        o
          .setName('period')
          .setDescription('Made in this period (default: all time)')
          .addChoices(...PERIOD_CHOICES),
      )
      .addIntegerOption((o) =>
        o
          .setName('min_views')
          .setDescription('Only clips with at least this many views')
          .setMinValue(0)
          .setMaxValue(2_000_000_000),
      ),
  )
  .addSubcommand((sub) =>
    sub
      .setName('info')
      .setDescription('Everything about one clip')
      .addStringOption((o) =>
        o.setName('clip').setDescription('Clip link or clip id').setRequired(true).setMaxLength(200),
      ),
  )
  .toJSON();

const search: SlashHandler = async (interaction, deps) => {
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
    const channel = channelInput ? await deps.channels.resolve(channelInput) : undefined;
    const indexing = channel
      ? await deps.channels.startIndexing(channel, indexingScope(interaction))
      : undefined;
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

const top: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps);
  const gameId = gameOption(interaction);
  if (!channelInput && !gameId) {
    throw new UserError('clips.topNeedsFilter', 'Pick a channel or a game to see its top clips.');
  }
  const period = periodOption(interaction) ?? 'all';
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const channel = channelInput ? await deps.channels.resolve(channelInput) : undefined;
    const indexing = channel
      ? await deps.channels.startIndexing(channel, indexingScope(interaction))
      : undefined;
    const subject = channel?.name ?? 'this game';
    const list = await startClipList(deps, {
      ownerId: interaction.user.id,
      command: 'clips',
      heading: t.headings.top(subject, t.periods[period] ?? period),
      source: {
        kind: 'top',
        query: { ...(channel ? { channelId: channel.id } : {}), ...(gameId ? { gameId } : {}), period },
      },
      locale: interaction.locale,
    });
    if (channel && list.view.clips.length === 0)
      await addIndexingNote(list.embed, channel, indexing, deps, t);
    return { embeds: [list.embed], components: list.components };
  });
};

const recent: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps, true)!;
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const channel = await deps.channels.resolve(channelInput);
    const indexing = await deps.channels.startIndexing(channel, indexingScope(interaction));
    const list = await startClipList(deps, {
      ownerId: interaction.user.id,
      command: 'clips',
      heading: t.headings.recent(channel.name),
      source: { kind: 'recent', query: { channelId: channel.id } },
      locale: interaction.locale,
    });
    if (list.view.clips.length === 0) await addIndexingNote(list.embed, channel, indexing, deps, t);
    return { embeds: [list.embed], components: list.components };
  });
};

const random: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const channelInput = channelOption(interaction, deps, true)!;
  const period = periodOption(interaction);
  const minViews = interaction.options.getInteger('min_views') ?? undefined;
  await deps.cooldowns.take('browse', interaction.user.id);
  await answer(interaction, async () => {
    const channel = await deps.channels.resolve(channelInput);
    await deps.channels.startIndexing(channel, indexingScope(interaction));
    const clip = await deps.clips.random({
      channelId: channel.id,
      ...(period ? { period } : {}),
      ...(minViews !== undefined ? { minViews } : {}),
    });
    const info = clip ? await deps.clips.info(clip.id) : null;
    if (!info) return { content: t.card.noRandom(escapeText(channel.name, 50)) };
    return clipCardMessage(info, t);
  });
};

const info: SlashHandler = async (interaction, deps) => {
  const t = texts(interaction.locale);
  const reference = interaction.options.getString('clip', true);
  await deps.cooldowns.take('browse', interaction.user.id);
  const found = await deps.clips.info(reference);
  if (!found) throw new UserError('clips.notIndexed', t.card.notFound);
  await answer(interaction, async () => clipCardMessage(found, t));
};

/** Under an empty list of a channel: that indexing just started, or how far it has got. */
async function addIndexingNote(
  embed: EmbedBuilder,
  channel: ResolvedChannel,
  indexing: { started: boolean } | undefined,
  deps: CommandDeps,
  t: Texts,
): Promise<void> {
  const note = indexing?.started
    ? t.results.indexingStarted(escapeText(channel.name, 50))
    : (await deps.channels.status(channel.id))?.summary;
  if (note) embed.addFields({ name: t.results.indexing, value: note.slice(0, 1024) });
}

/** Opens one clip from a results list: a private card, so members can open clips without flooding the channel. */
const open: ComponentHandler = async (interaction, _args, deps) => {
  const t = texts(interaction.locale);
  const clipId = interaction.isStringSelectMenu() ? interaction.values[0] : undefined;
  const found = clipId ? await deps.clips.info(clipId) : null;
  if (!found) throw new UserError('clips.notIndexed', t.card.notFound);
  // The link in the content lets Discord show Twitch's player; the card below has ⭐ and the details.
  await answer(
    interaction,
    async () => ({ content: clipCardUrl(found.clip), ...clipCardMessage(found, t) }),
    {
      ephemeral: true,
    },
  );
};

function clipCardUrl(clip: { url: string; id: string }): string {
  return /^https:\/\//.test(clip.url) ? clip.url : `https://clips.twitch.tv/${encodeURIComponent(clip.id)}`;
}

/** ⭐ on results or a card: saves the clip to the presser's favourites (anyone may save, privately). */
const save: ComponentHandler = async (interaction, args, deps) => {
  const t = texts(interaction.locale);
  const [clipId] = args;
  if (!clipId) throw new UserError('ui.unknown', t.errors.unknownComponent);
  await deps.cooldowns.take('favorites', interaction.user.id);
  const { clip, added } = await deps.favorites.add(interaction.user.id, clipId);
  const title = escapeText(clip.title.trim() || t.results.untitled, 80);
  await answer(
    interaction,
    async () => ({ content: added ? t.favorites.added(title) : t.favorites.already(title) }),
    {
      ephemeral: true,
    },
  );
};

export const clips = {
  data,
  subcommands: { search, top, recent, random, info },
  autocomplete: { channel: completeChannel, game: completeGame, clipper: completeClipper },
  components: { page: turnClipListPage, open, save },
} satisfies Command;
