import { foldLikeDatabase } from '../clips/search/foldLikeDatabase.js';
import { UserError } from '../shared/errors.js';
import { isSnowflake } from '../shared/snowflake.js';
import { TWITCH_ID } from '../twitch/twitchIdentifiers.js';

export const KEYWORD_MODES = ['any', 'all'] as const;
export type KeywordMode = (typeof KEYWORD_MODES)[number];
export const SUBSCRIPTION_MODES = ['every', 'daily', 'weekly'] as const;
export type SubscriptionMode = (typeof SUBSCRIPTION_MODES)[number];
/** Who posts: the bot, or the channel's webhook under the streamer's name and avatar. */
export const POST_AS = ['bot', 'webhook'] as const;
export type PostAs = (typeof POST_AS)[number];

/** A title has a handful of words; more keywords than this are a paste, not a filter. */
export const MAX_FILTER_WORDS = 20;
export const MAX_FILTER_WORD_LENGTH = 40;
/** A digest is one message, and a message holds at most 10 embeds. */
export const MAX_DIGEST_SIZE = 10;
export const DEFAULT_DIGEST_SIZE = 5;
export const MAX_MIN_VIEWS = 100_000_000;

// The search's notion of a word: letters, marks and digits; everything else separates words.
const WORD = /[\p{L}\p{M}\p{N}]+/gu;

/** What a user may set on a subscription; every field optional (defaults apply on create). */
export interface SubscriptionFilterInput {
  minViews?: number | null;
  /** Free text: words separated by spaces, commas or any punctuation. */
  keywords?: string | null;
  keywordMode?: string | null;
  excludedWords?: string | null;
  gameId?: string | null;
  creatorId?: string | null;
  skipUntitled?: boolean | null;
  mentionRoleId?: string | null;
  mode?: string | null;
  digestSize?: number | null;
  postAs?: string | null;
}

export interface SubscriptionFilters {
  minViews: number;
  /** Folded like the database folds titles (NFKC, unaccented, lower case), unique, in the order typed. */
  keywords: string[];
  keywordMode: KeywordMode;
  excludedWords: string[];
  gameId: string | null;
  creatorId: string | null;
  skipUntitled: boolean;
  mentionRoleId: string | null;
  mode: SubscriptionMode;
  digestSize: number;
  postAs: PostAs;
}

export const DEFAULT_FILTERS: SubscriptionFilters = {
  minViews: 0,
  keywords: [],
  keywordMode: 'any',
  excludedWords: [],
  gameId: null,
  creatorId: null,
  skipUntitled: false,
  mentionRoleId: null,
  mode: 'every',
  digestSize: DEFAULT_DIGEST_SIZE,
  postAs: 'bot',
};

/**
 * Validates filters and brings them to the stored form: keywords and excluded words are split into words
 * and folded exactly as the search folds titles, so "Pokémon, CLUTCH" matches a title "pokemon clutch!".
 * Throws a UserError naming the first bad field; `guildId` rejects @everyone as the role to mention.
 */
export function normaliseSubscriptionFilters(
  input: SubscriptionFilterInput,
  options: { guildId: string; base?: SubscriptionFilters },
): SubscriptionFilters {
  const base = options.base ?? DEFAULT_FILTERS;
  const result: SubscriptionFilters = { ...base };

  if (input.minViews != null) {
    if (!Number.isInteger(input.minViews) || input.minViews < 0 || input.minViews > MAX_MIN_VIEWS) {
      throw new UserError(
        'subscriptions.invalidMinViews',
        `Minimum views must be a whole number from 0 to ${MAX_MIN_VIEWS.toLocaleString('en-US')}.`,
      );
    }
    result.minViews = input.minViews;
  }
  if (input.keywords != null) result.keywords = filterWords(input.keywords, 'keywords');
  if (input.excludedWords != null) result.excludedWords = filterWords(input.excludedWords, 'excluded words');
  if (input.keywordMode != null) result.keywordMode = oneOf(input.keywordMode, KEYWORD_MODES, 'keyword mode');
  if (input.mode != null) result.mode = oneOf(input.mode, SUBSCRIPTION_MODES, 'mode');
  if (input.postAs != null) result.postAs = oneOf(input.postAs, POST_AS, 'post as');
  if (input.gameId != null) result.gameId = twitchId(input.gameId, 'game');
  if (input.creatorId != null) result.creatorId = twitchId(input.creatorId, 'clipper');
  if (input.skipUntitled != null) result.skipUntitled = input.skipUntitled;
  if (input.mentionRoleId != null) {
    if (!isSnowflake(input.mentionRoleId)) {
      throw new UserError('subscriptions.invalidRole', 'Pick the role to mention from the list.');
    }
    if (input.mentionRoleId === options.guildId) {
      throw new UserError(
        'subscriptions.everyoneRole',
        'Clips never mention @everyone. Pick a role, or leave the option out.',
      );
    }
    result.mentionRoleId = input.mentionRoleId;
  }
  if (input.digestSize != null) {
    if (!Number.isInteger(input.digestSize) || input.digestSize < 1 || input.digestSize > MAX_DIGEST_SIZE) {
      throw new UserError(
        'subscriptions.invalidDigestSize',
        `A digest holds from 1 to ${MAX_DIGEST_SIZE} clips (one message).`,
      );
    }
    result.digestSize = input.digestSize;
  }
  const clash = result.keywords.find((word) => result.excludedWords.includes(word));
  if (clash !== undefined) {
    throw new UserError(
      'subscriptions.keywordExcluded',
      `"${clash}" is both a keyword and an excluded word, so no clip could ever match.`,
    );
  }
  return result;
}

/** Splits text into folded, unique words; refuses too many or too long words instead of cutting them. */
export function filterWords(text: string, label: string): string[] {
  const words = [...new Set(foldLikeDatabase(text).match(WORD) ?? [])];
  if (words.length > MAX_FILTER_WORDS) {
    throw new UserError(
      'subscriptions.tooManyWords',
      `Use at most ${MAX_FILTER_WORDS} ${label} (you gave ${words.length}).`,
    );
  }
  const long = words.find((word) => Array.from(word).length > MAX_FILTER_WORD_LENGTH);
  if (long !== undefined) {
    throw new UserError(
      'subscriptions.wordTooLong',
      `Each of the ${label} can be at most ${MAX_FILTER_WORD_LENGTH} characters.`,
    );
  }
  return words;
}

function oneOf<T extends string>(value: string, allowed: readonly T[], label: string): T {
  const match = allowed.find((candidate) => candidate === value.trim().toLowerCase());
  if (match === undefined) {
    throw new UserError('subscriptions.invalidChoice', `The ${label} must be one of: ${allowed.join(', ')}.`);
  }
  return match;
}

function twitchId(value: string, label: string): string {
  const trimmed = value.trim();
  if (!TWITCH_ID.test(trimmed)) {
    throw new UserError(
      'subscriptions.invalidTwitchId',
      `Pick the ${label} from the list that appears while you type.`,
    );
  }
  return trimmed;
}
