/**
 * Scripts written without spaces between words (CJK, Thai, Lao, Khmer, Myanmar; Hangul is included because
 * Korean glues particles to words). PostgreSQL's text-search parser turns a whole run of them into one
 * "word", so a query for part of a sentence would never match. The clip_search migration stores character
 * bigrams of these runs in the tsvector instead; this module builds the matching query side.
 *
 * Keep the ranges identical to the regular expressions in prisma/migrations/20261122010000_clip_search.
 */
const NO_SPACE_RANGES =
  '\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uac00-\\ud7af\\u0e00-\\u0eff\\u1780-\\u17ff\\u1000-\\u109f';

/** A bracket expression matching one no-space-script character, valid in JavaScript and PostgreSQL regexes. */
export const NO_SPACE_CLASS = `[${NO_SPACE_RANGES}]`;

/** Splits a token into runs of no-space script and runs of everything else. */
const SCRIPT_RUN = new RegExp(`[${NO_SPACE_RANGES}]+|[^${NO_SPACE_RANGES}]+`, 'gu');
const NO_SPACE_ONLY = new RegExp(`^[${NO_SPACE_RANGES}]+$`, 'u');

export function isNoSpaceScript(text: string): boolean {
  return NO_SPACE_ONLY.test(text);
}

export function splitScriptRuns(text: string): string[] {
  return text.match(SCRIPT_RUN) ?? [];
}

/**
 * Overlapping character bigrams of a run, by code point like PostgreSQL's substr(): "abcd" → ab, bc, cd.
 * (The document side also stores a trailing unigram; a query never needs it except for one-character runs,
 * which the caller turns into a prefix query instead.)
 */
export function characterBigrams(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length < 2) return chars;
  const grams: string[] = [];
  for (let index = 0; index + 1 < chars.length; index += 1) grams.push(`${chars[index]}${chars[index + 1]}`);
  return grams;
}
