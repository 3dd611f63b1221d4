import { describe, expect, it } from 'vitest';
import { POPULARITY_TIERS } from './buildSearchSql.js';
import { parseSearchText } from './parseSearchText.js';
import { chooseCandidateStrategy, estimateFrequency, type TermStatistics } from './termStatistics.js';

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
