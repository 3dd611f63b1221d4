import type { APIEmbed, APIMessage, RESTPostAPIChannelMessageJSONBody } from 'discord.js';

/** One clip as a post shows it (names resolved by the caller). */
export interface ClipPostClip {
  title: string;
  url: string;
  thumbnailUrl: string;
  viewCount: number;
  durationSec: number;
  createdAt: Date;
  broadcasterName: string;
  gameName: string | null;
  creatorName: string;
  /** The moment's other clippers when this clip leads a moment of several clips (src/notify/moments/). */
  alsoClippedBy?: readonly string[];
}

export interface ClipPostOptions {
  clips: readonly ClipPostClip[];
  /** Roles to mention (the subscriptions' configured roles); nothing else can ever ping. */
  mentionRoleIds?: readonly string[];
  /**
   * A marker shown in every embed's footer (the message nonce), so that a post whose answer was lost can be
   * recognised among the channel's recent messages once Discord's nonce window has passed.
   */
  marker?: string;
  /** Markdown shown above the embeds (a digest's title), before any role mention; the caller escapes it. */
  heading?: string | null;
}

/** Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const EMBED_LIMITS = {
  embedsPerMessage: 10,
  title: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  totalCharacters: 6000,
} as const;

/** Names from Twitch are short (logins ≤ 25, games ~ 100); longer ones are cut so ten embeds fit. */
const NAME_MAX = 100;
/**
 * Room for the "Also clipped by" list: a whole field value for one clip, shrunk with the titles when ten
 * embeds would pass 6,000 characters (down to a floor at which ten full embeds still fit).
 */
const ALSO_CLIPPED_MAX = EMBED_LIMITS.fieldValue;
const ALSO_CLIPPED_MIN = 60;
const FOOTER_BRAND = 'TwitchClipSearch';

function clampText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Escapes Discord markdown in text from Twitch so a title cannot format, hide or mask a link
 * (`[free nitro](https://evil)` shows as typed), and breaks mentions (`@everyone`, `<@&id>`) with a
 * zero-width space so they are not even rendered as mentions. `allowed_mentions` is what stops pings.
 */
export function escapeTwitchText(text: string): string {
  return text
    .replace(/https?:\/\//gi, (scheme) => `${scheme.slice(0, -2)}/\u200b/`)
    .replace(/[\\*_~`|[\]()<>#:-]/g, (char) => `\\${char}`)
    .replace(/@/g, '@\u200b');
}

/** Only absolute http(s) URLs reach Discord (it rejects anything else with 50035 and the post is lost). */
function safeUrl(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * "a, b, c and 4 more" within `maxChars`: names escaped like every text from Twitch, as many as fit in the
 * order given, the rest counted. If not even one name fits, only the count is shown ("5 others").
 */
export function formatAlsoClippedBy(names: readonly string[], maxChars: number): string {
  const escaped = names.map((name) => clampText(escapeTwitchText(name.trim()), NAME_MAX) || '—');
  let shown = '';
  let count = 0;
  for (const name of escaped) {
    const next = count === 0 ? name : `${shown}, ${name}`;
    const rest = escaped.length - count - 1;
    const suffix = rest > 0 ? ` and ${rest} more` : '';
    if (next.length + suffix.length > maxChars) break;
    shown = next;
    count += 1;
  }
  if (count === 0)
    return clampText(`${escaped.length} ${escaped.length === 1 ? 'other' : 'others'}`, maxChars);
  const rest = escaped.length - count;
  return rest > 0 ? `${shown} and ${rest} more` : shown;
}

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

function clipEmbed(
  clip: ClipPostClip,
  budget: { titleMax: number; alsoClippedMax: number },
  options: ClipPostOptions,
  compact: boolean,
): APIEmbed {
  const { titleMax } = budget;
  const trimmed = clip.title.trim();
  const title = clampText(trimmed ? escapeTwitchText(trimmed) : '(untitled clip)', titleMax);
  const url = safeUrl(clip.url);
  const thumbnail = safeUrl(clip.thumbnailUrl);
  const name = (text: string) => clampText(escapeTwitchText(text), NAME_MAX) || '—';
  const fields = [
    { name: 'Channel', value: name(clip.broadcasterName), inline: true },
    { name: 'Game', value: clip.gameName === null ? '—' : name(clip.gameName), inline: true },
    { name: 'Clipped by', value: name(clip.creatorName), inline: true },
    { name: 'Views', value: clip.viewCount.toLocaleString('en-US'), inline: true },
    { name: 'Duration', value: formatDuration(clip.durationSec), inline: true },
  ];
  if (clip.alsoClippedBy !== undefined && clip.alsoClippedBy.length > 0) {
    fields.push({
      name: 'Also clipped by',
      value: formatAlsoClippedBy(clip.alsoClippedBy, budget.alsoClippedMax),
      inline: false,
    });
  }
  const footer = options.marker ? `${FOOTER_BRAND} · ${options.marker}` : FOOTER_BRAND;
  return {
    title,
    ...(url ? { url } : {}),
    color: 0x9146ff,
    fields,
    timestamp: clip.createdAt.toISOString(),
    // A burst shows small thumbnails so ten clips stay readable; a single clip gets the large image.
    ...(thumbnail ? (compact ? { thumbnail: { url: thumbnail } } : { image: { url: thumbnail } }) : {}),
    footer: { text: clampText(footer, EMBED_LIMITS.footer) },
  };
}

/** Characters Discord counts towards the 6,000 of a message: titles, descriptions, fields, footers, authors. */
export function embedCharacters(embed: APIEmbed): number {
  let total = (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
  total += embed.footer?.text.length ?? 0;
  total += embed.author?.name.length ?? 0;
  for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
  return total;
}

/**
 * The message for 1–10 new clips: one embed per clip (linked title, channel, game, clipper, views,
 * duration, creation time, thumbnail, and for a moment's lead the other clippers), the configured roles
 * mentioned in the content and nowhere else allowed to ping. Titles and clipper lists are shortened until
 * the whole message fits Discord's 6,000 characters; clips past the tenth are the caller's mistake and
 * rejected.
 */
export function buildClipPost(options: ClipPostOptions): RESTPostAPIChannelMessageJSONBody {
  if (options.clips.length === 0 || options.clips.length > EMBED_LIMITS.embedsPerMessage) {
    throw new RangeError(`a clip post carries 1-10 clips, got ${options.clips.length}`);
  }
  const compact = options.clips.length > 1;
  const budget = { titleMax: EMBED_LIMITS.title as number, alsoClippedMax: ALSO_CLIPPED_MAX as number };
  const build = () => options.clips.map((clip) => clipEmbed(clip, budget, options, compact));
  let embeds = build();
  const total = () => embeds.reduce((sum, embed) => sum + embedCharacters(embed), 0);
  while (
    total() > EMBED_LIMITS.totalCharacters &&
    (budget.titleMax > 20 || budget.alsoClippedMax > ALSO_CLIPPED_MIN)
  ) {
    budget.titleMax = Math.max(20, budget.titleMax - 20);
    budget.alsoClippedMax = Math.max(ALSO_CLIPPED_MIN, Math.floor(budget.alsoClippedMax * 0.75));
    embeds = build();
  }
  const roles = [...new Set(options.mentionRoleIds ?? [])].filter((id) => /^\d{17,20}$/.test(id));
  const content = [options.heading ?? '', roles.map((id) => `<@&${id}>`).join(' ')]
    .filter((line) => line !== '')
    .join('\n');
  return {
    ...(content !== '' ? { content } : {}),
    embeds,
    allowed_mentions: { parse: [], roles },
  };
}

/**
 * The sample post of `/subscriptions test`: the same builder with a made-up clip, so the admin sees the
 * real layout and learns whether the bot may post (and mention the role) in that channel.
 */
export function buildSubscriptionTestPost(options: {
  broadcasterName: string;
  mentionRoleId?: string | null;
  now?: Date;
}): RESTPostAPIChannelMessageJSONBody {
  const post = buildClipPost({
    clips: [
      {
        title: `Test post: new clips of ${options.broadcasterName} will look like this`,
        url: 'https://www.twitch.tv/',
        thumbnailUrl: 'https://static-cdn.jtvnw.net/ttv-static/404_preview-480x272.jpg',
        viewCount: 1234,
        durationSec: 30,
        createdAt: options.now ?? new Date(),
        broadcasterName: options.broadcasterName,
        gameName: 'Just Chatting',
        creatorName: 'TwitchClipSearch',
      },
    ],
    mentionRoleIds: options.mentionRoleId ? [options.mentionRoleId] : [],
  });
  return post;
}

/**
 * Whether a message carries a post's marker in an embed footer (see `ClipPostOptions.marker`): how an earlier
 * attempt's post is recognised.
 */
export function carriesMarker(message: Pick<APIMessage, 'embeds'>, marker: string): boolean {
  return (message.embeds ?? []).some((embed) => embed.footer?.text.endsWith(` · ${marker}`) === true);
}
