import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS } from '../subscriptions/subscriptionFilters.js';
import {
  clipMatchesSubscription,
  FoldedTitle,
  type ClipFacts,
  type SubscriptionFilters,
} from './clipMatchesSubscription.js';

const clip = (overrides: Partial<ClipFacts> = {}): ClipFacts => ({
  title: 'Insane Pokémon clutch',
  viewCount: 50,
  gameId: 'g1',
  creatorId: 'u1',
  untitled: false,
  ...overrides,
});
const filters = (overrides: Partial<SubscriptionFilters> = {}): SubscriptionFilters => ({
  ...DEFAULT_FILTERS,
  ...overrides,
});

describe('clipMatchesSubscription', () => {
  it('passes every clip when no filter is set, including a 1-view clip', () => {
    expect(clipMatchesSubscription(clip({ viewCount: 1 }), filters())).toBe(true);
  });

  it('needs at least the minimum views', () => {
    expect(clipMatchesSubscription(clip({ viewCount: 9 }), filters({ minViews: 10 }))).toBe(false);
    expect(clipMatchesSubscription(clip({ viewCount: 10 }), filters({ minViews: 10 }))).toBe(true);
  });

  it('matches keywords as whole folded words, ignoring case and accents', () => {
    expect(clipMatchesSubscription(clip(), filters({ keywords: ['POKEMON'] }))).toBe(true);
    expect(clipMatchesSubscription(clip(), filters({ keywords: ['poke'] }))).toBe(false);
    expect(clipMatchesSubscription(clip({ title: 'eggs and ham' }), filters({ keywords: ['gg'] }))).toBe(
      false,
    );
  });

  it('needs one keyword in "any" mode and every keyword in "all" mode', () => {
    const keywords = ['clutch', 'ace'];
    expect(clipMatchesSubscription(clip(), filters({ keywords, keywordMode: 'any' }))).toBe(true);
    expect(clipMatchesSubscription(clip(), filters({ keywords, keywordMode: 'all' }))).toBe(false);
    expect(
      clipMatchesSubscription(clip({ title: 'ACE clutch!' }), filters({ keywords, keywordMode: 'all' })),
    ).toBe(true);
  });

  it('matches a keyword phrase only as consecutive words', () => {
    expect(clipMatchesSubscription(clip(), filters({ keywords: ['pokemon clutch'] }))).toBe(true);
    expect(clipMatchesSubscription(clip(), filters({ keywords: ['insane clutch'] }))).toBe(false);
  });

  it('never posts a clip containing an excluded word, whatever the keywords say', () => {
    const f = filters({ keywords: ['clutch'], excludedWords: ['Pokemon'] });
    expect(clipMatchesSubscription(clip(), f)).toBe(false);
    expect(clipMatchesSubscription(clip({ title: 'clutch' }), f)).toBe(true);
  });

  it('matches keywords in scripts without spaces as substrings', () => {
    expect(clipMatchesSubscription(clip({ title: '神プレイ集' }), filters({ keywords: ['プレイ'] }))).toBe(
      true,
    );
    expect(clipMatchesSubscription(clip({ title: '神プレイ集' }), filters({ keywords: ['失敗'] }))).toBe(
      false,
    );
  });

  it('ignores keywords that fold to nothing instead of matching nothing', () => {
    expect(clipMatchesSubscription(clip(), filters({ keywords: ['  ', '!!'] }))).toBe(true);
  });

  it('filters by game, clipper and untitled clips', () => {
    expect(clipMatchesSubscription(clip(), filters({ gameId: 'g2' }))).toBe(false);
    expect(clipMatchesSubscription(clip({ gameId: null }), filters({ gameId: 'g1' }))).toBe(false);
    expect(clipMatchesSubscription(clip(), filters({ gameId: 'g1', creatorId: 'u1' }))).toBe(true);
    expect(clipMatchesSubscription(clip(), filters({ creatorId: 'u2' }))).toBe(false);
    expect(clipMatchesSubscription(clip({ untitled: true }), filters({ skipUntitled: true }))).toBe(false);
    expect(clipMatchesSubscription(clip({ untitled: true }), filters())).toBe(true);
  });
});

describe('FoldedTitle', () => {
  it('folds like the search (ß → ss, NFKC full-width letters)', () => {
    expect(new FoldedTitle('Straße ＡＢＣ').words).toEqual(['strasse', 'abc']);
  });
});
