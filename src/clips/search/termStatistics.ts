import type { SqlExecutor } from '../../db/Database.js';
import { POPULARITY_TIERS, prefixable, RELEVANCE_CANDIDATES, type Corrections } from './buildSearchSql.js';
import type { SearchTerm } from './parseSearchText.js';
import { foldLikeDatabase } from './foldLikeDatabase.js';
import { characterBigrams } from './scripts.js';

/**
 * How common lexemes are, from PostgreSQL's own statistics on clips.search_vector (ANALYZE keeps
 * `most_common_elems` and their frequencies). Used to choose how relevance candidates are collected: the
 * planner estimates a tsquery's selectivity well but not how matches spread over the popularity tiers.
 */
export interface TermStatistics {
  rows: number;
  frequencies: Map<string, number>;
  /** Frequency below which lexemes are not listed; an unlisted lexeme is assumed half as common. */
  floor: number;
}

export interface CandidateStrategy {
  /** Index into POPULARITY_TIERS to start from; POPULARITY_TIERS.length = skip the tiers. */
  startTier: number;
  /** Collect all matches by bitmap scan instead of walking the views index (true for mid-frequency text). */
  bitmapForAll: boolean;
  /** Walk the covering views index (index-only) for all matches; set only for text known to be dense. */
  walk?: boolean;
  /**
   * Collect the tiers at or above this view count by one index-only walk of the covering views index
   * (bounded: their rows are few) instead of GIN intersections, which cost milliseconds for common words.
   */
  walkFrom?: number;
}

/** Share of the rows holding all of a phrase's words that hold them as the phrase (a rough guess). */
export const PHRASE_ADJACENCY = 0.4;

/** Unlisted words assumed to share a typed prefix (each as common as an unlisted lexeme is assumed). */
const UNLISTED_WORDS_PER_PREFIX = 8;

/** Most rows a bounded walk is expected to read (~0.3 µs each: under 10 ms). */
export const WALK_ROWS = 30_000;

const REFRESH_MS = 10 * 60_000;
// Keyed by executor: statistics belong to a database, and nothing here opens connections.
const cached = new WeakMap<object, { stats: TermStatistics | null; loadedAt: number }>();

/** Drops the cached statistics of `sql`'s database: the next search reloads them (after a bulk load). */
export function forgetTermStatistics(sql: SqlExecutor): void {
  cached.delete(sql);
}

/** `cacheKey`: what the statistics are cached by, when `sql` is a per-search wrapper of the database's executor. */
export async function termStatistics(
  sql: SqlExecutor,
  now = Date.now(),
  cacheKey: object = sql,
): Promise<TermStatistics | null> {
  const hit = cached.get(cacheKey);
  if (hit !== undefined && now - hit.loadedAt < REFRESH_MS) return hit.stats;
  const [row] = await sql.query<{
    rows: number | string | null;
    elems: string[] | null;
    freqs: Array<number | string> | null;
  }>(
    `SELECT (SELECT reltuples FROM pg_class WHERE oid = 'public.clips'::regclass)::float8 AS rows,
            s.most_common_elems::text::text[] AS elems, s.most_common_elem_freqs::float8[] AS freqs
     FROM (SELECT 1) AS one
     LEFT JOIN pg_stats s ON s.schemaname = 'public' AND s.tablename = 'clips' AND s.attname = 'search_vector'`,
  );
  let stats: TermStatistics | null = null;
  const rows = Number(row?.rows ?? 0);
  if (row?.elems && row.freqs && rows > 0) {
    const frequencies = new Map<string, number>();
    row.elems.forEach((elem, index) => frequencies.set(elem, Number(row.freqs?.[index] ?? 0)));
    // The array ends with min, max and null-fraction entries after the per-element frequencies.
    const floor = Number(row.freqs[row.elems.length] ?? 0);
    stats = { rows, frequencies, floor };
  }
  cached.set(cacheKey, { stats, loadedAt: now });
  return stats;
}

/**
 * Typed words at least this common on their own (in clips) are matched whole instead of as prefixes.
 * GIN cannot skip through a prefix's postings: "this:*" collects every clip holding a word that starts
 * with "this" before intersecting (15 ms for `this rapo` at 1M synthetic clips, against a few for
 * `this & rapo:*`), while the word's own matches already fill the relevance candidates 25 times over
 * and outrank prefix matches anyway. Rarer words keep their prefix matching ("poke" → pokemon).
 */
export const WHOLE_WORD_MATCHES = 25 * RELEVANCE_CANDIDATES;

/** The include terms with very common typed words marked whole (see WHOLE_WORD_MATCHES). */
export function markCommonWords(stats: TermStatistics | null, include: SearchTerm[]): SearchTerm[] {
  if (stats === null) return include;
  return include.map((term) =>
    term.quoted
      ? term
      : {
          ...term,
          tokens: term.tokens.map((token) =>
            !token.noSpace &&
            prefixable(token.text) &&
            stats.rows * (stats.frequencies.get(foldLikeDatabase(token.text)) ?? 0) >= WHOLE_WORD_MATCHES
              ? { ...token, whole: true }
              : token,
          ),
        },
  );
}

/** Estimated fraction of clips matching all include terms (see the correlation note below). */
export function estimateFrequency(
  stats: TermStatistics,
  include: SearchTerm[],
  options: {
    prefix: boolean;
    corrections?: Corrections;
    /** The typed tokens are known to match nothing (a one-word query retried with corrections). */
    typedMatchesNothing?: boolean;
  },
): number {
  const unlisted = stats.floor / 2;
  const lexeme = (word: string, prefix: boolean) => {
    if (!prefix) return stats.frequencies.get(word) ?? unlisted;
    let sum = 0;
    for (const [elem, frequency] of stats.frequencies) if (elem.startsWith(word)) sum += frequency;
    // Most words sharing a prefix are too rare to be listed, but together they count: at 1M synthetic
    // clips "mene" is 440 clips, "mene:*" 3,800. Guessing high costs one tier more (a GIN intersection);
    // guessing low, a heap visit for every match.
    return Math.min(1, sum + UNLISTED_WORDS_PER_PREFIX * unlisted);
  };
  // A bigram phrase is at most as common as its rarest bigram; one character is a prefix of bigrams.
  const noSpaceFrequency = (text: string) => {
    const grams = characterBigrams(text);
    if (Array.from(text).length === 1) return lexeme(text, true);
    return Math.min(...grams.map((gram) => lexeme(gram, false)));
  };
  let frequency = 1;
  for (const term of include) {
    const tokens = term.tokens.map((token) => {
      // The statistics hold folded lexemes ("não" is stored as "nao").
      const folded = foldLikeDatabase(token.text);
      let tokenFrequency = options.typedMatchesNothing
        ? 0
        : token.noSpace
          ? noSpaceFrequency(folded)
          : lexeme(folded, options.prefix && !term.quoted && prefixable(token.text) && token.whole !== true);
      // Corrections count as whole words: as prefixes (which they are matched as) with the unlisted-word
      // allowance, five of them overstated the text enough to pick slow walks.
      for (const correction of options.corrections?.[token.text] ?? [])
        tokenFrequency += lexeme(correction.word, false);
      return Math.min(1, tokenFrequency);
    });
    if (tokens.length === 0) continue;
    // Tokens of one term (a phrase, "e-sports") count as separate words: what the GIN index hands over
    // before positions are checked, which is what the cost depends on. Words that stand together are
    // not independent (a Spanish title holds "el" and "los" together: 12x their product at 1M synthetic
    // clips), so a term's estimate is the geometric mean of the independent product and its rarest
    // word; overestimating costs a bounded walk or one more tier, underestimating a heap visit for
    // every match. Separate terms multiply (measured: the product serves multi-word queries better).
    const product = tokens.reduce((all, tokenFrequency) => all * tokenFrequency, 1);
    frequency *= Math.sqrt(product * Math.min(...tokens));
  }
  return frequency;
}

/**
 * A measured share of matches at or above which walking the views index wins: a walk is then expected to
 * hold the candidates within half of WALK_ROWS entries (index-only, a few milliseconds), while the GIN
 * tiers would intersect long posting lists and visit a heap row for each match of their tier.
 */
export const MEASURED_DENSE = (2 * RELEVANCE_CANDIDATES) / WALK_ROWS;

/** Measured rows holding the words up to which one GIN scan of all of them is the plan (~5 µs a heap visit). */
export const BITMAP_ALL_ROWS = 1_000;

/**
 * Starts at the highest popularity tier expected to hold the candidate limit (its top matches by views are
 * then the overall top; an optimistic guess only costs falling through to the next tier, a scan of a few
 * hundred rows), and lets only dense text walk the views index.
 *
 * `frequency` is the statistics' estimate; `measured`, when the text was probed (see densityProbe), is
 * what the most viewed clips hold, and replaces the guesses about phrases and correlated words.
 */
export function chooseCandidateStrategy(
  stats: TermStatistics | null,
  frequency: number,
  options: { phrase?: boolean; measured?: { matches: number; words: number } } = {},
): CandidateStrategy {
  if (stats === null) return { startTier: 0, bitmapForAll: false };
  const { measured } = options;
  // Few rows hold the words (`the so of`: 742, `a la`: 256, `"the el"`: none): one GIN scan and a heap
  // visit for each beat tiers, each of which intersects the same long posting lists again (~5 ms) and,
  // when the guess is off by a little, falls through to the next.
  if (
    measured !== undefined &&
    stats.rows * measured.words <= BITMAP_ALL_ROWS &&
    measured.matches < MEASURED_DENSE
  )
    return { startTier: POPULARITY_TIERS.length, bitmapForAll: true };
  // Walking the views index pays off only when about one row in twenty or more matches (by the
  // statistics, which may be several times off for several words); a measured share can be trusted
  // closer to the walk's real cost.
  const dense = measured === undefined ? frequency >= 0.05 : measured.matches >= MEASURED_DENSE;
  // Phrases are checked against positions in the heap row, so every candidate row costs a visit; dense
  // phrases of common words walk the views index (stopping after enough matches) unless a tier is
  // expected to hold enough of them.
  if (options.phrase === true && dense)
    return { startTier: POPULARITY_TIERS.length, bitmapForAll: false, walk: true };
  // Only about a quarter of the rows holding a phrase's words hold them adjacent (bench: 25-30 % for
  // pairs of common words), so a phrase starts lower rather than fall through a tier (~10 ms each); the
  // guess leans high, as a tier too many costs less than a heap visit for every match.
  const expected = measured?.matches ?? frequency * (options.phrase === true ? PHRASE_ADJACENCY : 1);
  const matches = stats.rows * expected;
  const startTier = POPULARITY_TIERS.findIndex(
    (tier) => matches * (stats.frequencies.get(`~v${tier}`) ?? 0) >= RELEVANCE_CANDIDATES,
  );
  // The lowest tier worth walking: one whose walk is expected to stop (enough matches, or the tier's
  // end) within WALK_ROWS entries, and whose rows are expected to hold a fair part of the candidates. A
  // wrong guess costs at most the tier's rows, capped at 4 x WALK_ROWS.
  const tierRows = (tier: number) => stats.rows * (stats.frequencies.get(`~v${tier}`) ?? 1);
  // A measured phrase walks a tier that is expected to (nearly) hold the candidates whatever its length
  // within that cap: GIN would hand over every row holding the words (`"the this"`: 4 times the matches)
  // for a heap visit each (~5 µs), while the walk tests positions inside the index (~0.3 µs an entry).
  const measuredPhrase = measured !== undefined && options.phrase === true;
  const walkFrom = [...POPULARITY_TIERS]
    .reverse()
    .find((tier) =>
      measuredPhrase
        ? tierRows(tier) <= 4 * WALK_ROWS && tierRows(tier) * expected >= 0.8 * RELEVANCE_CANDIDATES
        : tierRows(tier) <= 4 * WALK_ROWS &&
          Math.min(tierRows(tier), RELEVANCE_CANDIDATES / Math.max(expected, 1e-9)) <= WALK_ROWS &&
          tierRows(tier) * expected >= RELEVANCE_CANDIDATES / 4,
    );
  return {
    startTier: startTier === -1 ? POPULARITY_TIERS.length : startTier,
    bitmapForAll: !dense,
    ...(dense ? { walk: true } : {}),
    ...(walkFrom === undefined ? {} : { walkFrom }),
  };
}
