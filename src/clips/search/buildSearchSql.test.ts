import { describe, expect, it } from 'vitest';
import {
  buildSearchStatement,
  excludesEveryMatch,
  quoteLexeme,
  RELEVANCE_WEIGHTS,
  WALK_CAP,
  tsQueryText,
  type SearchPlan,
} from './buildSearchSql.js';
import { parseSearchText, type SearchTerm } from './parseSearchText.js';

function terms(raw: string): { include: SearchTerm[]; exclude: SearchTerm[] } {
  const parsed = parseSearchText(raw);
  if (parsed.kind !== 'terms') throw new Error(`no terms in ${raw}`);
  return parsed;
}

function plan(overrides: Partial<SearchPlan>): SearchPlan {
  return {
    include: [],
    exclude: [],
    mode: 'filter',
    corrections: {},
    filters: {},
    sort: 'views',
    now: new Date(0),
    after: null,
    limit: 11,
    ...overrides,
  };
}

describe('tsQueryText', () => {
  it('prefix-matches words of four or more letters, keeps phrases adjacent and negates exclusions', () => {
    const { include, exclude } = terms('clutch "best headshot" e-sports -kekw');
    expect(tsQueryText(include, exclude, { prefix: true })).toBe(
      `'clutch':* & ('best' <-> 'headshot') & ('e' <-> 'sports':*) & !'kekw'`,
    );
    expect(tsQueryText(include, [], { prefix: false })).toBe(
      `'clutch' & ('best' <-> 'headshot') & ('e' <-> 'sports')`,
    );
  });

  it('matches tokens marked whole without a prefix', () => {
    const [term] = terms('clutch').include;
    const marked = { ...term!, tokens: term!.tokens.map((token) => ({ ...token, whole: true })) };
    expect(tsQueryText([marked], [], { prefix: true })).toBe(`'clutch'`);
  });

  it('queries scripts without spaces as bigram phrases', () => {
    expect(tsQueryText(terms('神プレイ').include, [], { prefix: true })).toBe(
      `('神プ' <-> 'プレ' <-> 'レイ')`,
    );
    expect(tsQueryText(terms('神').include, [], { prefix: true })).toBe(`'神':*`);
  });

  it('adds vocabulary corrections as alternatives', () => {
    const corrections = { clucth: [{ word: 'clutch', similarity: 0.27 }] };
    expect(tsQueryText(terms('clucth').include, [], { prefix: true, corrections })).toBe(
      `('clucth':* | 'clutch':*)`,
    );
  });
});

describe('quoteLexeme', () => {
  it('escapes quotes and backslashes', () => {
    expect(quoteLexeme(`it's\\`)).toBe(`'it''s\\\\'`);
  });
});

describe('buildSearchStatement', () => {
  it('binds every user value as a parameter', () => {
    const { include, exclude } = terms(`clutch' OR 1=1 --`);
    const statement = buildSearchStatement(
      plan({
        include,
        exclude,
        mode: 'exact',
        sort: 'relevance',
        filters: { channelIds: ['1', '2'], gameId: '5' },
      }),
    );
    expect(statement.text).not.toContain('1=1');
    expect(statement.text).not.toContain(`'5'`);
    expect(statement.params).toContain(`'clutch':* & 'or' & ('1' <-> '1')`);
    expect(statement.params).toContainEqual(['1', '2']);
  });

  it('pages with keyset conditions that match each sort order', () => {
    const views = buildSearchStatement(plan({ after: { key: 10, id: 'X' } }));
    expect(views.text).toMatch(/c\.view_count < \$\d+ OR \(c\.view_count = \$\d+ AND c\.id > \$\d+\)/);
    expect(views.text).toContain('ORDER BY c.view_count DESC, c.id');
    const oldest = buildSearchStatement(
      plan({ sort: 'oldest', after: { key: '2026-01-01T00:00:00.000Z', id: 'X' } }),
    );
    expect(oldest.text).toContain('ORDER BY c.created_at ASC, c.id DESC');
    expect(oldest.text).toMatch(/c\.id < \$\d+/);
  });

  it('ranks with weights that add up to one', () => {
    expect(Object.values(RELEVANCE_WEIGHTS).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    const statement = buildSearchStatement(plan({ ...terms('clutch'), mode: 'exact', sort: 'relevance' }));
    expect(statement.text).toContain('tier_10000');
    expect(statement.text).toContain('tier_all');
  });
});

describe('relevance candidates', () => {
  it('collects the top tiers by one index-only walk and the lower ones through GIN', () => {
    const { include } = terms('clutch');
    const { text } = buildSearchStatement(
      plan({
        include,
        mode: 'exact',
        sort: 'relevance',
        strategy: { startTier: 2, bitmapForAll: true, walkFrom: 100 },
      }),
    );
    // The walk replaces the ~v100 tier (and everything above it); ~v10 and below stay GIN intersections.
    expect(text).toContain('walk_100 AS MATERIALIZED');
    expect(text).toMatch(/ts_match_vq\(c\.search_vector, to_tsquery\([^)]*\)\) AND c\.view_count >= 100/);
    expect(text).not.toContain('tier_100 AS');
    expect(text).toContain(`'''~v10'''::tsquery`);
    expect(text).toContain('(SELECT count(*) FROM walk_100) < 200');
    expect(text).toContain('c.view_count + 0 DESC');
  });

  it('walks the whole covering index only for text known to be dense', () => {
    const { include } = terms('"the the"');
    const dense = buildSearchStatement(
      plan({
        include,
        mode: 'exact',
        sort: 'relevance',
        strategy: { startTier: 5, bitmapForAll: false, walk: true },
      }),
    ).text;
    // Whatever the text, the walk of the whole index reads at most WALK_CAP entries.
    expect(dense).toMatch(
      new RegExp(`tier_all AS MATERIALIZED \\([^]*LIMIT ${WALK_CAP}\\s+\\) AS c\\s+WHERE ts_match_vq`),
    );
    const unknown = buildSearchStatement(plan({ include, mode: 'exact', sort: 'relevance' })).text;
    expect(unknown).not.toContain('ts_match_vq');
  });
});

describe('excludesEveryMatch', () => {
  const contradicts = (raw: string, overrides: Partial<SearchPlan> = {}) =>
    excludesEveryMatch(plan({ ...terms(raw), mode: 'exact', ...overrides }));

  it('sees that excluding a word every match must hold leaves nothing', () => {
    expect(contradicts('the -the')).toBe(true);
    expect(contradicts('gg clutch -gg')).toBe(true);
    expect(contradicts('"best play" -play')).toBe(true);
    expect(contradicts('"the best play" -"best play"')).toBe(true);
    expect(contradicts('今 -今')).toBe(true);
    expect(contradicts('神プレイ -神プレイ')).toBe(true);
  });

  it('keeps exclusions that leave some matches possible', () => {
    // "clutch" is a prefix (clutches), "best play" as words may stand apart, "play best" is another phrase.
    expect(contradicts('clutch -clutch')).toBe(false);
    expect(contradicts('best play -"best play"')).toBe(false);
    expect(contradicts('"best play" -"play best"')).toBe(false);
    expect(contradicts('the -a')).toBe(false);
    // A typo alternative can match without the typed word.
    expect(
      contradicts('gg -gg', { mode: 'fuzzy', corrections: { gg: [{ word: 'ggs', similarity: 0.5 }] } }),
    ).toBe(false);
  });

  it('counts very common words matched whole like short ones', () => {
    const { include, exclude } = terms('clutch -clutch');
    const whole = include.map((term) => ({
      ...term,
      tokens: term.tokens.map((token) => ({ ...token, whole: true })),
    }));
    expect(excludesEveryMatch(plan({ include: whole, exclude, mode: 'exact' }))).toBe(true);
  });
});

describe('other sorts with text', () => {
  it('hide the order index from the planner only for text the statistics call sparse', () => {
    const { include } = terms('"la the"');
    const sparse = (sort: SearchPlan['sort']) =>
      buildSearchStatement(
        plan({ include, mode: 'exact', sort, strategy: { startTier: 0, bitmapForAll: true } }),
      ).text;
    expect(sparse('views')).toContain('ORDER BY c.view_count + 0 DESC, c.id');
    expect(sparse('newest')).toContain(`ORDER BY c.created_at + interval '0 s' DESC, c.id`);
    expect(sparse('oldest')).toContain(`ORDER BY c.created_at + interval '0 s' ASC, c.id DESC`);
    const dense = buildSearchStatement(
      plan({ include, mode: 'exact', sort: 'newest', strategy: { startTier: 0, bitmapForAll: false } }),
    ).text;
    expect(dense).toContain('ORDER BY c.created_at DESC, c.id');
  });
});
