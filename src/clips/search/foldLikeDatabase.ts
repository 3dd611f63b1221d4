/**
 * What public.clip_search_fold (NFKC, unaccent, lower) makes of a word, approximated in JavaScript for
 * looking words up in the planner's lexeme statistics, which hold folded lexemes: without it "não" is
 * looked up as itself, counted as rare, and searched with a plan for rare words (a bitmap of its ~6,000
 * matches at 1M synthetic clips: the slowest single word of the bench). Only estimates depend on it; the
 * matching itself is folded by the database.
 *
 * unaccent strips combining marks from Latin and Greek letters (é → e, ά → α), maps a few letters
 * to plain ones (ß → ss, ø → o, ё → е) and leaves every other script alone (が keeps its voicing mark,
 * й stays й).
 */
const LETTER_MAP: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
  ё: 'е',
};
const MAPPED = new RegExp(`[${Object.keys(LETTER_MAP).join('')}]`, 'gu');

export function foldLikeDatabase(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/([\p{Script=Latin}\p{Script=Greek}])\p{Mn}+/gu, '$1')
    .normalize('NFC')
    .replace(MAPPED, (letter) => LETTER_MAP[letter] ?? letter);
}
