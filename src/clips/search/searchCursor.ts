import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { UserError } from '../../shared/errors.js';

/**
 * Keyset position after the last clip of a page plus what must stay fixed across pages: the instant the
 * first page was computed (period windows and the recency term use it, so scores do not drift between
 * pages), the text-matching mode chosen on page one and the total shown there.
 */
export interface SearchCursor {
  /** Sort key of the last clip: relevance score (decimal string), view count, or created-at epoch ms. */
  key: string | number;
  id: string;
  nowMs: number;
  mode: 'exact' | 'fuzzy' | 'filter';
  total: number;
  totalIsExact: boolean;
}

const VERSION = 1;
/**
 * Used when the caller passes no secret (tests, the bench): drawn at random per process, so such cursors
 * cannot be forged from the source code; they only work in the process that issued them.
 */
const PROCESS_SECRET = randomBytes(32).toString('base64url');
const CURSOR_KEY_INFO = 'twitch-clip-search/search-cursor/v1';

/**
 * The cursor MAC key, derived (HKDF-SHA256) from a secret the deployment already has — main passes the
 * Discord bot token. One-way: a cursor reveals nothing about the token. Every process of one deployment
 * derives the same key, so a page link works whichever process answers it; rotating the token only
 * expires open page links.
 */
export function deriveCursorSecret(configuredSecret: string): string {
  return Buffer.from(hkdfSync('sha256', configuredSecret, '', CURSOR_KEY_INFO, 32)).toString('base64url');
}

/**
 * Cursors are `base64url(json).base64url(mac)`, the MAC being HMAC-SHA256 over the payload and the query's
 * fingerprint. A cursor edited by hand, or replayed with another query, fails the check and becomes
 * `UserError('search.invalidCursor')` — never a SQL error or a page of some other query's results.
 */
export function encodeSearchCursor(
  cursor: SearchCursor,
  fingerprint: string,
  secret = PROCESS_SECRET,
): string {
  const payload = Buffer.from(JSON.stringify({ v: VERSION, ...cursor })).toString('base64url');
  return `${payload}.${mac(payload, fingerprint, secret)}`;
}

export function decodeSearchCursor(
  token: string,
  fingerprint: string,
  secret = PROCESS_SECRET,
): SearchCursor {
  const [payload, signature, extra] = token.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) throw invalidCursor();
  const expected = Buffer.from(mac(payload, fingerprint, secret));
  const actual = Buffer.from(signature);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!isCursor(parsed)) throw invalidCursor();
  const { key, id, nowMs, mode, total, totalIsExact } = parsed;
  return { key, id, nowMs, mode, total, totalIsExact };
}

/** Stable digest of the parts of a query that define its result set (not the cursor or page size). */
export function queryFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

function mac(payload: string, fingerprint: string, secret: string): string {
  return createHmac('sha256', secret).update(`${payload}\n${fingerprint}`).digest('base64url').slice(0, 22);
}

function invalidCursor(): UserError {
  return new UserError(
    'search.invalidCursor',
    'This page link has expired or belongs to another search. Run the search again.',
  );
}

function isCursor(value: unknown): value is SearchCursor & { v: number } {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    v.v === VERSION &&
    (typeof v.key === 'string' || typeof v.key === 'number') &&
    typeof v.id === 'string' &&
    typeof v.nowMs === 'number' &&
    Number.isFinite(v.nowMs) &&
    (v.mode === 'exact' || v.mode === 'fuzzy' || v.mode === 'filter') &&
    typeof v.total === 'number' &&
    typeof v.totalIsExact === 'boolean'
  );
}
