import {
  ApplicationIntegrationType,
  InteractionContextType,
  type ChatInputCommandInteraction,
  type SlashCommandBuilder,
  type SlashCommandIntegerOption,
  type SlashCommandStringOption,
} from 'discord.js';
import {
  SEARCH_PERIODS,
  SEARCH_SORTS,
  type ClipSearchPeriod,
  type ClipSearchSort,
} from '../clips/search/ClipSearchQuery.js';
import { UserError } from '../shared/errors.js';
import { isTwitchId } from '../twitch/twitchIdentifiers.js';
import type { Autocompleter } from './Command.js';
import { texts } from './texts.js';

/**
 * Option rules and completers shared by every command: the channel, game and clipper options look and
 * behave the same wherever they appear, and are checked here before anything slow runs.
 */

export const PERIOD_CHOICES: Array<{ name: string; value: ClipSearchPeriod }> = SEARCH_PERIODS.map(
  (period) => ({
    name: texts().periods[period] ?? period,
    value: period,
  }),
);

export const SORT_CHOICES: Array<{ name: string; value: ClipSearchSort }> = [
  { name: 'best match', value: 'relevance' },
  { name: 'most viewed', value: 'views' },
  { name: 'newest', value: 'newest' },
  { name: 'oldest', value: 'oldest' },
];
// Every sort the search knows must be offered, and nothing else.
if (SORT_CHOICES.length !== SEARCH_SORTS.length) throw new Error('SORT_CHOICES out of date');

/** Where a command may be used: servers, and the bot's DMs unless `guildOnly`. */
export function registerContexts<T extends Pick<SlashCommandBuilder, 'setContexts' | 'setIntegrationTypes'>>(
  builder: T,
  options: { guildOnly?: boolean } = {},
): T {
  builder.setIntegrationTypes(ApplicationIntegrationType.GuildInstall);
  builder.setContexts(
    ...(options.guildOnly
      ? [InteractionContextType.Guild]
      : [InteractionContextType.Guild, InteractionContextType.BotDM]),
  );
  return builder;
}

/** The game option holds a game id picked from autocomplete; free text cannot be matched reliably. */
export function gameOption(interaction: ChatInputCommandInteraction): string | undefined {
  const value = interaction.options.getString('game')?.trim();
  if (!value) return undefined;
  if (!isTwitchId(value)) throw new UserError('options.pickGame', texts(interaction.locale).errors.pickGame);
  return value;
}

export function clipperOption(interaction: ChatInputCommandInteraction): string | undefined {
  const value = interaction.options.getString('clipper')?.trim();
  if (!value) return undefined;
  if (!isTwitchId(value))
    throw new UserError('options.pickClipper', texts(interaction.locale).errors.pickClipper);
  return value;
}

export function periodOption(interaction: ChatInputCommandInteraction): ClipSearchPeriod | undefined {
  const value = interaction.options.getString('period');
  return (SEARCH_PERIODS as readonly string[]).includes(value ?? '')
    ? (value as ClipSearchPeriod)
    : undefined;
}

export function sortOption(interaction: ChatInputCommandInteraction): ClipSearchSort | undefined {
  const value = interaction.options.getString('sort');
  return (SEARCH_SORTS as readonly string[]).includes(value ?? '') ? (value as ClipSearchSort) : undefined;
}

/** The raw channel option, its shape checked (a lookup on Twitch comes later, inside the answer). */
export function channelOption(
  interaction: ChatInputCommandInteraction,
  deps: { channels: { assertInputShape(input: string): void } },
  required = false,
): string | undefined {
  const value = interaction.options.getString('channel', required)?.trim();
  if (!value) return undefined;
  deps.channels.assertInputShape(value);
  return value;
}

/** Quota scope for starting to index channels: the server, or the member in DMs. */
export function indexingScope(interaction: ChatInputCommandInteraction): string {
  return interaction.guildId ?? `dm:${interaction.user.id}`;
}

export const completeChannel: Autocompleter = (value, _interaction, deps) =>
  deps.autocomplete.channels(value);
export const completeGame: Autocompleter = (value, _interaction, deps) => deps.autocomplete.games(value);
export const completeClipper: Autocompleter = (value, interaction, deps) => {
  // Narrow to the chosen channel's clippers when one is picked already.
  const channel = interaction.options.getString('channel')?.trim();
  return deps.autocomplete.clippers(value, channel && isTwitchId(channel) ? channel : undefined);
};

type StringOption = SlashCommandStringOption;

/** The channel option, the same everywhere: autocompleted, a login or link may be typed instead. */
export function addChannelOption(option: StringOption, required = false): StringOption {
  return option
    .setName('channel')
    .setDescription('Twitch channel: pick from the list or type its name')
    .setAutocomplete(true)
    .setRequired(required)
    .setMaxLength(100);
}

export function addPeriodOption(option: StringOption, description: string): StringOption {
  return option
    .setName('period')
    .setDescription(description)
    .addChoices(...PERIOD_CHOICES);
}

export function addMinViewsOption(option: SlashCommandIntegerOption): SlashCommandIntegerOption {
  return option
    .setName('min_views')
    .setDescription('Only clips with at least this many views')
    .setMinValue(0)
    .setMaxValue(2_000_000_000);
}
