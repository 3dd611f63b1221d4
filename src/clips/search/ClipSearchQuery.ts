import { z } from 'zod';
import { UserError } from '../../shared/errors.js';
import { TWITCH_ID } from '../../twitch/twitchIdentifiers.js';
import type { ClipRecord } from '../ClipRecord.js';

export const SEARCH_SORTS = ['relevance', 'views', 'newest', 'oldest'] as const;
export const SEARCH_PERIODS = ['day', 'week', 'month', 'year', 'all'] as const;
export const MAX_PAGE_SIZE = 25;
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_CHANNEL_FILTERS = 25;

const twitchId = z.string().regex(TWITCH_ID, 'must be a numeric Twitch id');

/** What a caller (a Discord command, a test) may ask the search for; validated by {@link parseClipSearchQuery}. */
export const clipSearchQuerySchema = z
  .object({
    /** Words, "quoted phrases", -exclusions, or a clip URL/id for a direct lookup. */
    text: z.string().max(100_000).optional(),
    channelIds: z.array(twitchId).min(1).max(MAX_CHANNEL_FILTERS).optional(),
    gameId: twitchId.optional(),
    creatorId: twitchId.optional(),
    /** Relative window ending now; `all` = no window. Mutually exclusive with `from`/`to`. */
    period: z.enum(SEARCH_PERIODS).optional(),
    from: z.date().optional(),
    to: z.date().optional(),
    minViews: z.number().int().min(0).max(2_000_000_000).optional(),
    /** Twitch's clip language, e.g. "en", "pt-br", "other". */
    language: z
      .string()
      .regex(/^[a-z]{2,3}(?:-[a-z]{2,4})?$|^other$/i, 'must be a language code such as "en" or "pt-br"')
      .transform((value) => value.toLowerCase())
      .optional(),
    /** Defaults to relevance with text and to views without. */
    sort: z.enum(SEARCH_SORTS).optional(),
    cursor: z.string().max(2_000).optional(),
    pageSize: z.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  })
  .strict()
  .refine((q) => q.period === undefined || (q.from === undefined && q.to === undefined), {
    message: 'use either a period or a date range, not both',
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from.getTime() <= q.to.getTime(), {
    message: '"from" must not be after "to"',
  });

export type ClipSearchQuery = z.input<typeof clipSearchQuerySchema>;
export type ValidClipSearchQuery = z.output<typeof clipSearchQuerySchema>;

export type ClipSearchSort = (typeof SEARCH_SORTS)[number];
export type ClipSearchPeriod = (typeof SEARCH_PERIODS)[number];

export interface ClipSearchHit extends ClipRecord {
  /** Relevance score in [0, 1] (see docs/search.md); null for the other sorts. */
  score: number | null;
}

export interface ClipSearchPage {
  clips: ClipSearchHit[];
  /** Opaque; pass back as `cursor` with the same query for the next page. Null on the last page. */
  nextCursor: string | null;
  /** Matching clips: exact up to 1,000, a planner estimate beyond (see `totalIsExact`). */
  totalEstimate: number;
  totalIsExact: boolean;
  /**
   * How the text matched: `lookup` (clip URL/id), `exact` (words/prefixes/phrases), `fuzzy` (nothing matched
   * exactly, so typo-tolerant trigram matching was used), `filter` (no text).
   */
  mode: 'lookup' | 'exact' | 'fuzzy' | 'filter';
}

/** Validates with zod and turns every problem into one readable `UserError('search.invalidQuery')`. */
export function parseClipSearchQuery(query: unknown): ValidClipSearchQuery {
  const result = clipSearchQuerySchema.safeParse(query);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new UserError('search.invalidQuery', `Invalid search: ${problems.join('; ')}.`);
}
