/**
 * Every English text the Discord layer writes, in one place so it can be translated: Discord sends each
 * member's locale with every interaction (`interaction.locale`), and `texts(locale)` is where a translation
 * would be chosen. Only English exists today. Untrusted values passed in must already be escaped.
 *
 * Messages of `UserError`s thrown by services (invalid search, unknown channel, …) are written where the rule
 * lives; they are English too and pass through unchanged.
 */
const en = {
  errors: {
    unexpected: (errorId: string) =>
      `Sorry, something went wrong on our side. If it keeps happening, report error id \`${errorId}\`.`,
    unknownComponent:
      'This button belongs to an older version of the bot or was altered. Run the command again.',
    expired: 'These results have expired (they are kept for 30 minutes). Run the command again.',
    notYours: (command: string) =>
      `Only the member who ran this ${command} can turn its pages. Run your own ${command} to browse.`,
    guildOnly: 'This command only works in a server, not in direct messages.',
    unknownCommand:
      'This command is not available any more. The bot may have been updated; try again in a minute.',
    pickGame: 'Pick the game from the list that appears while you type.',
    pickClipper: 'Pick the clipper from the list that appears while you type.',
  },
  results: {
    noClips: 'No clips found.',
    untitled: '(untitled)',
    views: (count: number) => `${count.toLocaleString('en-US')} ${count === 1 ? 'view' : 'views'}`,
    clips: (count: number) => `${count.toLocaleString('en-US')} ${count === 1 ? 'clip' : 'clips'}`,
    about: (text: string) => `about ${text}`,
    fuzzy: ' (no exact match; showing close spellings)',
    page: (page: number) => `page ${page}`,
    by: (clipper: string) => `by ${clipper}`,
    previous: 'Previous page',
    next: 'Next page',
    save: (rank: number) => `Save #${rank}`,
    watch: (rank: number) => `Watch #${rank}`,
    openPlaceholder: 'Open a clip…',
    indexing: 'Indexing',
    indexingStarted: (channel: string) =>
      `${channel} is new here: its clips are being indexed now. Results fill in over the next minutes.`,
  },
  headings: {
    search: (text: string) => `Clips matching “${text}”`,
    top: (subject: string, period: string) => `Top clips of ${subject} (${period})`,
    recent: (channel: string) => `Newest clips of ${channel}`,
    favorites: 'Your saved clips',
  },
  periods: {
    day: 'last 24 hours',
    week: 'last 7 days',
    month: 'last 30 days',
    year: 'last 365 days',
    all: 'all time',
  } as Record<string, string>,
  card: {
    channel: 'Channel',
    game: 'Game',
    clipper: 'Clipped by',
    views: 'Views',
    duration: 'Duration',
    created: 'Created',
    saved: 'Saved by',
    members: (count: number) => `${count.toLocaleString('en-US')} ${count === 1 ? 'member' : 'members'}`,
    save: 'Save',
    watch: 'Watch on Twitch',
    notFound:
      'That clip is not indexed (or was deleted on Twitch). Search its channel with /clips search first.',
    noRandom: (channel: string) => `No clip of ${channel} matches. Try a longer period or fewer views.`,
  },
  favorites: {
    added: (title: string) => `⭐ Saved “${title}”. See all your saved clips with /favorites list.`,
    already: (title: string) => `“${title}” is already in your saved clips.`,
    removed: 'Removed from your saved clips.',
    notSaved: 'That clip is not in your saved clips.',
    empty: 'You have not saved any clips yet. Use ⭐ on search results or /favorites add.',
  },
  twitch: {
    status: (channel: string, summary: string, live: boolean) =>
      `**${channel}**: ${summary}${live ? ' (live now)' : ''}.`,
    notIndexed: (channel: string) =>
      `**${channel}** is not indexed yet. Search it with /clips search channel:${channel} to start.`,
  },
};

export type Texts = typeof en;

/** The texts for a Discord locale (e.g. "en-US", "pt-BR"); English until translations exist. */
export function texts(_locale?: string): Texts {
  return en;
}
