import fc from 'fast-check';
import { describe, it } from 'vitest';
import { UserError } from '../../shared/errors.js';
import {
  decodeSearchCursor,
  encodeSearchCursor,
  queryFingerprint,
  type SearchCursor,
} from './searchCursor.js';

const RUNS = 10_000;
const fingerprint = queryFingerprint({ text: 'clutch' });

// What findClips can put in a cursor: finite keys (scores, view counts, dates) and well-formed text.
const cursor: fc.Arbitrary<SearchCursor> = fc.record({
  key: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
  ),
  id: fc.string({ unit: 'grapheme', maxLength: 60 }),
  nowMs: fc.integer({ min: 0, max: 8_640_000_000_000_000 }),
  mode: fc.constantFrom('exact' as const, 'fuzzy' as const, 'filter' as const),
  total: fc.integer({ min: 0, max: 2_000_000_000 }),
  totalIsExact: fc.boolean(),
});

/** Decodes, turning the only acceptable failure into `null`; anything else fails the property. */
function decodeOrNull(token: string, secret?: string): SearchCursor | null {
  try {
    return decodeSearchCursor(token, fingerprint, secret);
  } catch (error) {
    if (error instanceof UserError) return null;
    throw error;
  }
}

describe('search cursor codec on random input', () => {
  it('rejects any string that it did not issue with a UserError only', () => {
    const token = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc
        .tuple(fc.base64String({ maxLength: 200 }), fc.string({ maxLength: 30 }))
        .map(([a, b]) => `${a}.${b}`),
      fc.json().map((json) => `${Buffer.from(json).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`),
    );
    fc.assert(
      fc.property(token, (value) => decodeOrNull(value) === null),
      { numRuns: RUNS },
    );
  }, 120_000);

  it('round-trips every cursor, and refuses it after any one-character edit or under another key', () => {
    fc.assert(
      fc.property(cursor, fc.nat(), fc.string({ minLength: 1, maxLength: 1 }), (value, at, replacement) => {
        const token = encodeSearchCursor(value, fingerprint, 'key-a');
        // JSON drops the sign of -0; everything else comes back as it went in.
        const decoded = decodeSearchCursor(token, fingerprint, 'key-a');
        if (JSON.stringify(decoded) !== JSON.stringify(value)) return false;
        if (decodeOrNull(token, 'key-b') !== null) return false;
        const index = at % token.length;
        const edited = token.slice(0, index) + replacement + token.slice(index + 1);
        return edited === token || decodeOrNull(edited, 'key-a') === null;
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
