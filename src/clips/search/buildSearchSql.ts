import type { ClipSearchSort } from './ClipSearchQuery.js';
import type { SearchTerm } from './parseSearchText.js';
import { characterBigrams } from './scripts.js';

/**
 * SQL for clip search, written once and parameterised. Every value the user influenced is a bound
 * parameter; the only user text inside a tsquery string is tokens made of letters, marks and digits
 * (see parseSearchText), and vocabulary words, each quoted and escaped by quoteLexeme, so tsquery syntax
 * cannot be injected either.
 *
 * Indexes relied on (prisma/migrations/20261122010000_clip_search and _init):
 *   text      clips_search_vector_search_idx  GIN(search_vector)            `@@ to_tsquery(...)`
 *   typos     clip_search_words_trgm_idx      GIN(word gin_trgm_ops)        `word % token` (corrections)
 *   sorting   clips_view_count_id_idx, clips_created_at_id_idx, clips_broadcaster_views_search_idx,
 *             clips_broadcaster_id_created_at_idx, clips_game_id_view_count_idx  (keyset pagination)
 */

export const TS_CONFIG = `'public.clip_search'::regconfig`;

/**
 * Relevance ranks at most this many matches: the most viewed ones when a query matches more (a common word
 * in a million titles), collected through the popularity tiers (see buildSearchStatement), which bounds
 * the work; relevance is for finding *the* clip, within 8 pages of 25 — the views, newest and oldest sorts
 * page through every match.
 */
export const RELEVANCE_CANDIDATES = 200;
/**
 * Most entries of the covering views index one walk reads (~0.3 µs each, index-only: ~15 ms). A walk is
 * chosen for text the statistics call dense, so it normally stops after a few thousand entries with its
 * candidates; text that is rarer than estimated (a phrase of common words that seldom stand together,
 * a word with a correlated exclusion) would otherwise read the whole index, and on PGlite, where a
 * statement cannot be cancelled and blocks the process, that is the bound. A walk that reaches the cap
 * ranks what the cap's most viewed clips hold, and the total is then reported as an estimate.
 */
export const WALK_CAP = 50_000;
/**
 * Most rows the views/newest/oldest sorts test in their index's order before collecting the text's
 * matches through GIN instead (each row is a heap visit: ~5,000 is ~25 ms).
 */
export const ORDER_WALK_CAP = 5_000;
/** View-count tiers stored as `~v<n>` lexemes in search_vector (clip_search_popularity), highest first. */
export const POPULARITY_TIERS = [10_000, 1_000, 100, 10, 3] as const;
/** Counting stops here; beyond it the total is the planner's estimate. */
export const EXACT_COUNT_LIMIT = RELEVANCE_CANDIDATES;
/** Vocabulary words at least this similar (pg_trgm similarity) to a typed word count as corrections. */
export const MIN_CORRECTION_SIMILARITY = 0.2;
/** Vocabulary words used as alternatives per typed word. */
export const MAX_CORRECTIONS = 5;
/** Most similar vocabulary words fetched per typed word before ranking them by edit distance. */
export const CORRECTION_CANDIDATES = 40;

/**
 * Relevance = 0.45·match + 0.10·coverage + 0.35·views + 0.10·recency, each part in [0, 1]:
 *   match     mean over the query's terms of: 1 for a whole word or phrase, 0.7 for a word prefix
 *             ("poke" → pokemon), 0.6 × similarity for a typo correction from the vocabulary, else 0;
 *   coverage  query words / distinct words of the title (capped at 1): "clutch" ranks a title that is
 *             about a clutch above one that mentions it among ten other words;
 *   views     ln(1 + views) / ln(1 + 1,000,000), capped at 1: popularity matters, logarithmically, so one
 *             viral clip does not drown every better match;
 *   recency   exp(-age / 365 days): a gentle pull towards newer clips (good clips stay good).
 * Every part is computed from the stored tsvector and plain columns: no per-row re-parsing of titles.
 * Rounded to 6 decimals so that the cursor can carry the score exactly.
 */
export const RELEVANCE_WEIGHTS = { match: 0.45, coverage: 0.1, views: 0.35, recency: 0.1 } as const;
const VIEWS_SATURATION = 1_000_000;
const RECENCY_SECONDS = 365 * 86_400;

export const CLIP_COLUMNS = [
  'id',
  'broadcaster_id',
  'creator_id',
  'creator_name',
  'video_id',
  'game_id',
  'language',
  'title',
  'view_count',
  'created_at',
  'thumbnail_url',
  'url',
  'embed_url',
  'duration_sec',
  'vod_offset',
  'is_featured',
] as const;

export interface ClipRow {
  id: string;
  broadcaster_id: string;
  creator_id: string;
  creator_name: string;
  video_id: string | null;
  game_id: string | null;
  language: string;
  title: string;
  view_count: number;
  created_at: Date | string;
  thumbnail_url: string;
  url: string;
  embed_url: string;
  duration_sec: number;
  vod_offset: number | null;
  is_featured: boolean;
  score: string | null;
  /** Relevance sort only: how many candidates matched (at most RELEVANCE_CANDIDATES). */
  candidates?: number | string;
}

/** Vocabulary words close to a typed token, closest first. */
export type Corrections = Record<string, Array<{ word: string; similarity: number }>>;

export interface SearchFilters {
  channelIds?: string[];
  gameId?: string;
  creatorId?: string;
  from?: Date;
  to?: Date;
  minViews?: number;
  language?: string;
}

export interface SearchPlan {
  include: SearchTerm[];
  exclude: SearchTerm[];
  /** `exact`: words/prefixes/phrases; `fuzzy`: tokens may also match their vocabulary corrections. */
  mode: 'exact' | 'fuzzy' | 'filter';
  /** Used in fuzzy mode, keyed by token text. */
  corrections: Corrections;
  filters: SearchFilters;
  sort: ClipSearchSort;
  now: Date;
  /** How relevance candidates are collected (see termStatistics); default: every tier, planner's choice. */
  strategy?: {
    startTier: number;
    bitmapForAll: boolean;
    walk?: boolean;
    walkFrom?: number;
  };
  /** Keyset position of the previous page's last clip. */
  after: { key: string | number; id: string } | null;
  limit: number;
}

export interface Statement {
  text: string;
  params: unknown[];
}

class Params {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** One page of clips (plus one extra row that tells whether another page exists). */
export function buildSearchStatement(plan: SearchPlan): Statement {
  const params = new Params();
  const columns = CLIP_COLUMNS.map((column) => `c.${column}`).join(', ');

  if (plan.sort === 'relevance' && plan.include.length > 0) {
    const filters = baseConditions(plan, params, 'c', false).join(' AND ');
    const query = `to_tsquery(${TS_CONFIG}, ${params.add(textQuery(plan))})`;
    const score = relevanceExpression(plan, params, 'c');
    const keyset =
      plan.after === null
        ? 'TRUE'
        : `(s.score < ${params.add(String(plan.after.key))}::numeric OR (s.score = ${params.add(String(plan.after.key))}::numeric AND s.id > ${params.add(plan.after.id)}))`;
    // The RELEVANCE_CANDIDATES most viewed matches, found tier by tier (see clip_search_popularity in the
    // migration): a tier runs only while every tier above it found fewer than the limit, and the first tier
    // that reaches the limit holds exactly the top matches by views. Only rare queries reach `tier_all`,
    // and for them a bitmap scan of all matches is cheap.
    const n = RELEVANCE_CANDIDATES;
    const strategy = plan.strategy ?? { startTier: 0, bitmapForAll: false };
    // Tiers at or above `walkFrom` are one index-only walk instead (see below); the others are GIN
    // intersections with their popularity lexeme.
    const walkFrom = strategy.walkFrom;
    const tierValues: Array<number | null> = [
      ...POPULARITY_TIERS.slice(strategy.startTier).filter(
        (tier) => walkFrom === undefined || tier < walkFrom,
      ),
      null,
    ];
    const steps = [
      ...(walkFrom === undefined ? [] : [{ name: `walk_${walkFrom}`, tier: walkFrom, walk: true }]),
      ...tierValues.map((tier) => ({
        name: tier === null ? 'tier_all' : `tier_${tier}`,
        tier,
        walk: tier === null && strategy.walk === true,
      })),
    ];
    const tiers = steps.map((step) => step.name);
    const ctes = steps.map(({ tier, walk }, index) => {
      const guards = tiers.slice(0, index).map((above) => `(SELECT count(*) FROM ${above}) < ${n}`);
      if (walk) {
        // A walk reads clips_views_vector_search_idx in views order, testing each row's search_vector from
        // the index itself (index-only: ~0.3 µs a row, sequential pages, instead of a random heap page per
        // row), until enough rows match or views drop below the tier: the most viewed clips are the first
        // entries, so a tier's rows are a prefix of the index. The function form of @@ keeps the planner off
        // the GIN index, which would hand over every match (for `"the the"`: tens of thousands of heap
        // rechecks; for "this" & ~v100, a 10 ms posting-list intersection).
        const walked = `ts_match_vq(c.search_vector, ${query})`;
        if (tier !== null) {
          // Bounded by the tier's rows (chooseCandidateStrategy walks only tiers of at most 4 x WALK_ROWS).
          return `${tiers[index]} AS MATERIALIZED (
  SELECT c.id, c.view_count, c.created_at, c.search_vector FROM clips c
  WHERE ${[...guards, filters, walked, `c.view_count >= ${tier}`].join(' AND ')}
  ORDER BY c.view_count DESC, c.id
  LIMIT ${n}
)`;
        }
        // The whole index: the inner LIMIT caps the entries read (WALK_CAP) whatever the text.
        return `${tiers[index]} AS MATERIALIZED (
  SELECT c.id, c.view_count, c.created_at, c.search_vector FROM (
    SELECT c.id, c.view_count, c.created_at, c.search_vector FROM clips c
    WHERE ${[...guards, filters].join(' AND ')}
    ORDER BY c.view_count DESC, c.id
    LIMIT ${WALK_CAP}
  ) AS c
  WHERE ${walked}
  ORDER BY c.view_count DESC, c.id
  LIMIT ${n}
)`;
      }
      const match =
        tier === null
          ? `c.search_vector @@ ${query}`
          : `c.search_vector @@ (${query} && '''~v${tier}'''::tsquery)`;
      // "+ 0" hides the views indexes from the planner: for mid-frequency text a bitmap scan of all
      // matches beats walking the views index past thousands of rows that do not match.
      const order =
        tier === null && strategy.bitmapForAll ? 'c.view_count + 0 DESC, c.id' : 'c.view_count DESC, c.id';
      return `${tiers[index]} AS MATERIALIZED (
  SELECT c.id, c.view_count, c.created_at, c.search_vector FROM clips c
  WHERE ${[...guards, filters, match].join(' AND ')}
  ORDER BY ${order}
  LIMIT ${n}
)`;
    });
    const candidates = tiers
      .map((name, index) =>
        index === tiers.length - 1
          ? `SELECT * FROM ${name}`
          : `SELECT * FROM ${name} WHERE (SELECT count(*) FROM ${name}) >= ${n}`,
      )
      .join('\n  UNION ALL ');
    // Candidates carry only what ranking needs (narrow rows sort and materialise cheaply); the page's
    // full rows are fetched by primary key at the end.
    const text = `
WITH ${ctes.join(', ')},
candidates AS (
  ${candidates}
), scored AS (
  SELECT c.id, ${score} AS score, count(*) OVER () AS candidates FROM candidates c
), page AS (
  SELECT s.id, s.score, s.candidates FROM scored s
  WHERE ${keyset}
  ORDER BY s.score DESC, s.id
  LIMIT ${params.add(plan.limit)}
)
SELECT ${columns}, p.score::text AS score, p.candidates
FROM page p JOIN clips c ON c.id = p.id
ORDER BY p.score DESC, p.id`;
    return { text, params: params.values };
  }

  const sort = plan.sort === 'relevance' ? 'views' : plan.sort;
  const orderBy = (hidden: boolean) => {
    // "+ 0" hides the order's index from the planner, which then collects the matches through GIN and
    // sorts them instead of testing rows in index order.
    const views = hidden ? 'c.view_count + 0' : 'c.view_count';
    const created = hidden ? `c.created_at + interval '0 s'` : 'c.created_at';
    return sort === 'views'
      ? `${views} DESC, c.id`
      : sort === 'newest'
        ? `${created} DESC, c.id`
        : `${created} ASC, c.id DESC`;
  };
  const hasText = plan.mode !== 'filter' && (plan.include.length > 0 || plan.exclude.length > 0);
  if (!hasText) {
    const where = baseConditions(plan, params, 'c', false);
    if (plan.after !== null) where.push(keysetCondition(sort, plan.after, params));
    return {
      text: `
SELECT ${columns}, NULL::text AS score FROM clips c
WHERE ${where.join(' AND ')}
ORDER BY ${orderBy(false)}
LIMIT ${params.add(plan.limit)}`,
      params: params.values,
    };
  }
  // With text: walk the order's index testing each row, but at most ORDER_WALK_CAP rows (a heap visit
  // each); common text fills the page within a few hundred. If the walk does not fill it, the text is
  // rare (or rarer than anyone could estimate: `"la the"` by newest read the whole table into the 2 s
  // deadline at 1M clips), and all matches are collected through GIN and sorted instead. Text the
  // statistics already call sparse skips the walk.
  const where = baseConditions(plan, params, 'c', false);
  if (plan.after !== null) where.push(keysetCondition(sort, plan.after, params));
  const matches = `c.search_vector @@ to_tsquery(${TS_CONFIG}, ${params.add(textQuery(plan))})`;
  const limit = params.add(plan.limit);
  const outerOrder = orderBy(false).replaceAll('c.', '');
  const gin = (guard: string) => `(
  SELECT ${columns}, NULL::text AS score FROM clips c
  WHERE ${[guard, ...where, matches].join(' AND ')}
  ORDER BY ${orderBy(true)}
  LIMIT ${limit}
)`;
  if (plan.strategy?.bitmapForAll === true) {
    return { text: gin('TRUE'), params: params.values };
  }
  const text = `
WITH walked AS MATERIALIZED (
  SELECT ${columns}, NULL::text AS score FROM (
    SELECT ${columns}, c.search_vector FROM clips c
    WHERE ${where.join(' AND ')}
    ORDER BY ${orderBy(false)}
    LIMIT ${ORDER_WALK_CAP}
  ) AS c
  WHERE ${matches}
  ORDER BY ${orderBy(false)}
  LIMIT ${limit}
)
SELECT * FROM (
  SELECT * FROM walked WHERE (SELECT count(*) FROM walked) >= ${limit}
  UNION ALL
  ${gin(`(SELECT count(*) FROM walked) < ${limit}`)}
) AS page
ORDER BY ${outerOrder}`;
  return { text, params: params.values };
}

/**
 * How many of the `entries` most viewed clips match the text (`matched`: phrases adjacent, exclusions
 * applied) and hold all its include words anywhere (`matched_words`: what a GIN scan would hand over), read
 * index-only from the covering views index, in the order walks and popularity tiers draw from. Filters are
 * not applied (the probe is for text alone).
 */
export function buildDensityProbeStatement(plan: SearchPlan, entries: number): Statement {
  const params = new Params();
  const words = tsQueryText(plan.include, [], {
    prefix: true,
    adjacent: false,
    ...(plan.mode === 'fuzzy' ? { corrections: plan.corrections } : {}),
  });
  // ts_match_vq, as in the walks: the function form keeps the planner off the GIN index.
  return {
    text: `SELECT count(*)::int AS read,
  count(*) FILTER (WHERE ts_match_vq(c.search_vector, to_tsquery(${TS_CONFIG}, ${params.add(textQuery(plan))})))::int AS matched,
  count(*) FILTER (WHERE ts_match_vq(c.search_vector, to_tsquery(${TS_CONFIG}, ${params.add(words)})))::int AS matched_words
FROM (
  SELECT c.search_vector FROM clips c WHERE c.deleted_at IS NULL
  ORDER BY c.view_count DESC, c.id
  LIMIT ${params.add(entries)}
) AS c`,
    params: params.values,
  };
}

/** Whether a search narrows clips by anything but its text. */
export function hasFilters(filters: SearchFilters): boolean {
  const { minViews, ...others } = filters;
  return (minViews ?? 0) > 0 || Object.values(others).some((value) => value !== undefined);
}

/** Exact count of matches, stopping at EXACT_COUNT_LIMIT + 1. */
export function buildCountStatement(plan: SearchPlan): Statement {
  const params = new Params();
  const where = baseConditions({ ...plan, after: null }, params, 'c', true);
  return {
    text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM clips c WHERE ${where.join(' AND ')} LIMIT ${EXACT_COUNT_LIMIT + 1}) AS capped`,
    params: params.values,
  };
}

/** The planner's row estimate for all matches (read from EXPLAIN's JSON), for totals beyond the cap. */
export function buildEstimateStatement(plan: SearchPlan): Statement {
  const params = new Params();
  const where = baseConditions({ ...plan, after: null }, params, 'c', true);
  return {
    text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM clips c WHERE ${where.join(' AND ')}`,
    params: params.values,
  };
}

/**
 * Whether an exclusion removes every clip the include terms can match (`the -the`, `"best play" -play`):
 * some excluded term is contained in what the include terms require, token for token and matched the
 * same way (whole words; a prefix `clut:*` or a word with typo alternatives does not imply `clut`).
 * The database would find the same empty result, but only after reading every posting of the word.
 */
export function excludesEveryMatch(
  plan: Pick<SearchPlan, 'include' | 'exclude' | 'mode' | 'corrections'>,
): boolean {
  if (plan.mode === 'filter') return false;
  const corrections = plan.mode === 'fuzzy' ? plan.corrections : {};
  const required = (term: SearchTerm) =>
    term.tokens.map((token) => ({
      text: token.text,
      noSpace: token.noSpace,
      exact:
        (term.quoted || token.noSpace || !prefixable(token.text) || token.whole === true) &&
        (corrections[token.text]?.length ?? 0) === 0,
    }));
  const adjacent = (term: SearchTerm) =>
    term.tokens.length > 1 && term.tokens.every((token) => !token.noSpace);
  const includes = plan.include.map((term) => ({ adjacent: adjacent(term), tokens: required(term) }));
  const allRequired = includes.flatMap((term) => term.tokens).filter((token) => token.exact);
  return plan.exclude.some((excluded) => {
    const wanted = excluded.tokens;
    if (!adjacent(excluded)) {
      // One word, or tokens that must all be present (anywhere): implied when every one is required.
      return wanted.every((token) =>
        allRequired.some((held) => held.text === token.text && held.noSpace === token.noSpace),
      );
    }
    // A phrase: implied by an include phrase holding it as a run of exactly matched tokens.
    return includes.some(
      (term) =>
        term.adjacent &&
        term.tokens.some((_, start) =>
          wanted.every((token, offset) => {
            const held = term.tokens[start + offset];
            return held !== undefined && held.exact && held.text === token.text;
          }),
        ),
    );
  });
}

/** The sort key the cursor stores for a row, per sort. */
export function cursorKeyOf(row: ClipRow, sort: ClipSearchSort, relevanceRanked: boolean): string | number {
  if (sort === 'relevance' && relevanceRanked) return row.score ?? '0';
  if (sort === 'relevance' || sort === 'views') return Number(row.view_count);
  return new Date(row.created_at).toISOString();
}

/**
 * The tsquery for include terms (and exclusions). `prefix` makes unquoted tokens match word starts;
 * `corrections` adds each token's vocabulary corrections as alternatives (fuzzy mode).
 */
export function tsQueryText(
  include: SearchTerm[],
  exclude: SearchTerm[],
  options: {
    prefix: boolean;
    corrections?: Corrections;
    /** false: a phrase's words may stand anywhere (what a GIN scan hands over before positions are checked). */
    adjacent?: boolean;
  },
): string {
  const parts = include.map((term) =>
    termQuery(term, options.prefix && !term.quoted, options.corrections, options.adjacent ?? true),
  );
  for (const term of exclude) parts.push(`!${termQuery(term, false)}`);
  return parts.join(' & ');
}

/**
 * Shorter words match whole only: "a:*" or "gg:*" would expand to thousands of lexemes (slow, and noise
 * rather than "partial word" matches). From four characters on, "poke" finds Pokémon.
 */
export const MIN_PREFIX_LENGTH = 4;

export function prefixable(token: string): boolean {
  return Array.from(token).length >= MIN_PREFIX_LENGTH;
}

/** A correction matches like the word it stands for would: "clucth" → clutch:* also finds "clutches". */
function correctionLexeme(word: string, prefix: boolean): string {
  return prefix && prefixable(word) ? `${quoteLexeme(word)}:*` : quoteLexeme(word);
}

/** A lexeme quoted for to_tsquery, backslashes and quotes escaped (tokens never contain them; vocabulary words might). */
export function quoteLexeme(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function termQuery(term: SearchTerm, prefix: boolean, corrections?: Corrections, adjacency = true): string {
  const parts = term.tokens.map((token) => {
    if (token.noSpace) {
      const grams = characterBigrams(token.text);
      // One character: any bigram starting with it, or the unigram that ends a run.
      if (grams.length === 1 && Array.from(token.text).length === 1) return `${quoteLexeme(token.text)}:*`;
      return grams.length === 1 ? quoteLexeme(grams[0]!) : `(${grams.map(quoteLexeme).join(' <-> ')})`;
    }
    const typed =
      prefix && prefixable(token.text) && token.whole !== true
        ? `${quoteLexeme(token.text)}:*`
        : quoteLexeme(token.text);
    const alternatives = corrections?.[token.text] ?? [];
    return alternatives.length === 0
      ? typed
      : `(${[typed, ...alternatives.map((a) => correctionLexeme(a.word, prefix))].join(' | ')})`;
  });
  // Tokens of one term (a quoted phrase, or "e-sports") must be adjacent, unless CJK bigrams are involved:
  // they are stored after the words, so adjacency with words cannot be expressed.
  const adjacent = adjacency && term.tokens.length > 1 && term.tokens.every((token) => !token.noSpace);
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(adjacent ? ' <-> ' : ' & ')})`;
}

function baseConditions(plan: SearchPlan, params: Params, alias: string, withText: boolean): string[] {
  const where = [`${alias}.deleted_at IS NULL`];
  const { filters } = plan;
  if (filters.channelIds !== undefined && filters.channelIds.length > 0) {
    where.push(
      filters.channelIds.length === 1
        ? `${alias}.broadcaster_id = ${params.add(filters.channelIds[0])}`
        : `${alias}.broadcaster_id = ANY(${params.add(filters.channelIds)}::text[])`,
    );
  }
  if (filters.gameId !== undefined) where.push(`${alias}.game_id = ${params.add(filters.gameId)}`);
  if (filters.creatorId !== undefined) where.push(`${alias}.creator_id = ${params.add(filters.creatorId)}`);
  if (filters.language !== undefined) where.push(`${alias}.language = ${params.add(filters.language)}`);
  if (filters.minViews !== undefined && filters.minViews > 0) {
    where.push(`${alias}.view_count >= ${params.add(filters.minViews)}`);
  }
  if (filters.from !== undefined) {
    where.push(`${alias}.created_at >= ${params.add(filters.from.toISOString())}::timestamptz`);
  }
  if (filters.to !== undefined)
    where.push(`${alias}.created_at <= ${params.add(filters.to.toISOString())}::timestamptz`);

  if (withText && plan.mode !== 'filter' && (plan.include.length > 0 || plan.exclude.length > 0)) {
    where.push(`${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${params.add(textQuery(plan))})`);
  }
  return where;
}

/** What the text must match: prefixes and phrases, plus vocabulary corrections in fuzzy mode. */
function textQuery(plan: SearchPlan): string {
  return tsQueryText(plan.include, plan.exclude, {
    prefix: true,
    ...(plan.mode === 'fuzzy' ? { corrections: plan.corrections } : {}),
  });
}

function relevanceExpression(plan: SearchPlan, params: Params, alias: string): string {
  const w = RELEVANCE_WEIGHTS;
  const matches = (query: string) =>
    `${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${params.add(query)})`;
  const termScores = plan.include.map((term) => {
    const branches = [
      `WHEN ${matches(tsQueryText([term], [], { prefix: false }))} THEN 1.0::float8`,
      `WHEN ${matches(tsQueryText([term], [], { prefix: true }))} THEN 0.7::float8`,
    ];
    if (plan.mode === 'fuzzy') {
      if (term.tokens.length === 1) {
        for (const alternative of plan.corrections[term.tokens[0]!.text] ?? []) {
          branches.push(
            `WHEN ${matches(correctionLexeme(alternative.word, !term.quoted))} THEN ${(0.6 * alternative.similarity).toFixed(4)}::float8`,
          );
        }
      } else {
        branches.push(
          `WHEN ${matches(tsQueryText([term], [], { prefix: true, corrections: plan.corrections }))} THEN 0.3::float8`,
        );
      }
    }
    return `CASE ${branches.join(' ')} ELSE 0.0::float8 END`;
  });
  // float8 throughout (numeric arithmetic costs microseconds per row); numeric only for the final rounding.
  const match = `(${termScores.join(' + ')}) / ${plan.include.length}.0::float8`;
  const queryWords = plan.include.reduce((sum, term) => sum + term.tokens.length, 0);
  // length() counts distinct lexemes, including the popularity-tier lexemes, which are not title words.
  const tierLexemes = POPULARITY_TIERS.map((tier) => `(${alias}.view_count >= ${tier})::int`).join(' + ');
  const coverage = `least(1.0::float8, ${queryWords}.0::float8 / greatest(1, length(${alias}.search_vector) - (${tierLexemes})))`;
  const views = `least(1.0::float8, ln(1.0::float8 + ${alias}.view_count) / ln(${VIEWS_SATURATION + 1}.0::float8))`;
  const now = params.add(plan.now.toISOString());
  const recency = `exp(-greatest(0.0::float8, date_part('epoch', ${now}::timestamptz - ${alias}.created_at)) / ${RECENCY_SECONDS}.0::float8)`;
  return `round((${w.match} * (${match}) + ${w.coverage} * ${coverage} + ${w.views} * ${views} + ${w.recency} * ${recency})::numeric, 6)`;
}

function keysetCondition(
  sort: 'views' | 'newest' | 'oldest',
  after: { key: string | number; id: string },
  params: Params,
): string {
  const id = params.add(after.id);
  if (sort === 'views') {
    const v = params.add(Number(after.key));
    return `c.view_count <= ${v} AND (c.view_count < ${v} OR (c.view_count = ${v} AND c.id > ${id}))`;
  }
  const t = `${params.add(String(after.key))}::timestamptz`;
  return sort === 'newest'
    ? `c.created_at <= ${t} AND (c.created_at < ${t} OR (c.created_at = ${t} AND c.id > ${id}))`
    : `c.created_at >= ${t} AND (c.created_at > ${t} OR (c.created_at = ${t} AND c.id < ${id}))`;
}
