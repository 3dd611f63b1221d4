import type { RecentClipsQuery, TopClipsQuery } from '../clips/browse/browseClips.js';
import type { ClipRecord } from '../clips/ClipRecord.js';
import type { ClipSearchQuery } from '../clips/search/ClipSearchQuery.js';
import { UserError } from '../shared/errors.js';
import type { CommandDeps, ComponentInteraction } from './Command.js';
import type { APIEmbed } from 'discord.js';
import { clipResultsComponents, clipResultsEmbed, type ClipListView } from './clipResultsEmbed.js';
import { updateMessage, type AnswerPayload } from './respond.js';
import { texts, type Texts } from './texts.js';

export const CLIP_LIST_PAGE_SIZE = 10;

/** What a paged clip list shows; kept (with its cursors) in the cache behind the key in its buttons. */
export type ClipListSource =
  | { kind: 'search'; query: Omit<ClipSearchQuery, 'cursor' | 'pageSize' | 'from' | 'to'> }
  | { kind: 'top'; query: Omit<TopClipsQuery, 'cursor' | 'pageSize'> }
  | { kind: 'recent'; query: Omit<RecentClipsQuery, 'cursor' | 'pageSize'> }
  | { kind: 'favorites' };

export interface ClipListState {
  /** Only this member may turn the pages (the message is shared; turning it changes it for everyone). */
  ownerId: string;
  /** The command whose `page` action turns this list (its custom_id prefix). */
  command: string;
  heading: string;
  source: ClipListSource;
  /** `cursors[i]` fetches page i (page 0 needs none); grows as the member pages forward. */
  cursors: Array<string | null>;
}

interface FetchedPage {
  clips: ClipRecord[];
  nextCursor: string | null;
  total: number;
  totalIsExact: boolean;
  fuzzy: boolean;
}

export async function fetchClipListPage(
  deps: CommandDeps,
  ownerId: string,
  source: ClipListSource,
  cursor: string | null,
): Promise<FetchedPage> {
  const paging = { ...(cursor ? { cursor } : {}), pageSize: CLIP_LIST_PAGE_SIZE };
  if (source.kind === 'favorites') {
    const page = await deps.favorites.list(ownerId, cursor ?? undefined);
    return {
      clips: page.clips,
      nextCursor: page.nextCursor,
      total: page.total,
      totalIsExact: true,
      fuzzy: false,
    };
  }
  const page =
    source.kind === 'search'
      ? await deps.clips.search({ ...source.query, ...paging })
      : source.kind === 'top'
        ? await deps.clips.top({ ...source.query, ...paging })
        : await deps.clips.recent({ ...source.query, ...paging });
  return {
    clips: page.clips,
    nextCursor: page.nextCursor,
    total: page.totalEstimate,
    totalIsExact: page.totalIsExact,
    fuzzy: page.mode === 'fuzzy',
  };
}

export interface RenderedClipList {
  view: ClipListView;
  /** Open for additions (a note about indexing) before it is sent. */
  embed: APIEmbed;
  components: NonNullable<AnswerPayload['components']>;
}

/** The message for page `pageIndex` of a list whose page was just fetched. */
export async function renderClipList(
  deps: CommandDeps,
  state: ClipListState,
  stateKey: string | null,
  pageIndex: number,
  page: FetchedPage,
  t: Texts,
): Promise<RenderedClipList> {
  const names = await deps.clips.displayNames(page.clips);
  const view: ClipListView = {
    heading: state.heading,
    clips: page.clips,
    rankOffset: pageIndex * CLIP_LIST_PAGE_SIZE,
    channelNames: names.channels,
    gameNames: names.games,
    total: page.total,
    totalIsExact: page.totalIsExact,
    fuzzy: page.fuzzy,
    page: pageIndex + 1,
    hasMorePages: page.nextCursor !== null,
  };
  const paging =
    stateKey !== null && (pageIndex > 0 || page.nextCursor !== null)
      ? { command: state.command, stateKey, pageIndex }
      : null;
  return { view, embed: clipResultsEmbed(view, t), components: clipResultsComponents(view, paging, t) };
}

/**
 * First page of a new list: fetches it, stores the paging state when there is a next page, and renders.
 */
export async function startClipList(
  deps: CommandDeps,
  options: { ownerId: string; command: string; heading: string; source: ClipListSource; locale?: string },
): Promise<RenderedClipList> {
  const t = texts(options.locale);
  const page = await fetchClipListPage(deps, options.ownerId, options.source, null);
  const state: ClipListState = {
    ownerId: options.ownerId,
    command: options.command,
    heading: options.heading,
    source: options.source,
    cursors: [null, page.nextCursor],
  };
  const stateKey = page.nextCursor === null ? null : await deps.state.create(state);
  return renderClipList(deps, state, stateKey, 0, page, t);
}

/**
 * The `page` button of a clip list (custom_id args: state key, page index). Pages the list in place; only
 * its owner may, everyone else is told privately to run their own.
 */
export async function turnClipListPage(
  interaction: ComponentInteraction,
  args: string[],
  deps: CommandDeps,
): Promise<void> {
  const t = texts(interaction.locale);
  const [stateKey, pageText] = args;
  const state = stateKey === undefined ? undefined : await deps.state.get<ClipListState>(stateKey);
  const pageIndex = Number(pageText);
  if (state === undefined || !Number.isSafeInteger(pageIndex) || pageIndex < 0) {
    throw new UserError('ui.expired', t.errors.expired);
  }
  if (state.ownerId !== interaction.user.id) {
    throw new UserError('ui.notYours', t.errors.notYours(`/${state.command}`));
  }
  const cursor = state.cursors[pageIndex];
  // A page not reached yet by ◀ ▶ (a forged index) has no cursor.
  if (cursor === undefined || (pageIndex > 0 && cursor === null))
    throw new UserError('ui.expired', t.errors.expired);
  await updateMessage(interaction, async () => {
    const page = await fetchClipListPage(deps, state.ownerId, state.source, cursor);
    const cursors = state.cursors.slice(0, pageIndex + 1);
    cursors[pageIndex + 1] = page.nextCursor;
    const next = { ...state, cursors };
    await deps.state.update(stateKey!, next);
    const { embed, components } = await renderClipList(deps, next, stateKey!, pageIndex, page, t);
    return { embeds: [embed], components };
  });
}
