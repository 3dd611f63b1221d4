// What members type into /clips search, drawn from the stored titles: a pool of distinct queries (one or
// two words of a real title, now and then a two-word "phrase" or a word with a typo), asked with Zipf
// popularity so the popular ones repeat, as they do in a community, and most are asked once or rarely.
import { seededRandom } from '../../test/fakes/twitch/clipGenerator.js';
import { ZipfSampler, type SyntheticCorpus } from './syntheticClips.js';

export interface SearchWorkload {
  /** How many distinct queries the pool holds. */
  readonly distinct: number;
  /** The next query text, by popularity. */
  next(): string;
}

export function searchWorkload(
  corpus: SyntheticCorpus,
  options: { clips: number; distinct: number; seed: number; zipf?: number },
): SearchWorkload {
  const r = seededRandom(options.seed);
  const pool = new Set<string>();
  while (pool.size < options.distinct) {
    const words = corpus
      .clip(Math.floor(r() * options.clips))
      .title.split(/\s+/)
      .filter((word) => /^[\p{L}\p{N}]{2,}$/u.test(word));
    if (words.length === 0) continue;
    const at = Math.floor(r() * words.length);
    const shape = r();
    const word = words[at]!;
    const following = words[at + 1];
    if (shape < 0.55 || following === undefined) pool.add(word);
    else if (shape < 0.85) pool.add(`${word} ${words[Math.floor(r() * words.length)]!}`);
    else if (shape < 0.95) pool.add(`"${word} ${following}"`);
    else if (word.length >= 5) pool.add(`${word.slice(0, 2)}${word[3]}${word[2]}${word.slice(4)}`);
  }
  const queries = [...pool];
  const popularity = new ZipfSampler(queries.length, options.zipf ?? 1);
  return { distinct: queries.length, next: () => queries[popularity.sample(r)]! };
}
