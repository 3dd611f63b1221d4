// Queries shaped to read as much of the search indexes as possible (the shapes a review named as slow),
// generated from the corpus's own most common words and characters, so they hit its longest posting lists.
import type { ClipSearchQuery } from '../../src/clips/search/ClipSearchQuery.js';
import { isNoSpaceScript } from '../../src/clips/search/scripts.js';
import type { SyntheticCorpus } from './syntheticClips.js';

export interface AdversarialQuery {
  shape: string;
  query: ClipSearchQuery;
}

/** Most common words (Latin, Cyrillic, ... written with spaces) and no-space-script characters in a sample. */
function commonTokens(corpus: SyntheticCorpus, clipCount: number, sample: number) {
  const words = new Map<string, number>();
  const characters = new Map<string, number>();
  const step = Math.max(1, Math.floor(clipCount / sample));
  for (let index = 0; index < clipCount; index += step) {
    for (const [word] of corpus
      .clip(index)
      .title.toLowerCase()
      .matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
      if (isNoSpaceScript(word)) {
        for (const character of word) characters.set(character, (characters.get(character) ?? 0) + 1);
      } else {
        words.set(word, (words.get(word) ?? 0) + 1);
      }
    }
  }
  const ranked = (counts: Map<string, number>) =>
    [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([token]) => token);
  return { words: ranked(words), characters: ranked(characters) };
}

/**
 * At least `perShape` distinct queries of each shape: a common word excluded by itself (`the -the`; and
 * words of four letters and more, which match as prefixes unless very common), a quoted phrase of two very
 * common words, AND of two and of three common words, a common word with a common exclusion and a phrase
 * of two common words sorted by newest (the planner walks the date index), and ~40 one-character CJK terms.
 */
export function adversarialQueries(
  corpus: SyntheticCorpus,
  clipCount: number,
  perShape = 10,
): AdversarialQuery[] {
  const { words, characters } = commonTokens(corpus, clipCount, 20_000);
  const top = words.slice(0, 12);
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < top.length && pairs.length < perShape * 2; i += 1) {
    for (let j = 0; j < top.length && pairs.length < perShape * 2; j += 1) {
      if (i !== j) pairs.push([top[i]!, top[j]!]);
    }
  }
  const queries: AdversarialQuery[] = [];
  const add = (shape: string, query: ClipSearchQuery) => queries.push({ shape, query });
  for (const word of top.slice(0, perShape)) add('word -word', { text: `${word} -${word}` });
  // Four letters and more match as prefixes (`chat:*` also finds "chatting") unless the word is very common,
  // so excluding the word may leave a few matches the index cannot tell apart from the rest.
  const long = words.filter((word) => Array.from(word).length >= 4).slice(0, perShape);
  for (const word of long) add('long word -word', { text: `${word} -${word}` });
  for (const [a, b] of pairs.slice(0, perShape)) add('"common common"', { text: `"${a} ${b}"` });
  for (const [a, b] of pairs.slice(perShape, perShape * 2)) add('common common', { text: `${a} ${b}` });
  for (let i = 0; i < perShape; i += 1) {
    const [a, b] = pairs[i]!;
    add('common common common', { text: `${a} ${b} ${top[(i + 5) % top.length]}` });
  }
  for (let i = 0; i < perShape; i += 1) {
    const [a, b] = pairs[perShape + i]!;
    add('common -common, newest', { text: `${a} -${b}`, sort: 'newest' });
  }
  // The other sorts page through every match in index order: a phrase that seldom occurs makes the planner's
  // walk of the date index long.
  for (const [a, b] of pairs.slice(0, perShape)) {
    add('"common common", newest', { text: `"${b} ${a}"`, sort: 'newest' });
  }
  // ~40 one-character CJK terms in one term (`今-日-の-…`: the parser splits it into 40 tokens), rotating
  // through the most common characters.
  const cjk = characters.slice(0, 60);
  for (let i = 0; i < perShape && cjk.length > 0; i += 1) {
    const run = Array.from({ length: 40 }, (_, k) => cjk[(i * 7 + k) % cjk.length]!);
    add('40 CJK characters', { text: run.join(i % 2 === 0 ? '-' : ' ') });
  }
  return queries;
}
