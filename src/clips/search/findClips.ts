import type { Logger } from 'pino';
import type { Cache } from '../../cache/Cache.js';
import type { Database, SqlExecutor } from '../../db/Database.js';
import { UserError } from '../../shared/errors.js';
import {
  buildCountStatement,
  buildEstimateStatement,
  buildSearchStatement,
  CLIP_COLUMNS,
  type ClipRow,
  type Corrections,
  cursorKeyOf,
  excludesEveryMatch,
  hasFilters,
  EXACT_COUNT_LIMIT,
  CORRECTION_CANDIDATES,
  MAX_CORRECTIONS,
  MIN_CORRECTION_SIMILARITY,
  ORDER_WALK_CAP,
  RELEVANCE_CANDIDATES,
  type SearchPlan,
  WALK_CAP,
} from './buildSearchSql.js';
import {
  type ClipSearchHit,
  type ClipSearchPage,
  type ClipSearchPeriod,
  type ClipSearchQuery,
  parseClipSearchQuery,
  type ValidClipSearchQuery,
} from './ClipSearchQuery.js';
import { parseSearchText, type ParsedSearchText, type SearchTerm } from './parseSearchText.js';
import { searchCacheKey } from './searchCache.js';
import type { SearchMetrics } from './searchMetrics.js';
import { editDistance, maxEdits } from './editDistance.js';
import {
  chooseCandidateStrategy,
  estimateFrequency,
  markCommonWords,
  PHRASE_ADJACENCY,
  termStatistics,
} from './termStatistics.js';
import { probeTextDensity, type TextDensity, worthProbing } from './densityProbe.js';
import type { SearchAdmission } from './searchAdmission.js';
import { searchAdmissionFor } from './searchAdmission.js';
import { SEARCH_TIMEOUT_MS, withSearchDeadline } from './searchDeadline.js';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  queryFingerprint,
  type SearchCursor,
} from './searchCursor.js';

export interface FindClipsDeps {
  db: Database;
  cache: Cache;
  logger: Logger;
  /** Counts searches and their database time; optional so tests and the bench need no registry. */
  searchMetrics?: SearchMetrics;
  /**
   * Key for cursor MACs (main derives it from a configured secret, see deriveCursorSecret); without it, a
   * key drawn at random for this process, so cursors then only work within the process that issued them.
   */
  cursorSecret?: string;
  now?: () => Date;
  /** Time the database work of one search may take; default SEARCH_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Bounds concurrent searches; default one admission per database (see searchAdmissionFor). */
  admission?: SearchAdmission;
}

export interface FindClipsOptions {
  /**
   * Who asks (a Discord user id): each requester may run only a few searches at once. Without it only the
   * process-wide bound applies.
   */
  requesterId?: string;
}

const REFUSAL_REASONS: Partial<Record<string, string>> = {
  'search.tooBroad': 'timeout',
  'search.busy': 'busy',
  'search.tooManyRunning': 'requester',
};

/**
 * For the views/newest/oldest sorts, a measured estimate this many times the exact-count limit is reported
 * as the total instead of counting (the count would stop at the limit anyway, after reading every match's
 * postings).
 */
const MEASURED_BEYOND_COUNT = 4;

const PERIOD_MS: Record<Exclude<ClipSearchPeriod, 'all'>, number> = {
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

/**
 * Searches clips: free text (words, "phrases", -exclusions, or a clip URL/id for a direct lookup) and/or
 * filters, sorted by relevance, views, newest or oldest, one page at a time with a keyset cursor.
 *
 * Text first matches exactly (whole words, word prefixes, phrases, CJK substrings); only when that finds
 * nothing does the query run again with each word's closest vocabulary words as alternatives (typos, word
 * middles). The mode picked on page one is kept in the cursor, so later pages never switch semantics.
 */
export async function findClips(
  deps: FindClipsDeps,
  query: ClipSearchQuery,
  options: FindClipsOptions = {},
): Promise<ClipSearchPage> {
  const valid = parseClipSearchQuery(query);
  const text = parseSearchText(valid.text);
  const hasFilter =
    valid.channelIds !== undefined ||
    valid.gameId !== undefined ||
    valid.creatorId !== undefined ||
    valid.language !== undefined ||
    (valid.minViews ?? 0) > 0 ||
    valid.from !== undefined ||
    valid.to !== undefined ||
    (valid.period !== undefined && valid.period !== 'all');
  const includesText = text.kind === 'clipId' || (text.kind === 'terms' && text.include.length > 0);
  if (!includesText && !hasFilter) {
    throw new UserError(
      'search.emptyQuery',
      valid.text !== undefined && valid.text.trim().length > 0
        ? 'That search has no words to look for (emoji and punctuation are ignored). Add a word, a channel or another filter.'
        : 'Type something to search for, or pick a channel, game, clipper or other filter.',
    );
  }

  const fingerprint = queryFingerprint(fingerprintParts(valid, text));
  const cursor =
    valid.cursor === undefined ? null : decodeSearchCursor(valid.cursor, fingerprint, deps.cursorSecret);

  const { key, ttlSeconds } = await searchCacheKey(deps.cache, {
    channelIds: valid.channelIds,
    fingerprint,
    cursor: valid.cursor,
    pageSize: valid.pageSize,
  });
  const cached = await deps.cache.get<ClipSearchPage>(key);
  if (cached !== undefined) {
    deps.searchMetrics?.searches.inc({ mode: cached.mode, source: 'cache' });
    return reviveDates(cached);
  }

  const admission = deps.admission ?? searchAdmissionFor(deps.db);
  let started = performance.now();
  let page: ClipSearchPage;
  try {
    page = await admission.run(options.requesterId, () => {
      started = performance.now();
      return withSearchDeadline(deps.db, deps.timeoutMs ?? SEARCH_TIMEOUT_MS, (sql) =>
        runSearch({ ...deps, sql }, valid, text, fingerprint, cursor),
      );
    });
  } catch (error) {
    const reason = error instanceof UserError ? REFUSAL_REASONS[error.identifier] : undefined;
    if (reason !== undefined) {
      deps.searchMetrics?.refused.inc({ reason });
      // The text tells an operator which shapes are slow; it is the user's own search, not a secret.
      deps.logger.info(
        { reason, text: valid.text, sort: valid.sort, ms: Math.round(performance.now() - started) },
        'clip search refused',
      );
    }
    throw error;
  }
  deps.searchMetrics?.searches.inc({ mode: page.mode, source: 'database' });
  deps.searchMetrics?.databaseSeconds.observe({ mode: page.mode }, (performance.now() - started) / 1000);
  deps.logger.debug(
    {
      mode: page.mode,
      sort: valid.sort,
      results: page.clips.length,
      ms: Math.round(performance.now() - started),
    },
    'clip search',
  );
  await deps.cache.set(key, page, ttlSeconds);
  return page;
}

/** What a search needs once admitted: `sql` runs its statements under the deadline. */
type SearchContext = FindClipsDeps & { sql: SqlExecutor };

async function runSearch(
  deps: SearchContext,
  valid: ValidClipSearchQuery,
  text: ParsedSearchText,
  fingerprint: string,
  cursor: SearchCursor | null,
): Promise<ClipSearchPage> {
  if (text.kind === 'clipId') {
    const hit = await lookupClip(deps.sql, text.clipId);
    // A bare word that merely looks like a slug falls through to a text search when no such clip exists.
    if (hit !== null || text.fromUrl) {
      return {
        clips: hit === null ? [] : [hit],
        nextCursor: null,
        totalEstimate: hit === null ? 0 : 1,
        totalIsExact: true,
        mode: 'lookup',
      };
    }
  }
  const terms =
    text.kind === 'terms'
      ? text
      : text.kind === 'clipId'
        ? parseSearchText(text.clipId.replace(/([a-z])([A-Z])/g, '$1 $2'))
        : text;
  const include = terms.kind === 'terms' ? terms.include : [];
  const exclude = terms.kind === 'terms' ? terms.exclude : [];

  const now = cursor === null ? (deps.now?.() ?? new Date()) : new Date(cursor.nowMs);
  const sort = valid.sort ?? (include.length > 0 ? 'relevance' : 'views');
  const from =
    valid.period !== undefined && valid.period !== 'all'
      ? new Date(now.getTime() - PERIOD_MS[valid.period])
      : valid.from;
  const plan: SearchPlan = {
    include,
    exclude,
    mode: include.length === 0 && exclude.length === 0 ? 'filter' : (cursor?.mode ?? 'exact'),
    corrections: cursor?.mode === 'fuzzy' ? await findCorrections(deps.sql, include) : {},
    filters: {
      channelIds: valid.channelIds,
      gameId: valid.gameId,
      creatorId: valid.creatorId,
      language: valid.language,
      minViews: valid.minViews,
      from,
      to: valid.to,
    },
    sort,
    now,
    after: cursor === null ? null : { key: cursor.key, id: cursor.id },
    limit: valid.pageSize + 1,
  };

  const statsKey = deps.db.sql;
  let result = await runPlan(deps.sql, statsKey, plan, cursor === null);
  // Nothing matched exactly on page one: retry tolerating typos and partial words (unless an exclusion
  // ruled out every match: `play -play` means nothing, not "plays").
  if (
    cursor === null &&
    plan.mode === 'exact' &&
    include.length > 0 &&
    result.rows.length === 0 &&
    result.impossible !== true
  ) {
    plan.corrections = await findCorrections(deps.sql, include);
    if (Object.keys(plan.corrections).length > 0) {
      plan.mode = 'fuzzy';
      result = await runPlan(deps.sql, statsKey, plan, true);
    }
  }

  const rows = result.rows.slice(0, valid.pageSize);
  const last = rows.at(-1);
  const total = cursor === null ? result.total : { total: cursor.total, exact: cursor.totalIsExact };
  const nextCursor =
    result.rows.length > valid.pageSize && last !== undefined
      ? encodeSearchCursor(
          {
            key: cursorKeyOf(last, sort, include.length > 0),
            id: last.id,
            nowMs: now.getTime(),
            mode: plan.mode,
            total: total.total,
            totalIsExact: total.exact,
          },
          fingerprint,
          deps.cursorSecret,
        )
      : null;
  return {
    clips: rows.map(toHit),
    nextCursor,
    totalEstimate: total.total,
    totalIsExact: total.exact,
    mode: plan.mode,
  };
}

async function runPlan(
  sql: SqlExecutor,
  /** What the term statistics are cached by: the database's executor, not this search's. */
  statsKey: SqlExecutor,
  plan: SearchPlan,
  withTotal: boolean,
): Promise<{ rows: ClipRow[]; total: { total: number; exact: boolean }; impossible?: boolean }> {
  const stats = plan.include.length > 0 ? await termStatistics(sql, Date.now(), statsKey) : null;
  plan.include = markCommonWords(stats, plan.include);
  // `the -the`: nothing can match, but finding that out would read every posting of "the".
  if (excludesEveryMatch(plan)) return { rows: [], total: { total: 0, exact: true }, impossible: true };
  // Estimated share of clips the text matches, from the lexeme statistics, or measured on the most viewed
  // clips when the statistics cannot tell (several common words: see densityProbe).
  let textFrequency: { rows: number; frequency: number; measured: boolean } | null = null;
  if (plan.include.length > 0) {
    const frequency =
      stats === null
        ? 1
        : estimateFrequency(stats, plan.include, {
            prefix: true,
            ...(plan.mode === 'fuzzy'
              ? {
                  corrections: plan.corrections,
                  // Fuzzy mode follows an exact query that found nothing: for one word, the word itself.
                  typedMatchesNothing: plan.include.length === 1 && plan.include[0]!.tokens.length === 1,
                }
              : {}),
          });
    const phrase = plan.include.some(
      (term) => term.tokens.length > 1 && term.tokens.every((t) => !t.noSpace),
    );
    const measured = worthProbing(stats, plan) ? await probeTextDensity(sql, plan) : undefined;
    if (stats !== null) {
      textFrequency =
        measured === undefined
          ? { rows: stats.rows, frequency, measured: false }
          : { rows: stats.rows, frequency: measured.matches, measured: true };
    }
    if (plan.sort === 'relevance') {
      plan.strategy = chooseCandidateStrategy(stats, frequency, {
        phrase,
        ...(measured === undefined ? {} : { measured }),
      });
    } else if (stats !== null) {
      // Views, newest, oldest test rows in their index's order (up to ORDER_WALK_CAP) before falling back
      // to GIN; skip that walk when it is not expected to fill the page.
      plan.strategy = {
        startTier: 0,
        bitmapForAll: skipOrderWalk(plan, stats.rows, frequency, phrase, measured),
      };
    }
  }
  const statement = buildSearchStatement(plan);
  const rows = await sql.query<ClipRow>(statement.text, statement.params);
  if (!withTotal) return { rows, total: { total: 0, exact: true } };
  // Relevance ranks a bounded candidate set and reports its size: below the bound that is the exact total.
  const candidates = rows[0]?.candidates;
  // A walk of the whole index that stopped at its cap may have left matches further down.
  const walkMayHaveStopped = plan.strategy?.walk === true && (stats?.rows ?? Infinity) > WALK_CAP;
  if (candidates !== undefined && candidates !== null && Number(candidates) < RELEVANCE_CANDIDATES) {
    return { rows, total: { total: Number(candidates), exact: !walkMayHaveStopped } };
  }
  // A first page that is not full holds every match.
  if (plan.after === null && rows.length < plan.limit && (candidates === undefined || candidates === null)) {
    return { rows, total: { total: rows.length, exact: !walkMayHaveStopped } };
  }
  // A full candidate set already proves there are more than the exact-count limit: go straight to the estimate.
  const beyondExactLimit = candidates !== undefined && candidates !== null;
  // Text alone: the statistics estimate needs no round trip (the planner's EXPLAIN cost ~0.5 ms) and allows
  // for a phrase's words appearing together, which the planner's independence assumption does not; a
  // measured share also allows for exclusions, and one well beyond the exact-count limit spares the other
  // sorts a count (for `"this the"` by newest, a GIN scan of 26,000 rows rechecked one by one).
  // Filters need the planner.
  if (
    textFrequency !== null &&
    !hasFilters(plan.filters) &&
    (textFrequency.measured || plan.exclude.length === 0)
  ) {
    const estimated = Math.round(textFrequency.rows * textFrequency.frequency);
    if (
      beyondExactLimit ||
      (textFrequency.measured && estimated >= MEASURED_BEYOND_COUNT * EXACT_COUNT_LIMIT)
    ) {
      return { rows, total: { total: Math.max(EXACT_COUNT_LIMIT + 1, estimated), exact: false } };
    }
  }
  return { rows, total: await countMatches(sql, plan, beyondExactLimit) };
}

/**
 * Typo corrections: vocabulary words sharing enough trigrams with a typed word (3+ characters), kept when
 * few edits away; of those, the ones at the smallest edit distance, most similar first.
 */
async function findCorrections(sql: SqlExecutor, include: SearchTerm[]): Promise<Corrections> {
  const tokens = [
    ...new Set(
      include.flatMap((term) =>
        term.tokens.filter((t) => !t.noSpace && Array.from(t.text).length >= 3).map((t) => t.text),
      ),
    ),
  ];
  if (tokens.length === 0) return {};
  // `%` (similarity above pg_trgm.similarity_threshold) is what clip_search_words_trgm_idx (GIN) serves;
  // the threshold is set transaction-locally so pooled connections keep the default.
  const rows = await sql.transaction(async (tx) => {
    await tx.query(`SELECT set_config('pg_trgm.similarity_threshold', $1, true)`, [
      String(MIN_CORRECTION_SIMILARITY),
    ]);
    return tx.query<{ token: string; folded: string; word: string; similarity: number }>(
      // Folded once per token (MATERIALIZED): inlined, the fold (NFKC + unaccent, ~5 µs) ran again for
      // every index candidate's recheck, filter and similarity: 1,800 candidates of "chinato", 16 → 7 ms.
      `WITH t AS MATERIALIZED (
         SELECT token, public.clip_search_fold(token) AS folded FROM unnest($1::text[]) AS token
       )
       SELECT t.token, t.folded, v.word, v.similarity
       FROM t CROSS JOIN LATERAL (
         SELECT w.word, similarity(w.word, t.folded)::float8 AS similarity FROM clip_search_words w
         WHERE w.word % t.folded AND w.word <> t.folded
         ORDER BY similarity DESC, w.word
         LIMIT $2
       ) AS v`,
      [tokens, CORRECTION_CANDIDATES],
    );
  });
  const ranked = new Map<string, Array<{ word: string; similarity: number; distance: number }>>();
  for (const row of rows) {
    const distance = editDistance(row.folded, row.word);
    if (distance > maxEdits(row.folded)) continue;
    const list = ranked.get(row.token) ?? [];
    list.push({ word: row.word, similarity: Number(row.similarity), distance });
    ranked.set(row.token, list);
  }
  const corrections: Corrections = {};
  for (const [token, list] of ranked) {
    // Only the closest edit distance found: one slip away beats two, and every extra alternative costs
    // heap visits for its matches.
    const closest = Math.min(...list.map((candidate) => candidate.distance));
    corrections[token] = list
      .filter((candidate) => candidate.distance === closest)
      .sort((a, b) => b.similarity - a.similarity || a.word.localeCompare(b.word))
      .slice(0, MAX_CORRECTIONS)
      .map(({ word, similarity }) => ({ word, similarity }));
  }
  return corrections;
}

async function countMatches(
  sql: SqlExecutor,
  plan: SearchPlan,
  beyondExactLimit: boolean,
): Promise<{ total: number; exact: boolean }> {
  if (!beyondExactLimit) {
    const count = buildCountStatement(plan);
    const [row] = await sql.query<{ n: number }>(count.text, count.params);
    const counted = Number(row?.n ?? 0);
    if (counted <= EXACT_COUNT_LIMIT) return { total: counted, exact: true };
  }
  const estimate = buildEstimateStatement(plan);
  const [explained] = await sql.query<{ 'QUERY PLAN': unknown }>(estimate.text, estimate.params);
  const planJson = explained?.['QUERY PLAN'];
  const parsed = (typeof planJson === 'string' ? JSON.parse(planJson) : planJson) as Array<{
    Plan?: { 'Plan Rows'?: number };
  }>;
  const estimated = Number(parsed[0]?.Plan?.['Plan Rows'] ?? 0);
  return { total: Math.max(EXACT_COUNT_LIMIT + 1, Math.round(estimated)), exact: false };
}

async function lookupClip(sql: SqlExecutor, clipId: string): Promise<ClipSearchHit | null> {
  const [row] = await sql.query<ClipRow>(
    `SELECT ${CLIP_COLUMNS.join(', ')}, NULL::text AS score FROM clips WHERE id = $1 AND deleted_at IS NULL`,
    [clipId],
  );
  return row === undefined ? null : toHit(row);
}

function toHit(row: ClipRow): ClipSearchHit {
  return {
    id: row.id,
    broadcasterId: row.broadcaster_id,
    creatorId: row.creator_id,
    creatorName: row.creator_name,
    videoId: row.video_id,
    gameId: row.game_id,
    language: row.language,
    title: row.title,
    viewCount: Number(row.view_count),
    createdAt: new Date(row.created_at),
    thumbnailUrl: row.thumbnail_url,
    url: row.url,
    embedUrl: row.embed_url,
    durationSec: Number(row.duration_sec),
    vodOffset: row.vod_offset === null ? null : Number(row.vod_offset),
    isFeatured: row.is_featured,
    score: row.score === null ? null : Number(row.score),
  };
}

/** Cached pages come back as JSON: turn the dates back into Dates. */
function reviveDates(page: ClipSearchPage): ClipSearchPage {
  return { ...page, clips: page.clips.map((clip) => ({ ...clip, createdAt: new Date(clip.createdAt) })) };
}

/**
 * Whether the views/newest/oldest sorts should collect all matches through GIN rather than test rows in
 * their index's order. By the statistics: when the walk is not expected to fill the page within
 * ORDER_WALK_CAP rows. Measured: when GIN hands over fewer rows (each a heap visit, like a walked row) than
 * the walk is expected to read — `"in the"` by newest fills a page within ~3,000 rows while 14,000 rows hold
 * both words, `"el the"` would walk all 5,000 while no row holds both.
 */
function skipOrderWalk(
  plan: SearchPlan,
  rows: number,
  frequency: number,
  phrase: boolean,
  measured: TextDensity | undefined,
): boolean {
  if (measured === undefined) {
    const expected = frequency * (phrase ? PHRASE_ADJACENCY : 1);
    return plan.limit / Math.max(expected, 1e-9) > ORDER_WALK_CAP;
  }
  const walked = Math.min(ORDER_WALK_CAP, plan.limit / Math.max(measured.matches, 1e-9));
  return rows * measured.words < walked;
}

function fingerprintParts(valid: ValidClipSearchQuery, text: ParsedSearchText): unknown {
  return {
    text,
    channelIds: valid.channelIds === undefined ? null : [...new Set(valid.channelIds)].sort(),
    gameId: valid.gameId ?? null,
    creatorId: valid.creatorId ?? null,
    period: valid.period ?? null,
    from: valid.from?.toISOString() ?? null,
    to: valid.to?.toISOString() ?? null,
    minViews: valid.minViews ?? 0,
    language: valid.language ?? null,
    sort: valid.sort ?? null,
  };
}
