import type { ClipSearchSort } from './ClipSearchQuery.js';
import type { SearchTerm } from './parseSearchText.js';
import { characterBigrams } from './scripts.js';

/**
 * SQL for clip search, written once and parameterised. Every value the user influenced is a bound
 * parameter; the only user text inside a tsquery string is tokens made of letters, marks and digits
 * (see parseSearchText), each wrapped in quotes, so tsquery syntax cannot be injected either.
 *
 * Indexes relied on (prisma/migrations/20261122010000_clip_search and _init):
 *   text      clips_search_vector_search_idx  GIN(search_vector)            `@@ to_tsquery(...)`
 *   typos     clips_title_trgm_idx            GIN(clip_search_trgm_text)    `term <% clip_search_trgm_text(title)`
 *   sorting   clips_view_count_id_idx, clips_created_at_id_idx, clips_broadcaster_views_search_idx,
 *             clips_broadcaster_id_created_at_idx, clips_game_id_view_count_idx  (keyset pagination)
 */

export const TS_CONFIG = `'public.clip_search'::regconfig`;

/**
 * Relevance ranks at most this many matches: the most viewed ones when a query matches more (a common word
 * in a million titles). The planner then serves a broad query from the views index and stops early, which
 * keeps p95 flat; nobody pages past a thousand results sorted by relevance — views/newest sorts page freely.
 */
export const RELEVANCE_CANDIDATES = 1_000;
/** Counting stops here; beyond it the total is the planner's estimate. */
export const EXACT_COUNT_LIMIT = 1_000;
/** pg_trgm word_similarity needed for a fuzzy match ("clucth" vs "clutch" scores 0.43). */
export const FUZZY_WORD_SIMILARITY = 0.4;

/**
 * Relevance = 0.35·match + 0.30·similarity + 0.25·views + 0.10·recency, each part in [0, 1]:
 *   match      1 when every term matches as whole words/phrases, 0.6 when only as prefixes, 0 when only
 *              fuzzily (typo);
 *   similarity pg_trgm word_similarity(query, title): how much of the query appears, in order, in the
 *              title — separates "clutch" from "clutches" and ranks the closest typo first;
 *   views      ln(1 + views) / ln(1 + 1,000,000), capped at 1: popularity matters, but logarithmically so
 *              one viral clip does not drown every better match;
 *   recency    exp(-age / 365 days): a gentle tie-breaker towards newer clips (good clips stay good).
 * Rounded to 6 decimals so that the cursor can carry the score exactly.
 */
export const RELEVANCE_WEIGHTS = { match: 0.35, similarity: 0.3, views: 0.25, recency: 0.1 } as const;
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
}

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
  /** `exact`: words/prefixes/phrases through the tsvector; `fuzzy`: each term may also match by trigrams. */
  mode: 'exact' | 'fuzzy' | 'filter';
  filters: SearchFilters;
  sort: ClipSearchSort;
  now: Date;
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
  const where = baseConditions(plan, params, 'c');
  const columns = CLIP_COLUMNS.map((column) => `c.${column}`).join(', ');

  if (plan.sort === 'relevance' && plan.include.length > 0) {
    const score = relevanceExpression(plan, params, 'c');
    const keyset =
      plan.after === null
        ? 'TRUE'
        : `(s.score < ${params.add(String(plan.after.key))}::numeric OR (s.score = ${params.add(String(plan.after.key))}::numeric AND s.id > ${params.add(plan.after.id)}))`;
    const text = `
WITH candidates AS MATERIALIZED (
  SELECT ${columns}, c.search_vector FROM clips c
  WHERE ${where.join(' AND ')}
  ORDER BY c.view_count DESC, c.id
  LIMIT ${RELEVANCE_CANDIDATES}
), scored AS (
  SELECT c.*, ${score} AS score FROM candidates c
)
SELECT ${CLIP_COLUMNS.map((column) => `s.${column}`).join(', ')}, s.score::text AS score
FROM scored s
WHERE ${keyset}
ORDER BY s.score DESC, s.id
LIMIT ${params.add(plan.limit)}`;
    return { text, params: params.values };
  }

  const sort = plan.sort === 'relevance' ? 'views' : plan.sort;
  if (plan.after !== null) where.push(keysetCondition(sort, plan.after, params));
  const order =
    sort === 'views'
      ? 'c.view_count DESC, c.id'
      : sort === 'newest'
        ? 'c.created_at DESC, c.id'
        : 'c.created_at ASC, c.id DESC';
  const text = `
SELECT ${columns}, NULL::text AS score FROM clips c
WHERE ${where.join(' AND ')}
ORDER BY ${order}
LIMIT ${params.add(plan.limit)}`;
  return { text, params: params.values };
}

/** Exact count of matches, stopping at EXACT_COUNT_LIMIT + 1. */
export function buildCountStatement(plan: SearchPlan): Statement {
  const params = new Params();
  const where = baseConditions({ ...plan, after: null }, params, 'c');
  return {
    text: `SELECT count(*)::int AS n FROM (SELECT 1 FROM clips c WHERE ${where.join(' AND ')} LIMIT ${EXACT_COUNT_LIMIT + 1}) AS capped`,
    params: params.values,
  };
}

/** The planner's row estimate for all matches (read from EXPLAIN's JSON), for totals beyond the cap. */
export function buildEstimateStatement(plan: SearchPlan): Statement {
  const params = new Params();
  const where = baseConditions({ ...plan, after: null }, params, 'c');
  return { text: `EXPLAIN (FORMAT JSON) SELECT 1 FROM clips c WHERE ${where.join(' AND ')}`, params: params.values };
}

/** The sort key the cursor stores for a row, per sort. */
export function cursorKeyOf(row: ClipRow, sort: ClipSearchSort, relevanceRanked: boolean): string | number {
  if (sort === 'relevance' && relevanceRanked) return row.score ?? '0';
  if (sort === 'relevance' || sort === 'views') return Number(row.view_count);
  return new Date(row.created_at).toISOString();
}

/** The tsquery for all include terms (and exclusions), `prefix` making unquoted tokens match word starts. */
export function tsQueryText(include: SearchTerm[], exclude: SearchTerm[], prefix: boolean): string {
  const parts = include.map((term) => termQuery(term, prefix && !term.quoted));
  for (const term of exclude) parts.push(`!(${termQuery(term, false)})`);
  return parts.join(' & ');
}

/** Text for pg_trgm: the non-CJK tokens of the terms (CJK is blanked from the trigram projection). */
export function trigramText(terms: SearchTerm[]): string | null {
  const text = terms
    .flatMap((term) => term.tokens.filter((token) => !token.noSpace).map((token) => token.text))
    .join(' ');
  return Array.from(text.replace(/ /g, '')).length >= 3 ? text : null;
}

function termQuery(term: SearchTerm, prefix: boolean): string {
  const parts = term.tokens.map((token) => {
    if (token.noSpace) {
      const grams = characterBigrams(token.text);
      // One character: any bigram starting with it, or the unigram that ends a run.
      if (grams.length === 1 && Array.from(token.text).length === 1) return `'${token.text}':*`;
      return grams.length === 1 ? `'${grams[0]}'` : `(${grams.map((gram) => `'${gram}'`).join(' <-> ')})`;
    }
    return prefix ? `'${token.text}':*` : `'${token.text}'`;
  });
  // Tokens of one term (a quoted phrase, or "e-sports") must be adjacent — unless CJK bigrams are involved:
  // they are stored after the words, so adjacency with words cannot be expressed.
  const adjacent = term.tokens.length > 1 && term.tokens.every((token) => !token.noSpace);
  return parts.length === 1 ? (parts[0] ?? '') : `(${parts.join(adjacent ? ' <-> ' : ' & ')})`;
}

function baseConditions(plan: SearchPlan, params: Params, alias: string): string[] {
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
  if (filters.to !== undefined) where.push(`${alias}.created_at <= ${params.add(filters.to.toISOString())}::timestamptz`);

  if (plan.mode === 'exact' && (plan.include.length > 0 || plan.exclude.length > 0)) {
    where.push(
      `${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${params.add(tsQueryText(plan.include, plan.exclude, true))})`,
    );
  } else if (plan.mode === 'fuzzy') {
    for (const term of plan.include) {
      const words = `${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${params.add(tsQueryText([term], [], true))})`;
      const trigrams = trigramText([term]);
      where.push(
        trigrams === null
          ? words
          : `(${words} OR public.clip_search_fold(${params.add(trigrams)}) <% public.clip_search_trgm_text(${alias}.title))`,
      );
    }
    if (plan.exclude.length > 0) {
      where.push(
        `${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${params.add(tsQueryText([], plan.exclude, false))})`,
      );
    }
  }
  return where;
}

function relevanceExpression(plan: SearchPlan, params: Params, alias: string): string {
  const w = RELEVANCE_WEIGHTS;
  const exact = params.add(tsQueryText(plan.include, [], false));
  const prefix = params.add(tsQueryText(plan.include, [], true));
  const match = `CASE WHEN ${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${exact}) THEN 1.0 WHEN ${alias}.search_vector @@ to_tsquery(${TS_CONFIG}, ${prefix}) THEN 0.6 ELSE 0.0 END`;
  const trigrams = trigramText(plan.include);
  const similarity =
    trigrams === null
      ? '0.0'
      : `word_similarity(public.clip_search_fold(${params.add(trigrams)}), public.clip_search_trgm_text(${alias}.title))`;
  const views = `least(1.0, ln(1.0 + ${alias}.view_count) / ln(${VIEWS_SATURATION + 1}.0))`;
  const now = params.add(plan.now.toISOString());
  const recency = `exp(-greatest(0.0, extract(epoch FROM (${now}::timestamptz - ${alias}.created_at))::float8) / ${RECENCY_SECONDS}.0)`;
  return `round((${w.match} * (${match}) + ${w.similarity} * (${similarity}) + ${w.views} * ${views} + ${w.recency} * ${recency})::numeric, 6)`;
}

function keysetCondition(sort: 'views' | 'newest' | 'oldest', after: { key: string | number; id: string }, params: Params): string {
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
