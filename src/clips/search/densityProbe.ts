import type { SqlExecutor } from '../../db/Database.js';
import { buildDensityProbeStatement, hasFilters, type SearchPlan } from './buildSearchSql.js';
import { estimateFrequency, type TermStatistics } from './termStatistics.js';

/**
 * Statistics say how common each word is, not how often words stand together. Words of one language come
 * together far more often than the product of their frequencies (`el los`: 12×), words of two languages
 * hardly ever (`the el`: never in the bench corpus, estimated at 10,000 clips), and a phrase's words may or
 * may not be adjacent. For text of several common words every plan chosen from the estimate was a gamble:
 * a walk expected to stop after 16,000 entries read a whole tier and found nothing; a tier expected to hold
 * the candidates held a tenth of them and the search fell through three GIN intersections of the same long
 * posting lists; a date-order walk of 5,000 heap rows found nothing. Such text is measured first: the
 * most viewed PROBE_ENTRIES clips are tested (index-only, ~0.3 µs an entry: ~1 ms), the same clips walks and
 * popularity tiers draw from, and the plan is chosen from what they hold.
 */
export const PROBE_ENTRIES = 4_000;

/**
 * Text is probed only when every include word is in at least this many clips and this share of them: a
 * rarer word bounds the work of every plan (GIN hands over at most its postings), so guessing its company
 * wrong costs little, and the probe (~1–2 ms) would cost ordinary two-word searches more than it saves
 * (most pairs drawn from titles hold two words of the most common few hundred).
 */
export const PROBE_MIN_POSTINGS = 2_000;
export const PROBE_MIN_SHARE = 0.01;

export interface TextDensity {
  /** Estimated share of clips matching the text (phrases adjacent, exclusions applied). */
  matches: number;
  /** Estimated share of clips holding every include word anywhere: what a GIN scan hands over. */
  words: number;
  /** Matches found among the entries read (how much the estimate can be trusted). */
  matched: number;
}

/**
 * Whether the plan is for text whose spread the statistics cannot tell: two or more words (or a word and an
 * exclusion), every one of them common, and no filters (filtered searches are planned by PostgreSQL).
 */
export function worthProbing(stats: TermStatistics | null, plan: SearchPlan): stats is TermStatistics {
  if (stats === null || plan.mode === 'filter' || plan.include.length === 0) return false;
  if (hasFilters(plan.filters)) return false;
  const tokens = plan.include.flatMap((term) => term.tokens.map((token) => ({ term, token })));
  if (tokens.length < 2 && plan.exclude.length === 0) return false;
  const corrections = plan.mode === 'fuzzy' ? { corrections: plan.corrections } : {};
  const threshold = Math.max(PROBE_MIN_POSTINGS, stats.rows * PROBE_MIN_SHARE);
  return tokens.every(
    ({ term, token }) =>
      stats.rows *
        estimateFrequency(stats, [{ ...term, tokens: [token] }], { prefix: true, ...corrections }) >=
      threshold,
  );
}

/**
 * Measures the text on the most viewed clips. A share of the entries read, plus half a match: finding
 * nothing among 4,000 means "about one in 8,000 or fewer", not "none" (unless the probe read every clip).
 */
export async function probeTextDensity(
  sql: SqlExecutor,
  plan: SearchPlan,
  entries = PROBE_ENTRIES,
): Promise<TextDensity> {
  const statement = buildDensityProbeStatement(plan, entries);
  const [row] = await sql.query<{ read: number; matched: number; matched_words: number }>(
    statement.text,
    statement.params,
  );
  const read = Number(row?.read ?? 0);
  const matched = Number(row?.matched ?? 0);
  const words = Number(row?.matched_words ?? 0);
  if (read === 0) return { matches: 0, words: 0, matched };
  // Fewer entries than asked for: the probe read every clip, and its shares are exact.
  const unseen = read < entries ? 0 : 0.5;
  return { matches: (matched + unseen) / read, words: (words + unseen) / read, matched };
}
