import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIComponentInMessageActionRow,
  type APIEmbed,
} from 'discord.js';
import type { ClipRecord } from '../clips/ClipRecord.js';
import { encodeCustomId } from './components/customId.js';
import { escapeText, plainText } from './escape.js';
import { texts, type Texts } from './texts.js';

const DESCRIPTION_LIMIT = 4096;
const MAX_TITLE_IN_LIST = 90;
const MIN_TITLE_IN_LIST = 20;
const NAME_IN_LIST = 40;

/** One page of a clip list as the member sees it. Names are raw (escaped here). */
export interface ClipListView {
  heading: string;
  clips: ClipRecord[];
  /** Rank of the first clip minus one (page index × page size). */
  rankOffset: number;
  channelNames: Map<string, string>;
  gameNames: Map<string, string>;
  total: number;
  totalIsExact: boolean;
  fuzzy?: boolean;
  /** 1-based, shown in the footer when there is more than one page. */
  page?: number;
  hasMorePages?: boolean;
}

/** Twitch's clip URL when it looks like one, else one rebuilt from the id: never a link we did not vet. */
export function safeClipUrl(clip: Pick<ClipRecord, 'id' | 'url'>): string {
  return /^https:\/\/[A-Za-z0-9.-]*twitch\.tv\/[A-Za-z0-9_/?=&.-]*$/.test(clip.url)
    ? clip.url
    : `https://clips.twitch.tv/${encodeURIComponent(clip.id)}`;
}

export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function clipLines(view: ClipListView, t: Texts, titleMax: number): string[] {
  return view.clips.map((clip, index) => {
    const title = escapeText(clip.title.trim() || t.results.untitled, titleMax);
    const channel = escapeText(view.channelNames.get(clip.broadcasterId) ?? clip.broadcasterId, NAME_IN_LIST);
    const game = clip.gameId === null ? undefined : view.gameNames.get(clip.gameId);
    const parts = [
      channel,
      ...(game ? [escapeText(game, NAME_IN_LIST)] : []),
      t.results.by(escapeText(clip.creatorName, NAME_IN_LIST)),
      t.results.views(clip.viewCount),
      formatDuration(clip.durationSec),
      `<t:${Math.floor(clip.createdAt.getTime() / 1000)}:R>`,
    ];
    return `**${view.rankOffset + index + 1}.** [${title}](${safeClipUrl(clip)}) — ${parts.join(' · ')}`;
  });
}

/*
 * The list is built as Discord's API objects, not with discord.js's builders: their setters validate every
 * value through shapeshift, whose unions build (and throw away) an Error with a stack for each alternative
 * tried, which cost about 3 ms of CPU per answer (~10 % of the bot's CPU under bench:interactions). The
 * limits those checks guard are enforced here, field by field, and by this module's tests.
 */

/**
 * One embed listing a page of clips: rank, linked title, channel, game, clipper, views, duration and age per
 * line, the top clip's thumbnail. Discord rejects a description over 4096 characters, so titles are
 * shortened until the page fits, and as a last resort the last lines are dropped.
 */
export function clipResultsEmbed(view: ClipListView, t: Texts = texts()): APIEmbed {
  let titleMax = MAX_TITLE_IN_LIST;
  let lines = clipLines(view, t, titleMax);
  while (lines.join('\n').length > DESCRIPTION_LIMIT && titleMax > MIN_TITLE_IN_LIST) {
    titleMax -= 10;
    lines = clipLines(view, t, titleMax);
  }
  while (lines.join('\n').length > DESCRIPTION_LIMIT) lines.pop();
  const count = t.results.clips(view.total);
  const total = view.totalIsExact ? count : t.results.about(count);
  const page =
    view.page !== undefined && (view.page > 1 || view.hasMorePages) ? ` · ${t.results.page(view.page)}` : '';
  const top = view.clips[0];
  return {
    title: escapeText(view.heading, 120),
    description: lines.length > 0 ? lines.join('\n') : t.results.noClips,
    footer: { text: `${total}${view.fuzzy ? t.results.fuzzy : ''}${page}` },
    ...(top && /^https:\/\//.test(top.thumbnailUrl) ? { thumbnail: { url: top.thumbnailUrl } } : {}),
  };
}

type ClipListRow = APIActionRowComponent<APIComponentInMessageActionRow>;

/**
 * The components under a clip list: a select menu to open one clip (answered privately), then ◀ ▶ to turn
 * pages, ⭐ to save the top clip and a link to watch it. `command` owns the `page` action (search and
 * favourites page through their own lists); `clips` owns `open` and `save`.
 */
export function clipResultsComponents(
  view: ClipListView,
  paging: { command: string; stateKey: string; pageIndex: number } | null,
  t: Texts = texts(),
): ClipListRow[] {
  const rows: ClipListRow[] = [];
  const top = view.clips[0];
  if (top === undefined) return rows;
  const options = view.clips.slice(0, 25).map((clip, index) => ({
    label: plainText(`${view.rankOffset + index + 1}. ${clip.title.trim() || t.results.untitled}`, 100),
    description: plainText(
      `${view.channelNames.get(clip.broadcasterId) ?? clip.broadcasterId} · ${t.results.views(clip.viewCount)}`,
      100,
    ),
    value: clip.id.slice(0, 100),
  }));
  // Select values must be unique; the same clip never appears twice on a page, but stay safe.
  const unique = options.filter(
    (option, index) => options.findIndex((o) => o.value === option.value) === index,
  );
  rows.push({
    type: ComponentType.ActionRow,
    components: [
      {
        type: ComponentType.StringSelect,
        custom_id: encodeCustomId({ command: 'clips', action: 'open', args: [] }),
        placeholder: t.results.openPlaceholder,
        options: unique,
      },
    ],
  });
  const buttons: APIButtonComponent[] = [];
  if (paging) {
    const { command, stateKey, pageIndex } = paging;
    buttons.push(
      {
        type: ComponentType.Button,
        custom_id: encodeCustomId({
          command,
          action: 'page',
          args: [stateKey, String(Math.max(0, pageIndex - 1))],
        }),
        emoji: { name: '◀' },
        label: t.results.previous,
        style: ButtonStyle.Secondary,
        disabled: pageIndex === 0,
      },
      {
        type: ComponentType.Button,
        custom_id: encodeCustomId({ command, action: 'page', args: [stateKey, String(pageIndex + 1)] }),
        emoji: { name: '▶' },
        label: t.results.next,
        style: ButtonStyle.Secondary,
        disabled: !view.hasMorePages,
      },
    );
  }
  const saveId = { command: 'clips', action: 'save', args: [top.id] };
  if (encodeCustomIdFits(saveId)) {
    buttons.push({
      type: ComponentType.Button,
      custom_id: encodeCustomId(saveId),
      emoji: { name: '⭐' },
      label: t.results.save(view.rankOffset + 1),
      style: ButtonStyle.Primary,
    });
  }
  buttons.push({
    type: ComponentType.Button,
    url: safeClipUrl(top),
    label: t.results.watch(view.rankOffset + 1),
    style: ButtonStyle.Link,
  });
  rows.push({ type: ComponentType.ActionRow, components: buttons });
  return rows;
}

/** Clip ids are short slugs, but an id Discord's 100-character custom_id cannot carry just gets no ⭐. */
export function encodeCustomIdFits(id: { command: string; action: string; args: string[] }): boolean {
  try {
    encodeCustomId(id);
    return true;
  } catch {
    return false;
  }
}
