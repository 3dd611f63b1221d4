import { describe, expect, it } from 'vitest';
import { POPULARITY_TIERS } from './buildSearchSql.js';
import { parseSearchText } from './parseSearchText.js';
import {
  chooseCandidateStrategy,
  estimateFrequency,
  markCommonWords,
  type TermStatistics,
  WHOLE_WORD_MATCHES,
} from './termStatistics.js';

const stats: TermStatistics = {
  rows: 1_000_000,
  floor: 0.0001,
  frequencies: new Map([
    ['the', 0.3],
    ['them', 0.01],
    ['clutch', 0.02],
    ['pokemon', 0.01],
    ['pokemons', 0.002],
    ['~v10', 0.08],
    ['~v100', 0.006],
  ]),
};
const include = (raw: string) => {
  const parsed = parseSearchText(raw);
  return parsed.kind === 'terms' ? parsed.include : [];
};

describe('estimateFrequency', () => {
  it('sums the lexemes a prefix matches and multiplies independent terms', () => {
    expect(estimateFrequency(stats, include('poke'), { prefix: true })).toBeCloseTo(0.012);
    // Three letters are too short to be a prefix: "the" is matched whole (not "them").
    expect(estimateFrequency(stats, include('the'), { prefix: true })).toBeCloseTo(0.3);
    expect(estimateFrequency(stats, include('the clutch'), { prefix: false })).toBeCloseTo(0.006);
    expect(estimateFrequency(stats, include('zzzunknown'), { prefix: false })).toBeCloseTo(0.00005);
  });

  it('counts the unlisted words a prefix also matches', () => {
    // Eight unlisted words (each assumed floor / 2) on top of the listed ones.
    expect(estimateFrequency(stats, include('poke'), { prefix: true })).toBeCloseTo(0.012 + 8 * 0.00005, 6);
    expect(estimateFrequency(stats, include('zzzunknown'), { prefix: true })).toBeCloseTo(8 * 0.00005, 6);
  });

  it('counts only the corrections of a word known to match nothing', () => {
    const corrections = { clucth: [{ word: 'clutch', similarity: 0.4 }] };
    expect(estimateFrequency(stats, include('clucth'), { prefix: true, corrections })).toBeCloseTo(
      0.02 + 8 * 0.00005,
      6,
    );
    expect(
      estimateFrequency(stats, include('clucth'), { prefix: true, corrections, typedMatchesNothing: true }),
    ).toBeCloseTo(0.02, 6);
  });

  it('looks words up folded, as the lexemes were stored', () => {
    expect(estimateFrequency(stats, include('CLÜTCH'), { prefix: false })).toBeCloseTo(0.02, 6);
    expect(estimateFrequency(stats, include('Pokémon'), { prefix: false })).toBeCloseTo(0.01, 6);
  });
});

describe('chooseCandidateStrategy', () => {
  it('starts at the highest tier expected to hold enough matches', () => {
    // clutch: 20,000 matches; 8 % of them (1,600) have 10+ views, 0.6 % (120) have 100+.
    // The 80,000 clips with 10+ views are walked in views order (index-only): ~10,000 entries hold 200.
    expect(chooseCandidateStrategy(stats, 0.02)).toEqual({
      startTier: POPULARITY_TIERS.indexOf(10),
      bitmapForAll: true,
      walkFrom: 10,
    });
    // Rarer text would not fill the candidates there: GIN tiers only.
    expect(chooseCandidateStrategy(stats, 0.002).walkFrom).toBeUndefined();
    expect(chooseCandidateStrategy(stats, 0.3).startTier).toBe(POPULARITY_TIERS.indexOf(100));
  });

  it('lets dense phrases walk the views index and treats others like words', () => {
    expect(chooseCandidateStrategy(stats, 0.05, { phrase: true })).toEqual({
      startTier: POPULARITY_TIERS.length,
      bitmapForAll: false,
      walk: true,
    });
    expect(chooseCandidateStrategy(stats, 0.001, { phrase: true })).toEqual({
      startTier: POPULARITY_TIERS.length,
      bitmapForAll: true,
    });
    // A phrase's words are correlated: between their product (0.006) and the rarer one (0.02).
    expect(estimateFrequency(stats, include('"the clutch"'), { prefix: true })).toBeCloseTo(
      Math.sqrt(0.006 * 0.02),
    );
  });

  it('skips the tiers for rare text and lets dense text walk the views index', () => {
    expect(chooseCandidateStrategy(stats, 0.0001)).toEqual({
      startTier: POPULARITY_TIERS.length,
      bitmapForAll: true,
    });
    expect(chooseCandidateStrategy(null, 0.5)).toEqual({ startTier: 0, bitmapForAll: false });
  });
});

describe('chooseCandidateStrategy with a measured density', () => {
  it('collects all matches in one GIN scan when few rows hold the words, whatever the statistics say', () => {
    // "the" is in 30 % of clips, yet measured: 1 row in 8,000 holds both words.
    expect(
      chooseCandidateStrategy(stats, 0.05, { phrase: true, measured: { matches: 1e-4, words: 1e-4 } }),
    ).toEqual({ startTier: POPULARITY_TIERS.length, bitmapForAll: true });
  });

  it('starts at the tier the measured matches fill, not the estimated ones', () => {
    // The statistics say 30 % (tier 100 would be the start); measured on the most viewed clips, 0.3 %.
    const strategy = chooseCandidateStrategy(stats, 0.3, { measured: { matches: 0.003, words: 0.003 } });
    // 3,000 matches: 8 % (240) have 10+ views; 0.6 % (18) have 100+.
    expect(strategy.startTier).toBe(POPULARITY_TIERS.indexOf(10));
    expect(strategy.walk).toBeUndefined();
  });

  it('walks for measured dense text, and walks a phrase tier expected to hold the candidates', () => {
    expect(
      chooseCandidateStrategy(stats, 0.001, { phrase: true, measured: { matches: 0.02, words: 0.05 } }),
    ).toEqual({ startTier: POPULARITY_TIERS.length, bitmapForAll: false, walk: true });
    // 0.3 % of the 80,000 clips with 10+ views is 240: the tier is walked (positions tested in the index)
    // rather than GIN handing over the 1.5 % of its rows that hold both words.
    expect(
      chooseCandidateStrategy(stats, 0.001, { phrase: true, measured: { matches: 0.003, words: 0.015 } })
        .walkFrom,
    ).toBe(10);
  });
});

describe('markCommonWords', () => {
  const whole = (raw: string) =>
    markCommonWords(stats, include(raw)).flatMap((term) => term.tokens.map((token) => token.whole === true));

  it('matches words that are very common on their own whole, and keeps rarer ones as prefixes', () => {
    // clutch: 20,000 clips on its own (at least WHOLE_WORD_MATCHES); pokemon: 10,000; "poke" is unlisted.
    expect(stats.rows * 0.02).toBeGreaterThanOrEqual(WHOLE_WORD_MATCHES);
    expect(whole('clutch poke')).toEqual([true, false]);
    expect(whole('CLÜTCH')).toEqual([true]);
    expect(
      markCommonWords({ ...stats, rows: 100_000 }, include('clutch'))[0]?.tokens[0]?.whole,
    ).toBeUndefined();
  });

  it('leaves quoted terms, short words and unknown statistics alone', () => {
    expect(whole('"clutch"')).toEqual([false]);
    // "the" is too short to be a prefix in the first place.
    expect(whole('the')).toEqual([false]);
    const terms = include('clutch');
    expect(markCommonWords(null, terms)).toBe(terms);
  });
});
