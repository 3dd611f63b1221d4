import { foldLikeDatabase } from '../clips/search/foldLikeDatabase.js';
import type { SubscriptionFilters as StoredSubscriptionFilters } from '../subscriptions/subscriptionFilters.js';

/** The filters the matcher reads: those of a stored subscription (src/subscriptions/subscriptionFilters.ts). */
export type SubscriptionFilters = Pick<
  StoredSubscriptionFilters,
  'minViews' | 'keywords' | 'keywordMode' | 'excludedWords' | 'gameId' | 'creatorId' | 'skipUntitled'
>;

/** What the filters look at in a clip. */
export interface ClipFacts {
  title: string;
  viewCount: number;
  gameId: string | null;
  creatorId: string;
  /**
   * Whether nobody named the clip (Twitch then gives it the stream's title). See `untitledTwinCondition`
   * in fanOutClipEvents.ts for how it is decided without the stream title.
   */
  untitled: boolean;
}

/** A clip row as the notifier's SQL selects it (snake_case columns plus the computed `untitled`). */
export interface ClipFactsRow {
  title: string;
  view_count: number;
  game_id: string | null;
  creator_id: string;
  untitled: boolean;
}

export function clipFactsFromRow(row: ClipFactsRow): ClipFacts {
  return {
    title: row.title,
    viewCount: row.view_count,
    gameId: row.game_id,
    creatorId: row.creator_id,
    untitled: row.untitled,
  };
}

/** Scripts written without spaces between words: a keyword in them matches as a substring of the title. */
const UNSPACED_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}]/u;
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** The title's words, folded as the search folds them (NFKC, unaccented, lower case). */
export function foldedWords(text: string): string[] {
  return foldLikeDatabase(text).match(WORD) ?? [];
}

/**
 * A title with its folded words, prepared once per clip so that many subscriptions can test it cheaply.
 * Keywords and excluded words are whole words (or phrases of consecutive whole words): "gg" does not match
 * "eggs"; accents and case never matter ("Pokémon" = "pokemon").
 */
export class FoldedTitle {
  readonly folded: string;
  readonly words: readonly string[];
  readonly #joined: string;

  constructor(title: string) {
    this.folded = foldLikeDatabase(title);
    this.words = this.folded.match(WORD) ?? [];
    this.#joined = ` ${this.words.join(' ')} `;
  }

  /** Whether `phrase` (one word or several) appears in the title as whole, consecutive words. */
  contains(phrase: string): boolean {
    const words = foldedWords(phrase);
    if (words.length === 0) return false;
    if (UNSPACED_SCRIPT.test(phrase)) return this.folded.includes(words.join(''));
    return this.#joined.includes(` ${words.join(' ')} `);
  }
}

/** Whether a clip passes every filter of a subscription. Pure: the fan-out and its tests share it. */
export function clipMatchesSubscription(
  clip: ClipFacts,
  filters: SubscriptionFilters,
  title: FoldedTitle = new FoldedTitle(clip.title),
): boolean {
  if (clip.viewCount < filters.minViews) return false;
  if (filters.gameId !== null && clip.gameId !== filters.gameId) return false;
  if (filters.creatorId !== null && clip.creatorId !== filters.creatorId) return false;
  if (filters.skipUntitled && clip.untitled) return false;
  if (filters.excludedWords.some((word) => title.contains(word))) return false;
  const keywords = filters.keywords.filter((keyword) => foldedWords(keyword).length > 0);
  if (keywords.length === 0) return true;
  return filters.keywordMode === 'all'
    ? keywords.every((keyword) => title.contains(keyword))
    : keywords.some((keyword) => title.contains(keyword));
}
