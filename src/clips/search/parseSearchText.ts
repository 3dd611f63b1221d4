import { UserError } from '../../shared/errors.js';
import { TWITCH_LOGIN_PATTERN } from '../../twitch/twitchIdentifiers.js';
import { isNoSpaceScript, splitScriptRuns } from './scripts.js';

/** Longer text is refused rather than silently cut: a 10 KB paste is a mistake, not a search. */
export const MAX_SEARCH_TEXT_LENGTH = 200;
/** Terms beyond these are ignored; no clip title has more distinct words than this worth requiring. */
export const MAX_TERMS = 8;
export const MAX_TOKEN_LENGTH = 40;
/**
 * Most tokens a search may hold, counted after splitting scripts (`a今b日` is four tokens): every token is
 * one more GIN posting list to read, and a single term such as `今-日-の-神-…` can hold dozens.
 */
export const MAX_QUERY_TOKENS = 16;
/**
 * Most single characters of a no-space script (`今`, `の`) a search may hold: each one is a prefix lookup
 * that reads the postings of every stored bigram starting with it (a common kana reaches most titles).
 */
export const MAX_CHARACTER_PREFIXES = 4;

export interface SearchToken {
  /** NFKC-normalised, lower-cased; only letters, marks and digits (safe to quote in a tsquery). */
  text: string;
  /** CJK/Thai/...: matched through character bigrams instead of whole words. */
  noSpace: boolean;
  /**
   * Matched as a whole word although long enough to be a prefix: set by the search for words that are
   * very common on their own (see markCommonWords in termStatistics).
   */
  whole?: boolean;
}

export interface SearchTerm {
  tokens: SearchToken[];
  /** Quoted by the user: tokens must be adjacent and whole (no prefix matching). */
  quoted: boolean;
}

export type ParsedSearchText =
  | { kind: 'none' }
  | { kind: 'clipId'; clipId: string; fromUrl: boolean }
  | { kind: 'terms'; include: SearchTerm[]; exclude: SearchTerm[] };

// clips.twitch.tv/<slug>, clips.twitch.tv/embed?clip=<slug>, (www|m.)twitch.tv/<login>/clip/<slug>
const CLIP_URL = new RegExp(
  String.raw`^(?:https?:\/\/)?(?:clips\.twitch\.tv\/(?:embed\?clip=)?|(?:www\.|m\.)?twitch\.tv\/${TWITCH_LOGIN_PATTERN}\/clip\/)([A-Za-z0-9_-]{1,100})(?:[?#/].*)?$`,
  'i',
);
// Bare slugs: four+ capitalised words ("AwkwardHelplessSalamanderSwiftRage"), optionally with Twitch's
// newer "-<16 random chars>" suffix. Emotes such as "PogChamp" have fewer capitals and stay text.
const BARE_SLUG = /^(?:[A-Z][a-z0-9]+){4,}(?:-[A-Za-z0-9_-]{16})?$/;
const TOKEN = /[\p{L}\p{M}\p{N}]+/gu;
// -"phrase", "phrase", -word, word; an unterminated quote runs to the end of the text.
const TERM = /(-?)"([^"]*)"?|(\S+)/g;

/**
 * Turns what a user typed into search terms. Everything that is not a letter, mark or digit separates
 * tokens, so SQL and regex metacharacters, emoji and punctuation can never reach a query as syntax: the
 * tokens are later quoted into a tsquery and bound as parameters.
 */
export function parseSearchText(raw: string | undefined): ParsedSearchText {
  if (raw === undefined) return { kind: 'none' };
  const text = raw.normalize('NFKC').trim();
  if (text.length === 0) return { kind: 'none' };
  if (text.length > MAX_SEARCH_TEXT_LENGTH) {
    throw new UserError(
      'search.queryTooLong',
      `Search text can be at most ${MAX_SEARCH_TEXT_LENGTH} characters (yours has ${text.length}).`,
    );
  }

  const url = CLIP_URL.exec(text);
  if (url?.[1] !== undefined) return { kind: 'clipId', clipId: url[1], fromUrl: true };
  if (BARE_SLUG.test(text)) return { kind: 'clipId', clipId: text, fromUrl: false };

  const include: SearchTerm[] = [];
  const exclude: SearchTerm[] = [];
  for (const match of text.matchAll(TERM)) {
    const [, minus, quotedText, bare] = match;
    let negated = minus === '-';
    let body = quotedText;
    if (body === undefined && bare !== undefined) {
      negated = bare.length > 1 && bare.startsWith('-');
      body = negated ? bare.slice(1) : bare;
    }
    const tokens = tokenize(body ?? '');
    if (tokens.length === 0) continue;
    const term: SearchTerm = { tokens, quoted: quotedText !== undefined };
    const target = negated ? exclude : include;
    if (target.length < MAX_TERMS && !target.some((t) => sameTerm(t, term))) target.push(term);
  }
  if (include.length === 0 && exclude.length === 0) return { kind: 'none' };
  checkQueryWork([...include, ...exclude]);
  return { kind: 'terms', include, exclude };
}

/** Refuses term lists whose lookups would cost more than any sensible search (see MAX_QUERY_TOKENS). */
function checkQueryWork(terms: SearchTerm[]): void {
  const tokens = terms.flatMap((term) => term.tokens);
  const characterPrefixes = tokens.filter((token) => token.noSpace && Array.from(token.text).length === 1);
  if (tokens.length > MAX_QUERY_TOKENS) {
    throw new UserError(
      'search.tooManyWords',
      `That search has too many words (${tokens.length}; at most ${MAX_QUERY_TOKENS}, counting each switch between scripts as a new word). Remove some.`,
    );
  }
  if (characterPrefixes.length > MAX_CHARACTER_PREFIXES) {
    throw new UserError(
      'search.tooManyWords',
      `That search has ${characterPrefixes.length} single Chinese, Japanese, Korean or Thai characters standing alone (at most ${MAX_CHARACTER_PREFIXES}). Write them together as they appear in the title, e.g. 神プレイ.`,
    );
  }
}

function tokenize(text: string): SearchToken[] {
  const tokens: SearchToken[] = [];
  for (const [word] of text.toLowerCase().matchAll(TOKEN)) {
    for (const run of splitScriptRuns(word)) {
      tokens.push({
        text: Array.from(run).slice(0, MAX_TOKEN_LENGTH).join(''),
        noSpace: isNoSpaceScript(run),
      });
    }
  }
  return tokens;
}

function sameTerm(a: SearchTerm, b: SearchTerm): boolean {
  return (
    a.quoted === b.quoted && a.tokens.map((t) => t.text).join(' ') === b.tokens.map((t) => t.text).join(' ')
  );
}
