import type { SlashCommandSubcommandBuilder } from 'discord.js';
import {
  ApplicationIntegrationType,
  ChannelType,
  EmbedBuilder,
  InteractionContextType,
  MessageFlags,
  PermissionFlagsBits,
  SlashCommandBuilder,
  TimestampStyles,
  channelMention,
  escapeMarkdown,
  roleMention,
  time,
  type APIEmbedField,
  type ChatInputCommandInteraction,
} from 'discord.js';
import { truncateName } from '../src/clips/search/autocomplete.js';
import type { Autocompleter, Command, SlashHandler } from '../src/discord/Command.js';
import { completeChannel, completeClipper, completeGame } from '../src/discord/commandOptions.js';
import { requireGuildManager } from '../src/discord/requireGuildManager.js';
import { nextDigestAt } from '../src/notify/digests/DigestScheduler.js';
import { UserError } from '../src/shared/errors.js';
import type { SubscriptionView } from '../src/subscriptions/SubscriptionView.js';
import {
  DEFAULT_DIGEST_SIZE,
  KEYWORD_MODES,
  MAX_DIGEST_SIZE,
  MAX_MIN_VIEWS,
  type SubscriptionFilterInput,
} from '../src/subscriptions/subscriptionFilters.js';

// ---- Texts (English; everything a member reads) -----------------------------------------------------------

const TEXT = {
  command: 'Post new clips of Twitch channels in this server',
  add: 'Post new clips of a Twitch channel in a channel of this server',
  list: 'Every clip subscription of this server, with its filters and state',
  remove: 'Stop posting clips of a subscription and delete it',
  pause: 'Stop posting clips of a subscription until it is resumed',
  resume: 'Post clips of a paused subscription again',
  test: 'Post a sample clip message where a subscription posts, to check permissions and looks',
  optionTwitchChannel: 'Twitch channel: its name or twitch.tv link',
  optionPostIn: 'Where to post the clips (default: this channel)',
  optionMinViews: 'Only clips with at least this many views (checked again as views grow)',
  optionKeywords: 'Only clips whose title has these words (separate with spaces or commas)',
  optionKeywordMode: 'Whether a title needs any or all of the keywords (default: any)',
  optionExclude: 'Never post clips whose title has one of these words',
  optionGame: 'Only clips of this game or category',
  optionClipper: 'Only clips made by this person',
  optionSkipUntitled: 'Skip clips still titled like the stream (nobody named them)',
  optionMention: 'A role to mention with each clip',
  optionMode: 'Every clip as it appears, or a daily or weekly digest of the top clips (default: every clip)',
  optionDigestSize: `Clips in each digest, by views (1–${MAX_DIGEST_SIZE}, default ${DEFAULT_DIGEST_SIZE})`,
  optionPostAs: 'Post as the bot, or as the streamer (their name and avatar, through a webhook)',
  postAsBot: 'bot',
  postAsStreamer: 'streamer (webhook)',
  optionSubscription: 'The subscription (pick from the list)',
  cannotPostHere:
    'Clips cannot be posted in this kind of channel. Choose a text, announcement, forum or thread channel with the post_in option.',
  added: (name: string, channel: string) => `New clips of ${name} will be posted in ${channel}.`,
  updated: (name: string, channel: string) => `${channel} already follows ${name}: its filters are updated.`,
  addedFooter: 'Only clips made from now on are posted. /subscriptions list shows every subscription.',
  listTitle: (count: number, quota: number) => `Clip subscriptions (${count} of ${quota})`,
  listEmpty: 'This server has no clip subscriptions yet. Add one with /subscriptions add.',
  listTruncated: (hidden: number) => `${hidden} more not shown.`,
  removed: (name: string, channel: string) =>
    `Removed: clips of ${name} are no longer posted in ${channel}. Posts already made stay.`,
  paused: (name: string, channel: string) =>
    `Paused: clips of ${name} are not posted in ${channel} until you use /subscriptions resume.`,
  alreadyPaused: (name: string, channel: string) => `Clips of ${name} in ${channel} are already paused.`,
  resumed: (name: string, channel: string) =>
    `Resumed: new clips of ${name} are posted in ${channel} again (clips made while paused are skipped).`,
  resumedAfterError:
    'It had been paused because the bot could not post there. If that is not fixed yet, give the bot View Channel, Send Messages and Embed Links in that channel.',
  notPaused: (name: string, channel: string) => `Clips of ${name} in ${channel} are not paused.`,
  testPosted: (name: string, channel: string) =>
    `Posted a sample of how clips of ${name} will look in ${channel}. Delete it whenever you like.`,
  every: 'every new clip',
  digest: (period: string, size: number) => `${period} digest of the top ${size}`,
  filterMinViews: (views: number) => `at least ${views.toLocaleString('en-US')} views`,
  filterKeywords: (mode: string, words: string) => `title has ${mode} of: ${words}`,
  filterExclude: (words: string) => `not: ${words}`,
  filterGame: (game: string) => `game: ${game}`,
  filterClipper: (clipper: string) => `clipped by ${clipper}`,
  filterSkipUntitled: 'named clips only',
  filterMention: (role: string) => `mentions ${role}`,
  postsAsStreamer: 'posted as the streamer (webhook)',
  noFilters: 'all clips',
  stateActive: 'Active',
  statePausedByUser: 'Paused',
  statePausedByError: (reason: string) =>
    `Paused: the bot cannot post there (${reason}). Fix it, then resume.`,
  nextDigest: (when: string, relative: string) => `next digest ${when} (${relative})`,
  lastPost: (when: string) => `last post ${when}`,
  neverPosted: 'nothing posted yet',
  lastError: (error: string, when: string) => `last error ${when}: ${error}`,
} as const;

/** Discord error codes that pause a subscription, in words. */
const PAUSE_REASONS: Record<string, string> = {
  '10003': 'the channel no longer exists',
  '50001': 'no access to the channel',
  '50013': 'missing permissions in the channel',
  '40067': 'the forum requires a tag on every post',
  manage_webhooks: 'it needs Manage Webhooks in the channel to post as the streamer',
};

/** Where clips can be posted: text and announcement channels, forums (one post per clip) and threads. */
const POSTABLE_CHANNEL_TYPES = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.GuildForum,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
] as const;

// ---- Registration -----------------------------------------------------------------------------------------

const data = new SlashCommandBuilder()
  .setName('subscriptions')
  .setDescription(TEXT.command)
  // Hidden from members without Manage Server by default; the bot still checks on every invocation.
  .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
  .setContexts(InteractionContextType.Guild)
  .setIntegrationTypes(ApplicationIntegrationType.GuildInstall)
  .addSubcommand((sub) =>
    sub
      .setName('add')
      .setDescription(TEXT.add)
      .addStringOption((o) =>
        o
          .setName('channel')
          .setDescription(TEXT.optionTwitchChannel)
          .setRequired(true)
          .setAutocomplete(true)
          .setMaxLength(100),
      )
      .addChannelOption((o) =>
        o
          .setName('post_in')
          .setDescription(TEXT.optionPostIn)
          .addChannelTypes(...POSTABLE_CHANNEL_TYPES),
      )
      .addIntegerOption((o) =>
        o.setName('min_views').setDescription(TEXT.optionMinViews).setMinValue(0).setMaxValue(MAX_MIN_VIEWS),
      )
      .addStringOption((o) => o.setName('keywords').setDescription(TEXT.optionKeywords).setMaxLength(300))
      .addStringOption((o) =>
        o
          .setName('keyword_mode')
          .setDescription(TEXT.optionKeywordMode)
          .addChoices(...KEYWORD_MODES.map((mode) => ({ name: mode, value: mode }))),
      )
      .addStringOption((o) => o.setName('exclude').setDescription(TEXT.optionExclude).setMaxLength(300))
      .addStringOption((o) =>
        o.setName('game').setDescription(TEXT.optionGame).setAutocomplete(true).setMaxLength(100),
      )
      .addStringOption((o) =>
        o.setName('clipper').setDescription(TEXT.optionClipper).setAutocomplete(true).setMaxLength(100),
      )
      .addBooleanOption((o) => o.setName('skip_untitled').setDescription(TEXT.optionSkipUntitled))
      .addRoleOption((o) => o.setName('mention').setDescription(TEXT.optionMention))
      .addStringOption((o) =>
        o
          .setName('mode')
          .setDescription(TEXT.optionMode)
          .addChoices(
            { name: 'every clip', value: 'every' },
            { name: 'daily digest', value: 'daily' },
            { name: 'weekly digest', value: 'weekly' },
          ),
      )
      .addIntegerOption((o) =>
        o
          .setName('digest_size')
          .setDescription(TEXT.optionDigestSize)
          .setMinValue(1)
          .setMaxValue(MAX_DIGEST_SIZE),
      )
      .addStringOption((o) =>
        o
          .setName('post_as')
          .setDescription(TEXT.optionPostAs)
          .addChoices(
            { name: TEXT.postAsBot, value: 'bot' },
            { name: TEXT.postAsStreamer, value: 'webhook' },
          ),
      ),
  )
  .addSubcommand((sub) => sub.setName('list').setDescription(TEXT.list))
  .addSubcommand((sub) => withSubscriptionOption(sub.setName('remove').setDescription(TEXT.remove)))
  .addSubcommand((sub) => withSubscriptionOption(sub.setName('pause').setDescription(TEXT.pause)))
  .addSubcommand((sub) => withSubscriptionOption(sub.setName('resume').setDescription(TEXT.resume)))
  .addSubcommand((sub) => withSubscriptionOption(sub.setName('test').setDescription(TEXT.test)))
  .toJSON();

function withSubscriptionOption(sub: SlashCommandSubcommandBuilder): SlashCommandSubcommandBuilder {
  return sub.addStringOption((o) =>
    o
      .setName('subscription')
      .setDescription(TEXT.optionSubscription)
      .setRequired(true)
      .setAutocomplete(true)
      .setMaxLength(100),
  );
}

// ---- Handlers ---------------------------------------------------------------------------------------------

const EPHEMERAL = { flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } } as const;

/** The subscription a `remove`/`pause`/`resume`/`test` invocation names, within the invoker's guild. */
function subscriptionReference(interaction: ChatInputCommandInteraction, guildId: string) {
  return { guildId, reference: interaction.options.getString('subscription', true) };
}

async function replyPrivately(interaction: ChatInputCommandInteraction, content: string): Promise<void> {
  await interaction.reply({ ...EPHEMERAL, content });
}

// Every handler checks the manage permission first: a refusal is an ephemeral reply that changes nothing.
const add: SlashHandler = async (interaction, deps) => {
  const { guild } = await requireGuildManager(interaction, deps);
  const input = parseAddOptions(interaction);
  // Resolving the channel and starting its indexing may call Twitch: acknowledge within Discord's 3 s.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const twitchChannel = await deps.channels.resolve(input.twitchChannel);
  const { subscription, created } = await deps.subscriptions.create({
    guild,
    discordChannelId: input.discordChannelId,
    twitchChannel,
    createdByUserId: interaction.user.id,
    filters: input.filters,
  });
  await interaction.editReply({
    embeds: [addedEmbed(subscription, created, new Date())],
    allowedMentions: { parse: [] },
  });
};

const list: SlashHandler = async (interaction, deps) => {
  const { guild } = await requireGuildManager(interaction, deps);
  const views = await deps.subscriptions.list({ guildId: guild.id });
  await interaction.reply({ ...EPHEMERAL, ...listMessage(views, deps.subscriptions.quota) });
};

const remove: SlashHandler = async (interaction, deps) => {
  const { guild } = await requireGuildManager(interaction, deps);
  const removed = await deps.subscriptions.remove(subscriptionReference(interaction, guild.id));
  await replyPrivately(interaction, TEXT.removed(...names(removed)));
};

const pause: SlashHandler = async (interaction, deps) => {
  const { guild } = await requireGuildManager(interaction, deps);
  const { subscription, changed } = await deps.subscriptions.pause(
    subscriptionReference(interaction, guild.id),
  );
  await replyPrivately(interaction, (changed ? TEXT.paused : TEXT.alreadyPaused)(...names(subscription)));
};

const resume: SlashHandler = async (interaction, deps) => {
  const { guild } = await requireGuildManager(interaction, deps);
  const { subscription, changed, previousReason } = await deps.subscriptions.resume(
    subscriptionReference(interaction, guild.id),
  );
  let content = changed ? TEXT.resumed(...names(subscription)) : TEXT.notPaused(...names(subscription));
  if (changed && previousReason !== null && previousReason !== 'user')
    content += `\n${TEXT.resumedAfterError}`;
  await replyPrivately(interaction, content);
};

const test: SlashHandler = async (interaction, deps) => {
  const { guild } = await requireGuildManager(interaction, deps);
  const subscription = await deps.subscriptions.find(subscriptionReference(interaction, guild.id));
  // A post to another channel may wait on its rate limit: acknowledge within Discord's 3 s.
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  await deps.notifications.sendTestPost(subscription);
  await interaction.editReply({
    content: TEXT.testPosted(...names(subscription)),
    allowedMentions: { parse: [] },
  });
};

/** The guild's subscriptions matching what a manager types; nothing for anyone else. */
const completeSubscription: Autocompleter = async (query, interaction, deps) => {
  let guildId: string;
  try {
    guildId = (await requireGuildManager(interaction, deps)).guild.id;
  } catch (error) {
    if (error instanceof UserError) return []; // Not theirs to see.
    throw error;
  }
  const views = await deps.subscriptions.list({ guildId });
  return subscriptionChoices(views, query, (id) => interaction.guild?.channels.cache.get(id)?.name);
};

export const subscriptions = {
  data,
  subcommands: { add, list, remove, pause, resume, test },
  guildOnly: true,

  autocomplete: {
    channel: completeChannel,
    game: completeGame,
    clipper: completeClipper,
    subscription: completeSubscription,
  },
} satisfies Command;

// ---- Parsing ----------------------------------------------------------------------------------------------

interface AddInput {
  twitchChannel: string;
  discordChannelId: string;
  filters: SubscriptionFilterInput;
}

export function parseAddOptions(interaction: ChatInputCommandInteraction): AddInput {
  const options = interaction.options;
  return {
    twitchChannel: options.getString('channel', true),
    discordChannelId: destinationChannelId(interaction),
    filters: {
      minViews: options.getInteger('min_views'),
      keywords: options.getString('keywords'),
      keywordMode: options.getString('keyword_mode'),
      excludedWords: options.getString('exclude'),
      gameId: options.getString('game'),
      creatorId: options.getString('clipper'),
      skipUntitled: options.getBoolean('skip_untitled'),
      mentionRoleId: options.getRole('mention')?.id ?? null,
      mode: options.getString('mode'),
      digestSize: options.getInteger('digest_size'),
      postAs: options.getString('post_as'),
    },
  };
}

/** The post_in option, else the channel the command was used in; either must be a channel clips can go to. */
function destinationChannelId(interaction: ChatInputCommandInteraction): string {
  const chosen = interaction.options.getChannel('post_in');
  const type = chosen ? chosen.type : interaction.channel?.type;
  // An uncached channel (type unknown) is let through: delivery reports a channel it cannot post in.
  if (type !== undefined && !(POSTABLE_CHANNEL_TYPES as readonly ChannelType[]).includes(type)) {
    throw new UserError('subscriptions.cannotPostHere', TEXT.cannotPostHere);
  }
  return chosen?.id ?? interaction.channelId;
}

/** Subscriptions whose Twitch or Discord channel name contains the query, as autocomplete choices. */
export function subscriptionChoices(
  views: readonly SubscriptionView[],
  query: string,
  discordChannelName: (id: string) => string | undefined,
): Array<{ name: string; value: string }> {
  const needle = query.trim().toLowerCase();
  return views
    .map((view) => {
      const where = discordChannelName(view.discordChannelId) ?? view.discordChannelId;
      const label = `${view.channelName} → #${where}${view.paused ? ' (paused)' : ''}`;
      return {
        label,
        search: `${view.channelName} ${view.channelLogin} ${where}`.toLowerCase(),
        id: view.id,
      };
    })
    .filter((choice) => needle === '' || choice.search.includes(needle))
    .map((choice) => ({ name: truncateName(choice.label), value: choice.id }));
}

// ---- Rendering --------------------------------------------------------------------------------------------

/** Display name (escaped) and channel mention of a subscription, for the one-line answers. */
function names(view: SubscriptionView): [string, string] {
  return [`**${escapeMarkdown(view.channelName)}**`, channelMention(view.discordChannelId)];
}

/** The filters and mode of a subscription in words, escaped (keywords are words only, names are not). */
export function describeFilters(view: SubscriptionView): string {
  const f = view.filters;
  const parts: string[] = [
    f.mode === 'every' ? TEXT.every : TEXT.digest(f.mode === 'daily' ? 'daily' : 'weekly', f.digestSize),
  ];
  const filters: string[] = [];
  if (f.minViews > 0) filters.push(TEXT.filterMinViews(f.minViews));
  if (f.keywords.length > 0)
    filters.push(TEXT.filterKeywords(f.keywordMode, escapeMarkdown(f.keywords.join(', '))));
  if (f.excludedWords.length > 0)
    filters.push(TEXT.filterExclude(escapeMarkdown(f.excludedWords.join(', '))));
  if (f.gameId !== null) filters.push(TEXT.filterGame(escapeMarkdown(view.gameName ?? f.gameId)));
  if (f.creatorId !== null) filters.push(TEXT.filterClipper(escapeMarkdown(view.creatorName ?? f.creatorId)));
  if (f.skipUntitled) filters.push(TEXT.filterSkipUntitled);
  if (f.mentionRoleId !== null) filters.push(TEXT.filterMention(roleMention(f.mentionRoleId)));
  parts.push(filters.length > 0 ? filters.join(', ') : TEXT.noFilters);
  if (f.postAs === 'webhook') parts.push(TEXT.postsAsStreamer);
  return parts.join(' · ');
}

/** When an active digest subscription posts next (Discord renders the time in each reader's zone). */
function describeNextDigest(view: SubscriptionView, now: Date): string | null {
  if (view.filters.mode === 'every' || view.paused) return null;
  const next = nextDigestAt(now, view.timeZone, view.filters.mode);
  return TEXT.nextDigest(time(next, TimestampStyles.ShortDateTime), time(next, TimestampStyles.RelativeTime));
}

function describeState(view: SubscriptionView, now: Date): string {
  const state = !view.paused
    ? TEXT.stateActive
    : view.pausedReason === null || view.pausedReason === 'user'
      ? TEXT.statePausedByUser
      : TEXT.statePausedByError(
          PAUSE_REASONS[view.pausedReason] ?? `Discord error ${escapeMarkdown(view.pausedReason)}`,
        );
  const lastPost = view.lastPostedAt
    ? TEXT.lastPost(time(view.lastPostedAt, TimestampStyles.RelativeTime))
    : TEXT.neverPosted;
  const lines = [
    [state, describeNextDigest(view, now), lastPost].filter((part) => part !== null).join(' · '),
  ];
  if (view.lastError !== null) {
    const when = view.lastErrorAt ? time(view.lastErrorAt, TimestampStyles.RelativeTime) : '';
    lines.push(TEXT.lastError(escapeMarkdown(view.lastError.slice(0, 200)), when));
  }
  return lines.join('\n');
}

function subscriptionField(view: SubscriptionView, now: Date): APIEmbedField {
  const name = `${view.paused ? '⏸ ' : ''}${escapeMarkdown(view.channelName)}`.slice(0, 256);
  const value = `${channelMention(view.discordChannelId)} · ${describeFilters(view)}\n${describeState(view, now)}`;
  return { name, value: value.length <= 1024 ? value : `${value.slice(0, 1023)}…` };
}

function addedEmbed(view: SubscriptionView, created: boolean, now: Date): EmbedBuilder {
  const [name, channel] = names(view);
  const next = describeNextDigest(view, now);
  return new EmbedBuilder()
    .setDescription(
      `${(created ? TEXT.added : TEXT.updated)(name, channel)}\n${describeFilters(view)}${next ? ` · ${next}` : ''}`,
    )
    .setFooter({ text: TEXT.addedFooter });
}

/** Discord's limits: 25 fields per embed, 10 embeds and 6,000 characters per message (kept below). */
const MAX_FIELDS = 25;
const MAX_EMBEDS = 10;
const MESSAGE_CHARACTER_BUDGET = 5_800;

/** The list as embeds within Discord's limits; subscriptions that do not fit are counted, not cut. */
export function listMessage(
  views: readonly SubscriptionView[],
  quota: number,
  now = new Date(),
): { content?: string; embeds: EmbedBuilder[] } {
  if (views.length === 0) return { content: TEXT.listEmpty, embeds: [] };
  const title = TEXT.listTitle(views.length, quota);
  const embeds: EmbedBuilder[] = [];
  let fields: APIEmbedField[] = [];
  let used = title.length + 40; // title plus a possible "N more not shown" footer
  let shown = 0;
  for (const view of views) {
    const field = subscriptionField(view, now);
    const size = field.name.length + field.value.length;
    if (used + size > MESSAGE_CHARACTER_BUDGET) break;
    if (fields.length === MAX_FIELDS) {
      if (embeds.length + 1 === MAX_EMBEDS) break;
      embeds.push(new EmbedBuilder().addFields(fields));
      fields = [];
    }
    fields.push(field);
    used += size;
    shown += 1;
  }
  if (fields.length > 0) embeds.push(new EmbedBuilder().addFields(fields));
  embeds[0]?.setTitle(title);
  if (shown < views.length) embeds.at(-1)?.setFooter({ text: TEXT.listTruncated(views.length - shown) });
  return { embeds };
}
